# SPDX-License-Identifier: Apache-2.0
from cuda.bindings cimport cydriver

# How a Buffer gives its memory back (Buffer._free_kind), chosen once by the resource that made it.
cdef enum:
    FREE_NONE = 0       # not owned: a view of foreign memory (owner, or nothing, keeps it alive)
    FREE_ASYNC = 1      # cuMemFreeAsync on the deallocation stream (pool allocations)
    FREE_HOST = 2       # cuMemFreeHost after the deallocation stream is idle (cuMemAllocHost)
    FREE_PYTHON = 3     # memory_resource.deallocate(ptr, size, stream=stream): any other resource

# Buffer._flags: what is known about the memory (from its resource or the driver).
cdef enum:
    BUF_KNOWN = 1
    BUF_DEVICE = 2
    BUF_HOST = 4
    BUF_MANAGED = 8
    BUF_MAPPED = 16
    BUF_CLOSED = 32
    BUF_STREAM_OWNED = 64  # the deallocation stream is a Stream that owned its CUstream when recorded


cdef class MemoryResource:
    cdef int _free_kind  # how its buffers are freed (FREE_PYTHON for Python subclasses)
    cdef object __weakref__


cdef class Buffer:
    cdef cydriver.CUdeviceptr _ptr
    cdef size_t _size
    cdef object _memory_resource  # gives the memory back (None for a view)
    cdef object _owner            # keeps foreign memory alive
    cdef object _dealloc_stream   # the stream object frees are ordered on (None: legacy default)
    cdef cydriver.CUstream _dealloc_handle  # its handle, captured when recorded
    cdef int _free_kind
    cdef int _device_id           # -2: not known yet
    cdef int _flags               # BUF_* below, when known from the resource
    cdef object _ipc_descriptor
    cdef object _hold_box         # what graph nodes keep: the memory outlives close() while they do
    cdef object __weakref__

    cdef int _free(self, object stream) except -1
    cdef _hand_over(self, object stream)
    cdef int _kind_flags(self) except -1


# The CUstream of a stream argument: None is the legacy default stream (NULL).
cdef int resolve_stream(object stream, cydriver.CUstream* out) except -1

# A device ordinal from a Device (anything with device_id) or a non-negative int.
cdef int device_ordinal(object device) except -2

# A location (Device, Host, Host(numa_id=n), Host.numa_current(), or an int: ordinal, -1 host).
cdef int location_of(object where, cydriver.CUmemLocation* loc) except -1

# A new Buffer (or subclass) owning or viewing [ptr, ptr + size).
cdef Buffer new_buffer(type cls, cydriver.CUdeviceptr ptr, size_t size, object mr, object owner,
                       object stream, cydriver.CUstream stream_handle, int free_kind,
                       int device_id, int flags)
