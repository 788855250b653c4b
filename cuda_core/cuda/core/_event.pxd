# SPDX-License-Identifier: Apache-2.0
from cuda.bindings cimport cydriver


cdef class Event:
    cdef cydriver.CUevent _handle
    cdef bint _timing
    cdef bint _blocking
    cdef bint _ipc
    cdef bint _owned
    cdef object _device_id   # int, or None when unknown
    cdef cydriver.CUcontext _ctx
    cdef object __weakref__

    cdef int _live(self) except -1


# A new Event (cuEventCreate) with the flags of an EventOptions (or None: timing disabled).
cdef Event event_create(object options, object device_id)
