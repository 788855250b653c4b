# SPDX-License-Identifier: Apache-2.0
"""Result checking and device selection for the examples."""

from __future__ import annotations

from cuda.bindings import driver, runtime

from .helper_string import check_cmd_line_flag, get_cmd_line_argument_int


class CudaCallError(RuntimeError):
    """A driver, runtime or NVRTC call that did not succeed; ``status`` is the code it returned."""

    def __init__(self, status):
        self.status = status
        name = getattr(status, "name", None) or "<unknown>"
        super().__init__(f"CUDA error code={int(status)}({name})")


def check_cuda_errors(result):
    """The values a driver, runtime or NVRTC call returned after its status.

    Parameters
    ----------
    result : tuple
        The call's return value: a status (``CUresult``, ``cudaError_t`` or ``nvrtcResult``)
        followed by its outputs.

    Returns
    -------
    None when the call has no outputs, the output itself when it has one, else a tuple of them.

    Raises
    ------
    CudaCallError
        The status is not success (every one of these types has success at 0).
    """
    status, *values = result
    if int(status) != 0:
        raise CudaCallError(status)
    if not values:
        return None
    return values[0] if len(values) == 1 else tuple(values)


def _requested_device() -> int:
    return get_cmd_line_argument_int("device=") if check_cmd_line_flag("device=") else 0


def find_cuda_device() -> int:
    """The ordinal given as ``device=`` (default 0), made the runtime's current device."""
    dev_id = _requested_device()
    check_cuda_errors(runtime.cudaSetDevice(dev_id))
    return dev_id


def find_cuda_device_drv():
    """The ``CUdevice`` given as ``device=`` (default 0), after ``cuInit(0)``."""
    dev_id = _requested_device()
    check_cuda_errors(driver.cuInit(0))
    return check_cuda_errors(driver.cuDeviceGet(dev_id))
