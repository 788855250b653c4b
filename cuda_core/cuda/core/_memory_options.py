# SPDX-License-Identifier: Apache-2.0
"""Options of the pool-backed memory resources (plain dataclasses, checked when made)."""

from __future__ import annotations

from dataclasses import dataclass

from cuda.core._options import as_flag, as_int

__all__ = ["DeviceMemoryResourceOptions", "ManagedMemoryResourceOptions", "PinnedMemoryResourceOptions"]


def _check_size(name: str, value) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")


def _check_optional_id(name: str, value) -> None:
    if value is None:
        return
    _check_size(name, value)


@dataclass
class DeviceMemoryResourceOptions:
    """Options of a DeviceMemoryResource that owns its pool.

    ipc_enabled: the pool and its buffers can be shared with other processes (POSIX file
    descriptors). max_size: the pool's size limit in bytes (0: the driver's default).
    """

    ipc_enabled: bool = False
    max_size: int = 0

    def __post_init__(self):
        # ipc_enabled a flag, max_size a number, as NVIDIA's fields take them
        self.ipc_enabled = as_flag(type(self).__name__, "ipc_enabled", self.ipc_enabled)
        self.max_size = as_int(type(self).__name__, "max_size", self.max_size)
        _check_size("max_size", self.max_size)


@dataclass
class PinnedMemoryResourceOptions:
    """Options of a PinnedMemoryResource that owns its (host) pool.

    ipc_enabled and max_size as for devices. numa_id: the host NUMA node the pool lives on;
    None lets the OS place it, or with ipc_enabled takes the current device's host NUMA node.
    """

    ipc_enabled: bool = False
    max_size: int = 0
    numa_id: int | None = None

    def __post_init__(self):
        owner = type(self).__name__
        self.ipc_enabled = as_flag(owner, "ipc_enabled", self.ipc_enabled)
        self.max_size = as_int(owner, "max_size", self.max_size)
        self.numa_id = as_int(owner, "numa_id", self.numa_id)
        _check_size("max_size", self.max_size)
        _check_optional_id("numa_id", self.numa_id)


_LOCATION_TYPES = (None, "device", "host", "host_numa")


@dataclass
class ManagedMemoryResourceOptions:
    """Options of a ManagedMemoryResource that owns its pool.

    preferred_location_type: None (then preferred_location is a device ordinal, -1 for the
    host, or None for no preference), "device" (preferred_location: an ordinal), "host"
    (preferred_location: None) or "host_numa" (preferred_location: a NUMA node, or None for the
    current device's host NUMA node).
    """

    preferred_location: int | None = None
    preferred_location_type: str | None = None

    def __post_init__(self):
        kind = self.preferred_location_type
        if kind is not None and not isinstance(kind, str):
            raise TypeError(f"preferred_location_type must be a str or None, not {type(kind).__name__}")
        if kind is not None:
            kind = str(kind)
        if kind not in _LOCATION_TYPES:
            raise ValueError(f"preferred_location_type must be one of {_LOCATION_TYPES[1:]} or None, got {kind!r}")
        loc = self.preferred_location
        if loc is not None and (isinstance(loc, bool) or not isinstance(loc, int)):
            raise TypeError(f"preferred_location must be an int or None, not {type(loc).__name__}")
        if kind is None:
            if loc is not None and loc < -1:
                raise ValueError(f"preferred_location must be a device ordinal, -1 (host) or None, got {loc}")
        elif kind == "device":
            if loc is None or loc < 0:
                raise ValueError(f"preferred_location_type 'device' needs a device ordinal >= 0, got {loc}")
        elif kind == "host":
            if loc is not None:
                raise ValueError(f"preferred_location_type 'host' takes preferred_location=None, got {loc}")
        elif loc is not None and loc < 0:
            raise ValueError(f"preferred_location_type 'host_numa' needs a NUMA node >= 0 or None, got {loc}")
