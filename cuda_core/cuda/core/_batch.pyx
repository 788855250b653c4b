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

include "cuda/core/_cuda_line.pxi"  # calls and values that differ between the toolkit lines
from cuda.core._errors cimport check
from cuda.core._memory cimport BUF_CLOSED, Buffer, location_of, resolve_stream
from cuda.core._stream cimport Stream

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
                raise ValueError(f"invalid {name} {value!r}: must be one of {choices}") from None
        _check_location("src_location_hint", self.src_location_hint)
        _check_location("dst_location_hint", self.dst_location_hint)


cdef list _buffer_list(object items, str name):
    if isinstance(items, Buffer) or isinstance(items, (str, bytes)) or not hasattr(items, "__len__"):
        raise TypeError(f"{name} must be a sequence of Buffers (a list or tuple), not {type(items).__name__}")
    items = list(items)
    for i, b in enumerate(items):
        if not isinstance(b, Buffer):
            raise TypeError(f"{name}[{i}]: expected Buffer, got {type(b).__name__}")
        if (<Buffer>b)._flags & BUF_CLOSED:
            raise ValueError(f"{name}[{i}] is a closed Buffer")
    return items


cdef int _stream_of(object stream, cydriver.CUstream* s) except -1:
    # As NVIDIA's: a Stream only (a GraphBuilder's capture cannot hold batched operations), not the
    # legacy default stream, and not a stream being captured.
    cdef cydriver.CUstreamCaptureStatus status = cydriver.CU_STREAM_CAPTURE_STATUS_NONE
    if not isinstance(stream, Stream):
        raise TypeError(f"Argument 'stream' has incorrect type (expected cuda.core.Stream, got {type(stream).__name__})")
    resolve_stream(stream, s)
    if s[0] == NULL or <uintptr_t>s[0] == 1:
        raise TypeError("LEGACY_DEFAULT_STREAM (or a stream handle of 0) cannot order batched operations: use a "
                        "created stream or PER_THREAD_DEFAULT_STREAM")
    check(cydriver.cuStreamIsCapturing(s[0], &status))
    if status != cydriver.CU_STREAM_CAPTURE_STATUS_NONE:
        raise TypeError("batched copies cannot be recorded by graph capture: the driver refuses them on a capturing "
                        "stream; copy without options (cuMemcpyAsync) in a captured graph")
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
    if not src_list or not dst_list:
        raise ValueError("copy_batch needs at least one copy: empty buffers sequence")
    if len(src_list) != len(dst_list):
        raise ValueError(f"srcs length ({len(src_list)}) does not match dsts length ({len(dst_list)})")
    for k, (a, b) in enumerate(zip(src_list, dst_list)):
        if (<Buffer>a)._size != (<Buffer>b)._size:
            raise ValueError(f"size mismatch at index {k}: source is {(<Buffer>a)._size} bytes, "
                             f"destination {(<Buffer>b)._size}")
    if options is None:
        opts = [CopyOptions()]
    elif isinstance(options, CopyOptions):
        opts = [options]
    elif isinstance(options, (list, tuple)):
        opts = list(options)
        if len(opts) != len(src_list):
            raise ValueError(f"options length ({len(opts)}) does not match the number of copies ({len(src_list)})")
        for o in opts:
            if not isinstance(o, CopyOptions):
                raise TypeError(f"each options element must be CopyOptions, not {type(o).__name__}")
    else:
        raise TypeError(f"options must be CopyOptions, a list of them or None, not {type(options).__name__}")
    _stream_of(stream, &s)
    n = len(src_list)
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
            check(line_memcpy_batch(dptrs, sptrs, sizes, n, attrs, idxs, nattrs, s))
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
                check(line_prefetch_batch(ptrs, sizes, n, locs, idxs, nlocs, 0, s))
            elif op == 1:
                check(line_discard_batch(ptrs, sizes, n, 0, s))
            else:
                check(line_discard_prefetch_batch(ptrs, sizes, n, locs, idxs, nlocs, 0, s))
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
