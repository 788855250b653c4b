# SPDX-License-Identifier: Apache-2.0
"""``cuda.core._utils.cuda_utils``: the import path NVIDIA's cuda.core gives its error classes
and result helper.

Users, test helpers and libraries (numba-cuda among them) import ``CUDAError``, ``NVRTCError``
and ``handle_return`` from here, and reach ``driver``/``runtime``/``nvrtc`` through it. The
error classes are the very ones ``cuda.core`` raises, so ``except`` clauses match either way.
"""

from __future__ import annotations

import importlib

from cuda.core._errors import CUDAError, NVRTCError

__all__ = [
    "CUDAError",
    "NVRTCError",
    "check_multiprocessing_start_method",
    "handle_return",
    "reset_fork_warning",
]

_BINDINGS = ("driver", "runtime", "nvrtc")


def __getattr__(name: str):
    if name in _BINDINGS:  # the bindings modules, imported when first asked for
        return importlib.import_module(f"cuda.bindings.{name}")
    if name == "ComputeCapability":  # the (major, minor) named tuple of Device.compute_capability
        from cuda.core._device import _compute_capability_type

        return _compute_capability_type()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _raise_for(status) -> None:
    from cuda.bindings import driver, nvrtc, runtime

    if isinstance(status, driver.CUresult):
        if status != driver.CUresult.CUDA_SUCCESS:
            from cuda.core._errors import driver_error

            raise driver_error(int(status))
    elif isinstance(status, runtime.cudaError_t):
        if status != runtime.cudaError_t.cudaSuccess:
            _, name = runtime.cudaGetErrorName(status)
            _, text = runtime.cudaGetErrorString(status)
            label = name.decode() if isinstance(name, bytes) else str(status)
            raise CUDAError(f"{label}: {text.decode() if isinstance(text, bytes) else ''}", int(status), label)
    elif isinstance(status, nvrtc.nvrtcResult):
        if status != nvrtc.nvrtcResult.NVRTC_SUCCESS:
            _, text = nvrtc.nvrtcGetErrorString(status)
            label = status.name
            raise NVRTCError(f"{label}: {text.decode() if isinstance(text, bytes) else text}", int(status), label)
    else:
        raise TypeError(f"the first item of a bindings result must be a status code, not {type(status).__name__}")


def handle_return(result, handle=None):
    """The value of a cuda.bindings result tuple ``(status, *values)``, or the error it reports.

    A failing status raises CUDAError (NVRTCError for NVRTC); on success one value comes back as
    itself, several as a tuple, none as None. ``handle`` is accepted for NVIDIA's signature (their
    NVRTC path uses it to fetch the program log) and ignored here.
    """
    _raise_for(result[0])
    if len(result) == 1:
        return None
    if len(result) == 2:
        return result[1]
    return result[1:]


_fork_warned = False


def reset_fork_warning() -> None:
    """Let check_multiprocessing_start_method() warn again (it warns once per process)."""
    global _fork_warned
    _fork_warned = False


def check_multiprocessing_start_method() -> None:
    """Warn (once) when CUDA IPC objects are about to reach processes started by 'fork'.

    A forked child inherits the parent's CUDA state, which the driver does not support; IPC
    objects must go to children started with 'spawn' (or 'forkserver'). Called when a memory
    resource, allocation handle or event is pickled for multiprocessing.
    """
    global _fork_warned
    if _fork_warned:
        return
    import multiprocessing
    import platform
    import warnings

    try:
        method = multiprocessing.get_start_method(allow_none=True)
    except RuntimeError:
        method = None
    if method == "fork":
        message = (
            "The multiprocessing start method is 'fork': CUDA objects shared with forked processes "
            "give undefined behavior. Use multiprocessing.set_start_method('spawn')."
        )
    elif method is None and platform.system() == "Linux":
        message = (
            "The multiprocessing start method is not set, and on Linux it defaults to 'fork': CUDA "
            "objects shared with forked processes give undefined behavior. Use "
            "multiprocessing.set_start_method('spawn')."
        )
    else:
        return
    _fork_warned = True
    warnings.warn(message, UserWarning, stacklevel=3)


def register_reducers(*pairs) -> None:
    """Have multiprocessing pickle each class of ``pairs`` ((class, reducer), ...) with its reducer.

    IPC-capable objects call this when the first of them is made, so programs that never share
    import nothing for it. Registering again is harmless.
    """
    import multiprocessing.reduction as reduction

    for cls, reducer in pairs:
        reduction.register(cls, reducer)
