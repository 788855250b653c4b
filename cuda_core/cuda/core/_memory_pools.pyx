# SPDX-License-Identifier: Apache-2.0
"""Memory resources: stream-ordered pools (device, pinned host, managed), legacy pinned host
memory, and graph allocations.

The hot path, ``allocate`` then ``Buffer.close`` on a pool, stays in C: one
``cuMemAllocFromPoolAsync`` / ``cuMemFreeAsync`` each (without the GIL), the stream read
straight from a Stream object, and the Buffer (from a free list) as the only object made.
Resources built in here free their buffers from C; a Python subclass gets its ``deallocate``
called instead. Pool attributes, peer access and IPC are cold paths written plainly.
"""

import os as _os
import uuid as _uuid
import weakref as _weakref

from libc.stdint cimport intptr_t, uint64_t, uintptr_t
from libc.string cimport memset

from cuda.bindings cimport cydriver

include "cuda/core/_cuda_line.pxi"  # calls and values that differ between the toolkit lines
from cuda.core._errors cimport check
from cuda.core._thread_context cimport enter_primary_context, leave_primary_context
from cuda.core._memory cimport (
    BUF_DEVICE,
    BUF_HOST,
    BUF_KNOWN,
    BUF_MANAGED,
    FREE_ASYNC,
    FREE_HOST,
    FREE_PYTHON,
    Buffer,
    MemoryResource,
    device_ordinal,
    new_buffer,
    resolve_stream,
)

from collections.abc import MutableSet as _MutableSet

from cuda.core._errors import WrongKindError
from cuda.core._memory import ManagedBuffer
from cuda.core._memory_options import (
    DeviceMemoryResourceOptions,
    ManagedMemoryResourceOptions,
    PinnedMemoryResourceOptions,
)
from cuda.core._options import coerce_options

__all__ = [
    "DeviceMemoryResource",
    "DeviceMemoryResourceOptions",
    "GraphMemoryResource",
    "LegacyPinnedMemoryResource",
    "ManagedMemoryResource",
    "ManagedMemoryResourceOptions",
    "PinnedMemoryResource",
    "PinnedMemoryResourceOptions",
]


cdef int _free_async(object ptr, object stream) except -1:
    """cuMemFreeAsync of ``ptr`` (an int) ordered on ``stream``: deallocate() of the stream-ordered resources."""
    cdef cydriver.CUstream s
    cdef cydriver.CUdeviceptr p = <cydriver.CUdeviceptr>(<unsigned long long>int(ptr))
    resolve_stream(stream, &s)
    with nogil:
        check(cydriver.cuMemFreeAsync(p, s))
    return 0


cdef int _init_driver() except -1:
    with nogil:
        check(cydriver.cuInit(0))
    return 0


cdef int _current_device() except -2:
    cdef cydriver.CUdevice dev = 0
    check(cydriver.cuCtxGetDevice(&dev))
    return dev


cdef int _host_numa_id() except -2:
    """The host NUMA node closest to the current device; 0 where the system has no NUMA
    (the attribute is then -1, which cuMemPoolCreate rejects as a HOST_NUMA id)."""
    cdef int value = -1
    check(cydriver.cuDeviceGetAttribute(&value, cydriver.CU_DEVICE_ATTRIBUTE_HOST_NUMA_ID, _current_device()))
    return value if value >= 0 else 0


# --------------------------------------------------------------------------------------------
# attributes (cold: a table of names)

_POOL_ATTRS = {
    # name: (CUmemPool_attribute, a bool flag (int) rather than a byte count (cuuint64_t), settable)
    "reuse_follow_event_dependencies": (cydriver.CU_MEMPOOL_ATTR_REUSE_FOLLOW_EVENT_DEPENDENCIES, True, True),
    "reuse_allow_opportunistic": (cydriver.CU_MEMPOOL_ATTR_REUSE_ALLOW_OPPORTUNISTIC, True, True),
    "reuse_allow_internal_dependencies": (cydriver.CU_MEMPOOL_ATTR_REUSE_ALLOW_INTERNAL_DEPENDENCIES, True, True),
    "release_threshold": (cydriver.CU_MEMPOOL_ATTR_RELEASE_THRESHOLD, False, True),
    "reserved_mem_current": (cydriver.CU_MEMPOOL_ATTR_RESERVED_MEM_CURRENT, False, False),
    "reserved_mem_high": (cydriver.CU_MEMPOOL_ATTR_RESERVED_MEM_HIGH, False, True),
    "used_mem_current": (cydriver.CU_MEMPOOL_ATTR_USED_MEM_CURRENT, False, False),
    "used_mem_high": (cydriver.CU_MEMPOOL_ATTR_USED_MEM_HIGH, False, True),
}

_GRAPH_ATTRS = {
    "used_mem_current": (cydriver.CU_GRAPH_MEM_ATTR_USED_MEM_CURRENT, False, False),
    "used_mem_high": (cydriver.CU_GRAPH_MEM_ATTR_USED_MEM_HIGH, False, True),
    "reserved_mem_current": (cydriver.CU_GRAPH_MEM_ATTR_RESERVED_MEM_CURRENT, False, False),
    "reserved_mem_high": (cydriver.CU_GRAPH_MEM_ATTR_RESERVED_MEM_HIGH, False, True),
}


def _pool_attr(intptr_t pool, int attr, bint is_flag):
    cdef int flag = 0
    cdef uint64_t count = 0
    if is_flag:
        check(cydriver.cuMemPoolGetAttribute(<cydriver.CUmemoryPool>pool, <cydriver.CUmemPool_attribute>attr, &flag))
        return bool(flag)
    check(cydriver.cuMemPoolGetAttribute(<cydriver.CUmemoryPool>pool, <cydriver.CUmemPool_attribute>attr, &count))
    return count


def _set_pool_attr(intptr_t pool, int attr, bint is_flag, value):
    cdef int flag
    cdef uint64_t count
    if is_flag:
        flag = 1 if value else 0
        check(cydriver.cuMemPoolSetAttribute(<cydriver.CUmemoryPool>pool, <cydriver.CUmemPool_attribute>attr, &flag))
    else:
        count = value
        check(cydriver.cuMemPoolSetAttribute(<cydriver.CUmemoryPool>pool, <cydriver.CUmemPool_attribute>attr, &count))


def _graph_attr(int device, int attr, bint is_flag):
    cdef uint64_t count = 0
    check(cydriver.cuDeviceGetGraphMemAttribute(device, <cydriver.CUgraphMem_attribute>attr, &count))
    return count


def _set_graph_attr(int device, int attr, bint is_flag, value):
    cdef uint64_t count = value
    check(cydriver.cuDeviceSetGraphMemAttribute(device, <cydriver.CUgraphMem_attribute>attr, &count))


class _ResetOnlyError(AttributeError, ValueError):
    """A high watermark set to anything but 0: NVIDIA's raise AttributeError, a ValueError is
    what it is."""


def _attr_property(name, entry, getter, setter):
    attr, is_flag, settable = entry

    def get(self):
        return getter(self._target(), attr, is_flag)

    def put(self, value):
        if not settable:  # worded as a read-only attribute of a compiled class, as NVIDIA's
            raise AttributeError(f"attribute '{name}' of '{type(self).__qualname__}' objects is not writable")
        if is_flag:
            value = bool(value)
        elif isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an int, not {type(value).__name__}")
        elif value < 0:
            raise ValueError(f"{name} must not be negative")
        elif name.endswith("_high") and value != 0:
            raise _ResetOnlyError(f"Attribute '{name}' may only be set to zero (got {value}).")
        setter(self._target(), attr, is_flag, value)

    return property(get, put, doc=f"The pool attribute {name}.")


def _attributes_class(name, doc, table, getter, setter, target):
    """A class whose instances, made from an owner, read the attributes of ``table`` from the
    driver on each access (and write the settable ones) on ``target(owner)``."""

    def __init__(self, owner):
        self._owner = owner

    def _target(self):
        return target(self._owner)

    def __repr__(self):
        fields = ", ".join(f"{n}={getattr(self, n)}" for n in table)
        return f"{type(self).__name__}({fields})"

    namespace = {"__doc__": doc, "__module__": __name__, "__slots__": ("_owner",), "__init__": __init__,
                 "_target": _target, "__repr__": __repr__}
    namespace.update({n: _attr_property(n, entry, getter, setter) for n, entry in table.items()})
    return type(name, (), namespace)


_MemPoolAttributes = _attributes_class(
    "_MemPoolAttributes",
    """The attributes of a memory pool, read from the driver on each access; the reuse flags
    and release_threshold can be set, the high watermarks reset to 0.""",
    _POOL_ATTRS, _pool_attr, _set_pool_attr, lambda mr: mr._pool_handle())

_GraphMemoryAttributes = _attributes_class(
    "GraphMemoryResourceAttributes",  # NVIDIA's name, which its repr shows
    """Graph-allocation memory of a device, read from the driver on each access; the high
    watermarks can be reset to 0.""",
    _GRAPH_ATTRS, _graph_attr, _set_graph_attr, lambda device: device)


# --------------------------------------------------------------------------------------------
# IPC


class IPCAllocationHandle:
    """A shareable handle (a POSIX file descriptor) of an IPC-enabled pool, owned by this
    object: ``close()`` (or garbage collection) closes the descriptor."""

    def __init__(self, handle: int, uuid=None):
        self._handle = int(handle)
        self._uuid = uuid

    @property
    def handle(self) -> int:
        return self._handle

    @property
    def uuid(self):
        return self._uuid

    def __int__(self):
        return self._handle

    def detach(self) -> int:
        """Give up ownership of the descriptor and return it."""
        fd, self._handle = self._handle, -1
        return fd

    def close(self):
        fd, self._handle = self._handle, -1
        if fd >= 0:
            try:
                _os.close(fd)
            except OSError:
                pass

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __repr__(self):
        return f"IPCAllocationHandle(handle={self._handle}, uuid={self._uuid})"


# (type name, uuid) -> an imported resource. Weak, as NVIDIA's: the registry finds a resource while
# the program holds it and never keeps a pool alive by itself.
_registry = _weakref.WeakValueDictionary()


# --------------------------------------------------------------------------------------------
# pickling (multiprocessing)
#
# multiprocessing sends an IPC-enabled resource by exporting its pool (the descriptor is passed
# with DupFd); the receiver imports it once and records it under the exporter's uuid, so that
# buffers (pickled as resource + IPC descriptor) and later copies of the resource find it. Plain
# pickle sends the uuid alone (from_registry). The reducers are registered with multiprocessing
# when the first IPC-enabled resource or handle is made: programs that never share pay nothing.

cdef _register_reducers():
    from cuda.core._utils.cuda_utils import register_reducers

    register_reducers(
        (IPCAllocationHandle, _reduce_allocation_handle),
        (DeviceMemoryResource, _reduce_memory_resource),
        (PinnedMemoryResource, _reduce_memory_resource),
    )


def _reduce_allocation_handle(handle):
    from multiprocessing.reduction import DupFd

    from cuda.core._utils.cuda_utils import check_multiprocessing_start_method

    check_multiprocessing_start_method()
    return (_rebuild_allocation_handle, (DupFd(handle.handle), handle.uuid))


def _rebuild_allocation_handle(dup, uuid):
    return IPCAllocationHandle(dup.detach(), uuid)


def _reduce_memory_resource(mr):
    from cuda.core._utils.cuda_utils import check_multiprocessing_start_method

    check_multiprocessing_start_method()
    if not mr.is_ipc_enabled:
        raise TypeError(f"only an IPC-enabled {type(mr).__name__} can be sent to another process")
    if mr.is_mapped:  # imported here: its exporter's uuid finds it in the next process's registry
        return (type(mr).from_registry, (mr.uuid,))
    return (_rebuild_memory_resource, (type(mr), mr.device_id, mr.allocation_handle, mr.uuid))


def _rebuild_memory_resource(cls, device_id, alloc_handle, uuid):
    existing = _registry.get((cls.__name__, uuid))
    if existing is not None:
        alloc_handle.close()
        return existing
    if cls is PinnedMemoryResource:
        mr = cls.from_allocation_handle(alloc_handle)
    else:
        mr = cls.from_allocation_handle(device_id, alloc_handle)
    return mr.register(uuid)


# --------------------------------------------------------------------------------------------
# peer access


def _access_of(intptr_t pool, int device):
    cdef cydriver.CUmemAccess_flags flags = cydriver.CU_MEM_ACCESS_FLAGS_PROT_NONE
    cdef cydriver.CUmemLocation loc
    loc.type = cydriver.CU_MEM_LOCATION_TYPE_DEVICE
    loc.id = device
    check(cydriver.cuMemPoolGetAccess(&flags, <cydriver.CUmemoryPool>pool, &loc))
    return <int>flags


def _set_access(intptr_t pool, int device, bint allow):
    cdef cydriver.CUmemAccessDesc desc
    desc.location.type = cydriver.CU_MEM_LOCATION_TYPE_DEVICE
    desc.location.id = device
    desc.flags = cydriver.CU_MEM_ACCESS_FLAGS_PROT_READWRITE if allow else cydriver.CU_MEM_ACCESS_FLAGS_PROT_NONE
    check(cydriver.cuMemPoolSetAccess(<cydriver.CUmemoryPool>pool, &desc, 1))


def _device_count():
    cdef int n = 0
    check(cydriver.cuDeviceGetCount(&n))
    return n


class _PeerAccessibleBy(_MutableSet):
    """Live set of the other devices that can read and write the pool's allocations."""

    __slots__ = ("_mr",)

    def __init__(self, mr):
        self._mr = mr

    @classmethod
    def _from_iterable(cls, it):
        return set(it)

    def _ordinals(self):
        pool = self._mr._pool_handle()
        own = self._mr.device_id
        rw = <int>cydriver.CU_MEM_ACCESS_FLAGS_PROT_READWRITE
        return [d for d in range(_device_count()) if d != own and _access_of(pool, d) == rw]

    def __contains__(self, device):
        try:
            return device_ordinal(device) in self._ordinals()
        except (TypeError, ValueError):
            return False

    def __iter__(self):
        from cuda.core._device import Device

        return iter([Device(d) for d in self._ordinals()])

    def __len__(self):
        return len(self._ordinals())

    def add(self, device):
        d = device_ordinal(device)
        if d != self._mr.device_id:
            _set_access(self._mr._pool_handle(), d, True)

    def discard(self, device):
        d = device_ordinal(device)
        if d != self._mr.device_id and d in self._ordinals():
            _set_access(self._mr._pool_handle(), d, False)

    def __repr__(self):
        return f"PeerAccessibleBy({self._ordinals()})"


# --------------------------------------------------------------------------------------------
# pools


cdef class _MemPool(MemoryResource):
    """A MemoryResource over a CUmemoryPool; allocations are ordered on the given stream."""

    cdef cydriver.CUmemoryPool _pool
    cdef int _dev_id
    cdef int _buf_flags
    cdef bint _owned
    cdef bint _ipc
    cdef bint _mapped
    cdef bint _closed
    cdef type _buffer_cls
    cdef object _alloc_handle
    cdef object _uuid

    def __cinit__(self, *args, **kwargs):
        cls = type(self)
        if cls is DeviceMemoryResource or cls is PinnedMemoryResource or cls is ManagedMemoryResource:
            self._free_kind = FREE_ASYNC
        else:  # a Python subclass: its deallocate frees
            self._free_kind = FREE_PYTHON
        self._buffer_cls = Buffer
        self._dev_id = -1

    def __dealloc__(self):
        # also a pool whose close() was deferred: its last buffer has let go of this resource
        if self._owned and self._pool != NULL:
            self._closed = True
            try:
                cydriver.cuMemPoolDestroy(self._pool)
            except BaseException:
                pass

    cdef int _create(self, cydriver.CUmemAllocationType kind, cydriver.CUmemLocationType loc_type, int loc_id,
                     bint ipc, size_t max_size) except -1:
        cdef cydriver.CUmemPoolProps props
        cdef cydriver.CUmemoryPool pool = NULL
        memset(&props, 0, sizeof(props))
        props.allocType = kind
        props.handleTypes = cydriver.CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR if ipc else cydriver.CU_MEM_HANDLE_TYPE_NONE
        props.location.type = loc_type
        props.location.id = loc_id
        props.maxSize = max_size
        with nogil:
            check(cydriver.cuMemPoolCreate(&pool, &props))
        self._pool = pool
        self._owned = True
        self._ipc = ipc
        if ipc:
            _register_reducers()
            self._uuid = _uuid.uuid4()
        return 0

    cdef int _use_current(self, cydriver.CUmemAllocationType kind, cydriver.CUmemLocationType loc_type,
                          int loc_id) except -1:
        cdef cydriver.CUmemoryPool pool = NULL
        cdef cydriver.CUmemLocation loc
        loc.type = loc_type
        loc.id = loc_id
        if kind == cydriver.CU_MEM_ALLOCATION_TYPE_PINNED and loc_type == cydriver.CU_MEM_LOCATION_TYPE_DEVICE:
            check(cydriver.cuDeviceGetMemPool(&pool, loc_id))
        else:
            check(line_get_mem_pool(&pool, &loc, kind))
        self._pool = pool
        self._owned = False
        return 0

    def _pool_handle(self):
        if self._closed:
            raise RuntimeError(f"this {type(self).__name__} is closed")
        return <intptr_t>self._pool

    def allocate(self, size_t size, stream=None):
        """A Buffer of ``size`` bytes from the pool, ordered on ``stream`` (which also orders its
        free unless ``close`` names another stream)."""
        cdef cydriver.CUstream s
        cdef cydriver.CUdeviceptr ptr = 0
        cdef cydriver.CUstreamCaptureStatus status = cydriver.CU_STREAM_CAPTURE_STATUS_NONE
        if self._closed or self._mapped:
            self._cannot_allocate()
        resolve_stream(stream, &s)
        if s != NULL:  # a pool allocation inside a capture would be owned by the graph, not the Buffer
            check(cydriver.cuStreamIsCapturing(s, &status))
            if status != cydriver.CU_STREAM_CAPTURE_STATUS_NONE:
                raise RuntimeError("cannot perform memory operations on a capturing stream "
                                   "(consider using GraphMemoryResource).")
        with nogil:
            check(cydriver.cuMemAllocFromPoolAsync(&ptr, size, self._pool, s))
        return new_buffer(self._buffer_cls, ptr, size, self, None, stream, s, self._free_kind, self._dev_id,
                          self._buf_flags)

    def _cannot_allocate(self):
        if self._closed:
            raise RuntimeError(f"this {type(self).__name__} is closed")
        raise RuntimeError("a memory resource imported from another process (is_mapped) cannot allocate")

    def deallocate(self, ptr, size_t size, stream=None):
        """Free ``ptr`` (from ``allocate``) back to the pool, ordered on ``stream``."""
        _free_async(ptr, stream)

    def close(self):
        """Close the resource: it allocates no more, and the pool it owns is destroyed now, or,
        while buffers from it are alive (each holds this resource), once the last one is freed."""
        cdef cydriver.cuuint64_t used = 0
        if self._closed:
            return
        self._closed = True
        if self._alloc_handle is not None:
            self._alloc_handle.close()
            self._alloc_handle = None
        if self._owned and self._pool != NULL:
            # Destroying a pool under live allocations crashed the driver (NVIDIA's test_leaks and
            # test_memory_ipc, H200 driver 580: a Queue's feeder thread exported a buffer of the
            # pool while the main thread destroyed it). NVIDIA's buffers keep their pool alive too.
            check(cydriver.cuMemPoolGetAttribute(self._pool, cydriver.CU_MEMPOOL_ATTR_USED_MEM_CURRENT, &used))
            if used:
                return  # __dealloc__ destroys it
            pool = self._pool
            self._pool = NULL
            with nogil:
                check(cydriver.cuMemPoolDestroy(pool))

    @property
    def attributes(self):
        """The pool's attributes (``release_threshold``, ``used_mem_current``, ...)."""
        return _MemPoolAttributes(self)

    @property
    def handle(self):
        """The CUmemoryPool, as an int."""
        return <intptr_t>self._pool

    @property
    def is_handle_owned(self):
        """Whether close() destroys the pool (False for the driver's current pool)."""
        return self._owned

    @property
    def is_ipc_enabled(self):
        """Whether the pool can be shared with other processes."""
        return self._ipc

    @property
    def is_mapped(self):
        """Whether the pool was imported from another process (it then cannot allocate)."""
        return self._mapped

    @property
    def is_closed(self):
        return self._closed

    @property
    def uuid(self):
        """The identifier of an IPC-enabled pool (None otherwise)."""
        return self._uuid

    @property
    def device_id(self):
        return self._dev_id

    @property
    def is_device_accessible(self):
        return bool(self._buf_flags & BUF_DEVICE)

    @property
    def is_host_accessible(self):
        return bool(self._buf_flags & BUF_HOST)

    @property
    def is_managed(self):
        return bool(self._buf_flags & BUF_MANAGED)

    # ---- IPC --------------------------------------------------------------------------------

    @property
    def allocation_handle(self):
        """The shareable handle (an IPCAllocationHandle: a POSIX file descriptor) of this
        IPC-enabled pool; made once and owned by this resource."""
        cdef int fd = -1
        cdef int pushed = 0
        if not self._ipc:
            raise RuntimeError("this memory resource is not IPC-enabled (options ipc_enabled=True)")
        if self._mapped:
            raise RuntimeError("an imported memory resource cannot export its pool again")
        if self._alloc_handle is None:
            pushed = enter_primary_context(self._dev_id)  # pickling runs on a Queue's feeder thread too
            try:
                check(cydriver.cuMemPoolExportToShareableHandle(&fd, self._pool,
                                                                 cydriver.CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR, 0))
            finally:
                leave_primary_context(pushed, self._dev_id)
            self._alloc_handle = IPCAllocationHandle(fd, self._uuid)
        return self._alloc_handle

    cdef int _import(self, object alloc_handle) except -1:
        cdef cydriver.CUmemoryPool pool = NULL
        fd = alloc_handle.handle if isinstance(alloc_handle, IPCAllocationHandle) else alloc_handle
        if isinstance(fd, bool) or not isinstance(fd, int):
            raise WrongKindError(f"alloc_handle must be an IPCAllocationHandle or an int, not "
                                 f"{type(alloc_handle).__name__}")  # a ValueError too, as NVIDIA's
        cdef intptr_t raw = fd
        _init_driver()
        with nogil:
            check(cydriver.cuMemPoolImportFromShareableHandle(&pool, <void*>raw,
                                                               cydriver.CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR, 0))
        self._pool = pool
        self._owned = True
        self._ipc = True
        self._mapped = True
        self._uuid = getattr(alloc_handle, "uuid", None)
        _register_reducers()
        return 0

    def __reduce__(self):
        if not self._ipc:
            raise TypeError(f"only an IPC-enabled {type(self).__name__} can be pickled (ipc_enabled=True)")
        return (type(self).from_registry, (self._uuid,))

    def register(self, uuid):
        """Record this IPC-enabled resource under ``uuid`` (the exporter's) while the program holds
        it; returns the resource already recorded under it, if any."""
        if not self._ipc:
            raise RuntimeError("Memory resource is not IPC-enabled")
        if self._uuid is not None and self._uuid != uuid:
            raise ValueError(f"this {type(self).__name__} is {self._uuid}: it can be registered under that "
                             f"uuid only, not {uuid!r}")
        existing = _registry.get((type(self).__name__, uuid))
        if existing is not None:
            return existing
        _registry[(type(self).__name__, uuid)] = self
        self._uuid = uuid
        return self

    @classmethod
    def from_registry(cls, uuid):
        """The imported resource recorded under ``uuid`` (RuntimeError when none is)."""
        try:
            return _registry[(cls.__name__, uuid)]
        except KeyError:
            raise RuntimeError(f"Memory resource {uuid} was not found: no {cls.__name__} is registered "
                               "under it (the registry holds a resource while the program does)") from None

    def __repr__(self):
        state = "closed" if self._closed else f"pool=0x{<uintptr_t>self._pool:x}"
        return f"<{type(self).__name__} device_id={self._dev_id} {state}>"


cdef class DeviceMemoryResource(_MemPool):
    """Device memory from a stream-ordered pool of one device.

    Without options it uses the device's current pool (not owned: close() leaves it); with
    DeviceMemoryResourceOptions (or a dict of them) it makes and owns a pool, IPC-enabled on
    request.
    """

    def __init__(self, device_id, options=None):
        cdef int dev = device_ordinal(device_id)
        _init_driver()
        self._dev_id = dev
        self._buf_flags = BUF_KNOWN | BUF_DEVICE
        if options is None:
            self._use_current(cydriver.CU_MEM_ALLOCATION_TYPE_PINNED, cydriver.CU_MEM_LOCATION_TYPE_DEVICE, dev)
        else:
            opts = coerce_options(DeviceMemoryResourceOptions, options, "options")
            self._create(cydriver.CU_MEM_ALLOCATION_TYPE_PINNED, cydriver.CU_MEM_LOCATION_TYPE_DEVICE, dev,
                         opts.ipc_enabled, opts.max_size)

    @classmethod
    def from_allocation_handle(cls, device_id, alloc_handle):
        """A resource over the pool another process exported (``allocation_handle``); it owns
        the imported pool, cannot allocate, and maps that process's buffers
        (``Buffer.from_ipc_descriptor``). An int handle stays the caller's to close."""
        cdef DeviceMemoryResource mr = cls.__new__(cls)
        mr._dev_id = device_ordinal(device_id)
        mr._buf_flags = BUF_KNOWN | BUF_DEVICE
        mr._import(alloc_handle)
        return mr

    @property
    def peer_accessible_by(self):
        """The other devices that can access this pool's allocations (a live set of Device:
        add/discard change access; assign any iterable of Device or int to replace it)."""
        return _PeerAccessibleBy(self)

    @peer_accessible_by.setter
    def peer_accessible_by(self, devices):
        target = {device_ordinal(d) for d in devices}
        target.discard(self._dev_id)
        proxy = _PeerAccessibleBy(self)
        current = set(proxy._ordinals())
        pool = self._pool_handle()
        for d in current - target:
            _set_access(pool, d, False)
        for d in target - current:
            _set_access(pool, d, True)


cdef class PinnedMemoryResource(_MemPool):
    """Page-locked host memory from a stream-ordered pool (device- and host-accessible).

    Without options it uses the driver's current host pool; with PinnedMemoryResourceOptions it
    makes and owns one (on a NUMA node, IPC-enabled on request).
    """

    cdef int _numa

    def __init__(self, options=None):
        _init_driver()
        self._dev_id = -1
        self._numa = -1
        self._buf_flags = BUF_KNOWN | BUF_DEVICE | BUF_HOST
        if options is None:
            self._use_current(cydriver.CU_MEM_ALLOCATION_TYPE_PINNED, cydriver.CU_MEM_LOCATION_TYPE_HOST, 0)
            return
        opts = coerce_options(PinnedMemoryResourceOptions, options, "options")
        numa = opts.numa_id
        if numa is None and opts.ipc_enabled:
            numa = _host_numa_id()
        if numa is None:
            self._create(cydriver.CU_MEM_ALLOCATION_TYPE_PINNED, cydriver.CU_MEM_LOCATION_TYPE_HOST, 0,
                         opts.ipc_enabled, opts.max_size)
        else:
            self._numa = numa
            self._create(cydriver.CU_MEM_ALLOCATION_TYPE_PINNED, cydriver.CU_MEM_LOCATION_TYPE_HOST_NUMA, numa,
                         opts.ipc_enabled, opts.max_size)

    @classmethod
    def from_allocation_handle(cls, alloc_handle):
        """A resource over the host pool another process exported (see DeviceMemoryResource)."""
        cdef PinnedMemoryResource mr = cls.__new__(cls)
        mr._dev_id = -1
        mr._numa = -1
        mr._buf_flags = BUF_KNOWN | BUF_DEVICE | BUF_HOST
        mr._import(alloc_handle)
        return mr

    @property
    def numa_id(self):
        """The host NUMA node of the pool (-1: placed by the OS)."""
        return self._numa


_LOCATION_NAMES = {
    cydriver.CU_MEM_LOCATION_TYPE_DEVICE: "device",
    cydriver.CU_MEM_LOCATION_TYPE_HOST: "host",
    cydriver.CU_MEM_LOCATION_TYPE_HOST_NUMA: "host_numa",
}


cdef class ManagedMemoryResource(_MemPool):
    """Managed (unified) memory from a stream-ordered pool; buffers are ManagedBuffer.

    Without options it uses the driver's current managed pool; with ManagedMemoryResourceOptions
    it makes and owns one with the given preferred location.
    """

    cdef int _loc_type
    cdef int _loc_id

    def __init__(self, options=None):
        _init_driver()
        self._buffer_cls = ManagedBuffer
        self._buf_flags = BUF_KNOWN | BUF_DEVICE | BUF_HOST | BUF_MANAGED
        self._loc_type = LINE_MEM_LOCATION_TYPE_NONE
        self._loc_id = 0
        self._dev_id = -1
        if options is None:
            self._use_current(<cydriver.CUmemAllocationType>LINE_MEM_ALLOCATION_TYPE_MANAGED,
                              <cydriver.CUmemLocationType>LINE_MEM_LOCATION_TYPE_NONE, 0)
            return
        opts = coerce_options(ManagedMemoryResourceOptions, options, "options")
        kind, loc = opts.preferred_location_type, opts.preferred_location
        if kind is None:
            kind = None if loc is None else ("host" if loc == -1 else "device")
            if kind == "host":
                loc = None
        if kind == "device":
            self._loc_type, self._loc_id, self._dev_id = cydriver.CU_MEM_LOCATION_TYPE_DEVICE, loc, loc
        elif kind == "host":
            self._loc_type = cydriver.CU_MEM_LOCATION_TYPE_HOST
        elif kind == "host_numa":
            if loc is None:
                loc = _host_numa_id()
            self._loc_type, self._loc_id = cydriver.CU_MEM_LOCATION_TYPE_HOST_NUMA, loc
        self._create(<cydriver.CUmemAllocationType>LINE_MEM_ALLOCATION_TYPE_MANAGED, <cydriver.CUmemLocationType>self._loc_type,
                     self._loc_id, False, 0)

    @property
    def preferred_location(self):
        """None (no preference) or (type, id): ("device", ordinal), ("host", None) or
        ("host_numa", node)."""
        name = _LOCATION_NAMES.get(self._loc_type)
        if name is None:
            return None
        return (name, None if name == "host" else self._loc_id)


# --------------------------------------------------------------------------------------------
# legacy pinned memory and graph allocations


cdef class LegacyPinnedMemoryResource(MemoryResource):
    """Page-locked host memory from cuMemAllocHost (needs a current context). Frees wait for the
    deallocation stream, then cuMemFreeHost."""

    def __cinit__(self, *args, **kwargs):
        self._free_kind = FREE_HOST if type(self) is LegacyPinnedMemoryResource else FREE_PYTHON

    def allocate(self, size_t size, stream=None):
        """``size`` bytes of pinned host memory (allocated at once; ``stream`` orders the free)."""
        cdef cydriver.CUstream s
        cdef void* p = NULL
        resolve_stream(stream, &s)
        with nogil:
            check(cydriver.cuMemAllocHost(&p, size))
        return new_buffer(Buffer, <cydriver.CUdeviceptr>p, size, self, None, stream, s, self._free_kind, -1,
                          BUF_KNOWN | BUF_DEVICE | BUF_HOST)

    def deallocate(self, ptr, size_t size, stream=None):
        """Wait for ``stream`` (when given), then free ``ptr``."""
        cdef cydriver.CUstream s
        cdef void* p = <void*>(<uintptr_t>int(ptr))
        resolve_stream(stream, &s)
        with nogil:
            if s != NULL:
                check(cydriver.cuStreamSynchronize(s))
            check(cydriver.cuMemFreeHost(p))

    @property
    def device_id(self):
        return -1

    @property
    def is_device_accessible(self):
        return True

    @property
    def is_host_accessible(self):
        return True

    @property
    def is_managed(self):
        return False


cdef class _GraphMemoryResource(MemoryResource):
    # The C-level half of GraphMemoryResource (below), which interns one object per device.

    cdef int _dev_id

    def __cinit__(self, *args, **kwargs):
        self._free_kind = FREE_ASYNC if type(self) is GraphMemoryResource else FREE_PYTHON

    def __init__(self, device_id):
        self._dev_id = device_ordinal(device_id)
        _init_driver()

    def allocate(self, size_t size, stream=None):
        """``size`` bytes allocated in the graph being captured on ``stream``."""
        cdef cydriver.CUstream s
        cdef cydriver.CUdeviceptr ptr = 0
        cdef cydriver.CUstreamCaptureStatus status = cydriver.CU_STREAM_CAPTURE_STATUS_NONE
        if stream is None:
            raise ValueError("GraphMemoryResource.allocate needs the capturing stream")
        resolve_stream(stream, &s)
        check(cydriver.cuStreamIsCapturing(s, &status))
        if status != cydriver.CU_STREAM_CAPTURE_STATUS_ACTIVE:
            raise RuntimeError("GraphMemoryResource cannot perform memory operations on a non-capturing stream.")
        with nogil:
            check(cydriver.cuMemAllocAsync(&ptr, size, s))
        return new_buffer(Buffer, ptr, size, self, None, stream, s, self._free_kind, self._dev_id,
                          BUF_KNOWN | BUF_DEVICE)

    def deallocate(self, ptr, size_t size, stream=None):
        """Free ``ptr`` ordered on ``stream`` (in capture: a free node of the graph)."""
        _free_async(ptr, stream)

    def trim(self):
        """Give the device's unused graph memory back to the OS."""
        cdef int dev = self._dev_id
        with nogil:
            check(cydriver.cuDeviceGraphMemTrim(dev))

    def close(self):
        """Nothing to release (graph memory belongs to the device)."""

    @property
    def attributes(self):
        """The device's graph memory use (``used_mem_current``, ``reserved_mem_high``, ...)."""
        return _GraphMemoryAttributes(self._dev_id)

    @property
    def device_id(self):
        return self._dev_id

    @property
    def is_device_accessible(self):
        return True

    @property
    def is_host_accessible(self):
        return False

    @property
    def is_managed(self):
        return False


_graph_memory_resources = {}


class GraphMemoryResource(_GraphMemoryResource):
    """Allocations inside stream capture: they become memory nodes of the captured graph and
    live in the device's graph memory (see ``attributes``, ``trim``).

    One object per device (and class): the graph memory it stands for is the device's own.
    """

    __slots__ = ()

    def __new__(cls, device_id):
        key = (cls, device_ordinal(device_id))
        mr = _graph_memory_resources.get(key)
        if mr is None:
            mr = _graph_memory_resources.setdefault(key, _GraphMemoryResource.__new__(cls, device_id))
        return mr
