# SPDX-License-Identifier: Apache-2.0
"""Vector addition with an extern "C" kernel, timed with events.

    python vector_add.py

The smallest complete cuda.core program: a device, a stream, a kernel compiled from source,
buffers from the device's memory pool, a launch, and a timing as the difference of two events.
"""

from __future__ import annotations

import sys

import numpy as np

from cuda.core import Device, EventOptions, LaunchConfig, LegacyPinnedMemoryResource, Program, ProgramOptions, launch

SOURCE = r"""
extern "C" __global__ void vector_add(const float* a, const float* b, float* c, unsigned long long n) {
    unsigned long long i = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x;
    if (i < n) c[i] = a[i] + b[i];
}
"""


def main(n: int = 1 << 22) -> int:
    dev = Device(0)
    dev.set_current()
    stream = dev.create_stream()
    kernel = Program(SOURCE, "c++", ProgramOptions(arch=f"sm_{dev.arch}")).compile("cubin").get_kernel("vector_add")

    pinned = LegacyPinnedMemoryResource()
    host = [pinned.allocate(n * 4) for _ in range(3)]
    a, b, c = (np.from_dlpack(h).view(np.float32) for h in host)
    rng = np.random.default_rng(0)
    a[:], b[:], c[:] = rng.random(n), rng.random(n), -1.0
    da, db, dc = (dev.allocate(n * 4, stream=stream) for _ in range(3))
    da.copy_from(host[0], stream=stream)
    db.copy_from(host[1], stream=stream)

    timing = EventOptions(timing_enabled=True)
    start = stream.record(options=timing)
    launch(stream, LaunchConfig(grid=(n + 255) // 256, block=256), kernel, da, db, dc, np.uint64(n))
    end = stream.record(options=timing)
    dc.copy_to(host[2], stream=stream)
    stream.sync()
    good = np.array_equal(c, a + b)
    print(f"vector_add: {n} floats in {end - start:.3f} ms on {dev.name}: {'ok' if good else 'MISMATCH'}")
    for buf in (da, db, dc):
        buf.close(stream)
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
