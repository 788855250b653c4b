# SPDX-License-Identifier: Apache-2.0
"""Program and ProgramOptions: compile CUDA C++ (NVRTC), PTX (nvJitLink or the driver) or NVVM IR.

How this module is organised:

* ``ProgramOptions`` (``_program_options``) is a dataclass checked once when made; its tables
  turn it into each backend's command-line strings.
* ``Program`` owns one backend object (an ``nvrtcProgram``, an NVVM program handle, or a
  ``Linker`` for PTX) and turns each compile into an ``ObjectCode``.
* Compiling never needs a GPU or a driver when ``arch`` is given: only NVRTC / NVVM /
  nvJitLink are loaded. Without ``arch``, the current device's architecture is used.
"""

from __future__ import annotations

import threading

from cuda.core._errors import CUDAError, NVRTCError, WrongKindError
from cuda.core._options import ClosesOnExit, coerce_options
from cuda.core._program_options import SOURCE_TYPES, ProgramOptions, is_sequence
from cuda.core._toolchain import TARGETS, libdevice_bytes

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Any

    from _typeshed import SupportsWrite

    from cuda.core._module import ObjectCode
    from cuda.core._program_cache import ProgramCacheResource

__all__ = ["Program", "ProgramOptions"]

# ---------------------------------------------------------------------------------------------
# Program


class UnsupportedCodeTypeError(ValueError, RuntimeError):
    """A code_type no backend takes: NVIDIA's raise RuntimeError, a ValueError is what it is."""


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

    @staticmethod
    def _can_load_generated_ptx() -> bool:
        """Whether the driver can load the PTX this process's NVRTC writes (an NVRTC newer than
        the driver writes a PTX ISA the driver refuses). NVIDIA's tests ask this name, here and
        as ``cuda.core._program._can_load_generated_ptx``."""
        from cuda.bindings import driver, nvrtc

        try:
            status, supported = driver.cuDriverGetVersion()
            if status != driver.CUresult.CUDA_SUCCESS:
                return False
            result, major, minor = nvrtc.nvrtcVersion()
        except RuntimeError:  # no driver or no NVRTC here (DynamicLibNotFoundError): nothing loads
            return False
        return result == nvrtc.nvrtcResult.NVRTC_SUCCESS and (supported or 0) >= (major or 0) * 1000 + (minor or 0) * 10

    def __init__(
        self, code: str | bytes | bytearray, code_type: str, options: ProgramOptions | dict | None = None
    ) -> None:
        if not isinstance(code_type, str):  # NVIDIA's call it unsupported too (a RuntimeError)
            raise UnsupportedCodeTypeError(f"Unsupported code_type={code_type!r}: a str is expected "
                                           f"(supported_code_types={SOURCE_TYPES})")  # fmt: skip
        code_type = code_type.lower()
        if code_type not in SOURCE_TYPES:
            raise UnsupportedCodeTypeError(f"Unsupported code_type={code_type!r} (supported_code_types={SOURCE_TYPES})")
        self._options = coerce_options(ProgramOptions, options, "options")
        self._code_type = code_type
        self._handle = None
        self._linker = None
        self._pch_status = None
        self._compiled = False
        self._code: str | bytes | bytearray
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
        return Linker(code, options=self._options._linker_options())  # what it cannot use is left out

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

    def compile(
        self,
        target_type: str,
        name_expressions: tuple[str | bytes, ...] | list[str | bytes] = (),
        logs: SupportsWrite[str] | None = None,
        *,
        cache: ProgramCacheResource | None = None,
    ) -> ObjectCode:
        """Compile to ``target_type`` ("ptx", "cubin" or "ltoir", as the backend allows).

        ``name_expressions`` (C++ only) are kernels or templates whose mangled names are
        recorded in ``ObjectCode.symbol_mapping``. ``logs`` is an object with ``write(str)``
        that receives the compiler's log. ``cache`` is a ProgramCacheResource: a hit returns a
        new ObjectCode from the cached bytes without compiling; a miss stores the result.
        """
        if self.is_closed:
            raise RuntimeError("this Program is closed")
        if not isinstance(target_type, str):  # a ValueError too, as NVIDIA's raise
            raise WrongKindError(f"target_type must be a str, got {type(target_type).__name__}")
        target_type = target_type.lower()
        kind = "linker" if self._code_type == "ptx" else self._backend
        if target_type not in TARGETS[kind]:
            raise ValueError(
                f"target_type {target_type!r} is not supported for code_type {self._code_type!r}; "
                f"choose one of {TARGETS[kind]}"
            )
        if self._backend != "NVRTC":
            name_expressions = ()  # only NVRTC names instantiations; the others ignore them, as NVIDIA's
        if isinstance(name_expressions, (str, bytes)) or not is_sequence(name_expressions):
            raise TypeError("name_expressions must be a list or tuple of str/bytes")
        for expr in name_expressions:
            if not isinstance(expr, (str, bytes)):
                raise TypeError(f"each name expression must be a str or bytes, got {type(expr).__name__}")
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
    def handle(self) -> Any:
        """The backend's handle: an nvrtcProgram, an NVVM program (int), or the Linker's handle."""
        if self._linker is not None:
            return self._linker.handle
        return self._handle

    @property
    def pch_status(self) -> str | None:
        """ "created", "not_attempted" or "failed" after a compile that asked for a PCH; else None."""
        return self._pch_status

    @property
    def is_closed(self) -> bool:
        return self._handle is None and self._linker is None

    def close(self) -> None:
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


def _get_nvvm_module():
    """cuda.bindings.nvvm once libNVVM is found, else RuntimeError saying what is missing.

    NVIDIA's cuda.core answers "can NVVM IR be compiled here?" by this name, and their tests ask it.
    """
    try:
        from cuda.bindings import nvvm

        nvvm.version()  # loads libNVVM: a missing library shows here, not at the first compile
    except Exception as exc:  # any failure means NVVM cannot be used here
        raise RuntimeError(f"NVVM is not available: {exc}") from exc
    return nvvm


_can_load_generated_ptx = Program._can_load_generated_ptx
