# The least a Python binding of a driver call can do, and the same calls from C loops, in one
# process: for cuDeviceGetAttribute (the GIL held, as for every fast getter), cuMemAllocAsync plus
# cuMemFreeAsync and a 0-argument cuLaunchKernel (the GIL released, as DESIGN.md asks of
# allocation, frees and launches). Each floor takes plain ints, converts and checks nothing, and
# returns the tuple a binding returns. The entry points come from libcuda itself (dlsym), so the
# module serves ours and NVIDIA's bindings alike. Built by benchmarks/driver_floor.py.
from libc.stdint cimport uintptr_t

cdef extern from "<dlfcn.h>" nogil:
    void* dlopen(const char* filename, int flags)
    void* dlsym(void* handle, const char* symbol)
    int RTLD_NOW

ctypedef int (*attr_fn)(int*, int, int) noexcept nogil
ctypedef int (*alloc_fn)(unsigned long long*, size_t, void*) noexcept nogil
ctypedef int (*free_fn)(unsigned long long, void*) noexcept nogil
ctypedef int (*launch_fn)(void*, unsigned int, unsigned int, unsigned int, unsigned int, unsigned int,
                          unsigned int, unsigned int, void*, void**, void**) noexcept nogil

cdef attr_fn _attr = NULL
cdef alloc_fn _alloc = NULL
cdef free_fn _free = NULL
cdef launch_fn _launch = NULL


ctypedef int (*proc_fn)(const char*, void**, int, unsigned long long, int*) noexcept nogil


def prepare():
    """The entry points, from cuGetProcAddress_v2 as the bindings and the C twins get theirs."""
    global _attr, _alloc, _free, _launch
    cdef void* found[4]
    cdef int status = 0
    lib = dlopen(b"libcuda.so.1", RTLD_NOW)
    if lib == NULL:
        raise RuntimeError("libcuda.so.1 could not be loaded")
    cdef proc_fn get = <proc_fn>dlsym(lib, b"cuGetProcAddress_v2")
    if get == NULL:
        raise RuntimeError("cuGetProcAddress_v2 is missing from libcuda.so.1")
    for i, name in enumerate((b"cuDeviceGetAttribute", b"cuMemAllocAsync", b"cuMemFreeAsync", b"cuLaunchKernel")):
        found[i] = NULL
        if get(name, &found[i], 13000, 0, &status) != 0 or found[i] == NULL:
            raise RuntimeError(f"cuGetProcAddress_v2 found no {name.decode()}")
    _attr, _alloc, _free, _launch = <attr_fn>found[0], <alloc_fn>found[1], <free_fn>found[2], <launch_fn>found[3]


def attr(int attrib, int dev):
    cdef int v = 0
    cdef int err = _attr(&v, attrib, dev)
    return (err, v)


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


def launch(uintptr_t f, unsigned int gx, unsigned int gy, unsigned int gz, unsigned int bx, unsigned int by,
           unsigned int bz, unsigned int shmem, uintptr_t stream, kernel_params, extra):
    cdef int err
    with nogil:
        err = _launch(<void*>f, gx, gy, gz, bx, by, bz, shmem, <void*>stream, NULL, NULL)
    return (err,)


def c_attr(int attrib, int dev, int n):
    cdef int v = 0, i
    with nogil:
        for i in range(n):
            _attr(&v, attrib, dev)


def c_alloc_free(size_t size, uintptr_t stream, int n):
    cdef unsigned long long p = 0
    cdef int i
    with nogil:
        for i in range(n):
            _alloc(&p, size, <void*>stream)
            _free(p, <void*>stream)


def c_launch(uintptr_t f, uintptr_t stream, int n):
    cdef int i, err = 0
    with nogil:
        for i in range(n):
            err = _launch(<void*>f, 1, 1, 1, 32, 1, 1, 0, <void*>stream, NULL, NULL)
            if err:
                break
    if err:
        raise RuntimeError(f"cuLaunchKernel: {err}")
