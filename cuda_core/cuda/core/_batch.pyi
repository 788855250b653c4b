# SPDX-License-Identifier: Apache-2.0
import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cuda.core._device import Device, Host
from cuda.core._memory import Buffer

__all__ = [
    "CopyOptions",
    "MemcpyOverlapMode",
    "MemcpySrcAccessOrder",
    "copy_batch",
    "discard_batch",
    "discard_prefetch_batch",
    "prefetch_batch",
]

class MemcpySrcAccessOrder(enum.StrEnum):
    STREAM = "stream"
    DURING_API_CALL = "during_api_call"
    ANY = "any"

class MemcpyOverlapMode(enum.StrEnum):
    DEFAULT = "default"
    PREFER_OVERLAP_WITH_COMPUTE = "prefer_overlap_with_compute"

@dataclass(frozen=True)
class CopyOptions:
    src_access_order: MemcpySrcAccessOrder
    src_location_hint: Device | Host | None
    dst_location_hint: Device | Host | None
    overlap_mode: MemcpyOverlapMode
    def __init__(
        self,
        src_access_order: MemcpySrcAccessOrder | str = ...,
        src_location_hint: Device | Host | None = None,
        dst_location_hint: Device | Host | None = None,
        overlap_mode: MemcpyOverlapMode | str = ...,
    ) -> None: ...
    def __post_init__(self) -> None: ...

def copy_batch(
    stream: Any,
    srcs: Sequence[Buffer],
    dsts: Sequence[Buffer],
    *,
    options: CopyOptions | Sequence[CopyOptions] | None = None,
) -> None: ...
def prefetch_batch(
    stream: Any, buffers: Sequence[Buffer], locations: Device | Host | Sequence[Device | Host]
) -> None: ...
def discard_batch(stream: Any, buffers: Sequence[Buffer]) -> None: ...
def discard_prefetch_batch(
    stream: Any, buffers: Sequence[Buffer], locations: Device | Host | Sequence[Device | Host]
) -> None: ...
