from cuda.bindings cimport cydriver


cdef class Stream:
    cdef cydriver.CUstream _handle
    cdef object _owner       # keeps a foreign stream alive (None when this object owns it)
    cdef bint _owned         # destroy the stream on close()
    cdef object _device_id   # int, or None until first needed
    cdef object __weakref__


# The CUstream of a Stream, or of any object with __cuda_stream__ (TypeError otherwise).
cdef int stream_handle(object stream, cydriver.CUstream* out) except -1
