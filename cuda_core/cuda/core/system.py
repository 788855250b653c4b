# SPDX-License-Identifier: Apache-2.0
"""cuda.core.system: what the machine has (driver versions, device count, process names).

The driver's own version comes from ``cuDriverGetVersion``; the kernel-mode driver, its
branch, NVML's version and process names come from NVML (``libnvidia-ml.so.1``, found by
cuda.pathfinder and loaded on first use). Where the library needed is missing, the call
raises RuntimeError saying which library and why; importing this module loads nothing.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING  # noqa: F401 - also a public name of NVIDIA's cuda.core.system

# False until this module is built on cuda.bindings.nvml (issue 16): NVML is reached directly
# (below), and NVIDIA's NVML-backed names of cuda.core.system (Device...) are not here yet.
CUDA_BINDINGS_NVML_IS_COMPATIBLE = False

__all__ = [
    "CUDA_BINDINGS_NVML_IS_COMPATIBLE",
    "get_driver_branch",
    "get_kernel_mode_driver_version",
    "get_num_devices",
    "get_nvml_version",
    "get_process_name",
    "get_user_mode_driver_version",
]

_NVML_SUCCESS = 0
_NVML_ERROR_INSUFFICIENT_SIZE = 7
_BUFFER = 256

_lock = threading.Lock()
_nvml = None  # the initialised ctypes library, or the exception that stopped it
_nvml_error = None


def _load_nvml():
    """The NVML library, initialised once; RuntimeError naming the cause when it cannot be."""
    global _nvml, _nvml_error
    if _nvml is not None:
        return _nvml
    with _lock:
        if _nvml is None and _nvml_error is None:
            try:
                import ctypes

                from cuda.pathfinder import load_nvidia_dynamic_lib

                lib = ctypes.CDLL(load_nvidia_dynamic_lib("nvml").abs_path)
                init = getattr(lib, "nvmlInit_v2", None) or lib.nvmlInit
                rc = init()
                if rc != _NVML_SUCCESS:
                    raise RuntimeError(f"nvmlInit failed: {_nvml_error_string(lib, rc)}")
                _nvml = lib
            except Exception as exc:
                _nvml_error = exc
        if _nvml is None:
            first = str(_nvml_error).splitlines()[0] if str(_nvml_error) else type(_nvml_error).__name__
            raise RuntimeError(
                f"NVML (libnvidia-ml.so.1, part of the NVIDIA driver) is not available: {first}"
            ) from _nvml_error
    return _nvml


def _nvml_error_string(lib, rc):
    import ctypes

    try:
        fn = lib.nvmlErrorString
        fn.restype = ctypes.c_char_p
        return f"{fn(rc).decode()} (nvmlReturn_t {rc})"
    except Exception:
        return f"nvmlReturn_t {rc}"


def _nvml_call(name, *args):
    lib = _load_nvml()
    rc = getattr(lib, name)(*args)
    if rc != _NVML_SUCCESS:
        raise RuntimeError(f"{name} failed: {_nvml_error_string(lib, rc)}")


def _nvml_string(name, *args):
    import ctypes

    buf = ctypes.create_string_buffer(_BUFFER)
    _nvml_call(name, *args, buf, ctypes.c_uint(_BUFFER))
    return buf.value.decode(errors="replace")


def _version_tuple(text):
    return tuple(int(p) for p in text.strip().split(".") if p.isdigit())


def _driver():
    try:
        from cuda.bindings import driver

        (err,) = driver.cuInit(0)
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise RuntimeError(f"the CUDA driver (libcuda.so.1) is not available: {first}") from exc
    return driver, err


def get_user_mode_driver_version() -> tuple[int, ...]:
    """The CUDA version the driver supports, as (major, minor), e.g. (13, 0)."""
    driver, _ = _driver()
    err, version = driver.cuDriverGetVersion()
    if err != driver.CUresult.CUDA_SUCCESS:
        raise RuntimeError(f"cuDriverGetVersion failed: {err.name}")
    return (version // 1000, (version % 1000) // 10)


def get_kernel_mode_driver_version() -> tuple[int, ...]:
    """The kernel-mode (display) driver version, e.g. (580, 65, 6). Needs NVML."""
    return _version_tuple(_nvml_string("nvmlSystemGetDriverVersion"))


def get_nvml_version() -> tuple[int, ...]:
    """NVML's version as integers, e.g. (13, 580, 65, 6). Needs NVML."""
    return _version_tuple(_nvml_string("nvmlSystemGetNVMLVersion"))


def get_driver_branch() -> str:
    """The driver's branch name, e.g. "r580_00". Needs NVML (a driver of 2024 or later)."""
    import ctypes

    class _BranchInfo(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint), ("branch", ctypes.c_char * 80)]

    info = _BranchInfo()
    info.version = ctypes.sizeof(_BranchInfo) | (1 << 24)
    lib = _load_nvml()
    if not hasattr(lib, "nvmlSystemGetDriverBranch"):
        raise RuntimeError("this NVML has no nvmlSystemGetDriverBranch (the driver is too old)")
    _nvml_call("nvmlSystemGetDriverBranch", ctypes.byref(info), ctypes.c_uint(80))
    return info.branch.decode(errors="replace")


def get_num_devices() -> int:
    """The number of NVIDIA GPUs (NVML's count; the driver's where NVML is missing)."""
    try:
        import ctypes

        count = ctypes.c_uint(0)
        lib = _load_nvml()
        fn = getattr(lib, "nvmlDeviceGetCount_v2", None) or lib.nvmlDeviceGetCount
        rc = fn(ctypes.byref(count))
        if rc == _NVML_SUCCESS:
            return count.value
        nvml_error = RuntimeError(f"nvmlDeviceGetCount failed: {_nvml_error_string(lib, rc)}")
    except RuntimeError as exc:
        nvml_error = exc
    try:
        driver, err = _driver()
    except RuntimeError as exc:
        raise RuntimeError(f"cannot count devices: {nvml_error}; {exc}") from exc
    if err != driver.CUresult.CUDA_SUCCESS:
        if err == driver.CUresult.CUDA_ERROR_NO_DEVICE:
            return 0
        raise RuntimeError(f"cannot count devices: {nvml_error}; cuInit failed: {err.name}")
    err, count = driver.cuDeviceGetCount()
    if err != driver.CUresult.CUDA_SUCCESS:
        raise RuntimeError(f"cuDeviceGetCount failed: {err.name}")
    return count


def get_process_name(pid: int) -> str:
    """The name of process ``pid`` as NVML reports it. Needs NVML."""
    import ctypes

    if isinstance(pid, bool) or not isinstance(pid, int):
        raise TypeError(f"pid must be an int, got {type(pid).__name__}")
    if not 0 <= pid < 2**32:
        raise ValueError(f"pid must be between 0 and 2**32-1, got {pid}")
    return _nvml_string("nvmlSystemGetProcessName", ctypes.c_uint(pid))
