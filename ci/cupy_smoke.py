# SPDX-License-Identifier: Apache-2.0
"""CuPy on the installed cuda.* stack: its libraries found by cuda.pathfinder, a JIT kernel, and
arrays shared with cuda.core both ways (DLPack and the CUDA Array Interface).

    python3 ci/cupy_smoke.py      # prints where cuda.* came from, then CUPY OK

Run by ci/gpu_run.sh (CUPY=1) on NVIDIA's stack and on ours, where the GPU image has CuPy. CuPy 14
loads NVRTC, cuBLAS and the rest through cuda.pathfinder and passes on the handle it loaded
(LoadedDL._handle_uint); cuda.core users hand CuPy arrays to kernels and back.
"""

import numpy as np

import cuda.bindings
import cuda.core
import cuda.pathfinder

print("cuda.core from", cuda.core.__file__, "| cuda.pathfinder from", cuda.pathfinder.__file__, flush=True)

import cupy  # noqa: E402

from cuda.core import Device, LaunchConfig, Program, ProgramOptions, launch  # noqa: E402
from cuda.core.utils import StridedMemoryView  # noqa: E402

print("cupy", cupy.__version__, "| cuda.bindings", cuda.bindings.__version__, flush=True)
nvrtc = cuda.pathfinder.load_nvidia_dynamic_lib("nvrtc")
assert nvrtc._handle_uint, "pathfinder handle"

# CuPy's own JIT (NVRTC through pathfinder) and a library call (cuBLAS)
scale = cupy.RawKernel(
    r'extern "C" __global__ void scale(float* x, float a, int n) {'
    r" int i = blockIdx.x * blockDim.x + threadIdx.x; if (i < n) x[i] *= a; }",
    "scale",
)
x = cupy.arange(1 << 12, dtype=cupy.float32)
scale(((x.size + 255) // 256,), (256,), (x, np.float32(3.0), np.int32(x.size)))
assert cupy.allclose(x, 3 * cupy.arange(x.size, dtype=cupy.float32)), "RawKernel"
m = cupy.ones((64, 64), dtype=cupy.float32)
assert float((m @ m)[0, 0]) == 64.0, "cuBLAS"

# CuPy arrays in cuda.core: a view of one, and a cuda.core kernel writing into it
dev = Device()
dev.set_current()
stream = dev.create_stream()
cupy_stream = cupy.cuda.ExternalStream(int(stream.handle))
view = StridedMemoryView.from_dlpack(x, stream_ptr=int(stream.handle))
assert view.ptr == x.data.ptr and view.shape == x.shape and view.dtype == np.float32, "DLPack view"
cai = StridedMemoryView.from_cuda_array_interface(x, stream_ptr=int(stream.handle))
assert cai.ptr == x.data.ptr, "CAI view"
code = 'extern "C" __global__ void add_one(float* x, int n) { int i = threadIdx.x; if (i < n) x[i] += 1.0f; }'
kernel = Program(code, "c++", ProgramOptions(arch=f"sm_{dev.arch}")).compile("cubin").get_kernel("add_one")
launch(stream, LaunchConfig(grid=1, block=32), kernel, view.ptr, np.int32(32))
stream.sync()
assert float(x[0]) == 1.0 and float(x[31]) == 94.0, "cuda.core kernel on CuPy memory"

# cuda.core memory in CuPy: a Buffer through DLPack
buf = dev.memory_resource.allocate(4 * 16, stream=stream)
stream.sync()
with cupy_stream:
    y = cupy.from_dlpack(StridedMemoryView.from_buffer(buf, (16,), dtype=np.dtype(np.float32)))
    y[:] = 5
    cupy_stream.synchronize()
host = np.empty(16, np.float32)
cupy.asnumpy(y, out=host)
assert (host == 5).all(), "CuPy writes into a cuda.core Buffer"
print("CUPY OK")
