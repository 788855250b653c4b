# SPDX-License-Identifier: Apache-2.0
"""Batched memory operations: copies (cuMemcpyBatchAsync) and managed-memory prefetches and
discards (cuMemPrefetchBatchAsync, cuMemDiscardBatchAsync, cuMemDiscardAndPrefetchBatchAsync).

Arguments are checked in Python, then one driver call takes C arrays of pointers, sizes and
locations, without the GIL.
"""

import dataclasses
import enum
import sys

from libc.stdint cimport uintptr_t
from libc.stdlib cimport calloc, free

from cuda.bindings cimport cydriver
from cuda.core._errors cimport check
from cuda.core._memory cimport BUF_CLOSED, Buffer, location_of, resolve_stream

__all__ = [
    "CopyOptions",
    "MemcpyOverlapMode",
    "MemcpySrcAccessOrder",
    "copy_batch",
    "discard_batch",
    "discard_prefetch_batch",
    "prefetch_batch",
]

if sys.version_info >= (3, 11):
    _StrEnum = enum.StrEnum
else:  # pragma: no cover
    class _StrEnum(str, enum.Enum):
        def __str__(self):
            return self.value


class MemcpySrcAccessOrder(_StrEnum):
    """When a batched copy may read its source (CUmemcpySrcAccessOrder).

    STREAM: in stream order. DURING_API_CALL: possibly out of stream order, but all reads are
    done when copy_batch returns. ANY: possibly out of order and after the call returns (the
    source must stay unchanged until the copy completes).
    """

    STREAM = "stream"
    DURING_API_CALL = "during_api_call"
    ANY = "any"


class MemcpyOverlapMode(_StrEnum):
    """Whether a batched copy should overlap with compute work (CUmemcpyFlags; advisory)."""

    DEFAULT = "default"
    PREFER_OVERLAP_WITH_COMPUTE = "prefer_overlap_with_compute"


_ACCESS_ORDER = {
    MemcpySrcAccessOrder.STREAM: cydriver.CU_MEMCPY_SRC_ACCESS_ORDER_STREAM,
    MemcpySrcAccessOrder.DURING_API_CALL: cydriver.CU_MEMCPY_SRC_ACCESS_ORDER_DURING_API_CALL,
    MemcpySrcAccessOrder.ANY: cydriver.CU_MEMCPY_SRC_ACCESS_ORDER_ANY,
}
_OVERLAP = {
    MemcpyOverlapMode.DEFAULT: cydriver.CU_MEMCPY_FLAG_DEFAULT,
    MemcpyOverlapMode.PREFER_OVERLAP_WITH_COMPUTE: cydriver.CU_MEMCPY_FLAG_PREFER_OVERLAP_WITH_COMPUTE,
}


def _check_location(name, value):
    if value is None:
        return
    if type(value).__name__ == "Host" or hasattr(value, "device_id"):
        return
    raise TypeError(f"{name} must be a Device, a Host or None, not {type(value).__name__}")


@dataclasses.dataclass(frozen=True)
class CopyOptions:
    """Attributes of one copy in copy_batch: source access order, location hints for the
    source and destination (Device, Host or None), and the overlap mode. Strings are accepted
    for the enums."""

    src_access_order: MemcpySrcAccessOrder | str = MemcpySrcAccessOrder.STREAM
    src_location_hint: object = None
    dst_location_hint: object = None
    overlap_mode: MemcpyOverlapMode | str = MemcpyOverlapMode.DEFAULT

    def __post_init__(self):
        for name, kind in (("src_access_order", MemcpySrcAccessOrder), ("overlap_mode", MemcpyOverlapMode)):
            value = getattr(self, name)
            if not isinstance(value, str):
                raise TypeError(f"{name} must be a {kind.__name__} or str, not {type(value).__name__}")
            try:
                object.__setattr__(self, name, kind(value))
            except ValueError:
                choices = ", ".join(repr(m.value) for m in kind)
                raise ValueError(f"{name} must be one of {choices}, got {value!r}") from None
        _check_location("src_location_hint", self.src_location_hint)
        _check_location("dst_location_hint", self.dst_location_hint)


cdef list _buffer_list(object items, str name):
    if isinstance(items, Buffer) or isinstance(items, (str, bytes)) or not hasattr(items, "__len__"):
        raise TypeError(f"{name} must be a sequence of Buffer objects, not {type(items).__name__}")
    items = list(items)
    for b in items:
        if not isinstance(b, Buffer):
            raise TypeError(f"{name} must hold Buffer objects, not {type(b).__name__}")
        if (<Buffer>b)._flags & BUF_CLOSED:
            raise ValueError(f"{name} holds a closed Buffer")
    return items


cdef int _stream_of(object stream, cydriver.CUstream* s) except -1:
    if stream is None:
        raise TypeError("a stream is required (the first argument)")
    resolve_stream(stream, s)
    if s[0] == NULL or <uintptr_t>s[0] == 1:
        raise TypeError("batched operations do not take the legacy default stream: use a created stream "
                        "or PER_THREAD_DEFAULT_STREAM")
    return 0


def copy_batch(stream, srcs, dsts, *, options=None):
    """Copy each of ``srcs`` into the matching Buffer of ``dsts`` (same sizes), asynchronously on
    ``stream``, in one driver call. ``options``: one CopyOptions for all copies, one per copy,
    or None (stream-ordered defaults)."""
    cdef cydriver.CUstream s
    cdef size_t n, i, nattrs
    cdef cydriver.CUdeviceptr* dptrs = NULL
    cdef cydriver.CUdeviceptr* sptrs = NULL
    cdef size_t* sizes = NULL
    cdef size_t* idxs = NULL
    cdef cydriver.CUmemcpyAttributes* attrs = NULL
    src_list = _buffer_list(srcs, "srcs")
    dst_list = _buffer_list(dsts, "dsts")
    if len(src_list) != len(dst_list):
        raise ValueError(f"srcs and dsts differ in length ({len(src_list)} and {len(dst_list)})")
    for k, (a, b) in enumerate(zip(src_list, dst_list)):
        if (<Buffer>a)._size != (<Buffer>b)._size:
            raise ValueError(f"copy {k}: source is {(<Buffer>a)._size} bytes, destination {(<Buffer>b)._size}")
    if options is None:
        opts = [CopyOptions()]
    elif isinstance(options, CopyOptions):
        opts = [options]
    else:
        opts = list(options)
        if len(opts) != len(src_list):
            raise ValueError(f"options holds {len(opts)} entries for {len(src_list)} copies")
        for o in opts:
            if not isinstance(o, CopyOptions):
                raise TypeError(f"options must hold CopyOptions, not {type(o).__name__}")
    _stream_of(stream, &s)
    n = len(src_list)
    if n == 0:
        return
    nattrs = len(opts)
    try:
        dptrs = <cydriver.CUdeviceptr*>calloc(n, sizeof(cydriver.CUdeviceptr))
        sptrs = <cydriver.CUdeviceptr*>calloc(n, sizeof(cydriver.CUdeviceptr))
        sizes = <size_t*>calloc(n, sizeof(size_t))
        idxs = <size_t*>calloc(nattrs, sizeof(size_t))
        attrs = <cydriver.CUmemcpyAttributes*>calloc(nattrs, sizeof(cydriver.CUmemcpyAttributes))
        if not (dptrs and sptrs and sizes and idxs and attrs):
            raise MemoryError()
        for i in range(n):
            dptrs[i] = (<Buffer>dst_list[i])._ptr
            sptrs[i] = (<Buffer>src_list[i])._ptr
            sizes[i] = (<Buffer>src_list[i])._size
        for i in range(nattrs):
            o = opts[i]
            idxs[i] = i
            attrs[i].srcAccessOrder = _ACCESS_ORDER[o.src_access_order]
            attrs[i].flags = _OVERLAP[o.overlap_mode]
            if o.src_location_hint is not None:
                location_of(o.src_location_hint, &attrs[i].srcLocHint)
            if o.dst_location_hint is not None:
                location_of(o.dst_location_hint, &attrs[i].dstLocHint)
        with nogil:
            check(cydriver.cuMemcpyBatchAsync(dptrs, sptrs, sizes, n, attrs, idxs, nattrs, s))
    finally:
        free(dptrs)
        free(sptrs)
        free(sizes)
        free(idxs)
        free(attrs)


cdef int _managed_batch(object stream, object buffers, object locations, int op) except -1:
    # op: 0 prefetch, 1 discard, 2 discard and prefetch
    cdef cydriver.CUstream s
    cdef size_t n, i, nlocs = 0
    cdef cydriver.CUdeviceptr* ptrs = NULL
    cdef size_t* sizes = NULL
    cdef size_t* idxs = NULL
    cdef cydriver.CUmemLocation* locs = NULL
    items = _buffer_list(buffers, "buffers")
    n = len(items)
    if n == 0:
        raise ValueError("buffers is empty")
    if op != 1:
        if isinstance(locations, (list, tuple)):
            loc_list = list(locations)
            if len(loc_list) != n:
                raise ValueError(f"locations holds {len(loc_list)} entries for {n} buffers")
        else:
            loc_list = [locations]
        nlocs = len(loc_list)
    _stream_of(stream, &s)
    try:
        ptrs = <cydriver.CUdeviceptr*>calloc(n, sizeof(cydriver.CUdeviceptr))
        sizes = <size_t*>calloc(n, sizeof(size_t))
        if not (ptrs and sizes):
            raise MemoryError()
        for i in range(n):
            ptrs[i] = (<Buffer>items[i])._ptr
            sizes[i] = (<Buffer>items[i])._size
        if op != 1:
            idxs = <size_t*>calloc(nlocs, sizeof(size_t))
            locs = <cydriver.CUmemLocation*>calloc(nlocs, sizeof(cydriver.CUmemLocation))
            if not (idxs and locs):
                raise MemoryError()
            for i in range(nlocs):
                idxs[i] = i
                location_of(loc_list[i], &locs[i])
        with nogil:
            if op == 0:
                check(cydriver.cuMemPrefetchBatchAsync(ptrs, sizes, n, locs, idxs, nlocs, 0, s))
            elif op == 1:
                check(cydriver.cuMemDiscardBatchAsync(ptrs, sizes, n, 0, s))
            else:
                check(cydriver.cuMemDiscardAndPrefetchBatchAsync(ptrs, sizes, n, locs, idxs, nlocs, 0, s))
    finally:
        free(ptrs)
        free(sizes)
        free(idxs)
        free(locs)
    return 0


def prefetch_batch(stream, buffers, locations):
    """Prefetch managed ``buffers`` to ``locations`` (one Device/Host for all, or one each) on
    ``stream``, in one driver call."""
    _managed_batch(stream, buffers, locations, 0)


def discard_batch(stream, buffers):
    """Discard the pages of managed ``buffers`` (contents become undefined) on ``stream``."""
    _managed_batch(stream, buffers, None, 1)


def discard_prefetch_batch(stream, buffers, locations):
    """Discard managed ``buffers`` and map them at ``locations`` on ``stream``, in one call."""
    _managed_batch(stream, buffers, locations, 2)
