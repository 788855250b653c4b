# SPDX-License-Identifier: Apache-2.0
"""cuda.core: Pythonic access to CUDA devices, streams, events, memory, programs and launches.

Importing this package loads nothing else: each public name is imported from its module on
first use (module ``__getattr__``), so ``import cuda.core`` stays cheap.
"""

import os as _os

from cuda.core._version import __version__

if _os.path.isdir(_os.path.join(_os.path.dirname(__file__), "_cu12")):  # a wheel for both toolkit lines
    from cuda.core import _lines

    _lines.select()  # the compiled modules of the installed cuda.bindings' line

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

# What type checkers see: the same names, imported from the modules _WHERE names (the stubtest
# session of noxfile.py checks that the two agree). At run time each is imported on first use.
TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from cuda.core import system as system
    from cuda.core import utils as utils
    from cuda.core._device import Context as Context
    from cuda.core._device import ContextOptions as ContextOptions
    from cuda.core._device import Device as Device
    from cuda.core._device import Host as Host
    from cuda.core._errors import CUDAError as CUDAError
    from cuda.core._errors import NVRTCError as NVRTCError
    from cuda.core._event import Event as Event
    from cuda.core._event import EventOptions as EventOptions
    from cuda.core._graphics import GraphicsResource as GraphicsResource
    from cuda.core._launch import LaunchConfig as LaunchConfig
    from cuda.core._launch import launch as launch
    from cuda.core._linker import Linker as Linker
    from cuda.core._linker import LinkerOptions as LinkerOptions
    from cuda.core._memory import Buffer as Buffer
    from cuda.core._memory import ManagedBuffer as ManagedBuffer
    from cuda.core._memory import MemoryResource as MemoryResource
    from cuda.core._memory_pools import DeviceMemoryResource as DeviceMemoryResource
    from cuda.core._memory_pools import DeviceMemoryResourceOptions as DeviceMemoryResourceOptions
    from cuda.core._memory_pools import GraphMemoryResource as GraphMemoryResource
    from cuda.core._memory_pools import LegacyPinnedMemoryResource as LegacyPinnedMemoryResource
    from cuda.core._memory_pools import ManagedMemoryResource as ManagedMemoryResource
    from cuda.core._memory_pools import ManagedMemoryResourceOptions as ManagedMemoryResourceOptions
    from cuda.core._memory_pools import PinnedMemoryResource as PinnedMemoryResource
    from cuda.core._memory_pools import PinnedMemoryResourceOptions as PinnedMemoryResourceOptions
    from cuda.core._module import Kernel as Kernel
    from cuda.core._module import ObjectCode as ObjectCode
    from cuda.core._program import Program as Program
    from cuda.core._program import ProgramOptions as ProgramOptions
    from cuda.core._resources import DeviceResources as DeviceResources
    from cuda.core._resources import SMResource as SMResource
    from cuda.core._resources import SMResourceOptions as SMResourceOptions
    from cuda.core._resources import WorkqueueResource as WorkqueueResource
    from cuda.core._resources import WorkqueueResourceOptions as WorkqueueResourceOptions
    from cuda.core._stream import LEGACY_DEFAULT_STREAM as LEGACY_DEFAULT_STREAM
    from cuda.core._stream import PER_THREAD_DEFAULT_STREAM as PER_THREAD_DEFAULT_STREAM
    from cuda.core._stream import Stream as Stream
    from cuda.core._stream import StreamOptions as StreamOptions
    from cuda.core._tensor_map import TensorMapDescriptor as TensorMapDescriptor
    from cuda.core._tensor_map import TensorMapDescriptorOptions as TensorMapDescriptorOptions
    from cuda.core._virtual_memory import VirtualMemoryResource as VirtualMemoryResource
    from cuda.core._virtual_memory import VirtualMemoryResourceOptions as VirtualMemoryResourceOptions

    __all__ = [  # the names above, as a list a type checker reads (at run time: from _WHERE)
        "LEGACY_DEFAULT_STREAM",
        "PER_THREAD_DEFAULT_STREAM",
        "Buffer",
        "CUDAError",
        "Context",
        "ContextOptions",
        "Device",
        "DeviceMemoryResource",
        "DeviceMemoryResourceOptions",
        "DeviceResources",
        "Event",
        "EventOptions",
        "GraphMemoryResource",
        "GraphicsResource",
        "Host",
        "Kernel",
        "LaunchConfig",
        "LegacyPinnedMemoryResource",
        "Linker",
        "LinkerOptions",
        "ManagedBuffer",
        "ManagedMemoryResource",
        "ManagedMemoryResourceOptions",
        "MemoryResource",
        "NVRTCError",
        "ObjectCode",
        "PinnedMemoryResource",
        "PinnedMemoryResourceOptions",
        "Program",
        "ProgramOptions",
        "SMResource",
        "SMResourceOptions",
        "Stream",
        "StreamOptions",
        "TensorMapDescriptor",
        "TensorMapDescriptorOptions",
        "VirtualMemoryResource",
        "VirtualMemoryResourceOptions",
        "WorkqueueResource",
        "WorkqueueResourceOptions",
        "__version__",
        "launch",
        "system",
        "utils",
    ]


def __getattr__(name: str):
    where = _WHERE.get(name)
    if where is None:
        if name in ("system", "texture", "utils"):  # texture: like graph and typing, not in __all__
            import importlib

            return importlib.import_module(f"cuda.core.{name}")
        raise AttributeError(f"module 'cuda.core' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"cuda.core.{where}"), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__():
    return sorted(__all__)
