# SPDX-License-Identifier: Apache-2.0
"""SAXPY from a C++ template, compiled with NVRTC for float and double, launched and checked.

    python saxpy.py

Shows Program name expressions (one compile, two instantiations), Buffers copied to and from
pinned host memory viewed as numpy arrays through DLPack, and launch() with numpy scalars.
"""

from __future__ import annotations

import sys

import numpy as np

from cuda.core import Device, LaunchConfig, LegacyPinnedMemoryResource, Program, ProgramOptions, launch

SOURCE = r"""
template <typename T>
__global__ void saxpy(T a, const T* x, const T* y, T* out, size_t n) {
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x)
        out[i] = a * x[i] + y[i];
}
"""
NAMES = {np.float32: "saxpy<float>", np.float64: "saxpy<double>"}


def run(dev, code, dtype, n: int = 1 << 20) -> bool:
    stream = dev.create_stream()
    pinned = LegacyPinnedMemoryResource()
    nbytes = n * np.dtype(dtype).itemsize
    rng = np.random.default_rng(7)
    hosts = [pinned.allocate(nbytes) for _ in range(3)]
    x, y, out = (np.from_dlpack(h).view(dtype) for h in hosts)
    x[:], y[:], out[:] = rng.random(n), rng.random(n), np.nan
    dx, dy, dout = (dev.allocate(nbytes, stream=stream) for _ in range(3))
    dx.copy_from(hosts[0], stream=stream)
    dy.copy_from(hosts[1], stream=stream)
    a = dtype(2.5)
    config = LaunchConfig(grid=dev.properties.multiprocessor_count * 4, block=256)
    launch(stream, config, code.get_kernel(NAMES[dtype]), a, dx, dy, dout, np.uint64(n))
    dout.copy_to(hosts[2], stream=stream)
    stream.sync()
    good = np.allclose(out, a * x + y)
    for buf in (dx, dy, dout):
        buf.close(stream)
    stream.close()
    print(f"{NAMES[dtype]}: {n} elements, {'ok' if good else 'MISMATCH'}")
    return bool(good)


def main() -> int:
    dev = Device(0)
    dev.set_current()
    program = Program(SOURCE, "c++", ProgramOptions(arch=f"sm_{dev.arch}", std="c++17"))
    code = program.compile("cubin", name_expressions=tuple(NAMES.values()))
    results = [run(dev, code, dtype) for dtype in NAMES]
    print("saxpy: all ok" if all(results) else "saxpy: FAILED")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
