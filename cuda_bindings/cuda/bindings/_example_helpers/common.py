# SPDX-License-Identifier: Apache-2.0
"""Kernels compiled at run time with NVRTC, and the waiver the examples exit with."""

from __future__ import annotations

import os
import sys

from cuda import pathfinder
from cuda.bindings import driver, nvrtc, runtime

from .helper_cuda import check_cuda_errors

# Header sets a kernel may include: the CUDA runtime's (<cooperative_groups.h>, <cuda_fp16.h>)
# and CCCL's (<cuda/barrier>, <cuda/std/...>).
_HEADER_LIBS = ("cudart", "cccl")


def requirement_not_met(message: str):
    """Print ``message`` to stderr and exit: the example cannot run on this system.

    The exit code is ``$CUDA_BINDINGS_SKIP_EXAMPLE`` (NVIDIA's example runner sets 100 and counts
    that code as skipped), or 1 where the variable is unset or not an integer.
    """
    print(message, file=sys.stderr)
    try:
        code = int(os.environ.get("CUDA_BINDINGS_SKIP_EXAMPLE", "1"))
    except ValueError:
        code = 1
    sys.exit(code)


def check_compute_capability_too_low(dev_id: int, required_cc_major_minor: tuple[int, int]) -> None:
    """Waive (``requirement_not_met``) when device ``dev_id``'s compute capability is below the one required."""
    have = _compute_capability(dev_id)
    required = tuple(required_cc_major_minor)
    if have < required:
        requirement_not_met(f"CUDA device compute capability too low: have {have}, need {required}")


def nvrtc_supports_cubin(nvrtc_version) -> bool:
    """Whether an NVRTC of this ``(major, minor)`` version can emit a cubin (nvrtcGetCUBIN came in 11.1)."""
    return tuple(nvrtc_version[:2]) >= (11, 1)


def cuda_include_dirs() -> tuple[list[str], list[str]]:
    """(include directories found by cuda.pathfinder, names of the header sets not found): of
    this build's CUDA line, where the installed cuda.pathfinder can say so (the other line's
    headers do not compile with this NVRTC)."""
    found, missing = [], []
    for libname in _HEADER_LIBS:
        path = _header_dir(libname)
        (found if path else missing).append(path or libname)
    return found, missing


def _header_dir(libname: str) -> str | None:
    try:
        from cuda.pathfinder._headers import _find_header_directory_for_major as find_for_major
    except ImportError:  # another cuda.pathfinder: what it finds
        return pathfinder.find_nvidia_header_directory(libname)
    from cuda.bindings._version import __version__

    return find_for_major(libname, int(__version__.split(".")[0]))


class KernelCompileError(RuntimeError):
    """NVRTC could not compile a kernel: ``log`` holds its messages, ``missing_headers`` the
    header sets that were not found (their absence may be the cause)."""

    def __init__(self, status, log: str, missing_headers=()):
        self.status = status
        self.log = log
        self.missing_headers = list(missing_headers)
        message = f"NVRTC compile failed ({status.name}):\n{log}"
        if self.missing_headers:
            message += f"\nheaders not found by cuda.pathfinder: {', '.join(self.missing_headers)}"
        super().__init__(message)


def _target(compute_capability: tuple[int, int]) -> tuple[str, int]:
    """("sm", NN) for a cubin of the device's own architecture, or ("compute", NN) for PTX: when
    NVRTC cannot emit cubins, or does not know the device (PTX of the newest older one, which the
    driver compiles for the device)."""
    major, minor = compute_capability
    arch = major * 10 + minor
    if not nvrtc_supports_cubin(check_cuda_errors(nvrtc.nvrtcVersion())):
        return "compute", arch
    known = check_cuda_errors(nvrtc.nvrtcGetSupportedArchs())
    older = [a for a in known if a <= arch]
    if arch in known or not older:
        return "sm", arch  # an unknown architecture with nothing older: NVRTC says why
    return "compute", max(older)


def _read(prog, get_size, get) -> bytes:
    buf = bytearray(check_cuda_errors(get_size(prog)))
    check_cuda_errors(get(prog, buf))
    return bytes(buf)


def compile_kernel(code, compute_capability: tuple[int, int], include_dirs=None) -> bytes:
    """Compile CUDA C++ source for a device of ``compute_capability`` (no GPU needed).

    Parameters
    ----------
    code : str or bytes
        The source; kernels are looked up by name later, so they are usually ``extern "C"``.
    compute_capability : tuple of int
        ``(major, minor)`` of the device the code is for.
    include_dirs : list of str, optional
        Header directories; by default the CUDA runtime's and CCCL's found by cuda.pathfinder.

    Returns
    -------
    bytes
        A cubin (ELF), or NUL-terminated PTX where NVRTC cannot make a cubin for that device;
        either one ``cuModuleLoadData`` takes.

    Raises
    ------
    KernelCompileError
        The compile failed; NVRTC's log is printed to stderr too.
    """
    missing = []
    if include_dirs is None:
        include_dirs, missing = cuda_include_dirs()
    kind, arch = _target(compute_capability)
    options = [
        f"--gpu-architecture={kind}_{arch}".encode(),
        b"--std=c++17",  # CCCL needs it
        b"-default-device",  # functions without __device__ or __host__ are device functions
        b"--fmad=true",
        *(f"-I{path}".encode() for path in include_dirs),
    ]
    source = code.encode() if isinstance(code, str) else bytes(code)
    prog = check_cuda_errors(nvrtc.nvrtcCreateProgram(source, b"example_kernel.cu", 0, [], []))
    try:
        (status,) = nvrtc.nvrtcCompileProgram(prog, len(options), options)
        if status != nvrtc.nvrtcResult.NVRTC_SUCCESS:
            log = _read(prog, nvrtc.nvrtcGetProgramLogSize, nvrtc.nvrtcGetProgramLog)
            log = log.rstrip(b"\0").decode(errors="replace")
            print(log, file=sys.stderr)
            raise KernelCompileError(status, log, missing)
        if kind == "sm":
            return _read(prog, nvrtc.nvrtcGetCUBINSize, nvrtc.nvrtcGetCUBIN)
        return _read(prog, nvrtc.nvrtcGetPTXSize, nvrtc.nvrtcGetPTX)
    finally:
        nvrtc.nvrtcDestroyProgram(prog)


def _compute_capability(dev_id: int) -> tuple[int, int]:
    attr = runtime.cudaDeviceAttr
    major = check_cuda_errors(runtime.cudaDeviceGetAttribute(attr.cudaDevAttrComputeCapabilityMajor, dev_id))
    minor = check_cuda_errors(runtime.cudaDeviceGetAttribute(attr.cudaDevAttrComputeCapabilityMinor, dev_id))
    return major, minor


class KernelHelper:
    """CUDA C++ source compiled for device ``dev_id`` and loaded into the current context.

    The runtime is initialized first (``cudaFree(0)``), so a runtime example that only called
    ``cudaSetDevice`` has its device's primary context current; a driver example's own current
    context is used as it is. The module stays loaded for the life of the process, so the
    functions taken from it stay valid after the helper is gone.
    """

    def __init__(self, code, dev_id: int):
        check_cuda_errors(runtime.cudaFree(0))
        try:
            image = compile_kernel(code, _compute_capability(dev_id))
        except KernelCompileError as exc:
            if exc.missing_headers:  # as NVIDIA's: no CUDA headers means skip, not fail
                requirement_not_met(str(exc))
            raise
        self.module = check_cuda_errors(driver.cuModuleLoadData(image))

    def get_function(self, name):
        """The ``CUfunction`` called ``name`` (bytes or str) in the compiled code."""
        if isinstance(name, str):
            name = name.encode()
        return check_cuda_errors(driver.cuModuleGetFunction(self.module, name))
