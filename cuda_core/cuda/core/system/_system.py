# SPDX-License-Identifier: Apache-2.0
"""What the machine has: driver versions, the device count, process names.

The CUDA driver's version comes from ``cuDriverGetVersion``; the rest from NVML through
cuda.bindings.nvml, initialised on first use. Where cuda.bindings has no NVML module, the
NVML-only functions raise RuntimeError saying so, and the device count comes from the driver.
"""

from __future__ import annotations

import importlib.util

# Whether cuda.bindings has the NVML module cuda.core.system's devices and events are built on.
CUDA_BINDINGS_NVML_IS_COMPATIBLE = importlib.util.find_spec("cuda.bindings.nvml") is not None

__all__ = [
    "CUDA_BINDINGS_NVML_IS_COMPATIBLE",
    "get_driver_branch",
    "get_kernel_mode_driver_version",
    "get_num_devices",
    "get_nvml_version",
    "get_process_name",
    "get_user_mode_driver_version",
]

# NVML's error classes, re-exported by cuda.core.system (named here: listing them imports nothing)
NVML_EXCEPTION_NAMES = (
    "AlreadyInitializedError",
    "ArgumentVersionMismatchError",
    "CorruptedInforomError",
    "DeprecatedError",
    "DriverNotLoadedError",
    "FreqNotSupportedError",
    "FunctionNotFoundError",
    "GpuIsLostError",
    "GpuNotFoundError",
    "InUseError",
    "InsufficientPowerError",
    "InsufficientResourcesError",
    "InsufficientSizeError",
    "InvalidArgumentError",
    "InvalidStateError",
    "IrqIssueError",
    "LibRmVersionMismatchError",
    "LibraryNotFoundError",
    "MemoryError",
    "NoDataError",
    "NoPermissionError",
    "NotFoundError",
    "NotReadyError",
    "NotSupportedError",
    "NvmlError",
    "OperatingSystemError",
    "ResetRequiredError",
    "ResetTypeNotSupportedError",
    "TimeoutError",
    "UninitializedError",
    "UnknownError",
    "VgpuEccNotSupportedError",
)


def _nvml(what: str):
    """cuda.bindings.nvml, initialised; RuntimeError when cuda.bindings has no NVML module."""
    if not CUDA_BINDINGS_NVML_IS_COMPATIBLE:
        raise RuntimeError(
            f"{what} requires NVML support: this cuda.bindings has no cuda.bindings.nvml "
            "(install cuda-bindings 12.9.6+ or 13.1.2+)"
        )
    from cuda.bindings import nvml
    from cuda.core.system import _nvml_context

    _nvml_context._initialize()
    return nvml


def _version_tuple(text: str) -> tuple[int, ...]:
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
    return _version_tuple(_nvml("get_kernel_mode_driver_version").system_get_driver_version())


def get_nvml_version() -> tuple[int, ...]:
    """NVML's version as integers, e.g. (13, 580, 65, 6). Needs NVML."""
    return _version_tuple(_nvml("get_nvml_version").system_get_nvml_version())


def get_driver_branch() -> str:
    """The driver's branch name, e.g. "r580_00". Needs NVML (a driver of 2024 or later)."""
    return _nvml("get_driver_branch").system_get_driver_branch()


def get_num_devices() -> int:
    """The number of NVIDIA GPUs: NVML's count, or the CUDA driver's where NVML is not available."""
    nvml_error: object = "cuda.bindings has no NVML module"
    if CUDA_BINDINGS_NVML_IS_COMPATIBLE:
        from cuda.bindings import nvml

        try:
            return _nvml("get_num_devices").device_get_count_v2()
        except (nvml.NvmlError, RuntimeError) as exc:
            nvml_error = exc
    try:
        driver, err = _driver()
    except RuntimeError as exc:
        raise RuntimeError(f"cannot count devices: NVML: {nvml_error}; {exc}") from exc
    if err != driver.CUresult.CUDA_SUCCESS:
        if err == driver.CUresult.CUDA_ERROR_NO_DEVICE:
            return 0
        raise RuntimeError(f"cannot count devices: NVML: {nvml_error}; cuInit failed: {err.name}")
    err, count = driver.cuDeviceGetCount()
    if err != driver.CUresult.CUDA_SUCCESS:
        raise RuntimeError(f"cuDeviceGetCount failed: {err.name}")
    return count


def get_process_name(pid: int) -> str:
    """The name of process ``pid`` as NVML reports it (NotFoundError: NVML does not know it)."""
    if isinstance(pid, bool) or not isinstance(pid, int):
        raise TypeError(f"pid must be an int, got {type(pid).__name__}")
    if not 0 <= pid < 2**32:
        raise ValueError(f"pid must be between 0 and 2**32-1, got {pid}")
    return _nvml("get_process_name").system_get_process_name(pid)
