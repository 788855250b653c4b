# SPDX-License-Identifier: Apache-2.0
"""ProgramOptions: the options of a Program, checked once when made.

``__post_init__`` checks every field (TypeError for a wrong type, ValueError for a bad value, both
naming the option). The translation to each backend's command-line strings is driven by tables
(``_NVRTC_TABLE``, ``_NVVM_TABLE``, ``_LINKER_FIELDS``), one row per option, not one branch per
option. Programs and the program cache both read them; this module imports neither.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import functools
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from cuda.core._errors import CUDAError
from cuda.core._options import ARCH_RE as _ARCH_RE
from cuda.core._options import check_bool, check_int, emit, fail_type
from cuda.core._toolchain import current_arch, nvrtc_version

__all__ = ["ProgramOptions"]

_IR = str | bytes | bytearray  # NVVM IR: text or bitcode
_Macros = str | tuple[str, str] | list[str | tuple[str, str]] | tuple[str | tuple[str, str], ...]

SOURCE_TYPES = ("c++", "ptx", "nvvm")
_STD = ("c++03", "c++11", "c++14", "c++17", "c++20")
_OFAST = ("0", "min", "mid", "max")

# ---------------------------------------------------------------------------------------------
# validation helpers: each names the option it checks


_fail_type = functools.partial(fail_type, "ProgramOptions")
_check_bool = functools.partial(check_bool, "ProgramOptions")


def is_sequence(value):
    """A list, a tuple or another sequence, but not text or bytes (as NVIDIA's options take)."""
    return isinstance(value, collections.abc.Sequence) and not isinstance(value, (str, bytes, bytearray))


def _check_int(field, value, minimum):
    check_int("ProgramOptions", field, value, minimum, "an int or None")


def _check_str(field, value):
    # an empty str is taken, as NVIDIA's options take it (NVRTC judges the flag it makes)
    if not isinstance(value, str):
        _fail_type(field, value, "a str or None")


def _strs(field, value):
    """A str or a list/tuple of str -> tuple of str."""
    items = (value,) if isinstance(value, str) else value
    if not is_sequence(items):
        _fail_type(field, value, "a str, a list/tuple of str, or None")
    for item in items:
        if not isinstance(item, str):
            _fail_type(field, item, "a str (or a list/tuple of str)")
    return tuple(items)


def _split_compile(field, value):
    """Threads for NVRTC's split compilation; a bool is taken as NVIDIA's options take one:
    True is on with as many threads as there are CPUs (0), False no flag."""
    if isinstance(value, bool):
        return 0 if value else ()
    _check_int(field, value, 0)


def _paths(field, value):
    """include_path / pre_include: str or path-like items (one or a sequence of them); False means
    none (NVRTC gets no flag, as NVIDIA's)."""
    if value is False:
        return ()
    items = (value,) if isinstance(value, (str, os.PathLike)) else value
    if not is_sequence(items):
        _fail_type(field, value, "a str or path, a sequence of them, or None")
    for item in items:
        # ints pass as their text, as NVIDIA's options take them (a folder may be named "0")
        if not isinstance(item, (str, os.PathLike, int)) or isinstance(item, bool):
            _fail_type(field, item, "a str or path (or a sequence of them)")
    return tuple(str(item) if isinstance(item, int) else os.fspath(item) for item in items)


def _check_file_value(field, value):
    """A file-valued NVRTC option (``--time=...``): a non-empty str or path, or a bool.

    A bool is taken as NVIDIA's options take it: for the linker ``time=True`` turns its timing on,
    and NVRTC gets the flag with the bool's text, so a set False still counts as set.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        _fail_type(field, value, "a str, a path, a bool or None")
    _check_str(field, value)
    return value


def _ints(field, value):
    """An int or a list/tuple of int -> tuple of int."""
    items = (value,) if isinstance(value, int) and not isinstance(value, bool) else value
    if not is_sequence(items):
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
    if not is_sequence(value):
        _fail_type(field, value, "a str, a (name, value) tuple, a list/tuple of those, or None")
    return tuple(one(item) for item in value)


def _extra_sources(field, value):
    if not is_sequence(value):
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
    "split_compile": _split_compile,
    "std": _choice(_STD),
    "ofast_compile": _choice(_OFAST),
    "optimization_info": _check_str,
    "time": _check_file_value,
    "fdevice_time_trace": _check_file_value,
    "frandom_seed": _check_str,
    "create_pch": _check_file_value,
    "use_pch": _check_file_value,
    "pch_dir": _check_file_value,
    "ptxas_options": _strs,
    "undefine_macro": _strs,
    "include_path": _paths,
    "pre_include": _paths,
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
    ("device_code_optimize", "opt", "-opt"),
    ("ftz", "10", "-ftz"),
    ("prec_sqrt", "10", "-prec-sqrt"),
    ("prec_div", "10", "-prec-div"),
    ("fma", "10", "-fma"),
)
# Fields NVIDIA's refuse for NVVM (a CUDAError naming them in _NVVM_REFUSED's order): those in
# _NVVM_REFUSED_ANY whatever their value, the others when true. Any other field (NVRTC's PCH and
# tracing options, no_cache, link_time_optimization: compile("ltoir") asks for LTO-IR itself) is
# left out, as NVIDIA's leave it.
_NVVM_REFUSED_ANY = frozenset(
    ("relocatable_device_code", "ptxas_options", "max_register_count", "define_macro", "undefine_macro",
     "include_path", "pre_include", "std", "builtin_move_forward", "builtin_initializer_list",
     "optimization_info", "diag_error", "diag_suppress", "diag_warn", "brief_diagnostics", "time",
     "split_compile")
)  # fmt: skip
_NVVM_REFUSED = (
    "relocatable_device_code", "extensible_whole_program", "lineinfo", "ptxas_options", "max_register_count",
    "use_fast_math", "extra_device_vectorization", "gen_opt_lto", "define_macro", "undefine_macro",
    "include_path", "pre_include", "no_source_include", "std", "builtin_move_forward",
    "builtin_initializer_list", "disable_warnings", "restrict", "device_as_default_execution_space",
    "device_int128", "optimization_info", "no_display_error_number", "diag_error", "diag_suppress",
    "diag_warn", "brief_diagnostics", "time", "split_compile", "fdevice_syntax_only", "minimal", "numba_debug",
)  # fmt: skip

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
    ptxas_options: str | list[str] | tuple[str, ...] | None = None
    max_register_count: int | None = None
    ftz: bool | None = None
    prec_sqrt: bool | None = None
    prec_div: bool | None = None
    fma: bool | None = None
    use_fast_math: bool | None = None
    extra_device_vectorization: bool | None = None
    link_time_optimization: bool | None = None
    gen_opt_lto: bool | None = None
    define_macro: _Macros | None = None
    undefine_macro: str | list[str] | tuple[str, ...] | None = None
    include_path: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None
    use_bundled_headers: bool | None = None
    pre_include: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None
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
    diag_error: int | list[int] | tuple[int, ...] | None = None
    diag_suppress: int | list[int] | tuple[int, ...] | None = None
    diag_warn: int | list[int] | tuple[int, ...] | None = None
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
    extra_sources: list[tuple[str, _IR]] | tuple[tuple[str, _IR], ...] | None = None
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
        if backend == "NVRTC":  # NVVM's own options (use_libdevice, extra_sources) are left out, as NVIDIA's
            if values.get("use_bundled_headers"):
                raise CUDAError(_bundled_headers_message())
            return emit(_NVRTC_TABLE, values)
        # NVVM
        bad = [f for f in _NVVM_REFUSED if (values[f] is not None if f in _NVVM_REFUSED_ANY else _is_set(values[f]))]
        if bad:
            raise CUDAError(f"The following options are not supported by NVVM backend: {', '.join(bad)}")
        if values.get("arch"):
            values["arch"] = (
                "compute_" + _ARCH_RE.match(values["arch"]).group(2) + _ARCH_RE.match(values["arch"]).group(3)
            )
        out = emit(_NVVM_TABLE, values)
        if target_type == "ltoir":
            out.append("-gen-lto")
        return out

    def as_bytes(self, backend: str, target_type: str | None = None) -> list[bytes]:
        """The option strings for ``backend`` ("nvrtc" or "nvvm"), each encoded as bytes.

        ValueError for an unknown backend; CUDAError when a set option does not apply to it.
        """
        return [s.encode() for s in self._option_strings(backend, target_type)]

    def _linker_options(self, *, warn=True):
        """The LinkerOptions that compile code_type='ptx'.

        The linker's ``-time`` only logs, so any set ``time`` turns it on. Fields the linker has
        no use for (NVRTC's) are left out, as NVIDIA's leave them; ``warn`` warns about
        numba_debug, which a user may expect to work (the cache key asks without warning).
        """
        from cuda.core._linker import LinkerOptions

        values = self._values()
        kwargs = {f: values[f] for f in _LINKER_FIELDS if values[f] is not None and values[f] != ()}
        if values["time"] is not None:
            kwargs["time"] = True
        if warn and values.get("numba_debug"):
            warnings.warn(
                "ProgramOptions.numba_debug is ignored for code_type='ptx' (the linker cannot honour it)",
                UserWarning,
                stacklevel=4,
            )
        return LinkerOptions(**kwargs)


def _is_set(value):
    """Whether an option's normalized value asks for anything (False and empty lists do not)."""
    return value is not None and value is not False and value != ()


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
    raise ValueError(f"Unknown backend {backend!r}: must be 'nvrtc' or 'nvvm'")


def _bundled_headers_message():
    try:
        found = "{}.{}".format(*nvrtc_version())
    except Exception as exc:  # pragma: no cover - NVRTC missing
        found = f"unknown ({exc})"
    return f"ProgramOptions.use_bundled_headers needs NVRTC 13.3 or later with bundled headers (found {found})"
