# SPDX-License-Identifier: Apache-2.0
"""Buffers and the memory-resource interface.

A Buffer is a (pointer, size) pair plus what it takes to give the memory back. The resource
that made it picks, once, how the free is done (``Buffer._free_kind``): ``cuMemFreeAsync`` or
``cuMemFreeHost`` straight from C for the built-in resources, or the resource's Python
``deallocate`` for any other. Frees are ordered on the buffer's deallocation stream unless
``close()`` names another one. The finalizer frees too, never raises, and ignores a driver that
is already gone (interpreter exit).

Driver calls go through the C level of cuda.bindings (cydriver) and raise CUDAError through
``check``; calls that may wait on the device run without the GIL.
"""

cimport cython
from cpython.buffer cimport PyBUF_SIMPLE, PyBuffer_Release, PyObject_GetBuffer
from cpython.pycapsule cimport (
    PyCapsule_GetPointer,
    PyCapsule_IsValid,
    PyCapsule_Destructor,
    PyCapsule_New,
    PyCapsule_SetName,
)
from cpython.ref cimport Py_DECREF, Py_INCREF, PyObject
from libc.stdint cimport int64_t, uintptr_t
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy

from cuda.bindings cimport cydriver

include "cuda/core/_cuda_line.pxi"  # calls and values that differ between the toolkit lines
from cuda.core._dlpack cimport *
from cuda.core._errors cimport check
from cuda.core._thread_context cimport enter_primary_context, leave_primary_context
from cuda.core._stream cimport Stream, stream_handle

import weakref
from collections.abc import MutableSet as _MutableSet

__all__ = ["Buffer", "ManagedBuffer", "MemoryResource"]

# --------------------------------------------------------------------------------------------
# streams

cdef int resolve_stream(object stream, cydriver.CUstream* out) except -1:
    if stream is None:
        out[0] = NULL
        return 0
    return stream_handle(stream, out)  # a Stream (RuntimeError once closed) or __cuda_stream__


def _stream_address(stream):
    """The CUstream of a stream argument as an int (None: 0, the legacy default stream)."""
    cdef cydriver.CUstream s
    resolve_stream(stream, &s)
    return <uintptr_t>s


cdef object _legacy_default_stream():
    from cuda.core._stream import LEGACY_DEFAULT_STREAM

    return LEGACY_DEFAULT_STREAM


# --------------------------------------------------------------------------------------------
# pointer attributes (buffers without a resource)

cdef int _query_flags(cydriver.CUdeviceptr ptr, int* device_id) except -1:
    """BUF_* flags of a pointer from the driver; host-only when the driver does not know it."""
    cdef unsigned int memtype = 0
    cdef unsigned int managed = 0
    cdef int ordinal = -1
    cdef cydriver.CUresult err
    try:
        err = cydriver.cuPointerGetAttribute(&memtype, cydriver.CU_POINTER_ATTRIBUTE_MEMORY_TYPE, ptr)
    except Exception:  # no driver library: plain host memory
        device_id[0] = -1
        return BUF_KNOWN | BUF_HOST
    if err != cydriver.CUDA_SUCCESS:  # unregistered host memory (or no context)
        device_id[0] = -1
        return BUF_KNOWN | BUF_HOST
    cydriver.cuPointerGetAttribute(&managed, cydriver.CU_POINTER_ATTRIBUTE_IS_MANAGED, ptr)
    if cydriver.cuPointerGetAttribute(&ordinal, cydriver.CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL, ptr) != 0:
        ordinal = -1
    device_id[0] = ordinal
    if managed:
        return BUF_KNOWN | BUF_DEVICE | BUF_HOST | BUF_MANAGED
    if memtype == cydriver.CU_MEMORYTYPE_HOST:
        return BUF_KNOWN | BUF_DEVICE | BUF_HOST
    return BUF_KNOWN | BUF_DEVICE


# --------------------------------------------------------------------------------------------
# MemoryResource


cdef class _ImportedPointer:
    """One mapping of another process's buffer (cuMemPoolImportPointer), shared by every Buffer
    imported from the same descriptor; unmapped (cuMemFreeAsync) when the last one lets go."""

    cdef cydriver.CUdeviceptr ptr
    cdef object __weakref__

    def __dealloc__(self):
        if self.ptr != 0:
            try:  # never raise from a finalizer; at exit the driver may already be shut down
                cydriver.cuMemFreeAsync(self.ptr, NULL)
            except BaseException:
                pass


# (pool handle, descriptor bytes) -> the live _ImportedPointer of that buffer
_imports = weakref.WeakValueDictionary()


cdef class MemoryResource:
    """Abstract base of memory resources: they allocate Buffers and take their memory back.

    Subclasses implement ``allocate``, ``deallocate`` and the properties ``device_id``,
    ``is_device_accessible`` and ``is_host_accessible`` (``is_managed`` defaults to False).
    Buffers from a Python subclass are given back through its ``deallocate``.
    """

    def __cinit__(self, *args, **kwargs):
        self._free_kind = FREE_PYTHON

    def allocate(self, size, stream=None):
        """Allocate a Buffer of ``size`` bytes, ordered on ``stream``."""
        raise NotImplementedError(f"{type(self).__name__}.allocate is not implemented")

    def deallocate(self, ptr, size, stream=None):
        """Give back memory from ``allocate``, ordered on ``stream``."""
        raise NotImplementedError(f"{type(self).__name__}.deallocate is not implemented")

    @property
    def is_device_accessible(self):
        """Whether its buffers can be accessed from the device."""
        raise NotImplementedError(f"{type(self).__name__}.is_device_accessible is not implemented")

    @property
    def is_host_accessible(self):
        """Whether its buffers can be accessed from the host."""
        raise NotImplementedError(f"{type(self).__name__}.is_host_accessible is not implemented")

    @property
    def is_managed(self):
        """Whether its buffers are managed (unified) memory."""
        return False

    @property
    def device_id(self):
        """The device its buffers belong to (-1 when none)."""
        raise NotImplementedError(f"{type(self).__name__}.device_id is not implemented")


# --------------------------------------------------------------------------------------------
# Buffer


cdef class _HoldBox:
    """Keeps a Buffer's memory alive for graph nodes (see Buffer._hold)."""
    cdef public object target
    cdef object __weakref__

    def __cinit__(self, target):
        self.target = target


cdef Buffer new_buffer(type cls, cydriver.CUdeviceptr ptr, size_t size, object mr, object owner,
                       object stream, cydriver.CUstream stream_handle, int free_kind,
                       int device_id, int flags):
    cdef Buffer b
    if cls is Buffer:
        b = Buffer.__new__(Buffer)
    else:
        b = cls.__new__(cls)
    b._ptr = ptr
    b._size = size
    b._memory_resource = mr
    b._owner = owner
    b._dealloc_stream = stream
    b._dealloc_handle = stream_handle
    b._free_kind = free_kind
    b._device_id = device_id
    b._flags = flags | _stream_flag(stream)
    return b


cdef inline cydriver.CUstream _dealloc_handle_now(Buffer b):
    # The handle was captured when the stream was recorded. A Stream that owned its CUstream
    # then and owns it no longer was closed: its CUstream is destroyed and must never reach the
    # driver, so the free goes to the NULL stream. (Its C fields are read, not its object fields,
    # which the garbage collector may have cleared when the Stream sits in a cycle.)
    if b._flags & BUF_STREAM_OWNED and not (<Stream>b._dealloc_stream)._owned:
        return NULL
    return b._dealloc_handle


cdef object _dealloc_stream_now(Buffer b):
    # The stream object a Python deallocate() gets: the legacy default stream in place of none,
    # or of a Stream closed since it was recorded (see _dealloc_handle_now).
    stream = b._dealloc_stream
    if stream is None or (b._flags & BUF_STREAM_OWNED and not (<Stream>stream)._owned):
        return _legacy_default_stream()
    return stream


cdef inline int _stream_flag(object stream) noexcept:
    if type(stream) is Stream and (<Stream>stream)._owned:
        return BUF_STREAM_OWNED
    return 0


cdef inline int _require_open(Buffer b) except -1:
    if b._flags & BUF_CLOSED:
        raise RuntimeError("this Buffer is closed")
    return 0


def _check_copy_options(options):
    # before copy_to allocates a destination. _batch is imported at the first copy with options
    # because it builds on this module (cimports Buffer).
    if options is not None:
        from cuda.core._batch import CopyOptions

        if not isinstance(options, CopyOptions):
            raise TypeError(f"options must be CopyOptions or None, not {type(options).__name__}")


def _copy_with_options(src, dst, stream, options):
    # a one-copy batch (checked options): the driver takes copy attributes only there
    from cuda.core._batch import copy_batch
    from cuda.core._stream import Stream_accept

    if type(stream).__name__ == "GraphBuilder":
        raise TypeError("copies with options cannot be recorded by graph capture: copy without options "
                        "in a captured graph")
    copy_batch(Stream_accept(stream), [src], [dst], options=options)


cdef int _copy_async(Buffer dst, Buffer src, stream) except -1:
    """cuMemcpyAsync of src into dst (both open, sizes equal) on ``stream``."""
    cdef cydriver.CUstream s
    if dst._size != src._size:
        raise ValueError(f"buffer sizes differ: source {src._size} bytes, destination {dst._size} bytes")
    resolve_stream(stream, &s)
    cdef cydriver.CUdeviceptr dp = dst._ptr
    cdef cydriver.CUdeviceptr sp = src._ptr
    cdef size_t n = dst._size
    with nogil:
        check(cydriver.cuMemcpyAsync(dp, sp, n, s))
    return 0


@cython.freelist(32)
@cython.no_gc_clear  # the finalizer needs the stream and resource even when a cycle is collected
cdef class Buffer:
    """Memory at a device (or host) address, with its size and the resource that owns it.

    Made by ``MemoryResource.allocate`` or ``Buffer.from_handle``; not constructed directly.
    ``close()`` (or leaving a ``with`` block, or the last reference going away) gives the memory
    back. Exported through DLPack as a 1-D array of bytes.
    """

    # No __cinit__: every Buffer is made by new_buffer(), which sets all fields.

    def __init__(self, *args, **kwargs):
        raise RuntimeError("Buffer objects cannot be instantiated directly. Use MemoryResource.allocate() "
                           "or Buffer.from_handle().")

    def __dealloc__(self):
        cdef int kind = self._free_kind
        if kind == FREE_NONE or self._flags & BUF_CLOSED:
            return
        self._flags |= BUF_CLOSED
        cdef cydriver.CUdeviceptr ptr = self._ptr
        cdef cydriver.CUstream s = _dealloc_handle_now(self)
        try:  # never raise from a finalizer; at exit the driver may already be shut down
            if kind == FREE_ASYNC:
                cydriver.cuMemFreeAsync(ptr, s)
            elif kind == FREE_HOST:
                with nogil:  # a host function pending on s may need the GIL: never wait holding it
                    if s != NULL:
                        cydriver.cuStreamSynchronize(s)
                    cydriver.cuMemFreeHost(<void*>ptr)
            elif kind == FREE_PYTHON and self._memory_resource is not None:
                self._memory_resource.deallocate(ptr, self._size, stream=_dealloc_stream_now(self))
        except BaseException:
            pass

    cdef int _free(self, object stream) except -1:
        cdef int kind = self._free_kind
        cdef cydriver.CUdeviceptr ptr = self._ptr
        cdef cydriver.CUstream s
        if stream is None:
            s = _dealloc_handle_now(self)
        else:
            resolve_stream(stream, &s)
        cdef size_t size = self._size
        mr = self._memory_resource
        self._flags |= BUF_CLOSED
        self._ptr = 0
        if kind == FREE_ASYNC:
            with nogil:
                check(cydriver.cuMemFreeAsync(ptr, s))
        elif kind == FREE_HOST:
            with nogil:
                if s != NULL:
                    check(cydriver.cuStreamSynchronize(s))
                check(cydriver.cuMemFreeHost(<void*>ptr))
        elif kind == FREE_PYTHON and mr is not None:
            # stream by keyword, as NVIDIA's call it (resources may declare it keyword-only)
            mr.deallocate(ptr, size, stream=_dealloc_stream_now(self) if stream is None else stream)
        return 0

    def close(self, stream=None):
        """Give the memory back, ordered on ``stream`` (default: the deallocation stream).

        Closing twice is harmless. A buffer that does not own its memory just forgets it.
        """
        if self._flags & BUF_CLOSED:
            return
        if self._hold_box is not None and self._hold_box() is not None and self._free_kind != FREE_NONE:
            self._hand_over(stream)
            return
        try:
            self._free(stream)
        finally:
            self._size = 0
            self._memory_resource = None
            self._owner = None
            self._ipc_descriptor = None

    def _hold(self):
        """What a graph node keeps so that this memory outlives ``close()`` while the node does
        (as NVIDIA's nodes keep their allocations): one box per buffer, shared by every node."""
        box = self._hold_box() if self._hold_box is not None else None
        if box is None:
            box = _HoldBox(self)
            self._hold_box = weakref.ref(box)  # weak: the box holds this buffer, not the other way
        return box

    cdef _hand_over(self, object stream):
        # The box the nodes keep takes the free over: it now holds a buffer no one else sees,
        # which gives the memory back when the last node lets go of the box.
        cdef cydriver.CUstream s = self._dealloc_handle
        if stream is None:
            stream = self._dealloc_stream
        else:
            resolve_stream(stream, &s)
        heir = new_buffer(Buffer, self._ptr, self._size, self._memory_resource, self._owner, stream, s,
                          self._free_kind, self._device_id, self._flags & ~BUF_STREAM_OWNED)
        (<_HoldBox>self._hold_box()).target = heir
        self._hold_box = None
        self._flags |= BUF_CLOSED
        self._ptr = 0
        self._size = 0
        self._memory_resource = None
        self._ipc_descriptor = None
        self._owner = None

    def set_deallocation_stream(self, stream):
        """Order the eventual free of this buffer on ``stream``."""
        cdef cydriver.CUstream s
        resolve_stream(stream, &s)
        self._dealloc_stream = stream
        self._dealloc_handle = s
        self._flags = (self._flags & ~BUF_STREAM_OWNED) | _stream_flag(stream)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()

    def __reduce__(self):
        """A buffer of an IPC-enabled resource pickles as its resource and IPC descriptor: the
        receiving process maps the same memory (multiprocessing sends the resource itself; plain
        pickle finds it in the receiver's registry)."""
        mr = self._memory_resource
        if mr is None or not getattr(mr, "is_ipc_enabled", False):
            raise TypeError("only a Buffer of an IPC-enabled memory resource can be pickled "
                            "(DeviceMemoryResourceOptions(ipc_enabled=True))")
        return (type(self).from_ipc_descriptor, (mr, self.ipc_descriptor))

    @classmethod
    def from_handle(cls, ptr, size_t size, mr=None, owner=None, *, stream=None):
        """A Buffer for memory at ``ptr`` of ``size`` bytes.

        With ``mr``, the buffer owns the memory and ``mr.deallocate`` frees it (ordered on
        ``stream``). With ``owner``, that object is kept alive as long as the buffer. With
        neither, the buffer is a plain view and frees nothing. ``mr`` and ``owner`` are exclusive.
        """
        if mr is not None and owner is not None:
            raise ValueError("mr and owner cannot be both specified together")
        if mr is not None and not isinstance(mr, MemoryResource):
            raise TypeError(f"mr must be a MemoryResource, not {type(mr).__name__}")
        if isinstance(ptr, float) or isinstance(ptr, (str, bytes)) or ptr is None:
            raise TypeError(f"ptr must be an integer address, not {type(ptr).__name__}")
        cdef object address = int(ptr)
        if address < 0:
            raise ValueError("ptr must not be negative")
        cdef cydriver.CUdeviceptr p = <cydriver.CUdeviceptr>(<unsigned long long>address)
        cdef cydriver.CUstream s = NULL
        cdef int kind = FREE_NONE
        if mr is not None:
            kind = (<MemoryResource>mr)._free_kind
            if kind == FREE_NONE:
                kind = FREE_PYTHON
            resolve_stream(stream, &s)
        return new_buffer(cls, p, size, mr, owner, stream if mr is not None else None, s, kind, -2, 0)

    @classmethod
    def from_ipc_descriptor(cls, mr, ipc_descriptor, *, stream=None):
        """Import a buffer another process exported (``Buffer.ipc_descriptor``) from the pool of
        ``mr``, a resource made with ``from_allocation_handle``. Frees are ordered on ``stream``."""
        cdef _IPCBufferDescriptor desc
        if not isinstance(ipc_descriptor, _IPCBufferDescriptor):
            raise TypeError("ipc_descriptor must come from Buffer.ipc_descriptor")
        if not isinstance(mr, MemoryResource) or not hasattr(mr, "handle"):
            raise TypeError("mr must be an IPC-enabled DeviceMemoryResource or PinnedMemoryResource")
        desc = ipc_descriptor
        cdef cydriver.CUmemoryPool pool = <cydriver.CUmemoryPool><uintptr_t>int(mr.handle)
        cdef cydriver.CUmemPoolPtrExportData data
        memcpy(data.reserved, <const char*>desc._data, 64)
        cdef cydriver.CUstream s
        resolve_stream(stream, &s)
        # The driver does not count imports of one pointer: importing it again fails, and the
        # first free would unmap it under the others. Every import of it in this process shares
        # one mapping, freed when the last of its buffers is closed.
        key = (<uintptr_t>pool, desc._data)
        imported = _imports.get(key)
        if imported is None:
            imported = _ImportedPointer.__new__(_ImportedPointer)
            with nogil:
                check(cydriver.cuMemPoolImportPointer(&(<_ImportedPointer>imported).ptr, pool, &data))
            _imports[key] = imported
        return new_buffer(cls, (<_ImportedPointer>imported).ptr, desc._size, mr, imported, stream, s, FREE_NONE,
                          -2, BUF_MAPPED)

    @property
    def ipc_descriptor(self):
        """A picklable descriptor another process turns back into this buffer."""
        _require_open(self)
        if self._ipc_descriptor is not None:
            return self._ipc_descriptor
        mr = self._memory_resource
        if mr is None or not getattr(mr, "is_ipc_enabled", False):
            raise RuntimeError("this buffer's memory resource is not IPC-enabled")
        if not mr.is_mapped:
            # Export the pool before its pointers: on the H200 (driver 580) a pointer export failed
            # with CUDA_ERROR_INVALID_VALUE while the pool itself had never been exported.
            mr.allocation_handle
        cdef cydriver.CUmemPoolPtrExportData data
        cdef cydriver.CUdeviceptr ptr = self._ptr
        cdef int device = mr.device_id
        cdef int pushed = enter_primary_context(device)  # pickling runs on a Queue's feeder thread too
        try:
            with nogil:
                check(cydriver.cuMemPoolExportPointer(&data, ptr))
        finally:
            leave_primary_context(pushed, device)
        self._ipc_descriptor = _IPCBufferDescriptor(bytes(data.reserved[:64]), self._size)
        return self._ipc_descriptor

    # ---- copies and fills -------------------------------------------------------------------

    def copy_to(self, dst=None, *, stream, options=None):
        """Copy this buffer into ``dst`` (allocated from this buffer's resource when None),
        asynchronously on ``stream``; returns ``dst``. ``options`` (a CopyOptions) makes it a
        batched copy with those attributes (see copy_batch)."""
        cdef cydriver.CUstream s
        cdef Buffer d
        _require_open(self)
        if stream is None:
            raise ValueError("stream must be given")
        _check_copy_options(options)
        if dst is None:
            if self._memory_resource is None:
                raise ValueError("dst must be given: this buffer has no memory resource to allocate it")
            resolve_stream(stream, &s)
            dst = self._memory_resource.allocate(self._size, stream)
        if not isinstance(dst, Buffer):
            raise TypeError(f"dst must be a Buffer, not {type(dst).__name__}")
        d = dst
        _require_open(d)
        if options is not None:
            _copy_with_options(self, d, stream, options)
        else:
            _copy_async(d, self, stream)
        return dst

    def copy_from(self, src, *, stream, options=None):
        """Copy ``src`` (a Buffer of the same size) into this buffer, asynchronously on ``stream``;
        ``options`` as for copy_to."""
        cdef Buffer b
        _require_open(self)
        if stream is None:
            raise ValueError("stream must be given")
        _check_copy_options(options)
        if not isinstance(src, Buffer):
            raise TypeError(f"src must be a Buffer, not {type(src).__name__}")
        b = src
        _require_open(b)
        if options is not None:
            _copy_with_options(b, self, stream, options)
        else:
            _copy_async(self, b, stream)

    def fill(self, value, *, stream):
        """Fill the buffer with a repeated pattern, asynchronously on ``stream``.

        ``value`` is an int in [0, 256) (one byte) or a buffer-protocol object of 1, 2 or 4 bytes
        (its bytes, repeated); the buffer size must be a multiple of the pattern's width.
        """
        cdef cydriver.CUstream s
        cdef unsigned int pattern
        cdef size_t width
        _require_open(self)
        if stream is None:
            raise ValueError("stream must be given")
        if isinstance(value, int):
            if not 0 <= value < 256:
                raise OverflowError(f"fill value {value} does not fit in one byte [0, 256)")
            pattern = value
            width = 1
        else:
            try:
                raw = memoryview(value).tobytes()
            except TypeError:
                raise TypeError(f"fill value must be an int or a buffer of 1, 2 or 4 bytes, "
                                f"not {type(value).__name__}") from None
            width = len(raw)
            if width not in (1, 2, 4):
                raise ValueError(f"fill pattern must be 1, 2 or 4 bytes long, not {width}")
            pattern = int.from_bytes(raw, "little")
        if self._size % width:
            raise ValueError(f"buffer size {self._size} is not a multiple of the {width}-byte pattern")
        resolve_stream(stream, &s)
        cdef cydriver.CUdeviceptr p = self._ptr
        cdef size_t count = self._size // width
        with nogil:
            if width == 1:
                check(cydriver.cuMemsetD8Async(p, <unsigned char>pattern, count, s))
            elif width == 2:
                check(cydriver.cuMemsetD16Async(p, <unsigned short>pattern, count, s))
            else:
                check(cydriver.cuMemsetD32Async(p, pattern, count, s))

    # ---- DLPack export ----------------------------------------------------------------------

    def __dlpack_device__(self):
        cdef int flags = self._kind_flags()
        if flags & BUF_MANAGED:
            return (kDLCUDAManaged, 0)
        if flags & BUF_DEVICE and flags & BUF_HOST:
            return (kDLCUDAHost, 0)
        if flags & BUF_DEVICE:
            return (kDLCUDA, self.device_id)
        if flags & BUF_HOST or self._memory_resource is None:  # foreign memory the driver does not know: host
            return (kDLCPU, 0)
        raise BufferError("buffer is neither device-accessible nor host-accessible")

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        _require_open(self)
        if copy:
            raise BufferError("Buffer exports its own memory only (copy=True is not supported)")
        device = self.__dlpack_device__()
        if dl_device is not None and tuple(dl_device) != device:
            raise BufferError(f"Buffer lives on DLPack device {device}, not {tuple(dl_device)}")
        versioned = max_version is not None and tuple(max_version)[0] >= 1
        return _export_capsule(self, device[0], device[1], versioned)

    # ---- properties -------------------------------------------------------------------------

    cdef int _kind_flags(self) except -1:
        cdef int ordinal = -1
        if self._flags & BUF_KNOWN:
            return self._flags
        mr = self._memory_resource
        if mr is not None:
            flags = BUF_KNOWN
            if mr.is_device_accessible:
                flags |= BUF_DEVICE
            if mr.is_host_accessible:
                flags |= BUF_HOST
            if getattr(mr, "is_managed", False):
                flags |= BUF_MANAGED
        else:
            flags = _query_flags(self._ptr, &ordinal)
            if self._device_id == -2:
                self._device_id = ordinal
        self._flags |= flags
        return self._flags

    @property
    def handle(self):
        """The address of the memory (an int; 0 once closed)."""
        return self._ptr

    @property
    def size(self):
        """The size in bytes (0 once closed)."""
        return self._size

    @property
    def memory_resource(self):
        """The resource that frees this buffer (None for a view)."""
        return self._memory_resource

    @property
    def owner(self):
        """The object kept alive for this buffer's memory (None when none was given)."""
        return self._owner

    @property
    def device_id(self):
        """The ordinal of the device the memory belongs to (-1 for host memory)."""
        cdef int ordinal = -1
        if self._device_id != -2:
            return self._device_id
        mr = self._memory_resource
        if mr is not None:
            return mr.device_id
        self._flags |= _query_flags(self._ptr, &ordinal)
        self._device_id = ordinal
        return ordinal

    @property
    def is_device_accessible(self):
        """Whether the device can access this memory."""
        return bool(self._kind_flags() & BUF_DEVICE)

    @property
    def is_host_accessible(self):
        """Whether the host can access this memory."""
        return bool(self._kind_flags() & BUF_HOST)

    @property
    def is_managed(self):
        """Whether this is managed (unified) memory."""
        return bool(self._kind_flags() & BUF_MANAGED)

    @property
    def is_mapped(self):
        """Whether this buffer was imported from another process (IPC)."""
        return bool(self._flags & BUF_MAPPED)

    @property
    def is_closed(self):
        """Whether ``close()`` has run."""
        return bool(self._flags & BUF_CLOSED)

    def __repr__(self):
        if self._flags & BUF_CLOSED:
            return f"<{type(self).__name__} closed>"
        return f"<{type(self).__name__} ptr=0x{self._ptr:x} size={self._size}>"

    def __eq__(self, other):
        """Buffers over the same memory (address and size) are equal, whoever owns it."""
        if not isinstance(other, Buffer):
            return NotImplemented
        return self._ptr == (<Buffer>other)._ptr and self._size == (<Buffer>other)._size

    def __hash__(self):
        return hash((Buffer, <uintptr_t>self._ptr, self._size))


# --------------------------------------------------------------------------------------------
# DLPack capsules of a Buffer (1-D uint8)

cdef object _export_capsule(Buffer b, int devtype, int devid, bint versioned):
    cdef void* block
    cdef DLDataType dt
    dt.code = kDLUInt
    dt.bits = 8
    dt.lanes = 1
    cdef DLTensor* dl = dl_export_new(b, versioned, False, <void*>b._ptr, devtype, devid, 1, dt, &block)
    dl.shape[0] = <int64_t>b._size
    dl.strides[0] = 1
    return dl_export_capsule(block, b, versioned)


# --------------------------------------------------------------------------------------------
# IPC descriptors


cdef class _IPCBufferDescriptor:
    """What another process needs to map a pool allocation: the export data and the size."""

    cdef readonly bytes _data
    cdef readonly size_t _size

    def __init__(self, bytes data, size_t size):
        if len(data) != 64:
            raise ValueError("an IPC buffer descriptor holds 64 bytes of export data")
        self._data = data
        self._size = size

    @property
    def size(self):
        return self._size

    def __reduce__(self):
        return (_IPCBufferDescriptor, (self._data, self._size))

    def __repr__(self):
        return f"<IPCBufferDescriptor size={self._size}>"


IPCBufferDescriptor = _IPCBufferDescriptor


# --------------------------------------------------------------------------------------------
# ManagedBuffer


cdef int device_ordinal(object device) except -2:
    ordinal = getattr(device, "device_id", device)
    if isinstance(ordinal, bool) or not isinstance(ordinal, int):
        raise TypeError(f"device_id must be a Device or an int, not {type(device).__name__}")
    if ordinal < 0:
        raise ValueError(f"device_id must not be negative, got {ordinal}")
    return ordinal


cdef int location_of(object where, cydriver.CUmemLocation* loc) except -1:
    """A Device, Host (optionally with numa_id), or int (-1: host) as a CUmemLocation."""
    if where is None:
        raise TypeError("a location (Device or Host) is required")
    if isinstance(where, bool) or isinstance(where, float):
        raise TypeError(f"location must be a Device, Host or int, not {type(where).__name__}")
    if isinstance(where, int):
        if where == -1:
            loc.type = cydriver.CU_MEM_LOCATION_TYPE_HOST
            loc.id = 0
        elif where >= 0:
            loc.type = cydriver.CU_MEM_LOCATION_TYPE_DEVICE
            loc.id = where
        else:
            raise ValueError(f"location {where} is neither a device ordinal nor -1 (host)")
        return 0
    if type(where).__name__ == "Host":
        if getattr(where, "is_numa_current", False):
            loc.type = cydriver.CU_MEM_LOCATION_TYPE_HOST_NUMA_CURRENT
            loc.id = 0
        elif getattr(where, "numa_id", None) is not None:
            loc.type = cydriver.CU_MEM_LOCATION_TYPE_HOST_NUMA
            loc.id = where.numa_id
        else:
            loc.type = cydriver.CU_MEM_LOCATION_TYPE_HOST
            loc.id = 0
        return 0
    ordinal = getattr(where, "device_id", None)
    if ordinal is None:
        raise TypeError(f"location must be a Device, Host or int, not {type(where).__name__}")
    loc.type = cydriver.CU_MEM_LOCATION_TYPE_DEVICE
    loc.id = ordinal
    return 0


cdef object _location_object(int loc_type, int loc_id):
    from cuda.core._device import Device, Host

    if loc_type == cydriver.CU_MEM_LOCATION_TYPE_DEVICE:
        return Device(loc_id)
    if loc_type == cydriver.CU_MEM_LOCATION_TYPE_HOST:
        return Host()
    if loc_type == cydriver.CU_MEM_LOCATION_TYPE_HOST_NUMA:
        return Host(numa_id=loc_id)
    if loc_type == cydriver.CU_MEM_LOCATION_TYPE_HOST_NUMA_CURRENT:
        return Host.numa_current()
    return None


cdef int _range_int(Buffer b, cydriver.CUmem_range_attribute attr) except? -99:
    cdef int value = 0
    check(cydriver.cuMemRangeGetAttribute(&value, sizeof(int), attr, b._ptr, b._size))
    return value


cdef int _advise(Buffer b, cydriver.CUmem_advise advice, object where) except -1:
    cdef cydriver.CUmemLocation loc
    loc.type = cydriver.CU_MEM_LOCATION_TYPE_DEVICE
    loc.id = 0
    if where is not None:
        location_of(where, &loc)
    _require_open(b)
    check(line_mem_advise(b._ptr, b._size, advice, loc))
    return 0


cdef list _accessed_by(Buffer b):
    cdef int count = 0
    check(cydriver.cuDeviceGetCount(&count))
    cdef int n = count + 1
    cdef int* values = <int*>malloc(n * sizeof(int))
    if values == NULL:
        raise MemoryError()
    try:
        check(cydriver.cuMemRangeGetAttribute(values, n * sizeof(int), cydriver.CU_MEM_RANGE_ATTRIBUTE_ACCESSED_BY,
                                              b._ptr, b._size))
        found = [values[i] for i in range(n) if values[i] != -2]
    finally:
        free(values)
    return [_location_object(cydriver.CU_MEM_LOCATION_TYPE_HOST if v == -1 else cydriver.CU_MEM_LOCATION_TYPE_DEVICE, v)
            for v in found]


class _AccessedBy(_MutableSet):
    """Live set of the locations given ``set_accessed_by`` advice for a managed buffer."""

    __slots__ = ("_buf",)

    def __init__(self, buf):
        self._buf = buf

    @classmethod
    def _from_iterable(cls, it):
        return set(it)

    def __contains__(self, where):
        return where in _accessed_by(self._buf)

    def __iter__(self):
        return iter(_accessed_by(self._buf))

    def __len__(self):
        return len(_accessed_by(self._buf))

    def add(self, where):
        _advise(self._buf, cydriver.CU_MEM_ADVISE_SET_ACCESSED_BY, where)

    def discard(self, where):
        _advise(self._buf, cydriver.CU_MEM_ADVISE_UNSET_ACCESSED_BY, where)

    def __repr__(self):
        return f"AccessedBy({set(_accessed_by(self._buf))!r})"


cdef int _range_args(Buffer b, object location, cydriver.CUmemLocation* loc, object stream,
                     cydriver.CUstream* s, cydriver.CUdeviceptr* p, size_t* n) except -1:
    """The arguments of a call on b's whole range, checked in order: b open, ``location``
    (when ``loc`` is not NULL), ``stream``."""
    _require_open(b)
    if loc != NULL:
        location_of(location, loc)
    resolve_stream(stream, s)
    p[0] = b._ptr
    n[0] = b._size
    return 0


cdef class ManagedBuffer(Buffer):
    """A Buffer of managed (unified) memory, with the driver's advice as properties and
    prefetch/discard as methods. Returned by ``ManagedMemoryResource.allocate``; wrap an
    existing managed pointer with ``ManagedBuffer.from_handle``."""

    @property
    def read_mostly(self):
        """Whether ``set_read_mostly`` advice applies to this range."""
        _require_open(self)
        return _range_int(self, cydriver.CU_MEM_RANGE_ATTRIBUTE_READ_MOSTLY) != 0

    @read_mostly.setter
    def read_mostly(self, value):
        _advise(self, cydriver.CU_MEM_ADVISE_SET_READ_MOSTLY if value else cydriver.CU_MEM_ADVISE_UNSET_READ_MOSTLY,
                None)

    @property
    def preferred_location(self):
        """The preferred location (Device or Host), or None when none is set."""
        _require_open(self)
        loc_type = _range_int(self, cydriver.CU_MEM_RANGE_ATTRIBUTE_PREFERRED_LOCATION_TYPE)
        loc_id = _range_int(self, cydriver.CU_MEM_RANGE_ATTRIBUTE_PREFERRED_LOCATION_ID)
        return _location_object(loc_type, loc_id)

    @preferred_location.setter
    def preferred_location(self, where):
        if where is None:
            _advise(self, cydriver.CU_MEM_ADVISE_UNSET_PREFERRED_LOCATION, None)
        else:
            _advise(self, cydriver.CU_MEM_ADVISE_SET_PREFERRED_LOCATION, where)

    @property
    def accessed_by(self):
        """A live set of the locations with ``set_accessed_by`` advice (add/discard apply it)."""
        _require_open(self)
        return _AccessedBy(self)

    @accessed_by.setter
    def accessed_by(self, locations):
        cdef cydriver.CUmemLocation probe
        target = list(locations)
        for where in target:
            location_of(where, &probe)  # validate all before changing any
        current = _accessed_by(self)
        for where in current:
            if where not in target:
                _advise(self, cydriver.CU_MEM_ADVISE_UNSET_ACCESSED_BY, where)
        for where in target:
            if where not in current:
                _advise(self, cydriver.CU_MEM_ADVISE_SET_ACCESSED_BY, where)

    def prefetch(self, location, *, stream):
        """Migrate this range to ``location`` (Device or Host), ordered on ``stream``."""
        cdef cydriver.CUmemLocation loc
        cdef cydriver.CUstream s
        cdef cydriver.CUdeviceptr p
        cdef size_t n
        _range_args(self, location, &loc, stream, &s, &p, &n)
        with nogil:
            check(line_prefetch(p, n, loc, 0, s))

    def discard(self, *, stream):
        """Discard the pages of this range (their contents become undefined), ordered on ``stream``.

        The driver documents discards for cuMemAllocManaged memory. For pool-allocated ranges, let
        the discard finish (``stream.sync()``) before writing the range again: a write queued right
        behind it was seen lost on driver 580."""
        cdef cydriver.CUstream s
        cdef cydriver.CUdeviceptr p
        cdef size_t n
        _range_args(self, None, NULL, stream, &s, &p, &n)
        with nogil:
            check(line_discard_batch(&p, &n, 1, 0, s))

    def discard_prefetch(self, location, *, stream):
        """Discard this range's contents and map it at ``location``, ordered on ``stream``."""
        cdef cydriver.CUmemLocation loc
        cdef cydriver.CUstream s
        cdef cydriver.CUdeviceptr p
        cdef size_t n
        cdef size_t idx = 0
        _range_args(self, location, &loc, stream, &s, &p, &n)
        with nogil:
            check(line_discard_prefetch_batch(&p, &n, 1, &loc, &idx, 1, 0, s))
