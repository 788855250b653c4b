# SPDX-License-Identifier: Apache-2.0
"""cuda.core: Pythonic access to CUDA devices, streams, events, memory, programs and launches.

Importing this package loads nothing else: each public name is imported from its module on
first use (module ``__getattr__``), so ``import cuda.core`` stays cheap.
"""

from cuda.core._version import __version__

# public name -> the module under cuda.core that defines it
_WHERE = {
    # devices, contexts, streams, events, launches
    "Device": "_device",
    "Context": "_device",
    "ContextOptions": "_device",
    "Host": "_device",
    "DeviceResources": "_resources",
    "SMResource": "_resources",
    "SMResourceOptions": "_resources",
    "WorkqueueResource": "_resources",
    "WorkqueueResourceOptions": "_resources",
    "Stream": "_stream",
    "StreamOptions": "_stream",
    "LEGACY_DEFAULT_STREAM": "_stream",
    "PER_THREAD_DEFAULT_STREAM": "_stream",
    "Event": "_event",
    "EventOptions": "_event",
    "LaunchConfig": "_launch",
    "launch": "_launch",
    "GraphicsResource": "_graphics",
    # memory
    "Buffer": "_memory",
    "ManagedBuffer": "_memory",
    "MemoryResource": "_memory",
    "DeviceMemoryResource": "_memory_pools",
    "DeviceMemoryResourceOptions": "_memory_pools",
    "PinnedMemoryResource": "_memory_pools",
    "PinnedMemoryResourceOptions": "_memory_pools",
    "ManagedMemoryResource": "_memory_pools",
    "ManagedMemoryResourceOptions": "_memory_pools",
    "LegacyPinnedMemoryResource": "_memory_pools",
    "GraphMemoryResource": "_memory_pools",
    "VirtualMemoryResource": "_virtual_memory",
    "VirtualMemoryResourceOptions": "_virtual_memory",
    "TensorMapDescriptor": "_tensor_map",
    "TensorMapDescriptorOptions": "_tensor_map",
    # compiling and loading code
    "Program": "_program",
    "ProgramOptions": "_program",
    "Linker": "_linker",
    "LinkerOptions": "_linker",
    "ObjectCode": "_module",
    "Kernel": "_module",
    # errors
    "CUDAError": "_errors",
    "NVRTCError": "_errors",
}

__all__ = ["__version__", "system", "utils", *_WHERE]


def __getattr__(name: str):
    where = _WHERE.get(name)
    if where is None:
        if name in ("system", "utils"):
            import importlib

            return importlib.import_module(f"cuda.core.{name}")
        raise AttributeError(f"module 'cuda.core' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"cuda.core.{where}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__():
    return sorted(__all__)
