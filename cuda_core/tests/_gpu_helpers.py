# SPDX-License-Identifier: Apache-2.0
"""Helpers of the cuda.core GPU tests: compile kernels with NVRTC, move bytes with the driver bindings.

Kernels are compiled with cuda.bindings.nvrtc directly and loaded with ObjectCode.from_cubin, so
these tests depend on Program only through nothing; memory is allocated with cuMemAlloc unless a
test is about Buffer.
"""

from __future__ import annotations

import numpy as np

KERNELS = r"""
struct Pair { int a; double b; };

extern "C" __global__ void fill(int* out, int n, int value) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = value;
}

extern "C" __global__ void store(int* p, int value) { *p = value; }

extern "C" __global__ void copy_after_spin(int* dst, const int* src, unsigned long long cycles) {
    unsigned long long start = clock64();
    while (clock64() - start < cycles) { }
    *dst = *src;
}

extern "C" __global__ void spin(unsigned long long cycles) {
    unsigned long long start = clock64();
    while (clock64() - start < cycles) { }
}

extern "C" __global__ void kinds(unsigned long long* out, long long a, double b, bool c, float d, short e,
                                 unsigned char f, double g, int h, Pair s, unsigned long long p,
                                 unsigned long long big) {
    out[0] = (unsigned long long)a;
    out[1] = __double_as_longlong(b);
    out[2] = c ? 1 : 0;
    out[3] = (unsigned int)__float_as_int(d);
    out[4] = (unsigned long long)(long long)e;
    out[5] = f;
    out[6] = __double_as_longlong(g);
    out[7] = (unsigned long long)(long long)h;
    out[8] = (unsigned long long)(long long)s.a;
    out[9] = __double_as_longlong(s.b);
    out[10] = p;
    out[11] = big;
}

extern "C" __global__ void sum16(double* out, int* p0, int* p1, int* p2, int* p3, int i0, int i1, int i2, int i3,
                                 float f0, float f1, float f2, float f3, unsigned long long u0,
                                 unsigned long long u1, double d0, double d1) {
    *out = (double)(*p0 + *p1 + *p2 + *p3) + i0 + i1 + i2 + i3 + f0 + f1 + f2 + f3 + (double)u0 + (double)u1
           + d0 + d1;
}

extern "C" __global__ void block_ids(int* out) {
    int b = blockIdx.x + gridDim.x * (blockIdx.y + gridDim.y * blockIdx.z);
    int t = threadIdx.x + blockDim.x * (threadIdx.y + blockDim.y * threadIdx.z);
    out[b * blockDim.x * blockDim.y * blockDim.z + t] = b * 1000 + t;
}

extern "C" __global__ void shmem_sum(int* out, int n) {
    extern __shared__ int buf[];
    buf[threadIdx.x] = threadIdx.x;
    __syncthreads();
    if (threadIdx.x == 0) {
        int s = 0;
        for (int i = 0; i < n; ++i) s += buf[i];
        *out = s;
    }
}
"""


def ok(result):
    err, *rest = result
    assert int(err) == 0, repr(err)
    return rest[0] if len(rest) == 1 else (rest or None)


_CACHE = {}


def kernels(device):
    """name -> Kernel for KERNELS compiled for ``device`` (cached per architecture)."""
    from cuda.bindings import nvrtc
    from cuda.core import ObjectCode

    arch = device.arch
    if arch not in _CACHE:
        prog = ok(nvrtc.nvrtcCreateProgram(KERNELS.encode(), b"core_tests.cu", 0, [], []))
        opts = [f"-arch=sm_{arch}".encode(), b"-std=c++17"]
        (err,) = nvrtc.nvrtcCompileProgram(prog, len(opts), opts)
        if int(err) != 0:
            size = ok(nvrtc.nvrtcGetProgramLogSize(prog))
            log = b" " * size
            nvrtc.nvrtcGetProgramLog(prog, log)
            raise RuntimeError(log.decode(errors="replace"))
        size = ok(nvrtc.nvrtcGetCUBINSize(prog))
        cubin = bytearray(size)
        ok(nvrtc.nvrtcGetCUBIN(prog, cubin))
        _CACHE[arch] = ObjectCode.from_cubin(bytes(cubin))
    code = _CACHE[arch]
    return {
        name: code.get_kernel(name)
        for name in ("fill", "store", "copy_after_spin", "spin", "kinds", "sum16", "block_ids", "shmem_sum")
    }


class DeviceMemory:
    """cuMemAlloc'd bytes, poisoned with 0xAB at creation; int() is the device pointer."""

    def __init__(self, nbytes):
        from cuda.bindings import driver

        self.nbytes = nbytes
        self.ptr = int(ok(driver.cuMemAlloc(nbytes)))
        ok(driver.cuMemsetD8(self.ptr, 0xAB, nbytes))

    def __int__(self):
        return self.ptr

    def read(self, dtype, count):
        from cuda.bindings import driver

        out = np.empty(count, dtype=dtype)
        ok(driver.cuCtxSynchronize())
        ok(driver.cuMemcpyDtoH(out, self.ptr, out.nbytes))
        return out

    def write(self, array):
        from cuda.bindings import driver

        array = np.ascontiguousarray(array)
        ok(driver.cuMemcpyHtoD(self.ptr, array, array.nbytes))

    def free(self):
        from cuda.bindings import driver

        if self.ptr:
            ok(driver.cuMemFree(self.ptr))
            self.ptr = 0


POISON32 = np.frombuffer(b"\xab" * 4, dtype=np.int32)[0]
