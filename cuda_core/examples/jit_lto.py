# SPDX-License-Identifier: Apache-2.0
"""Link-time optimization across separately compiled sources, linked at run time with nvJitLink.

    python jit_lto.py

A kernel calls a device function that lives in another source (as a library's would). Both are
compiled to LTO-IR with NVRTC, then linked into one cubin, where the call can be inlined. The
compiling and linking need no GPU; the launch does.
"""

from __future__ import annotations

import sys

import numpy as np

from cuda.core import Buffer, Device, LaunchConfig, Linker, LinkerOptions, Program, ProgramOptions, launch

LIBRARY = r"""
extern "C" __device__ float transform(float x) { return 2.0f * x * x + 1.0f; }
"""
KERNEL = r"""
extern "C" __device__ float transform(float x);
extern "C" __global__ void apply(const float* in, float* out, unsigned long long n) {
    unsigned long long i = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x;
    if (i < n) out[i] = transform(in[i]);
}
"""


def link(arch: str):
    """The linked cubin (an ObjectCode) for ``arch`` (e.g. "sm_90")."""
    options = ProgramOptions(arch=arch, relocatable_device_code=True, link_time_optimization=True)
    parts = [Program(src, "c++", options).compile("ltoir") for src in (LIBRARY, KERNEL)]
    return Linker(*parts, options=LinkerOptions(arch=arch, link_time_optimization=True)).link("cubin")


def main(n: int = 1 << 20) -> int:
    dev = Device(0)
    dev.set_current()
    stream = dev.create_stream()
    kernel = link(f"sm_{dev.arch}").get_kernel("apply")
    x = np.random.default_rng(3).random(n, dtype=np.float32)
    out = np.empty_like(x)
    din, dout = (dev.allocate(n * 4, stream=stream) for _ in range(2))
    # host arrays wrapped as Buffers (pageable memory: the copies wait for the host)
    din.copy_from(Buffer.from_handle(x.ctypes.data, x.nbytes, owner=x), stream=stream)
    launch(stream, LaunchConfig(grid=(n + 255) // 256, block=256), kernel, din, dout, np.uint64(n))
    dout.copy_to(Buffer.from_handle(out.ctypes.data, out.nbytes, owner=out), stream=stream)
    stream.sync()
    good = np.allclose(out, 2 * x * x + 1, rtol=1e-6)
    for buf in (din, dout):
        buf.close(stream)
    print(f"jit_lto: two LTO-IR modules linked for sm_{dev.arch}, {n} elements: {'ok' if good else 'MISMATCH'}")
    return 0 if good else 1


if __name__ == "__main__":
    sys.exit(main())
