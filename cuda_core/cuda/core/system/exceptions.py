# SPDX-License-Identifier: Apache-2.0
"""NVML's errors, as cuda.core.system raises them: the classes of cuda.bindings.nvml itself."""

from cuda.bindings import nvml

__all__ = [
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
]

AlreadyInitializedError = nvml.AlreadyInitializedError
ArgumentVersionMismatchError = nvml.ArgumentVersionMismatchError
CorruptedInforomError = nvml.CorruptedInforomError
DeprecatedError = nvml.DeprecatedError
DriverNotLoadedError = nvml.DriverNotLoadedError
FreqNotSupportedError = nvml.FreqNotSupportedError
FunctionNotFoundError = nvml.FunctionNotFoundError
GpuIsLostError = nvml.GpuIsLostError
GpuNotFoundError = nvml.GpuNotFoundError
InUseError = nvml.InUseError
InsufficientPowerError = nvml.InsufficientPowerError
InsufficientResourcesError = nvml.InsufficientResourcesError
InsufficientSizeError = nvml.InsufficientSizeError
InvalidArgumentError = nvml.InvalidArgumentError
InvalidStateError = nvml.InvalidStateError
IrqIssueError = nvml.IrqIssueError
LibRmVersionMismatchError = nvml.LibRmVersionMismatchError
LibraryNotFoundError = nvml.LibraryNotFoundError
MemoryError = nvml.MemoryError
NoDataError = nvml.NoDataError
NoPermissionError = nvml.NoPermissionError
NotFoundError = nvml.NotFoundError
NotReadyError = nvml.NotReadyError
NotSupportedError = nvml.NotSupportedError
NvmlError = nvml.NvmlError
OperatingSystemError = nvml.OperatingSystemError
ResetRequiredError = nvml.ResetRequiredError
ResetTypeNotSupportedError = nvml.ResetTypeNotSupportedError
TimeoutError = nvml.TimeoutError
UninitializedError = nvml.UninitializedError
UnknownError = nvml.UnknownError
VgpuEccNotSupportedError = nvml.VgpuEccNotSupportedError
