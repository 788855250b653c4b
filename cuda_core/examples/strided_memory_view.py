# SPDX-License-Identifier: Apache-2.0
"""One function for host and device arrays: StridedMemoryView reads numpy arrays (the array
interface, DLPack) and CuPy arrays (DLPack, the CUDA array interface) alike.

    python strided_memory_view.py

`scale` takes any such array; args_viewable_as_strided_memory hands it a proxy whose
view(stream) gives the pointer, shape, strides, dtype and device. Host arrays are scaled with
numpy, device arrays with a kernel launched on the caller's stream. CuPy is optional: without
it, only the numpy half runs.
"""

from __future__ import annotations

import sys

import numpy as np

from cuda.core import Device, LaunchConfig, Program, ProgramOptions, launch
from cuda.core.utils import StridedMemoryView, args_viewable_as_strided_memory

SOURCE = r"""
extern "C" __global__ void scale(float* x, float factor, unsigned long long n) {
    unsigned long long i = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x;
    if (i < n) x[i] *= factor;
}
"""


@args_viewable_as_strided_memory((0,))
def scale(array, factor: float, stream) -> None:
    view: StridedMemoryView = array.view(int(stream.handle) if stream is not None else -1)
    if view.dtype != np.float32 or view.strides not in (None, (1,)):
        raise TypeError(f"scale needs a contiguous 1-d float32 array, got {view.dtype} with strides {view.strides}")
    if view.device_id == -1:  # host memory: numpy, through the same view (DLPack)
        np.from_dlpack(view)[:] *= np.float32(factor)
        return
    config = LaunchConfig(grid=(view.size + 255) // 256, block=256)
    launch(stream, config, scale.kernel, view.ptr, np.float32(factor), np.uint64(view.size))


def main(n: int = 1 << 16) -> int:
    dev = Device(0)
    dev.set_current()
    stream = dev.create_stream()
    scale.kernel = Program(SOURCE, "c++", ProgramOptions(arch=f"sm_{dev.arch}")).compile("cubin").get_kernel("scale")
    checks = {}

    host = np.arange(n, dtype=np.float32)
    scale(host, 3.0, None)
    checks["numpy array (host)"] = bool(np.array_equal(host, np.arange(n, dtype=np.float32) * 3))

    try:
        import cupy as cp
    except ImportError:
        print("CuPy is not installed: the device half is skipped")
    else:
        with cp.cuda.ExternalStream(int(stream.handle)):
            x = cp.arange(n, dtype=cp.float32)
        scale(x, 0.5, stream)
        stream.sync()
        checks["CuPy array (device)"] = bool(np.array_equal(cp.asnumpy(x), np.arange(n, dtype=np.float32) * 0.5))
        view = StridedMemoryView.from_cuda_array_interface(x, stream_ptr=int(stream.handle))
        checks["CUDA array interface view"] = view.ptr == x.data.ptr and view.shape == (n,)

    for what, good in checks.items():
        print(f"{what}: {'ok' if good else 'MISMATCH'}")
    print("strided_memory_view: all ok" if all(checks.values()) else "strided_memory_view: FAILED")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
