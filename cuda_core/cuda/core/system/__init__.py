# SPDX-License-Identifier: Apache-2.0
"""cuda.core.system: what the machine has, through NVML (the library behind nvidia-smi).

Driver and NVML versions, the device count and process names are always here. Where
cuda.bindings has its NVML module, so are NVML's devices (``Device``: names, UUIDs, PCI, memory,
clocks, temperatures, fans, NVLink, MIG, processes, events), system events and NVML's errors.
Importing this module loads nothing: NVML is initialised on the first call that needs it, and
the NVML-backed names are made on first use.
"""

from typing import TYPE_CHECKING

from cuda.core.system import typing  # noqa: F401  (a public submodule, as in NVIDIA's)
from cuda.core.system._system import (
    CUDA_BINDINGS_NVML_IS_COMPATIBLE,
    get_driver_branch,
    get_kernel_mode_driver_version,
    get_num_devices,
    get_nvml_version,
    get_process_name,
    get_user_mode_driver_version,
)

__all__ = [
    "CUDA_BINDINGS_NVML_IS_COMPATIBLE",
    "get_driver_branch",
    "get_kernel_mode_driver_version",
    "get_num_devices",
    "get_nvml_version",
    "get_process_name",
    "get_user_mode_driver_version",
]

# name -> the submodule that defines it; made on first use (module __getattr__ below)
_NVML_NAMES = {
    **dict.fromkeys(("Device", "NvlinkInfo", "get_p2p_status", "get_topology_common_ancestor"), "_device"),
    "register_events": "_system_events",
}
if CUDA_BINDINGS_NVML_IS_COMPATIBLE:
    from cuda.core.system._system import NVML_EXCEPTION_NAMES

    _NVML_NAMES.update(dict.fromkeys(NVML_EXCEPTION_NAMES, "exceptions"))
    __all__ += sorted(_NVML_NAMES)

if TYPE_CHECKING:
    from cuda.core.system._device import (  # noqa: F401
        Device,
        NvlinkInfo,
        get_p2p_status,
        get_topology_common_ancestor,
    )
    from cuda.core.system._system_events import register_events  # noqa: F401
    from cuda.core.system.exceptions import *  # noqa: F403


def __getattr__(name):
    module = _NVML_NAMES.get(name) if CUDA_BINDINGS_NVML_IS_COMPATIBLE else None
    if module is None:
        raise AttributeError(f"module 'cuda.core.system' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"cuda.core.system.{module}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_NVML_NAMES if CUDA_BINDINGS_NVML_IS_COMPATIBLE else ()))
