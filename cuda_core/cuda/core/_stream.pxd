# SPDX-License-Identifier: Apache-2.0
from cuda.bindings cimport cydriver


cdef class Stream:
    cdef cydriver.CUstream _handle
    cdef object _owner       # keeps a foreign stream alive (None when this object owns it)
    cdef bint _owned         # destroy the stream on close()
    cdef object _device_id   # int, or None until first needed
    cdef cydriver.CUcontext _ctx  # a green context's stream: its context (events are made there); else NULL
    cdef int _nonblocking    # -1 until queried
    cdef int _priority       # valid when _has_priority
    cdef bint _has_priority
    cdef bint _closed        # close() ran
    cdef object __weakref__

    # Inline, so that launch() and the other hot paths check it without a call into this module.
    cdef inline int _live(self) except -1:
        if self._closed:
            raise RuntimeError("the stream is closed")
        return 0


# The CUstream of a Stream, or of any object with __cuda_stream__ (TypeError otherwise).
cdef int stream_handle(object stream, cydriver.CUstream* out) except -1

# A Stream object that owns a newly created CUstream (flags and priority as for cuStreamCreateWithPriority).
cdef Stream stream_create(unsigned int flags, int priority, object device_id)

# A Stream object wrapping an existing CUstream; owner (any object) is kept alive with it.
cdef Stream stream_wrap(cydriver.CUstream handle, object owner)
