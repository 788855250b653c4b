# SPDX-License-Identifier: Apache-2.0
# The least a Python binding of a driver call can do, and the same calls from C loops, in one
# process, for every call of driver_floor.py. Fast getters and queries keep the GIL; allocation,
# frees and launches release it (as DESIGN.md asks). Each floor takes plain ints, converts and
# checks nothing, and returns the tuple a binding returns. The entry points come from libcuda itself
# (cuGetProcAddress_v2, as the bindings and the C twins get theirs), so the module serves ours and
# NVIDIA's bindings alike. Built by benchmarks/driver_floor.py.
from libc.stdint cimport uintptr_t

cdef extern from "<dlfcn.h>" nogil:
    void* dlopen(const char* filename, int flags)
    void* dlsym(void* handle, const char* symbol)
    int RTLD_NOW

ctypedef int (*ctx_fn)(void**) noexcept nogil
ctypedef int (*attr_fn)(int*, int, int) noexcept nogil
ctypedef int (*stream_fn)(void*) noexcept nogil
ctypedef int (*record_fn)(void*, void*) noexcept nogil
ctypedef int (*alloc_fn)(unsigned long long*, size_t, void*) noexcept nogil
ctypedef int (*free_fn)(unsigned long long, void*) noexcept nogil
ctypedef int (*ptr_attr_fn)(void*, int, unsigned long long) noexcept nogil
ctypedef int (*launch_fn)(void*, unsigned int, unsigned int, unsigned int, unsigned int, unsigned int,
                          unsigned int, unsigned int, void*, void**, void**) noexcept nogil
ctypedef int (*proc_fn)(const char*, void**, int, unsigned long long, int*) noexcept nogil

cdef ctx_fn _ctx = NULL
cdef attr_fn _attr = NULL
cdef stream_fn _query = NULL
cdef record_fn _record = NULL
cdef alloc_fn _alloc = NULL
cdef free_fn _free = NULL
cdef ptr_attr_fn _ptr_attr = NULL
cdef launch_fn _launch = NULL

_NAMES = (b"cuCtxGetCurrent", b"cuDeviceGetAttribute", b"cuStreamQuery", b"cuEventRecord", b"cuMemAllocAsync",
          b"cuMemFreeAsync", b"cuPointerGetAttribute", b"cuLaunchKernel")


def prepare():
    """Look up every entry point used here."""
    global _ctx, _attr, _query, _record, _alloc, _free, _ptr_attr, _launch
    cdef void* found[8]
    cdef int status = 0
    lib = dlopen(b"libcuda.so.1", RTLD_NOW)
    if lib == NULL:
        raise RuntimeError("libcuda.so.1 could not be loaded")
    cdef proc_fn get = <proc_fn>dlsym(lib, b"cuGetProcAddress_v2")
    if get == NULL:
        raise RuntimeError("cuGetProcAddress_v2 is missing from libcuda.so.1")
    for i, name in enumerate(_NAMES):
        found[i] = NULL
        if get(name, &found[i], 13000, 0, &status) != 0 or found[i] == NULL:
            raise RuntimeError(f"cuGetProcAddress_v2 found no {name.decode()}")
    _ctx, _attr, _query, _record = <ctx_fn>found[0], <attr_fn>found[1], <stream_fn>found[2], <record_fn>found[3]
    _alloc, _free, _ptr_attr, _launch = <alloc_fn>found[4], <free_fn>found[5], <ptr_attr_fn>found[6], <launch_fn>found[7]


# the floors: one Python-callable function per driver call

def ctx():
    cdef void* c = NULL
    cdef int err = _ctx(&c)
    return (err, <uintptr_t>c)


def attr(int attrib, int dev):
    cdef int v = 0
    cdef int err = _attr(&v, attrib, dev)
    return (err, v)


def query(uintptr_t stream):
    return (_query(<void*>stream),)


def record(uintptr_t event, uintptr_t stream):
    return (_record(<void*>event, <void*>stream),)


def alloc(size_t size, uintptr_t stream):
    cdef unsigned long long p = 0
    cdef int err
    with nogil:
        err = _alloc(&p, size, <void*>stream)
    return (err, p)


def free(unsigned long long p, uintptr_t stream):
    cdef int err
    with nogil:
        err = _free(p, <void*>stream)
    return (err,)


def ptr_attr(int attrib, unsigned long long ptr):
    cdef unsigned int v = 0
    cdef int err = _ptr_attr(&v, attrib, ptr)
    return (err, v)


def launch(uintptr_t f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by,
           unsigned int bz, unsigned int shmem, uintptr_t stream, kernel_params, extra):
    cdef int err
    with nogil:
        err = _launch(<void*>f, gx, gy, gz, bx, by, bz, shmem, <void*>stream, NULL, NULL)
    return (err,)


# the C loops: n calls each, with the GIL released around the loop

def c_ctx(int n):
    cdef void* c = NULL
    cdef int i
    with nogil:
        for i in range(n):
            _ctx(&c)


def c_attr(int attrib, int dev, int n):
    cdef int v = 0, i
    with nogil:
        for i in range(n):
            _attr(&v, attrib, dev)


def c_query(uintptr_t stream, int n):
    cdef int i
    with nogil:
        for i in range(n):
            _query(<void*>stream)


def c_record(uintptr_t event, uintptr_t stream, int n):
    cdef int i
    with nogil:
        for i in range(n):
            _record(<void*>event, <void*>stream)


def c_alloc_free(size_t size, uintptr_t stream, int n):
    cdef unsigned long long p = 0
    cdef int i
    with nogil:
        for i in range(n):
            _alloc(&p, size, <void*>stream)
            _free(p, <void*>stream)


def c_ptr_attr(int attrib, unsigned long long ptr, int n):
    cdef unsigned int v = 0
    cdef int i
    with nogil:
        for i in range(n):
            _ptr_attr(&v, attrib, ptr)


def c_launch(uintptr_t f, uintptr_t stream, uintptr_t params, int n):
    """n launches of f on stream; params: the address of its void* argument array (0: none)."""
    cdef int i, err = 0
    with nogil:
        for i in range(n):
            err = _launch(<void*>f, 1, 1, 1, 32, 1, 1, 0, <void*>stream, <void**>params, NULL)
            if err:
                break
    if err:
        raise RuntimeError(f"cuLaunchKernel: {err}")
