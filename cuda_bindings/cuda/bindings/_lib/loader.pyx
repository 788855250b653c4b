# SPDX-License-Identifier: Apache-2.0
# cython: language_level=3
"""Lazy, thread-safe loading of a CUDA library's functions into a table of pointers.

A generated C-level module (cynvrtc, ...) holds one SymbolTable. Its wrappers
call through the table; a NULL slot sends them here once: the library is found
and loaded with cuda.pathfinder (its error says where it looked and what to
install), every symbol is looked up in one loop, and a function the installed
library lacks raises an error naming the function and the library's version.
"""

from libc.stdint cimport uint64_t, uintptr_t
from libc.stdlib cimport calloc, free
from posix.dlfcn cimport dlsym

cdef extern from "glibc_compat.h":  # dlsym of glibc 2.2.5/2.17: manylinux2014 wheels
    pass

import os
import threading

# cuGetProcAddress_v2 flags and answers (cuda.h CUdriverProcAddress_flags / ..._QueryResult).
cdef uint64_t PROC_DEFAULT = 0
cdef uint64_t PROC_PER_THREAD_DEFAULT_STREAM = 1 << 1
cdef int PROC_VERSION_NOT_SUFFICIENT = 2

ctypedef int (*GetProcAddress)(const char*, void**, int, uint64_t, int*) noexcept nogil


def per_thread_default_stream():
    """Whether CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM selects the _ptds/_ptsz entry points: it
    does when it holds an integer other than 0 ("1", "2"); unset, "0" or not an integer: legacy.
    cuda.core asks this function too, so that both agree on the default stream."""
    try:
        return int(os.environ.get("CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM", "0")) != 0
    except ValueError:
        return False


class FunctionNotFoundError(RuntimeError):
    """The loaded library does not have the function (it is older than these bindings)."""


def _find(str libname):
    """The library for this build's CUDA line: of its toolkit major only (a 12.x build must not load
    libnvrtc.so.13 found first), where the installed cuda.pathfinder can say so (ours can)."""
    try:
        from cuda.pathfinder._dynamic import _load_nvidia_dynamic_lib_for_major as load
    except ImportError:  # another cuda.pathfinder: what it finds
        from cuda.pathfinder import load_nvidia_dynamic_lib

        return load_nvidia_dynamic_lib(libname)
    from cuda.bindings._version import __version__

    return load(libname, int(__version__.split(".")[0]))


cdef class SymbolTable:
    def __cinit__(self, str libname, tuple symbols, Py_ssize_t version_index=-1, bint proc_address=False):
        self.slots = <void**>calloc(len(symbols) + 1, sizeof(void*))
        if self.slots == NULL:
            raise MemoryError()
        self.libname = libname
        self.symbols = symbols
        self.version_index = version_index
        self.proc_address = proc_address  # symbols are (name, CUDA version) for cuGetProcAddress_v2
        self.status = [0] * len(symbols)
        self.loaded = False
        self.lock = threading.Lock()

    def __dealloc__(self):
        free(self.slots)

    cdef int resolve(self, Py_ssize_t index) except -1:
        if not self.loaded:
            with self.lock:
                if not self.loaded:
                    self._load()
        if self.slots[index] == NULL and self.proc_address:
            name, version, _ = self.symbols[index]
            if self.status[index] == PROC_VERSION_NOT_SUFFICIENT:
                raise FunctionNotFoundError(
                    f"{name} needs a driver for CUDA {version // 1000}.{version % 1000 // 10} or newer; "
                    f"the driver at {self.path} supports CUDA {self.version()}: update the NVIDIA driver"
                )
            raise FunctionNotFoundError(f"{name} is not in the driver at {self.path} (CUDA {self.version()})")
        if self.slots[index] == NULL:
            names = " or ".join(self.symbols[index])
            raise FunctionNotFoundError(
                f"{names} is not in {self.path} ({self.libname} {self.version()}): "
                f"the function is newer than the installed {self.libname}; install a newer one"
            )
        return 0

    def _load(self):
        loaded = _find(self.libname)
        cdef void* handle = <void*><uintptr_t>loaded._handle_uint
        cdef void* found
        cdef GetProcAddress get_proc
        cdef int query = 0
        cdef bint per_thread = per_thread_default_stream()
        if self.proc_address:
            get_proc = <GetProcAddress>dlsym(handle, b"cuGetProcAddress_v2")
            if get_proc == NULL:
                raise FunctionNotFoundError(f"cuGetProcAddress_v2 is not in {loaded.abs_path}: the driver is too old")
            for index, (name, version, per_thread_version) in enumerate(self.symbols):
                found = NULL
                query = 0
                if per_thread and per_thread_version:  # the _ptds/_ptsz entry point
                    get_proc(name.encode(), &found, per_thread_version, PROC_PER_THREAD_DEFAULT_STREAM, &query)
                else:
                    get_proc(name.encode(), &found, version, PROC_DEFAULT, &query)
                self.slots[index] = found
                self.status[index] = query
        else:
            for index, names in enumerate(self.symbols):
                for name in names:
                    if name.startswith("ptds:"):  # a per-thread-default-stream entry point (_ptds/_ptsz)
                        if not per_thread:
                            continue
                        name = name[5:]
                    found = dlsym(handle, name.encode())
                    if found != NULL:
                        self.slots[index] = found
                        break
        self.path = loaded.abs_path
        self.loaded = True

    def version(self):
        """The library's own version, "major.minor", or "version unknown"."""
        cdef int major = -1, minor = -1, encoded = -1
        cdef int (*get)(int*, int*) noexcept nogil
        cdef int (*get_encoded)(int*) noexcept nogil
        if not self.loaded or self.version_index < 0:
            return "version unknown"
        if self.proc_address:  # cuDriverGetVersion(int*): 13000 for 13.0
            get_encoded = <int (*)(int*) noexcept nogil>self.slots[self.version_index]
            if get_encoded == NULL or get_encoded(&encoded) != 0:
                return "version unknown"
            return f"{encoded // 1000}.{encoded % 1000 // 10}"
        get = <int (*)(int*, int*) noexcept nogil>self.slots[self.version_index]
        if get == NULL or get(&major, &minor) != 0:
            return "version unknown"
        return f"{major}.{minor}"

    def require(self, Py_ssize_t index):
        """Python access to resolve(): load if needed, raise if the function is missing."""
        if not 0 <= index < len(self.symbols):
            raise IndexError(index)
        self.resolve(index)

    def load(self):
        """Load the library now (normally it loads on the first call); returns its path."""
        if not self.loaded:
            with self.lock:
                if not self.loaded:
                    self._load()
        return self.path

    def address(self, str name):
        """The address a function of this library resolved to (0: the loaded library lacks it, or
        it is not one of these bindings' functions). Loads the library. ``name`` is the C name, or
        it with a ``__`` prefix (the spelling of NVIDIA's internal modules)."""
        self.load()
        if name.startswith("__"):
            name = name[2:]
        for index, entry in enumerate(self.symbols):
            names = (entry[0],) if self.proc_address else entry
            if any(n == name or n.endswith(":" + name) or n.startswith("__" + name + "_") for n in names):
                return <uintptr_t>self.slots[index]
        return 0
