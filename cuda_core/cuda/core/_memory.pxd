from cuda.bindings cimport cydriver


cdef class Buffer:
    cdef cydriver.CUdeviceptr _ptr
    cdef size_t _size
    cdef object _memory_resource  # frees it (None for a non-owning view)
    cdef object _owner            # keeps foreign memory alive
    cdef object _dealloc_stream   # where the free is ordered
    cdef object __weakref__
