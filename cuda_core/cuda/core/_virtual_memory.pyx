# SPDX-License-Identifier: Apache-2.0
"""VirtualMemoryResource: allocations made of physical chunks (cuMemCreate) mapped into
reserved address ranges (cuMemAddressReserve, cuMemMap, cuMemSetAccess), growable in place
or by remapping (modify_allocation).

Each allocation is recorded by its start address: the physical chunks (address, size, handle)
and the reservations that hold them. Freeing unmaps every chunk, releases its handle and frees
the reservations, after the deallocation stream is idle (unmapping is synchronous).
"""

import dataclasses

from libc.stdint cimport uintptr_t

from cuda.bindings cimport cydriver
from cuda.core._errors cimport check
from cuda.core._memory cimport (
    BUF_CLOSED,
    BUF_DEVICE,
    BUF_HOST,
    BUF_KNOWN,
    FREE_PYTHON,
    Buffer,
    MemoryResource,
    device_ordinal,
    new_buffer,
    resolve_stream,
)

from cuda.core._options import coerce_options

__all__ = ["VirtualMemoryResource", "VirtualMemoryResourceOptions"]

_ALLOCATION_TYPES = {"pinned": cydriver.CU_MEM_ALLOCATION_TYPE_PINNED}
_LOCATION_TYPES = {
    "device": cydriver.CU_MEM_LOCATION_TYPE_DEVICE,
    "host": cydriver.CU_MEM_LOCATION_TYPE_HOST,
    "host_numa": cydriver.CU_MEM_LOCATION_TYPE_HOST_NUMA,
    "host_numa_current": cydriver.CU_MEM_LOCATION_TYPE_HOST_NUMA_CURRENT,
}
_HANDLE_TYPES = {
    None: cydriver.CU_MEM_HANDLE_TYPE_NONE,
    "posix_fd": cydriver.CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR,
    "win32_kmt": cydriver.CU_MEM_HANDLE_TYPE_WIN32_KMT,
    "fabric": cydriver.CU_MEM_HANDLE_TYPE_FABRIC,
}
_GRANULARITIES = {
    "minimum": cydriver.CU_MEM_ALLOC_GRANULARITY_MINIMUM,
    "recommended": cydriver.CU_MEM_ALLOC_GRANULARITY_RECOMMENDED,
}
_ACCESS = {
    "rw": cydriver.CU_MEM_ACCESS_FLAGS_PROT_READWRITE,
    "r": cydriver.CU_MEM_ACCESS_FLAGS_PROT_READ,
    None: cydriver.CU_MEM_ACCESS_FLAGS_PROT_NONE,
}


def _choice(name, value, table):
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{name} must be a str{' or None' if None in table else ''}, not {type(value).__name__}")
    key = value.lower() if isinstance(value, str) else value
    if key not in table:
        raise ValueError(f"{name} must be one of {sorted(k for k in table if k)!r}"
                         f"{' or None' if None in table else ''}, got {value!r}")
    return key


def _check_int(name, value, allow_none):
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, not {type(value).__name__}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")


@dataclasses.dataclass
class VirtualMemoryResourceOptions:
    """How a VirtualMemoryResource allocates.

    allocation_type: "pinned". location_type: "device", "host", "host_numa" or
    "host_numa_current". handle_type: "posix_fd" (exportable), "win32_kmt", "fabric" or None.
    granularity: "recommended" or "minimum" (sizes round up to it). gpu_direct_rdma: ask for
    GPUDirect RDMA capable memory. addr_hint: an address to reserve at (0: any). addr_align:
    the reservation's alignment (None: the granularity). peers: other device ordinals given
    ``peer_access``. self_access, peer_access: "rw", "r" or None (no access).
    """

    allocation_type: str = "pinned"
    location_type: str = "device"
    handle_type: str | None = "posix_fd"
    granularity: str = "recommended"
    gpu_direct_rdma: bool = False
    addr_hint: int | None = 0
    addr_align: int | None = None
    peers: tuple = ()
    self_access: str | None = "rw"
    peer_access: str | None = "rw"

    def __post_init__(self):
        self.allocation_type = _choice("allocation_type", self.allocation_type, _ALLOCATION_TYPES)
        self.location_type = _choice("location_type", self.location_type, _LOCATION_TYPES)
        self.handle_type = _choice("handle_type", self.handle_type, _HANDLE_TYPES)
        self.granularity = _choice("granularity", self.granularity, _GRANULARITIES)
        self.self_access = _choice("self_access", self.self_access, _ACCESS)
        self.peer_access = _choice("peer_access", self.peer_access, _ACCESS)
        if not isinstance(self.gpu_direct_rdma, bool):
            raise TypeError(f"gpu_direct_rdma must be a bool, not {type(self.gpu_direct_rdma).__name__}")
        _check_int("addr_hint", self.addr_hint, True)
        _check_int("addr_align", self.addr_align, True)
        if self.addr_align:
            if self.addr_align & (self.addr_align - 1):
                raise ValueError(f"addr_align must be a power of two, got {self.addr_align}")
        peers = tuple(getattr(p, "device_id", p) for p in self.peers)
        for p in peers:
            _check_int("peers entries", p, False)
        self.peers = peers


cdef int _fill_prop(cydriver.CUmemAllocationProp* prop, object opts, int device) except -1:
    cdef char* raw = <char*>prop
    cdef size_t i
    for i in range(sizeof(cydriver.CUmemAllocationProp)):
        raw[i] = 0
    prop.type = _ALLOCATION_TYPES[opts.allocation_type]
    prop.requestedHandleTypes = _HANDLE_TYPES[opts.handle_type]
    prop.location.type = _LOCATION_TYPES[opts.location_type]
    prop.location.id = device if opts.location_type == "device" else 0
    prop.allocFlags.gpuDirectRDMACapable = 1 if opts.gpu_direct_rdma else 0
    return 0


cdef class VirtualMemoryResource(MemoryResource):
    """Memory through the CUDA virtual memory management API (low level: prefer the pool
    resources unless an allocation must grow in place or needs its own mapping options).

    ``allocate`` rounds sizes up to the granularity, creates one physical chunk, reserves an
    address range, maps the chunk and grants access to the device (and ``peers``).
    """

    cdef int _dev_id
    cdef readonly object config
    cdef dict _allocs  # start address -> (chunks [(va, size, handle)], reservations [(va, size)])

    def __cinit__(self, *args, **kwargs):
        self._free_kind = FREE_PYTHON
        self._allocs = {}

    def __init__(self, device_id, config=None):
        cdef int ordinal = device_ordinal(device_id)
        config = coerce_options(VirtualMemoryResourceOptions, config, "config")
        self._dev_id = ordinal
        self.config = config
        with nogil:
            check(cydriver.cuInit(0))

    @property
    def device(self):
        from cuda.core._device import Device

        return Device(self._dev_id)

    @property
    def device_id(self):
        return self._dev_id if self.config.location_type == "device" else -1

    @property
    def is_device_accessible(self):
        return True

    @property
    def is_host_accessible(self):
        return self.config.location_type != "device"

    @property
    def is_managed(self):
        return False

    cdef size_t _granularity(self, object opts) except 0:
        cdef cydriver.CUmemAllocationProp prop
        cdef size_t gran = 0
        _fill_prop(&prop, opts, self._dev_id)
        check(cydriver.cuMemGetAllocationGranularity(&gran, &prop,
                                                     <cydriver.CUmemAllocationGranularity_flags>_GRANULARITIES[opts.granularity]))
        return gran if gran else 1

    cdef int _set_access(self, cydriver.CUdeviceptr va, size_t size, object opts) except -1:
        cdef cydriver.CUmemAccessDesc descs[64]
        cdef size_t n = 0
        targets = [(self._dev_id, opts.self_access)] + [(p, opts.peer_access) for p in opts.peers if p != self._dev_id]
        if len(targets) > 63:
            raise ValueError("at most 62 peers")
        if opts.location_type != "device" and opts.self_access is not None:
            # host-located memory: the CPU needs its own mapping (as the allocation's location
            # type; HOST_NUMA's id is ignored), or host access faults despite is_host_accessible
            descs[n].location.type = (cydriver.CU_MEM_LOCATION_TYPE_HOST if opts.location_type == "host"
                                      else cydriver.CU_MEM_LOCATION_TYPE_HOST_NUMA)
            descs[n].location.id = 0
            descs[n].flags = _ACCESS[opts.self_access]
            n += 1
        for dev, access in targets:
            if access is None:
                continue
            descs[n].location.type = cydriver.CU_MEM_LOCATION_TYPE_DEVICE
            descs[n].location.id = dev
            descs[n].flags = _ACCESS[access]
            n += 1
        if n:
            with nogil:
                check(cydriver.cuMemSetAccess(va, size, descs, n))
        return 0

    cdef object _create_chunk(self, size_t size, object opts):
        cdef cydriver.CUmemAllocationProp prop
        cdef cydriver.CUmemGenericAllocationHandle handle = 0
        _fill_prop(&prop, opts, self._dev_id)
        with nogil:
            check(cydriver.cuMemCreate(&handle, size, &prop, 0))
        return handle

    cdef object _reserve(self, size_t size, size_t align, uintptr_t hint):
        cdef cydriver.CUdeviceptr va = 0
        with nogil:
            check(cydriver.cuMemAddressReserve(&va, size, align, <cydriver.CUdeviceptr>hint, 0))
        return va

    cdef int _map(self, cydriver.CUdeviceptr va, size_t size, cydriver.CUmemGenericAllocationHandle h) except -1:
        with nogil:
            check(cydriver.cuMemMap(va, size, 0, h, 0))
        return 0

    cdef size_t _rounded(self, size_t size, size_t gran):
        return ((size + gran - 1) // gran) * gran if size else gran

    def allocate(self, size_t size, stream=None):
        """A Buffer of ``size`` bytes rounded up to the granularity (allocated at once;
        ``stream`` orders the eventual free)."""
        cdef cydriver.CUstream s
        resolve_stream(stream, &s)
        opts = self.config
        cdef size_t gran = self._granularity(opts)
        cdef size_t total = self._rounded(size, gran)
        align = opts.addr_align or gran
        handle = self._create_chunk(total, opts)
        va = 0
        try:
            va = self._reserve(total, align, opts.addr_hint or 0)
            self._map(va, total, handle)
            self._set_access(va, total, opts)
        except BaseException:
            _release([(va, total, handle)] if va else [(0, 0, handle)], [(va, total)] if va else [])
            raise
        self._allocs[va] = ([(va, total, handle)], [(va, total)])
        return new_buffer(Buffer, va, total, self, None, stream, s, FREE_PYTHON, self.device_id, self._flags())

    cdef int _flags(self):
        if self.config.location_type == "device":
            return BUF_KNOWN | BUF_DEVICE
        return BUF_KNOWN | BUF_DEVICE | BUF_HOST

    def modify_allocation(self, buf, size_t new_size, config=None):
        """Grow ``buf`` (from this resource) to at least ``new_size`` bytes and return the Buffer
        that now owns the whole allocation. The memory is extended in place when the addresses
        after it are free, otherwise remapped to a new range (contents kept), and ``buf`` is
        closed without freeing; where it is large enough already, ``buf`` itself. A ``config``
        applies to the new chunk and becomes the resource's policy for later allocations, as
        NVIDIA's."""
        cdef Buffer old
        if not isinstance(buf, Buffer) or (<Buffer>buf)._memory_resource is not self:
            raise TypeError("buf must be a Buffer allocated by this VirtualMemoryResource")
        old = buf
        if old._flags & BUF_CLOSED:
            raise RuntimeError("buf is closed")
        opts = self.config if config is None else coerce_options(VirtualMemoryResourceOptions, config, "config")
        if opts.location_type != self.config.location_type:
            raise ValueError("config must keep the resource's location_type")
        cdef cydriver.CUdeviceptr start = old._ptr
        cdef size_t size = old._size
        chunks, reservations = self._allocs[start]
        cdef size_t gran = self._granularity(opts)
        cdef size_t total = self._rounded(new_size, gran)
        if total <= size:  # nothing to grow: the same Buffer, still open (as NVIDIA's)
            self.config = opts
            return buf
        extra = total - size
        handle = self._create_chunk(extra, opts)
        try:
            va = self._reserve(extra, gran, start + size)
        except BaseException:
            _release([(0, 0, handle)], [])
            raise
        if va == start + size:  # the range right after is free: grow in place
            try:
                self._map(va, extra, handle)
                self._set_access(va, extra, opts)
            except BaseException:
                _release([(0, 0, handle)], [(va, extra)])
                raise
            chunks.append((va, extra, handle))
            reservations.append((va, extra))
        else:  # remap everything into one new range
            _release([], [(va, extra)])
            new_start = 0
            mapped = []
            try:
                new_start = self._reserve(total, self.config.addr_align or gran, 0)
                offset = 0
                for _, csize, h in chunks:
                    self._map(new_start + offset, csize, h)
                    mapped.append((new_start + offset, csize))
                    offset += csize
                self._map(new_start + offset, extra, handle)
                mapped.append((new_start + offset, extra))
                self._set_access(new_start, size, self.config)
                self._set_access(new_start + size, extra, opts)
            except BaseException:
                for mva, msize in mapped:
                    cydriver.cuMemUnmap(mva, msize)
                _release([(0, 0, handle)], [(new_start, total)] if new_start else [])
                raise
            # the old range: unmap (the chunks stay alive through their handles) and free
            for cva, csize, _ in chunks:
                check(cydriver.cuMemUnmap(cva, csize))
            for rva, rsize in reservations:
                check(cydriver.cuMemAddressFree(rva, rsize))
            del self._allocs[start]
            offsets = []
            offset = 0
            for _, csize, h in chunks + [(0, extra, handle)]:
                offsets.append((new_start + offset, csize, h))
                offset += csize
            chunks, reservations = offsets, [(new_start, total)]
            start = new_start
            self._allocs[start] = (chunks, reservations)
        # hand ownership to a new Buffer; the old one is closed without a free
        stream = old._dealloc_stream
        cdef cydriver.CUstream s
        resolve_stream(stream, &s)
        old._flags |= BUF_CLOSED
        old._ptr = 0
        old._size = 0
        old._memory_resource = None
        self.config = opts
        return new_buffer(Buffer, start, total, self, None, stream, s, FREE_PYTHON, self.device_id, self._flags())

    def deallocate(self, ptr, size_t size, stream=None):
        """Unmap and release the allocation at ``ptr`` after ``stream`` is idle."""
        cdef cydriver.CUstream s
        resolve_stream(stream, &s)
        entry = self._allocs.pop(int(ptr), None)
        if entry is None:
            raise ValueError(f"0x{int(ptr):x} was not allocated by this VirtualMemoryResource")
        chunks, reservations = entry
        try:
            if s != NULL:  # the device may still use host-located memory too
                with nogil:
                    check(cydriver.cuStreamSynchronize(s))
        finally:
            _release(chunks, reservations)

    def __repr__(self):
        return f"<VirtualMemoryResource device_id={self._dev_id} allocations={len(self._allocs)}>"


def _release(chunks, reservations):
    """Unmap each (va, size, handle) with va != 0, release every handle, free the reservations;
    go on past errors and raise the first."""
    first = None
    for va, size, handle in chunks:
        try:
            if va:
                check(cydriver.cuMemUnmap(<cydriver.CUdeviceptr>va, <size_t>size))
        except BaseException as exc:
            first = first or exc
        try:
            check(cydriver.cuMemRelease(<cydriver.CUmemGenericAllocationHandle>handle))
        except BaseException as exc:
            first = first or exc
    for va, size in reservations:
        try:
            check(cydriver.cuMemAddressFree(<cydriver.CUdeviceptr>va, <size_t>size))
        except BaseException as exc:
            first = first or exc
    if first is not None:
        raise first
