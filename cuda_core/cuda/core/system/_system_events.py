# SPDX-License-Identifier: Apache-2.0
"""System events (a GPU's driver bound or unbound): register_events, then wait on the result."""

from __future__ import annotations

from cuda.bindings import nvml
from cuda.core.system import _nvml_context
from cuda.core.system._device import Device, _event_mask
from cuda.core.system.typing import SystemEventType

__all__ = ["register_events"]

_SYSTEM_EVENT_BITS = {SystemEventType.UNBIND: 0x1, SystemEventType.BIND: 0x2}


def _pci_bus_id_from_gpu_id(gpu_id: int) -> str:
    """The PCI bus id ("domain:bus:device.0") packed into a system event's gpu_id."""
    gpu_id = int(gpu_id)
    domain, bus, device = gpu_id >> 32, (gpu_id >> 8) & 0xFF, (gpu_id >> 3) & 0x1F
    return f"{domain:08x}:{bus:02x}:{device:02x}.0"


class SystemEvent:
    """One system event."""

    __slots__ = ("_data",)

    def __init__(self, event_data):
        self._data = event_data

    @property
    def event_type(self) -> SystemEventType:
        value = int(self._data.event_type)
        return next(member for member, bit in _SYSTEM_EVENT_BITS.items() if bit == value)

    @property
    def gpu_id(self) -> int:
        """The GPU's PCI location, packed as NVML reports it."""
        return int(self._data.gpu_id)

    @property
    def device(self) -> Device:
        return Device(pci_bus_id=_pci_bus_id_from_gpu_id(self.gpu_id))

    def __repr__(self):
        return f"<SystemEvent {self.event_type.name} gpu_id={self.gpu_id:#x}>"


class SystemEvents:
    """The events one wait delivered, as a sequence of SystemEvent."""

    __slots__ = ("_count", "_data")

    def __init__(self, event_data, count: int | None = None):
        self._data = event_data
        self._count = len(event_data) if count is None else count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: int) -> SystemEvent:
        if not -self._count <= index < self._count:
            raise IndexError(f"event index {index} out of range for {self._count} events")
        return SystemEvent(self._data[index % self._count])


class RegisteredSystemEvents:
    """System events recorded since register_events; ``wait`` delivers them."""

    def __init__(self, events):
        mask = _event_mask(events, _SYSTEM_EVENT_BITS, SystemEventType)
        _nvml_context._initialize()
        self._set = nvml.system_event_set_create()
        try:
            nvml.system_register_events(mask, self._set)
        except BaseException:
            self.close()
            raise

    def wait(self, timeout_ms: int = 0, buffer_size: int = 1) -> SystemEvents:
        """Up to ``buffer_size`` events, waiting up to ``timeout_ms`` (0: no limit) for the first;
        TimeoutError when none came."""
        if isinstance(buffer_size, bool) or not isinstance(buffer_size, int):
            raise TypeError(f"buffer_size must be an int, got {type(buffer_size).__name__}")
        if buffer_size < 1:
            raise ValueError(f"buffer_size must be at least 1, got {buffer_size}")
        return SystemEvents(nvml.system_event_set_wait(self._set, timeout_ms, buffer_size))

    def close(self) -> None:
        event_set, self._set = getattr(self, "_set", 0), 0
        if event_set:
            nvml.system_event_set_free(event_set)

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


def register_events(events) -> RegisteredSystemEvents:
    """Start recording system events (SystemEventType members or their strings)."""
    return RegisteredSystemEvents(events)
