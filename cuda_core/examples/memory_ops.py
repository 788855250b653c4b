# SPDX-License-Identifier: Apache-2.0
"""The memory resources side by side: a device pool of our own, pinned and managed pools, and
the legacy pinned allocator; copies, fills and stream-ordered frees between them.

    python memory_ops.py

Every buffer is freed on the stream that last used it (Buffer.close(stream)): the memory goes
back to its pool only once that stream reaches the free.
"""

from __future__ import annotations

import ctypes
import sys

import numpy as np

from cuda.core import (
    Device,
    DeviceMemoryResource,
    DeviceMemoryResourceOptions,
    LegacyPinnedMemoryResource,
    ManagedMemoryResource,
    ManagedMemoryResourceOptions,
    PinnedMemoryResource,
)

MiB = 1 << 20


def host_view(buf, dtype=np.uint8) -> np.ndarray:
    """A numpy array over host-accessible memory (pinned or managed) at its address."""
    return np.frombuffer((ctypes.c_uint8 * buf.size).from_address(int(buf.handle)), dtype=dtype)


def main() -> int:
    dev = Device(0)
    dev.set_current()
    stream = dev.create_stream()
    checks = {}

    # a pool of our own, capped at 64 MiB, beside the device's default pool
    own = DeviceMemoryResource(dev, DeviceMemoryResourceOptions(max_size=64 * MiB))
    try:
        pinned = PinnedMemoryResource()
    except NotImplementedError as exc:  # the 12.9 line of cuda-bindings: host pools are CUDA 13.0's
        print(f"{exc}: page-locked memory of the legacy allocator instead")
        pinned = LegacyPinnedMemoryResource()
    legacy = LegacyPinnedMemoryResource()
    src = own.allocate(8 * MiB, stream)
    src.fill(0x5A, stream=stream)
    mid = dev.allocate(8 * MiB, stream=stream)  # the default pool
    mid.copy_from(src, stream=stream)
    host = pinned.allocate(8 * MiB, stream)
    mid.copy_to(host, stream=stream)
    stream.sync()
    checks["own pool -> default pool -> pinned pool"] = bool((host_view(host) == 0x5A).all())

    # pinned memory is host memory: write it from numpy, copy it to the device and back
    staged = legacy.allocate(8 * MiB)
    host_view(staged, np.float32)[:] = np.arange(2 * MiB, dtype=np.float32)
    mid.copy_from(staged, stream=stream)
    mid.copy_to(host, stream=stream)
    stream.sync()
    expected = np.arange(2 * MiB, dtype=np.float32)
    checks["legacy pinned -> device -> pinned"] = bool(np.array_equal(host_view(host, np.float32), expected))

    # managed memory, preferring the device; read on the host after the stream is done with it
    try:
        managed = ManagedMemoryResource(ManagedMemoryResourceOptions(preferred_location=dev.device_id))
    except Exception as exc:  # managed pools need a CUDA 13 driver and concurrent managed access
        print(f"managed pool: skipped ({exc})")
        managed = None
    if managed is not None:
        shared = managed.allocate(4 * MiB, stream)
        shared.fill(0x11, stream=stream)
        stream.sync()
        checks["managed pool, read on the host"] = bool((host_view(shared) == 0x11).all())
        shared.close(stream)

    for buf in (src, mid, host):
        buf.close(stream)
    staged.close()
    stream.sync()
    print(f"own pool: {own.attributes.used_mem_current} bytes in use after the frees")
    checks["own pool empty again"] = own.attributes.used_mem_current == 0
    own.close()
    for what, good in checks.items():
        print(f"{what}: {'ok' if good else 'MISMATCH'}")
    print("memory_ops: all ok" if all(checks.values()) else "memory_ops: FAILED")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
