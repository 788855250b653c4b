# SPDX-License-Identifier: Apache-2.0
"""Program and ProgramOptions: compile CUDA C++ (NVRTC), PTX (nvJitLink or the driver) or NVVM IR.

How this module is organised:

* ``ProgramOptions`` is a dataclass; ``__post_init__`` checks every field once (TypeError for a
  wrong type, ValueError for a bad value, both naming the option). The translation to each
  backend's command-line strings is driven by tables (``_NVRTC_TABLE``, ``_NVVM_TABLE``,
  ``_LINKER_FIELDS``), one row per option, not one branch per option.
* ``Program`` owns one backend object (an ``nvrtcProgram``, an NVVM program handle, or a
  ``Linker`` for PTX) and turns each compile into an ``ObjectCode``.
* Compiling never needs a GPU or a driver when ``arch`` is given: only NVRTC / NVVM /
  nvJitLink are loaded. Without ``arch``, the current device's architecture is used.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
import warnings
from dataclasses import dataclass

from cuda.core._errors import CUDAError, NVRTCError
from cuda.core._options import ARCH_RE as _ARCH_RE
from cuda.core._options import ClosesOnExit, check_bool, check_int, coerce_options, emit, fail_type
from cuda.core._toolchain import TARGETS, current_arch, libdevice_bytes, nvrtc_version

__all__ = ["Program", "ProgramOptions"]

_SOURCE_TYPES = ("c++", "ptx", "nvvm")
_STD = ("c++03", "c++11", "c++14", "c++17", "c++20")
_OFAST = ("0", "min", "mid", "max")

# ---------------------------------------------------------------------------------------------
# validation helpers: each names the option it checks


_fail_type = functools.partial(fail_type, "ProgramOptions")
_check_bool = functools.partial(check_bool, "ProgramOptions")


def _is_seq(value):
    return isinstance(value, (list, tuple))


def _check_int(field, value, minimum):
    check_int("ProgramOptions", field, value, minimum, "an int or None")


def _check_str(field, value):
    if not isinstance(value, str):
        _fail_type(field, value, "a str or None")
    if not value:
        raise ValueError(f"ProgramOptions.{field} must not be empty")


def _strs(field, value):
    """A str or a list/tuple of str -> tuple of str."""
    items = (value,) if isinstance(value, str) else value
    if not _is_seq(items):
        _fail_type(field, value, "a str, a list/tuple of str, or None")
    for item in items:
        if not isinstance(item, str):
            _fail_type(field, item, "a str (or a list/tuple of str)")
        if not item:
            raise ValueError(f"ProgramOptions.{field} must not hold an empty string")
    return tuple(items)


def _ints(field, value):
    """An int or a list/tuple of int -> tuple of int."""
    items = (value,) if isinstance(value, int) and not isinstance(value, bool) else value
    if not _is_seq(items):
        _fail_type(field, value, "an int, a list/tuple of int, or None")
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int):
            _fail_type(field, item, "an int (or a list/tuple of int)")
        if item < 0:
            raise ValueError(f"ProgramOptions.{field} must hold non-negative diagnostic numbers, got {item}")
    return tuple(items)


def _macros(field, value):
    """define_macro: 'N', ('N', 'V'), or a list/tuple of those -> tuple of 'N' / 'N=V' strings."""

    def one(item):
        if isinstance(item, str):
            if not item:
                raise ValueError(f"ProgramOptions.{field} must not hold an empty macro name")
            return item
        if isinstance(item, tuple) and len(item) == 2 and all(isinstance(x, str) for x in item):
            if not item[0]:
                raise ValueError(f"ProgramOptions.{field} must not hold an empty macro name")
            return f"{item[0]}={item[1]}"
        _fail_type(field, item, "a str or a (name, value) tuple of str")

    if isinstance(value, str):
        return (one(value),)
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(x, str) for x in value):
        return (one(value),)  # a single (name, value) pair
    if not _is_seq(value):
        _fail_type(field, value, "a str, a (name, value) tuple, a list/tuple of those, or None")
    return tuple(one(item) for item in value)


def _extra_sources(field, value):
    if not _is_seq(value):
        _fail_type(field, value, "a list/tuple of (name, source) pairs or None")
    out = []
    for item in value:
        if not (isinstance(item, tuple) and len(item) == 2):
            _fail_type(field, item, "a (name, source) 2-tuple")
        name, source = item
        if not isinstance(name, str):
            _fail_type(field, name, "a str module name")
        if not isinstance(source, (str, bytes, bytearray)):
            _fail_type(field, source, "a str, bytes or bytearray module")
        if len(source) == 0:
            raise ValueError(f"ProgramOptions.{field}: module {name!r} is empty")
        out.append((name, source))
    return tuple(out)


def _check_arch(field, value):
    _check_str(field, value)
    if not _ARCH_RE.match(value):
        raise ValueError(
            f"ProgramOptions.{field} must look like 'sm_90', 'sm_90a', 'compute_90' or 'lto_90', got {value!r}"
        )


def _choice(choices):
    def check(field, value):
        if not isinstance(value, str):
            _fail_type(field, value, f"one of {choices} or None")
        if value not in choices:
            raise ValueError(f"ProgramOptions.{field} must be one of {choices}, got {value!r}")

    return check


# field -> checker; a checker returning a value replaces the field's normalized form
_CHECKS = {
    "name": _check_str,
    "arch": _check_arch,
    "max_register_count": lambda f, v: _check_int(f, v, 1),
    "split_compile": lambda f, v: _check_int(f, v, 0),
    "std": _choice(_STD),
    "ofast_compile": _choice(_OFAST),
    "optimization_info": _check_str,
    "time": _check_str,
    "fdevice_time_trace": _check_str,
    "frandom_seed": _check_str,
    "create_pch": _check_str,
    "use_pch": _check_str,
    "pch_dir": _check_str,
    "ptxas_options": _strs,
    "undefine_macro": _strs,
    "include_path": _strs,
    "pre_include": _strs,
    "define_macro": _macros,
    "diag_error": _ints,
    "diag_suppress": _ints,
    "diag_warn": _ints,
    "extra_sources": _extra_sources,
}

# NVRTC: (field, kind, flag), the kinds of cuda.core._options.emit
_NVRTC_TABLE = (
    ("arch", "val", "-arch"),
    ("relocatable_device_code", "tf", "--relocatable-device-code"),
    ("extensible_whole_program", "on", "--extensible-whole-program"),
    ("debug", "on", "--device-debug"),
    ("lineinfo", "on", "--generate-line-info"),
    ("device_code_optimize", "onoff", "--dopt"),
    ("ptxas_options", "each", "--ptxas-options"),
    ("max_register_count", "val", "--maxrregcount"),
    ("ftz", "tf", "--ftz"),
    ("prec_sqrt", "tf", "--prec-sqrt"),
    ("prec_div", "tf", "--prec-div"),
    ("fma", "tf", "--fmad"),
    ("use_fast_math", "on", "--use_fast_math"),
    ("extra_device_vectorization", "on", "--extra-device-vectorization"),
    ("link_time_optimization", "on", "--dlink-time-opt"),
    ("gen_opt_lto", "on", "--gen-opt-lto"),
    ("define_macro", "each", "--define-macro"),
    ("undefine_macro", "each", "--undefine-macro"),
    ("include_path", "each", "--include-path"),
    ("pre_include", "each", "--pre-include"),
    ("no_source_include", "on", "--no-source-include"),
    ("std", "val", "--std"),
    ("builtin_move_forward", "tf", "--builtin-move-forward"),
    ("builtin_initializer_list", "tf", "--builtin-initializer-list"),
    ("disable_warnings", "on", "--disable-warnings"),
    ("restrict", "on", "--restrict"),
    ("device_as_default_execution_space", "on", "--device-as-default-execution-space"),
    ("device_int128", "on", "--device-int128"),
    ("device_float128", "on", "--device-float128"),
    ("optimization_info", "val", "--optimization-info"),
    ("no_display_error_number", "on", "--no-display-error-number"),
    ("diag_error", "each", "--diag-error"),
    ("diag_suppress", "each", "--diag-suppress"),
    ("diag_warn", "each", "--diag-warn"),
    ("brief_diagnostics", "tf", "--brief-diagnostics"),
    ("time", "val", "--time"),
    ("split_compile", "val", "--split-compile"),
    ("fdevice_syntax_only", "on", "--fdevice-syntax-only"),
    ("minimal", "on", "--minimal"),
    ("fdevice_time_trace", "val", "--fdevice-time-trace"),
    ("frandom_seed", "val", "--frandom-seed"),
    ("ofast_compile", "val", "--Ofast-compile"),
    ("pch", "on", "--pch"),
    ("create_pch", "val", "--create-pch"),
    ("use_pch", "val", "--use-pch"),
    ("pch_dir", "val", "--pch-dir"),
    ("pch_verbose", "tf", "--pch-verbose"),
    ("pch_messages", "tf", "--pch-messages"),
    ("instantiate_templates_in_pch", "tf", "--instantiate-templates-in-pch"),
    ("numba_debug", "on", "--numba-debug"),
)

# NVVM: the same kinds; booleans as 1/0. libNVVM accepts single-dashed options only.
_NVVM_TABLE = (
    ("arch", "val", "-arch"),
    ("debug", "on", "-g"),
    ("lineinfo", "on", "-generate-line-info"),
    ("device_code_optimize", "opt", "-opt"),
    ("ftz", "10", "-ftz"),
    ("prec_sqrt", "10", "-prec-sqrt"),
    ("prec_div", "10", "-prec-div"),
    ("fma", "10", "-fma"),
    ("link_time_optimization", "on", "-gen-lto"),
    ("numba_debug", "on", "-numba-debug"),
)
# options meaningful only to the NVVM backend / never turned into an option string
_NVVM_ONLY = ("extra_sources", "use_libdevice")
_NOT_OPTIONS = ("name", "no_cache")

# ProgramOptions field -> LinkerOptions field, for code_type="ptx"
_LINKER_FIELDS = (
    "name",
    "arch",
    "max_register_count",
    "debug",
    "lineinfo",
    "ftz",
    "prec_div",
    "prec_sqrt",
    "fma",
    "link_time_optimization",
    "split_compile",
    "ptxas_options",
    "no_cache",
)


@dataclass
class ProgramOptions:
    """Options of a :class:`Program`; each field left ``None`` keeps the compiler's default.

    ``arch`` (``"sm_90"``, ``"compute_90"``, ...) defaults to the current device's
    architecture; give it to compile without a GPU. Values are checked when the object is
    made: a wrong type raises TypeError and a bad value ValueError, naming the option.
    ``as_bytes(backend)`` returns the option strings handed to NVRTC (``"nvrtc"``) or
    libNVVM (``"nvvm"``).
    """

    name: str | None = "default_program"
    arch: str | None = None
    relocatable_device_code: bool | None = None
    extensible_whole_program: bool | None = None
    debug: bool | None = None
    lineinfo: bool | None = None
    device_code_optimize: bool | None = None
    ptxas_options: str | list[str] | tuple[str] | None = None
    max_register_count: int | None = None
    ftz: bool | None = None
    prec_sqrt: bool | None = None
    prec_div: bool | None = None
    fma: bool | None = None
    use_fast_math: bool | None = None
    extra_device_vectorization: bool | None = None
    link_time_optimization: bool | None = None
    gen_opt_lto: bool | None = None
    define_macro: object = None
    undefine_macro: str | list[str] | tuple[str] | None = None
    include_path: str | list[str] | tuple[str] | None = None
    use_bundled_headers: bool | None = None
    pre_include: str | list[str] | tuple[str] | None = None
    no_source_include: bool | None = None
    std: str | None = None
    builtin_move_forward: bool | None = None
    builtin_initializer_list: bool | None = None
    disable_warnings: bool | None = None
    restrict: bool | None = None
    device_as_default_execution_space: bool | None = None
    device_int128: bool | None = None
    optimization_info: str | None = None
    no_display_error_number: bool | None = None
    diag_error: int | list[int] | tuple[int] | None = None
    diag_suppress: int | list[int] | tuple[int] | None = None
    diag_warn: int | list[int] | tuple[int] | None = None
    brief_diagnostics: bool | None = None
    time: str | None = None
    split_compile: int | None = None
    fdevice_syntax_only: bool | None = None
    minimal: bool | None = None
    no_cache: bool | None = None
    fdevice_time_trace: str | None = None
    device_float128: bool | None = None
    frandom_seed: str | None = None
    ofast_compile: str | None = None
    pch: bool | None = None
    create_pch: str | None = None
    use_pch: str | None = None
    pch_dir: str | None = None
    pch_verbose: bool | None = None
    pch_messages: bool | None = None
    instantiate_templates_in_pch: bool | None = None
    extra_sources: object = None
    use_libdevice: bool | None = None
    numba_debug: bool | None = None

    def __post_init__(self):
        if self.name is None:
            self.name = "default_program"
        if self.arch is None:
            self.arch = current_arch()
        self._normalized = _validate(self)

    def _values(self):
        """Field -> normalized value, checked again if a field was assigned after creation."""
        cached = self._normalized
        if any(getattr(self, f) is not cached[f][0] for f in cached):
            self._normalized = cached = _validate(self)
        return {f: v[1] for f, v in cached.items()}

    def _option_strings(self, backend, target_type=None):
        backend = _backend_name(backend)
        values = self._values()
        if backend == "NVRTC":
            bad = [f for f in _NVVM_ONLY if values.get(f)]
            if bad:
                raise CUDAError(f"ProgramOptions {', '.join(bad)} apply to the NVVM backend only, not NVRTC")
            if values.get("use_bundled_headers"):
                raise CUDAError(_bundled_headers_message())
            return emit(_NVRTC_TABLE, values)
        # NVVM
        supported = {row[0] for row in _NVVM_TABLE} | set(_NVVM_ONLY) | set(_NOT_OPTIONS)
        bad = [f for f, v in values.items() if v is not None and v is not False and f not in supported]
        if bad:
            raise CUDAError(f"ProgramOptions {', '.join(sorted(bad))} are not supported by the NVVM backend")
        if values.get("arch"):
            values["arch"] = (
                "compute_" + _ARCH_RE.match(values["arch"]).group(2) + _ARCH_RE.match(values["arch"]).group(3)
            )
        if target_type == "ptx" and values.get("link_time_optimization"):
            raise ValueError("ProgramOptions.link_time_optimization makes NVVM emit LTO-IR: compile to 'ltoir'")
        out = emit(_NVVM_TABLE, values)
        if target_type == "ltoir" and "-gen-lto" not in out:
            out.append("-gen-lto")
        return out

    def as_bytes(self, backend, target_type=None) -> list[bytes]:
        """The option strings for ``backend`` ("nvrtc" or "nvvm"), each encoded as bytes.

        ValueError for an unknown backend; CUDAError when a set option does not apply to it.
        """
        return [s.encode() for s in self._option_strings(backend, target_type)]

    def _linker_options(self):
        from cuda.core._linker import LinkerOptions

        values = self._values()
        kwargs = {f: getattr(self, f) for f in _LINKER_FIELDS if getattr(self, f) is not None}
        if values.get("numba_debug"):
            warnings.warn(
                "ProgramOptions.numba_debug is ignored for code_type='ptx' (the linker cannot honour it)",
                UserWarning,
                stacklevel=4,
            )
        ignored = [
            f
            for f, v in values.items()
            if v not in (None, False) and f not in _LINKER_FIELDS and f not in ("numba_debug",)
        ]
        if ignored:
            raise CUDAError(f"ProgramOptions {', '.join(sorted(ignored))} are not supported for code_type='ptx'")
        return LinkerOptions(**kwargs)


def _validate(opts):
    """field -> (raw value, normalized value), checking every set field."""
    out = {}
    for f in dataclasses.fields(ProgramOptions):
        value = getattr(opts, f.name)
        norm = value
        if value is not None:
            check = _CHECKS.get(f.name, _check_bool)
            result = check(f.name, value)
            if result is not None:
                norm = result
        out[f.name] = (value, norm)
    return out


def _backend_name(backend):
    b = str(getattr(backend, "value", backend)).lower()
    if b == "nvrtc":
        return "NVRTC"
    if b == "nvvm":
        return "NVVM"
    raise ValueError(f"backend must be 'nvrtc' or 'nvvm', got {backend!r}")


def _bundled_headers_message():
    try:
        found = "{}.{}".format(*nvrtc_version())
    except Exception as exc:  # pragma: no cover - NVRTC missing
        found = f"unknown ({exc})"
    return f"ProgramOptions.use_bundled_headers needs NVRTC 13.3 or later with bundled headers (found {found})"


# ---------------------------------------------------------------------------------------------
# Program


def _nvrtc_raise(err, prog, what):
    from cuda.bindings import nvrtc

    name = nvrtc.nvrtcResult(err).name
    message = f"{what} failed: {name}"
    log = _nvrtc_log(prog) if prog is not None else ""
    if log:
        message += f"\ncompilation log:\n{log}"
    exc = NVRTCError(message, int(err), name)
    exc.log = log
    raise exc


def _nvrtc_log(prog):
    from cuda.bindings import nvrtc

    err, size = nvrtc.nvrtcGetProgramLogSize(prog)
    if err != nvrtc.nvrtcResult.NVRTC_SUCCESS or size <= 1:
        return ""
    buf = bytearray(size)
    (err,) = nvrtc.nvrtcGetProgramLog(prog, buf)
    if err != nvrtc.nvrtcResult.NVRTC_SUCCESS:
        return ""
    return bytes(buf).rstrip(b"\x00").decode(errors="replace")


_PCH_LOCK = threading.Lock()


class Program(ClosesOnExit):
    """Source code to compile into :class:`~cuda.core.ObjectCode`.

    ``code_type`` picks the backend: ``"c++"`` uses NVRTC, ``"nvvm"`` libNVVM (NVVM IR as
    text or bitcode), ``"ptx"`` the linker (nvJitLink, else the driver's cuLink).
    """

    def __init__(self, code, code_type, options=None):
        if not isinstance(code_type, str):
            raise TypeError(f"code_type must be a str, got {type(code_type).__name__}")
        code_type = code_type.lower()
        if code_type not in _SOURCE_TYPES:
            raise ValueError(f"code_type must be one of {_SOURCE_TYPES}, got {code_type!r}")
        self._options = coerce_options(ProgramOptions, options, "options")
        self._code_type = code_type
        self._handle = None
        self._linker = None
        self._pch_status = None
        self._compiled = False
        if code_type == "c++":
            if not isinstance(code, str):
                raise TypeError(f"code for code_type 'c++' must be a str, got {type(code).__name__}")
            self._code = code
            self._backend = "NVRTC"
            self._create_nvrtc()
        elif code_type == "ptx":
            if not isinstance(code, str):
                raise TypeError(f"code for code_type 'ptx' must be a str, got {type(code).__name__}")
            self._code = code
            self._linker = self._new_linker()
            self._backend = self._linker.backend
        else:
            if not isinstance(code, (str, bytes, bytearray)):
                raise TypeError(f"code for code_type 'nvvm' must be str, bytes or bytearray, got {type(code).__name__}")
            if len(code) == 0:
                raise ValueError("code for code_type 'nvvm' is empty")
            self._code = code
            self._backend = "NVVM"
            self._create_nvvm()

    # -- backends ------------------------------------------------------------------------------

    def _new_linker(self):
        from cuda.core._linker import Linker
        from cuda.core._module import ObjectCode

        code = ObjectCode.from_ptx(self._code.encode(), name=self._options.name)
        return Linker(code, options=self._options._linker_options())

    def _create_nvrtc(self):
        from cuda.bindings import nvrtc

        err, prog = nvrtc.nvrtcCreateProgram(self._code.encode(), self._options.name.encode(), 0, [], [])
        if err != nvrtc.nvrtcResult.NVRTC_SUCCESS:
            _nvrtc_raise(err, None, "nvrtcCreateProgram")
        self._handle = prog

    def _create_nvvm(self):
        from cuda.bindings import nvvm

        handle = nvvm.create_program()
        self._handle = handle
        try:
            code = self._code.encode() if isinstance(self._code, str) else bytes(self._code)
            nvvm.add_module_to_program(handle, code, len(code), self._options.name)
            for name, source in self._options._values().get("extra_sources") or ():
                data = source.encode() if isinstance(source, str) else bytes(source)
                nvvm.add_module_to_program(handle, data, len(data), name)
            if self._options.use_libdevice:
                data = libdevice_bytes()
                nvvm.lazy_add_module_to_program(handle, data, len(data), "libdevice")
        except Exception:
            self.close()
            raise

    def _compile_nvrtc(self, target_type, name_expressions, logs):
        from cuda.bindings import nvrtc

        if self._compiled:  # NVRTC takes name expressions before the first compile only: start afresh
            old, self._handle = self._handle, None
            nvrtc.nvrtcDestroyProgram(old)
            self._create_nvrtc()
        if target_type != "ltoir" and self._options.link_time_optimization:
            raise ValueError(
                f"ProgramOptions.link_time_optimization makes NVRTC emit LTO-IR: compile to 'ltoir', "
                f"not {target_type!r}"
            )
        prog = self._handle
        options = self._options.as_bytes("nvrtc", target_type)
        if target_type == "ltoir" and b"--dlink-time-opt" not in options:
            options.append(b"--dlink-time-opt")
        if self._options.arch is None and target_type == "cubin":
            raise ValueError(
                "no arch given and no current device to take it from: pass ProgramOptions(arch='sm_XY') "
                "to compile a cubin"
            )
        for expr in name_expressions:
            (err,) = nvrtc.nvrtcAddNameExpression(prog, _as_bytes_name(expr))
            if err != nvrtc.nvrtcResult.NVRTC_SUCCESS:
                _nvrtc_raise(err, prog, f"nvrtcAddNameExpression({expr!r})")
        wants_pch = bool(self._options.create_pch or self._options.pch)
        (err,) = nvrtc.nvrtcCompileProgram(prog, len(options), options)
        self._compiled = True
        if err == nvrtc.nvrtcResult.NVRTC_SUCCESS and wants_pch:
            err = self._pch_retry(prog, options)
        if logs is not None:
            log = _nvrtc_log(prog)
            if log:
                logs.write(log)
        if err != nvrtc.nvrtcResult.NVRTC_SUCCESS:
            _nvrtc_raise(err, prog, f"compiling {self._options.name!r}")
        getter = {
            "ptx": (nvrtc.nvrtcGetPTXSize, nvrtc.nvrtcGetPTX),
            "cubin": (nvrtc.nvrtcGetCUBINSize, nvrtc.nvrtcGetCUBIN),
            "ltoir": (nvrtc.nvrtcGetLTOIRSize, nvrtc.nvrtcGetLTOIR),
        }[target_type]
        err, size = getter[0](prog)
        if err != nvrtc.nvrtcResult.NVRTC_SUCCESS:
            _nvrtc_raise(err, prog, f"getting the {target_type}")
        buf = bytearray(size)
        (err,) = getter[1](prog, buf)
        if err != nvrtc.nvrtcResult.NVRTC_SUCCESS:
            _nvrtc_raise(err, prog, f"getting the {target_type}")
        data = bytes(buf)
        if target_type == "ptx":
            data = data.rstrip(b"\x00")
        if not data:
            raise NVRTCError(f"NVRTC produced no {target_type} for {self._options.name!r} with options {options}")
        mapping = {}
        for expr in name_expressions:
            err, lowered = nvrtc.nvrtcGetLoweredName(prog, _as_bytes_name(expr))
            if err != nvrtc.nvrtcResult.NVRTC_SUCCESS:
                _nvrtc_raise(err, prog, f"nvrtcGetLoweredName({expr!r})")
            mapping[expr] = lowered
        return data, mapping

    def _pch_retry(self, prog, options):
        """Record the PCH outcome; grow NVRTC's PCH heap and compile again when it was too small."""
        from cuda.bindings import nvrtc

        R = nvrtc.nvrtcResult
        (status,) = nvrtc.nvrtcGetPCHCreateStatus(prog)
        if status == R.NVRTC_ERROR_PCH_CREATE_HEAP_EXHAUSTED:
            err, needed = nvrtc.nvrtcGetPCHHeapSizeRequired(prog)
            if err == R.NVRTC_SUCCESS:
                with _PCH_LOCK:
                    err, current = nvrtc.nvrtcGetPCHHeapSize()
                    if err == R.NVRTC_SUCCESS and needed > current:
                        nvrtc.nvrtcSetPCHHeapSize(needed)
                (err,) = nvrtc.nvrtcCompileProgram(prog, len(options), options)
                if err != R.NVRTC_SUCCESS:
                    return err
                (status,) = nvrtc.nvrtcGetPCHCreateStatus(prog)
        self._pch_status = {
            R.NVRTC_SUCCESS: "created",
            R.NVRTC_ERROR_NO_PCH_CREATE_ATTEMPTED: "not_attempted",
        }.get(status, "failed")
        return R.NVRTC_SUCCESS

    def _compile_nvvm(self, target_type, logs):
        from cuda.bindings import nvvm

        options = self._options.as_bytes("nvvm", target_type)
        handle = self._handle
        try:
            nvvm.verify_program(handle, len(options), options)
            nvvm.compile_program(handle, len(options), options)
        except nvvm.nvvmError as exc:
            log = _nvvm_log(handle)
            if logs is not None and log:
                logs.write(log)
            raise CUDAError(f"NVVM compile of {self._options.name!r} failed: {exc}\ncompilation log:\n{log}") from exc
        if logs is not None:
            log = _nvvm_log(handle)
            if log:
                logs.write(log)
        size = nvvm.get_compiled_result_size(handle)
        buf = bytearray(size)
        nvvm.get_compiled_result(handle, buf)
        data = bytes(buf)
        if target_type == "ptx":
            data = data.rstrip(b"\x00")
        return data

    # -- public --------------------------------------------------------------------------------

    def compile(self, target_type, name_expressions=(), logs=None, *, cache=None):
        """Compile to ``target_type`` ("ptx", "cubin" or "ltoir", as the backend allows).

        ``name_expressions`` (C++ only) are kernels or templates whose mangled names are
        recorded in ``ObjectCode.symbol_mapping``. ``logs`` is an object with ``write(str)``
        that receives the compiler's log. ``cache`` is a ProgramCacheResource: a hit returns a
        new ObjectCode from the cached bytes without compiling; a miss stores the result.
        """
        if self.is_closed:
            raise RuntimeError("this Program is closed")
        if not isinstance(target_type, str):
            raise TypeError(f"target_type must be a str, got {type(target_type).__name__}")
        target_type = target_type.lower()
        kind = "linker" if self._code_type == "ptx" else self._backend
        if target_type not in TARGETS[kind]:
            raise ValueError(
                f"target_type {target_type!r} is not supported for code_type {self._code_type!r}; "
                f"choose one of {TARGETS[kind]}"
            )
        if isinstance(name_expressions, (str, bytes)) or not _is_seq(name_expressions):
            raise TypeError("name_expressions must be a list or tuple of str/bytes")
        for expr in name_expressions:
            if not isinstance(expr, (str, bytes)):
                raise TypeError(f"each name expression must be a str or bytes, got {type(expr).__name__}")
        if name_expressions and self._backend != "NVRTC":
            raise ValueError("name_expressions are supported for code_type 'c++' only")
        if logs is not None and not callable(getattr(logs, "write", None)):
            raise TypeError("logs must have a write method")
        if cache is not None:
            return self._compile_cached(target_type, name_expressions, logs, cache)
        return self._compile_uncached(target_type, name_expressions, logs)

    def _compile_uncached(self, target_type, name_expressions, logs):
        from cuda.core._module import ObjectCode

        mapping = None
        if self._backend == "NVRTC":
            data, mapping = self._compile_nvrtc(target_type, tuple(name_expressions), logs)
        elif self._backend == "NVVM":
            data = self._compile_nvvm(target_type, logs)
        else:
            if self._compiled:  # a linker completes once: link again with a fresh one
                old, self._linker = self._linker, self._new_linker()
                old.close()
            self._compiled = True
            result = self._linker.link(target_type)
            if logs is not None:
                log = self._linker.get_info_log()
                if log:
                    logs.write(log)
            return result
        return ObjectCode._init(data, target_type, name=self._options.name, symbol_mapping=mapping)

    def _compile_cached(self, target_type, name_expressions, logs, cache):
        from cuda.core._module import ObjectCode
        from cuda.core._program_cache import ProgramCacheResource, make_program_cache_key

        if not isinstance(cache, ProgramCacheResource):
            raise TypeError(f"cache must be a ProgramCacheResource, got {type(cache).__name__}")
        if name_expressions:
            raise ValueError(
                "name_expressions cannot be combined with cache=: the symbol mapping is not stored in "
                "the cached binary; use make_program_cache_key and the cache directly"
            )
        key = make_program_cache_key(
            code=self._code,
            code_type=self._code_type,
            options=self._options,
            target_type=target_type,
        )
        data = cache.get(key)
        if data is not None:
            return ObjectCode._init(bytes(data), target_type, name=self._options.name)
        obj = self._compile_uncached(target_type, (), logs)
        cache[key] = obj
        return obj

    @property
    def backend(self) -> str:
        """ "NVRTC", "NVVM", or the linker's backend ("nvJitLink" or "driver") for PTX."""
        return self._backend

    @property
    def handle(self):
        """The backend's handle: an nvrtcProgram, an NVVM program (int), or the Linker's handle."""
        if self._linker is not None:
            return self._linker.handle
        return self._handle

    @property
    def pch_status(self):
        """ "created", "not_attempted" or "failed" after a compile that asked for a PCH; else None."""
        return self._pch_status

    @property
    def is_closed(self) -> bool:
        return self._handle is None and self._linker is None

    def close(self):
        """Destroy the backend program (safe to call more than once)."""
        handle, self._handle = self._handle, None
        linker, self._linker = self._linker, None
        if linker is not None:
            linker.close()
        if handle is None:
            return
        if self._backend == "NVRTC":
            from cuda.bindings import nvrtc

            nvrtc.nvrtcDestroyProgram(handle)
        else:
            from cuda.bindings import nvvm

            nvvm.destroy_program(handle)

    def __repr__(self):
        return f"<Program backend={self._backend!r}>"


def _as_bytes_name(expr):
    return expr if isinstance(expr, bytes) else expr.encode()


def _nvvm_log(handle):
    from cuda.bindings import nvvm

    try:
        size = nvvm.get_program_log_size(handle)
        if size <= 1:
            return ""
        buf = bytearray(size)
        nvvm.get_program_log(handle, buf)
        return bytes(buf).rstrip(b"\x00").decode(errors="replace")
    except Exception:
        return ""
