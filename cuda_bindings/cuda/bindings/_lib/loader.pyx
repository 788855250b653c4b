# cython: language_level=3
"""Lazy, thread-safe loading of a CUDA library's functions into a table of pointers.

A generated C-level module (cynvrtc, ...) holds one SymbolTable. Its wrappers
call through the table; a NULL slot sends them here once: the library is found
and loaded with cuda.pathfinder (its error says where it looked and what to
install), every symbol is looked up in one loop, and a function the installed
library lacks raises an error naming the function and the library's version.
"""

from libc.stdint cimport uintptr_t
from libc.stdlib cimport calloc, free
from posix.dlfcn cimport dlsym

import threading


class FunctionNotFoundError(RuntimeError):
    """The loaded library does not have the function (it is older than these bindings)."""


cdef class SymbolTable:
    def __cinit__(self, str libname, tuple symbols, Py_ssize_t version_index=-1):
        self.slots = <void**>calloc(len(symbols) + 1, sizeof(void*))
        if self.slots == NULL:
            raise MemoryError()
        self.libname = libname
        self.symbols = symbols
        self.version_index = version_index
        self.loaded = False
        self.lock = threading.Lock()

    def __dealloc__(self):
        free(self.slots)

    cdef int resolve(self, Py_ssize_t index) except -1:
        if not self.loaded:
            with self.lock:
                if not self.loaded:
                    self._load()
        if self.slots[index] == NULL:
            names = " or ".join(self.symbols[index])
            raise FunctionNotFoundError(
                f"{names} is not in {self.path} ({self.libname} {self.version()}): "
                f"the function is newer than the installed {self.libname}; install a newer one"
            )
        return 0

    def _load(self):
        from cuda.pathfinder import load_nvidia_dynamic_lib

        loaded = load_nvidia_dynamic_lib(self.libname)
        cdef void* handle = <void*><uintptr_t>loaded._handle_uint
        cdef void* found
        for index, names in enumerate(self.symbols):
            for name in names:
                found = dlsym(handle, name.encode())
                if found != NULL:
                    self.slots[index] = found
                    break
        self.path = loaded.abs_path
        self.loaded = True

    def version(self):
        """The library's own version, "major.minor", or "version unknown"."""
        cdef int major = -1, minor = -1
        cdef int (*get)(int*, int*) noexcept nogil
        if not self.loaded or self.version_index < 0:
            return "version unknown"
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
