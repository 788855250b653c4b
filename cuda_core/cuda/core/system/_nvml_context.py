# SPDX-License-Identifier: Apache-2.0
"""NVML's initialisation: once per process, on first use (the first query, not the import).

NVML must be initialised in each process that uses it: a child made by fork inherits the
parent's state but not its initialisation, so the state records which process owns it.
"""

from __future__ import annotations

import os
import threading

from cuda.bindings import nvml

UNINITIALIZED = 0
INITIALIZED = 1
DISABLED_LIBRARY_NOT_FOUND = 2

_NVML_STATE = UNINITIALIZED
_NVML_OWNER_PID = 0
_lock = threading.Lock()


def _get_nvml_state() -> int:
    return _NVML_STATE


def is_initialized() -> bool:
    """Whether NVML is initialised in this process."""
    return _NVML_STATE == INITIALIZED and _NVML_OWNER_PID == os.getpid()


def _initialize() -> None:
    """Initialise NVML in this process if it is not yet; raises NVML's error when it cannot be."""
    global _NVML_STATE, _NVML_OWNER_PID
    if is_initialized():
        return
    with _lock:
        if is_initialized():
            return
        try:
            nvml.init_v2()
        except nvml.LibraryNotFoundError:
            _NVML_STATE = DISABLED_LIBRARY_NOT_FOUND
            raise
        except RuntimeError:  # the loader's DynamicLibNotFoundError, which lists where it looked
            _NVML_STATE = DISABLED_LIBRARY_NOT_FOUND
            raise
        _NVML_STATE, _NVML_OWNER_PID = INITIALIZED, os.getpid()


def validate() -> None:
    """Check that NVML is initialised, works, and sees at least one GPU.

    Raises nvml.UninitializedError, nvml.LibraryNotFoundError or nvml.GpuNotFoundError.
    """
    if _NVML_STATE == DISABLED_LIBRARY_NOT_FOUND:
        raise nvml.LibraryNotFoundError(nvml.Return.ERROR_LIBRARY_NOT_FOUND)
    if not is_initialized():
        raise nvml.UninitializedError(nvml.Return.ERROR_UNINITIALIZED)
    if nvml.device_get_count_v2() == 0:
        raise nvml.GpuNotFoundError(nvml.Return.ERROR_GPU_NOT_FOUND)


def initialize() -> None:
    """Initialise NVML in this process if it is not yet. Where the library or its driver is
    missing the state says so (validate() raises why) and nothing is raised here."""
    try:
        _initialize()
    except (nvml.NvmlError, RuntimeError):
        pass
