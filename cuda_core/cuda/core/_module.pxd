# SPDX-License-Identifier: Apache-2.0
from cuda.bindings cimport cydriver


cdef class ObjectCode:
    cdef object _module             # bytes (in memory) or str (a file path)
    cdef str _code_type
    cdef str _name
    cdef dict _sym_map
    cdef cydriver.CUlibrary _lib  # NULL until first loaded
    cdef bint _lib_given          # .handle was read: whoever took it may unload it, so this does not
    cdef object __weakref__

    # Load the library once (cuLibraryLoadData / cuLibraryLoadFromFile); raises CUDAError.
    cdef int _load(self) except -1


cdef class Kernel:
    cdef cydriver.CUkernel _handle  # launched as a CUfunction (cuLaunchKernelEx accepts both)
    cdef object _library            # the ObjectCode that keeps the CUlibrary loaded
    cdef object _attributes         # KernelAttributes, made on first use
    cdef object _occupancy          # KernelOccupancy, made on first use
    cdef object _arguments_info     # list of ParamInfo, made on first use
    cdef object __weakref__
