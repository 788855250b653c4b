# SPDX-License-Identifier: Apache-2.0
# The least a Python launch function can do: same call shape as cuda.core's launch(stream, config,
# kernel, *args), but the launch config and kernel are fixed beforehand (prepare) and nothing is
# checked or packed; and c_loop, the same launches from a C loop (the C floor, in the same process).
# cuLaunchKernelEx comes from libcuda itself (dlsym), so the module serves any cuda.core in the
# process, ours or NVIDIA's. Built by benchmarks/launch_floor.py.
from libc.stdint cimport uintptr_t
from libc.stdlib cimport free, malloc
from libc.string cimport memset

cdef extern from "<dlfcn.h>" nogil:
    void* dlopen(const char* filename, int flags)
    void* dlsym(void* handle, const char* symbol)
    int RTLD_NOW

cdef extern from "cuda.h" nogil:
    ctypedef enum CUresult:
        CUDA_SUCCESS
    ctypedef void* CUstream
    ctypedef void* CUfunction
    ctypedef struct CUlaunchConfig:
        unsigned int gridDimX, gridDimY, gridDimZ
        unsigned int blockDimX, blockDimY, blockDimZ
        unsigned int sharedMemBytes
        CUstream hStream
        unsigned int numAttrs

ctypedef CUresult (*launch_fn)(const CUlaunchConfig*, CUfunction, void**, void**) noexcept nogil

cdef launch_fn _launch = NULL
cdef CUlaunchConfig _cfg
cdef CUfunction _kernel = NULL


def prepare(uintptr_t stream, uintptr_t kernel, unsigned int block):
    """Fix the stream, the kernel (a CUfunction or CUkernel address) and a 1-block grid."""
    global _launch, _kernel
    lib = dlopen(b"libcuda.so.1", RTLD_NOW)
    if lib == NULL:
        raise RuntimeError("libcuda.so.1 could not be loaded")
    _launch = <launch_fn>dlsym(lib, b"cuLaunchKernelEx")
    if _launch == NULL:
        raise RuntimeError("cuLaunchKernelEx is missing from libcuda.so.1")
    memset(&_cfg, 0, sizeof(_cfg))
    _cfg.gridDimX = _cfg.gridDimY = _cfg.gridDimZ = 1
    _cfg.blockDimX, _cfg.blockDimY, _cfg.blockDimZ = block, 1, 1
    _cfg.hStream = <CUstream>stream
    _kernel = <CUfunction>kernel


def launch_gil_released(stream, config, kernel, *args):
    cdef CUresult err
    with nogil:
        err = _launch(&_cfg, _kernel, NULL, NULL)
    if err != CUDA_SUCCESS:
        raise RuntimeError(f"cuLaunchKernelEx: {<int>err}")


def launch_gil_held(stream, config, kernel, *args):
    cdef CUresult err = _launch(&_cfg, _kernel, NULL, NULL)
    if err != CUDA_SUCCESS:
        raise RuntimeError(f"cuLaunchKernelEx: {<int>err}")


def c_loop(uintptr_t stream, uintptr_t kernel, unsigned int block, list params, int n):
    """``n`` launches of ``kernel`` from C, each argument given as its bytes (``params``)."""
    cdef CUlaunchConfig cfg = _cfg
    cdef Py_ssize_t k = len(params), i
    cdef void** ptrs = <void**>malloc((k or 1) * sizeof(void*))
    cdef CUresult err = CUDA_SUCCESS
    if ptrs == NULL:
        raise MemoryError()
    for i in range(k):
        ptrs[i] = <void*><char*>params[i]  # bytes objects: kept alive by the list
    cfg.hStream = <CUstream>stream
    cfg.blockDimX = block
    with nogil:
        for i in range(n):
            err = _launch(&cfg, <CUfunction>kernel, ptrs if k else NULL, NULL)
            if err != CUDA_SUCCESS:
                break
    free(ptrs)
    if err != CUDA_SUCCESS:
        raise RuntimeError(f"cuLaunchKernelEx: {<int>err}")
