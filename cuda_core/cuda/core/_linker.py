# SPDX-License-Identifier: Apache-2.0
"""Linker and LinkerOptions: link ObjectCodes (cubin, PTX, LTO-IR, fatbin, object, library).

The backend is chosen once per process: nvJitLink (12.3 or later) when it loads, else the
driver's cuLink* calls, with a RuntimeWarning (the driver cannot link LTO-IR nor emit PTX).
LinkerOptions become option strings for nvJitLink (``as_bytes``) or (CUjit_option, value)
pairs for the driver, each from one row of a table.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

from cuda.core._errors import CUDAError
from cuda.core._options import ARCH_RE, ClosesOnExit, check_bool, check_int, coerce_options, emit, fail_type
from cuda.core._toolchain import current_arch, linker_backend

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Any

    from cuda.core._module import ObjectCode

__all__ = ["Linker", "LinkerOptions"]

# (field, kind, nvJitLink flag), the kinds of cuda.core._options.emit
_NVJITLINK_TABLE = (
    ("arch", "val", "-arch"),
    ("max_register_count", "val", "-maxrregcount"),
    ("time", "on", "-time"),
    ("verbose", "on", "-verbose"),
    ("link_time_optimization", "on", "-lto"),
    ("ptx", "on", "-ptx"),
    ("optimization_level", "O", "-O"),
    ("debug", "on", "-g"),
    ("lineinfo", "on", "-lineinfo"),
    ("ftz", "10", "-ftz"),
    ("prec_div", "10", "-prec-div"),
    ("prec_sqrt", "10", "-prec-sqrt"),
    ("fma", "10", "-fma"),
    ("kernels_used", "each", "-kernels-used"),
    ("variables_used", "each", "-variables-used"),
    ("optimize_unused_variables", "on", "-optimize-unused-variables"),
    ("ptxas_options", "each", "-Xptxas"),
    ("split_compile", "val", "-split-compile"),
    ("split_compile_extended", "val", "-split-compile-extended"),
    ("no_cache", "on", "-no-cache"),
    ("numba_debug", "on", "-numba-debug"),
)

_fail_type = functools.partial(fail_type, "LinkerOptions")
_check_bool = functools.partial(check_bool, "LinkerOptions")


def _check_name(field, value):
    if not isinstance(value, str):
        _fail_type(field, value, "a str")


def _check_arch(field, value):
    if not isinstance(value, str):
        _fail_type(field, value, "a str like 'sm_90'")
    if not ARCH_RE.match(value):
        raise _bad_option(f"LinkerOptions.arch must look like 'sm_90' or 'sm_90a', got {value!r}")


_BadLinkerOptionError = None


def _bad_option_class():
    global _BadLinkerOptionError
    if _BadLinkerOptionError is None:  # made on first use: it derives from nvjitlink's error class
        from cuda.bindings import nvjitlink

        _BadLinkerOptionError = type(
            "BadLinkerOptionError",
            (nvjitlink.nvJitLinkError, ValueError),
            {"__doc__": "A LinkerOptions value nvJitLink never sees.", "__str__": lambda self: self.message},
        )
    return _BadLinkerOptionError


def _bad_option(message):
    """A ValueError that is also the nvJitLinkError (ERROR_UNRECOGNIZED_OPTION) NVIDIA's Linker
    raises for the same option, so ``except`` clauses written for either match."""
    from cuda.bindings import nvjitlink

    error = _bad_option_class()(nvjitlink.Result.ERROR_UNRECOGNIZED_OPTION)
    error.message = message
    return error


def _check_strs(field, value):
    items = (value,) if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not all(isinstance(x, str) and x for x in items):
        _fail_type(field, value, "a non-empty str or a list/tuple of them")


def _check_optimization_level(field, value):
    if isinstance(value, bool) or not isinstance(value, int):
        _fail_type(field, value, "an int")
    if value not in (0, 1, 2, 3):
        raise ValueError(f"LinkerOptions.optimization_level must be 0 to 3, got {value}")


def _int_at_least(minimum):
    return lambda field, value: check_int("LinkerOptions", field, value, minimum, "an int")


# field -> checker of a set value; a field not named here is a bool
_CHECKS = {
    "name": _check_name,
    "arch": _check_arch,
    "kernels_used": _check_strs,
    "variables_used": _check_strs,
    "ptxas_options": _check_strs,
    "optimization_level": _check_optimization_level,
    "max_register_count": _int_at_least(1),
    "split_compile": _int_at_least(0),
    "split_compile_extended": _int_at_least(0),
}


@dataclass
class LinkerOptions:
    """Options of a :class:`Linker`; a field left ``None`` keeps the linker's default.

    ``arch`` (``"sm_90"``) defaults to the current device's; give it to link without a GPU.
    Not every option exists in both backends: the driver backend raises for the ones it lacks.
    """

    name: str | None = "<default linker>"
    arch: str | None = None
    max_register_count: int | None = None
    time: bool | None = None
    verbose: bool | None = None
    link_time_optimization: bool | None = None
    ptx: bool | None = None
    optimization_level: int | None = None
    debug: bool | None = None
    lineinfo: bool | None = None
    ftz: bool | None = None
    prec_div: bool | None = None
    prec_sqrt: bool | None = None
    fma: bool | None = None
    kernels_used: str | tuple[str, ...] | list[str] | None = None
    variables_used: str | tuple[str, ...] | list[str] | None = None
    optimize_unused_variables: bool | None = None
    ptxas_options: str | tuple[str, ...] | list[str] | None = None
    split_compile: int | None = None
    split_compile_extended: int | None = None
    no_cache: bool | None = None
    numba_debug: bool | None = None

    def __post_init__(self):
        if self.name is None:
            self.name = "<default linker>"
        if self.arch is None:
            self.arch = current_arch()
        self._check()

    def _check(self):
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is not None:
                _CHECKS.get(f.name, _check_bool)(f.name, value)
        if self.ptx and not self.link_time_optimization:
            raise ValueError("LinkerOptions.ptx=True needs link_time_optimization=True")

    def _nvjitlink_strings(self):
        self._check()
        return emit(_NVJITLINK_TABLE, {field: getattr(self, field) for field, _, _ in _NVJITLINK_TABLE})

    def _driver_options(self):
        """(CUjit_option, int) pairs for cuLinkCreate; CUDAError for options the driver lacks."""
        from cuda.bindings import driver

        self._check()
        J = driver.CUjit_option
        pairs = []
        if self.arch is not None:
            m = ARCH_RE.match(self.arch)
            # CUjit_target: the number, plus 0x10000 for an "a" (accelerated) or 0x20000 for an "f" (family) target
            base = {"": 0, "a": 0x10000, "f": 0x20000}[m.group(3)]
            pairs.append((J.CU_JIT_TARGET, base + int(m.group(2))))
        if self.max_register_count is not None:
            pairs.append((J.CU_JIT_MAX_REGISTERS, self.max_register_count))
        if self.optimization_level is not None:
            pairs.append((J.CU_JIT_OPTIMIZATION_LEVEL, self.optimization_level))
        if self.debug:
            pairs.append((J.CU_JIT_GENERATE_DEBUG_INFO, 1))
        if self.lineinfo:
            pairs.append((J.CU_JIT_GENERATE_LINE_INFO, 1))
        if self.verbose:
            pairs.append((J.CU_JIT_LOG_VERBOSE, 1))
        unsupported = [
            f
            for f in (
                "link_time_optimization",
                "ptx",
                "time",
                "kernels_used",
                "variables_used",
                "optimize_unused_variables",
                "ptxas_options",
                "split_compile_extended",
                "numba_debug",
                "ftz",
                "prec_div",
                "prec_sqrt",
                "fma",
            )
            if getattr(self, f) not in (None, False)
        ]
        if self.split_compile not in (None, 1):
            unsupported.append("split_compile")
        if unsupported:
            raise CUDAError(
                f"LinkerOptions {', '.join(unsupported)} are not supported by the driver linker "
                "(nvJitLink is not available)"
            )
        return [(int(k), int(v)) for k, v in pairs]

    def as_bytes(self, backend: str = "nvjitlink") -> list[bytes]:
        """The nvJitLink option strings, each encoded as bytes (only "nvjitlink" is accepted)."""
        if str(getattr(backend, "value", backend)).lower() != "nvjitlink":
            raise ValueError(f"LinkerOptions.as_bytes supports backend 'nvjitlink' only, got {backend!r}")
        return [s.encode() for s in self._nvjitlink_strings()]


_NVJITLINK_INPUT = {
    "cubin": "CUBIN",
    "ptx": "PTX",
    "ltoir": "LTOIR",
    "fatbin": "FATBIN",
    "object": "OBJECT",
    "library": "LIBRARY",
}


class Linker(ClosesOnExit):
    """Links one or more :class:`~cuda.core.ObjectCode` into a cubin (or PTX with LTO)."""

    backend: str

    def __init__(self, *object_codes: ObjectCode, options: LinkerOptions | dict | None = None) -> None:
        from cuda.core._module import ObjectCode

        if not object_codes:
            raise ValueError("Linker needs at least one ObjectCode")
        for code in object_codes:
            if not isinstance(code, ObjectCode):
                raise TypeError(f"Linker takes ObjectCode objects, got {type(code).__name__}")
        self._options = coerce_options(LinkerOptions, options, "options")
        self._codes = object_codes
        self._info_log = ""
        self._error_log = ""
        self._handle: Any = None  # the nvJitLink handle (an int) while open
        self._closed = False
        self.backend = linker_backend()
        if self.backend == "nvJitLink":
            self._create_nvjitlink()
        else:
            self._options._driver_options()  # fail now for options the driver lacks
            for code in object_codes:
                if code.code_type == "ltoir":
                    raise CUDAError("the driver linker cannot link LTO-IR (nvJitLink is not available)")

    def _create_nvjitlink(self):
        from cuda.bindings import nvjitlink

        if self._options.arch is None:
            raise ValueError("no arch given and no current device to take it from: pass LinkerOptions(arch='sm_XY')")
        opts = self._options.as_bytes("nvjitlink")
        self._handle = nvjitlink.create(len(opts), opts)
        try:
            for code in self._codes:
                kind = getattr(nvjitlink.InputType, _NVJITLINK_INPUT[code.code_type])
                data = code.code
                name = code.name or "<object code>"
                try:
                    if isinstance(data, bytes):
                        nvjitlink.add_data(self._handle, kind, data, len(data), name)
                    else:
                        nvjitlink.add_file(self._handle, kind, data)
                except nvjitlink.nvJitLinkError as exc:
                    self._raise_nvjitlink(exc)
        except BaseException:
            self.close()
            raise

    def _read_logs_nvjitlink(self):
        from cuda.bindings import nvjitlink

        for attr, size_fn, get_fn in (
            ("_info_log", nvjitlink.get_info_log_size, nvjitlink.get_info_log),
            ("_error_log", nvjitlink.get_error_log_size, nvjitlink.get_error_log),
        ):
            try:
                size = size_fn(self._handle)
                buf = bytearray(size)
                if size:
                    get_fn(self._handle, buf)
                setattr(self, attr, bytes(buf).split(b"\0", 1)[0].decode(errors="replace"))
            except Exception:
                pass

    def _raise_nvjitlink(self, exc):
        from cuda.bindings import nvjitlink

        self._read_logs_nvjitlink()
        raise nvjitlink.nvJitLinkError(exc.status, self._error_log or None) from None

    def link(self, target_type: str) -> ObjectCode:
        """Link into ``target_type``: "cubin", or "ptx" (nvJitLink with link_time_optimization)."""
        from cuda.core._module import ObjectCode

        if self._closed:
            raise RuntimeError("this Linker is closed")
        if target_type not in ("cubin", "ptx"):
            raise ValueError(f"target_type must be 'cubin' or 'ptx', got {target_type!r}")
        if target_type == "ptx" and not (self.backend == "nvJitLink" and self._options.link_time_optimization):
            raise ValueError("linking to PTX needs nvJitLink and LinkerOptions(link_time_optimization=True)")
        if self.backend == "nvJitLink":
            from cuda.bindings import nvjitlink

            if target_type == "ptx" and not self._options.ptx:
                raise ValueError("linking to PTX needs LinkerOptions(ptx=True)")
            try:
                nvjitlink.complete(self._handle)
            except nvjitlink.nvJitLinkError as exc:
                self._raise_nvjitlink(exc)
            self._read_logs_nvjitlink()
            if target_type == "cubin":
                size = nvjitlink.get_linked_cubin_size(self._handle)
                buf = bytearray(size)
                nvjitlink.get_linked_cubin(self._handle, buf)
                data = bytes(buf)
            else:
                size = nvjitlink.get_linked_ptx_size(self._handle)
                buf = bytearray(size)
                nvjitlink.get_linked_ptx(self._handle, buf)
                data = bytes(buf).rstrip(b"\0")
        else:
            from cuda.core._module import _driver_link

            logs: list[str] = []
            inputs = [(c.code_type, c.code, c.name or "<object code>") for c in self._codes]
            try:
                data = _driver_link(inputs, self._options._driver_options(), logs)
            except CUDAError as exc:
                self._info_log, self._error_log = logs
                hint = ""
                if exc.name == "CUDA_ERROR_INVALID_CONTEXT":  # nvJitLink needs none, the driver's linker does
                    hint = " (the driver's linker needs a current context: call Device().set_current() first)"
                raise CUDAError(f"{exc}{hint}\nerror log:\n{self._error_log}", exc.code, exc.name) from None
            self._info_log, self._error_log = logs
        return ObjectCode._init(data, target_type, name=self._options.name)

    def get_error_log(self) -> str:
        """The linker's error log (empty before linking, or when there was no error)."""
        if self.backend == "nvJitLink" and self._handle is not None:
            self._read_logs_nvjitlink()
        return self._error_log

    def get_info_log(self) -> str:
        """The linker's info log."""
        if self.backend == "nvJitLink" and self._handle is not None:
            self._read_logs_nvjitlink()
        return self._info_log

    @classmethod
    def which_backend(cls) -> str:
        """ "nvJitLink" when it is available (12.3 or later), else "driver"."""
        return linker_backend()

    @property
    def handle(self) -> int | None:
        """The nvJitLink handle (an int); None for the driver backend (its state lives only during link)."""
        return self._handle

    @property
    def is_closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Destroy the linker (safe to call more than once)."""
        self._closed = True
        handle, self._handle = self._handle, None
        if handle is not None:
            from cuda.bindings import nvjitlink

            nvjitlink.destroy(handle)


def _decide_nvjitlink_or_driver() -> bool:
    """True where linking would go through the driver's cuLink* functions: the question NVIDIA's
    cuda.core answers by this name (their tests ask it). This Linker always uses nvJitLink."""
    return False
