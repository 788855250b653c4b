# SPDX-License-Identifier: Apache-2.0
"""The enumerations, protocols and aliases that cuda.core's signatures use.

Each enumeration is a StrEnum: its members compare equal to the plain strings that cuda.core's
options also take (``WorkqueueSharingScopeType.DEVICE_CTX == "device_ctx"``), so code may pass
either. Importing this module is what loads it; ``import cuda.core`` does not.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, Protocol  # noqa: F401  (TYPE_CHECKING: a name NVIDIA's module has)

from cuda.bindings import driver
from cuda.core._resources import SMResource, WorkqueueResource
from cuda.core._utils.strenum import StrEnum

__all__ = [
    "AddressModeType",
    "ArrayFormatType",
    "CompilerBackendType",
    "DevicePointerType",
    "DeviceResourcesType",
    "FilterModeType",
    "GraphConditionalType",
    "GraphMemoryType",
    "IsStreamType",
    "ManagedMemoryLocationType",
    "ObjectCodeFormatType",
    "PCHStatusType",
    "ProcessStateType",
    "ReadModeType",
    "SourceCodeType",
    "VirtualMemoryAccessType",
    "VirtualMemoryAllocationType",
    "VirtualMemoryGranularityType",
    "VirtualMemoryHandleType",
    "VirtualMemoryLocationType",
    "WorkqueueSharingScopeType",
]


class IsStreamType(Protocol):
    """An object usable where cuda.core takes a stream: it has ``__cuda_stream__()`` returning
    ``(version, address of the CUstream)``."""

    def __cuda_stream__(self) -> tuple[int, int]: ...


# ---- programs and linking


class SourceCodeType(StrEnum):
    """The kinds of source a Program compiles."""

    CXX = "c++"
    PTX = "ptx"
    NVVM = "nvvm"


class ObjectCodeFormatType(StrEnum):
    """The formats of compiled code (Program.compile, Linker, ObjectCode)."""

    PTX = "ptx"
    CUBIN = "cubin"
    LTOIR = "ltoir"
    FATBIN = "fatbin"
    OBJECT = "object"
    LIBRARY = "library"


class CompilerBackendType(StrEnum):
    """The library that compiles or links (Program.backend, Linker.backend)."""

    NVRTC = "NVRTC"
    NVVM = "NVVM"
    NVJITLINK = "nvJitLink"
    DRIVER = "driver"


class PCHStatusType(StrEnum):
    """What NVRTC did with a precompiled header."""

    CREATED = "created"
    NOT_ATTEMPTED = "not_attempted"
    FAILED = "failed"


# ---- memory


class ManagedMemoryLocationType(StrEnum):
    """Where managed memory is preferred or prefetched to."""

    DEVICE = "device"
    HOST = "host"
    HOST_NUMA = "host_numa"


class VirtualMemoryAccessType(StrEnum):
    """Access granted to a virtual memory mapping."""

    READ_WRITE = "rw"
    READ = "r"


class VirtualMemoryAllocationType(StrEnum):
    """The kind of physical memory behind a virtual memory allocation."""

    PINNED = "pinned"
    MANAGED = "managed"


class VirtualMemoryGranularityType(StrEnum):
    """Which allocation granularity to round sizes to."""

    MINIMUM = "minimum"
    RECOMMENDED = "recommended"


class VirtualMemoryHandleType(StrEnum):
    """How a virtual memory allocation is shared with other processes."""

    POSIX_FD = "posix_fd"
    WIN32_KMT = "win32_kmt"
    FABRIC = "fabric"


class VirtualMemoryLocationType(StrEnum):
    """Where physical memory of a virtual memory allocation lives."""

    DEVICE = "device"
    HOST = "host"
    HOST_NUMA = "host_numa"
    HOST_NUMA_CURRENT = "host_numa_current"


# ---- graphs


class GraphConditionalType(StrEnum):
    """The kinds of conditional graph node."""

    IF = "if"
    WHILE = "while"
    SWITCH = "switch"


class GraphMemoryType(StrEnum):
    """Where a graph's allocation node allocates."""

    DEVICE = "device"
    HOST = "host"
    MANAGED = "managed"


# ---- textures


class AddressModeType(StrEnum):
    """How texture coordinates outside the array are resolved."""

    WRAP = "wrap"
    CLAMP = "clamp"
    MIRROR = "mirror"
    BORDER = "border"


class ArrayFormatType(StrEnum):
    """The element format of a CUDA array."""

    UINT8 = "uint8"
    UINT16 = "uint16"
    UINT32 = "uint32"
    INT8 = "int8"
    INT16 = "int16"
    INT32 = "int32"
    FLOAT16 = "float16"
    FLOAT32 = "float32"


class FilterModeType(StrEnum):
    """How a texture is sampled between elements."""

    POINT = "point"
    LINEAR = "linear"


class ReadModeType(StrEnum):
    """Whether texture reads return elements as stored or normalized to floats."""

    ELEMENT_TYPE = "element_type"
    NORMALIZED_FLOAT = "normalized_float"


# ---- green contexts


class WorkqueueSharingScopeType(StrEnum):
    """How the work queues of green contexts are shared."""

    DEVICE_CTX = "device_ctx"
    GREEN_CTX_BALANCED = "green_ctx_balanced"


# ---- aliases

DevicePointerType = driver.CUdeviceptr | int | None
"""A device address: a CUdeviceptr, an int, or None for none."""

DeviceResourcesType = Sequence[SMResource | WorkqueueResource]
"""The resources a green context is made from (ContextOptions.resources)."""

ProcessStateType = Literal["running", "locked", "checkpointed", "failed"]
"""The states of a process the checkpoint API reports."""
