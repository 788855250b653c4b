# SPDX-License-Identifier: Apache-2.0
from dataclasses import dataclass
from typing import Any

from cuda.core._device import Device
from cuda.core._memory import Buffer, MemoryResource

__all__ = ["VirtualMemoryResource", "VirtualMemoryResourceOptions"]

@dataclass
class VirtualMemoryResourceOptions:
    allocation_type: str
    location_type: str
    handle_type: str | None
    granularity: str
    gpu_direct_rdma: bool
    addr_hint: int | None
    addr_align: int | None
    peers: tuple[int, ...]
    self_access: str | None
    peer_access: str | None
    def __init__(
        self,
        allocation_type: str = "pinned",
        location_type: str = "device",
        handle_type: str | None = "posix_fd",
        granularity: str = "recommended",
        gpu_direct_rdma: bool = False,
        addr_hint: int | None = 0,
        addr_align: int | None = None,
        peers: tuple = (),
        self_access: str | None = "rw",
        peer_access: str | None = "rw",
    ) -> None: ...
    def __post_init__(self) -> None: ...

class VirtualMemoryResource(MemoryResource):
    config: VirtualMemoryResourceOptions
    def __init__(self, device_id: Device | int, config: VirtualMemoryResourceOptions | dict | None = None) -> None: ...
    @property
    def device(self) -> Device: ...
    def allocate(self, size: int, stream: Any = None) -> Buffer: ...
    def modify_allocation(
        self, buf: Buffer, new_size: int, config: VirtualMemoryResourceOptions | None = None
    ) -> Buffer: ...
    def deallocate(self, ptr: int, size: int, stream: Any = None) -> None: ...
