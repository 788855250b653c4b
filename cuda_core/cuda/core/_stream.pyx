# SPDX-License-Identifier: Apache-2.0
"""Streams: ordered queues of GPU work.

Wrapping rules of this module:
- A Stream made by Device.create_stream() owns its CUstream: close() or collection destroys it.
- A Stream made from a foreign object (``__cuda_stream__`` protocol, or Stream.from_handle) only
  borrows the handle; the foreign object is kept alive while the Stream is open.
- LEGACY_DEFAULT_STREAM and PER_THREAD_DEFAULT_STREAM are the driver's special handles
  (CU_STREAM_LEGACY, CU_STREAM_PER_THREAD); they belong to whichever context is current.
- Driver errors raise CUDAError; bad Python input raises TypeError/ValueError first.
"""

cimport cython
from libc.stdint cimport uintptr_t

from cpython.long cimport PyLong_AsVoidPtr

from cuda.bindings cimport cydriver
from cuda.core._errors cimport check
from cuda.core._event cimport Event, event_create

from cuda.core._errors import WrongKindError
from cuda.core._object_options import StreamOptions
from cuda.core._options import coerce_options

cdef cydriver.CUstream _CU_STREAM_LEGACY = <cydriver.CUstream><uintptr_t>0x1
cdef cydriver.CUstream _CU_STREAM_PER_THREAD = <cydriver.CUstream><uintptr_t>0x2
cdef object _BUILTIN = object()  # the owner of the two default streams: never closed


cdef inline Stream _new_stream():
    cdef Stream s = Stream.__new__(Stream)
    s._nonblocking = -1
    return s


cdef Stream stream_create(unsigned int flags, int priority, object device_id):
    cdef Stream s = _new_stream()
    with nogil:
        check(cydriver.cuStreamCreateWithPriority(&s._handle, flags, priority))
    s._owned = True
    s._device_id = device_id
    s._nonblocking = 1 if flags & cydriver.CU_STREAM_NON_BLOCKING else 0
    s._priority = priority
    s._has_priority = False  # the driver may have clamped it: ask when needed
    return s


cdef Stream stream_wrap(cydriver.CUstream handle, object owner):
    cdef Stream s = _new_stream()
    s._handle = handle
    s._owner = owner
    return s


cdef object _protocol_handle(object obj):
    """The integer handle of an object implementing __cuda_stream__ (TypeError/RuntimeError otherwise)."""
    try:
        proto = obj.__cuda_stream__
    except AttributeError:
        raise TypeError(
            f"expected a Stream or an object with a __cuda_stream__ method, not {type(obj).__name__}"
        ) from None
    info = proto() if callable(proto) else proto
    if not isinstance(info, tuple) or len(info) != 2:
        raise TypeError(f"__cuda_stream__ must return a tuple (version, handle), got {info!r}")
    version, handle = info
    if version != 0:
        raise RuntimeError(f"__cuda_stream__ protocol version {version!r} is not supported (only 0)")
    if type(handle) is not int:
        try:
            handle = handle.__index__()
        except AttributeError:
            raise TypeError(f"the handle returned by __cuda_stream__ must be an int, got {handle!r}") from None
    if handle < 0:
        raise ValueError(f"a stream handle cannot be negative, got {handle}")
    return handle


cdef int stream_handle(object stream, cydriver.CUstream* out) except -1:
    if type(stream) is Stream or isinstance(stream, Stream):
        (<Stream>stream)._live()
        out[0] = (<Stream>stream)._handle
        return 0
    out[0] = <cydriver.CUstream>PyLong_AsVoidPtr(_protocol_handle(stream))
    return 0



def _wrap_foreign(obj):
    """A Stream borrowing the CUstream of an object with __cuda_stream__ (kept alive)."""
    if isinstance(obj, Stream):
        return obj
    return stream_wrap(<cydriver.CUstream>PyLong_AsVoidPtr(_protocol_handle(obj)), obj)


def _ptds_enabled():
    """True when CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM selects the per-thread default stream:
    the bindings' rule, which also picks the driver entry points."""
    from cuda.bindings._lib.loader import per_thread_default_stream

    return per_thread_default_stream()


@cython.no_gc_clear  # a Buffer freed in the same cycle may still order its free on this stream:
# clearing _owner first could destroy a borrowed (foreign) stream before that free is enqueued
cdef class Stream:
    """A queue of GPU work that runs in order (see the module's description).

    Not constructed directly: use Device.create_stream(), Stream.from_handle(), or pass an
    object implementing ``__cuda_stream__`` (``Stream(obj)`` wraps it too).
    """

    def __init__(self, obj=None):
        # Stream.__new__ made an empty object; only wrapping a protocol object is allowed here
        if obj is None:
            raise RuntimeError(
                "Stream objects cannot be instantiated directly. Use Device.create_stream(), "
                "Stream.from_handle(), or pass an object with __cuda_stream__."
            )
        self._handle = <cydriver.CUstream>PyLong_AsVoidPtr(_protocol_handle(obj))
        self._owner = obj
        self._nonblocking = -1

    def __dealloc__(self):
        if self._owned and not self._closed:
            try:
                cydriver.cuStreamDestroy(self._handle)  # the result is ignored: destructors never raise
            except BaseException:
                pass

    def close(self):
        """Destroy the stream if this object owns it, else drop the borrowed reference (idempotent)."""
        if self._owner is _BUILTIN or self._closed:
            return
        cdef bint owned = self._owned
        cdef cydriver.CUstream h = self._handle
        self._closed = True
        self._device_id = None
        self._owner = None
        self._owned = False
        self._handle = NULL  # a destroyed handle must never reach the driver again
        if owned:
            with nogil:
                check(cydriver.cuStreamDestroy(h))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def is_closed(self):
        return self._closed

    def __cuda_stream__(self):
        """The stream protocol: (version 0, the CUstream as an int)."""
        self._live()
        return (0, <uintptr_t>self._handle)

    @property
    def handle(self):
        """The CUstream (a cuda.bindings.driver.CUstream); int() of it is the address. After
        close() it is a NULL handle: inspecting a closed stream is safe, using it is not."""
        from cuda.bindings.driver import CUstream

        return CUstream(<uintptr_t>self._handle)

    @staticmethod
    def from_handle(handle):
        """A Stream borrowing an existing CUstream given as an int (its owner must keep it alive)."""
        if type(handle) is not int:
            if isinstance(handle, (bool, float, str, bytes)) or handle is None:
                raise TypeError(f"a stream handle must be an int, not {type(handle).__name__}")
            handle = int(handle)
        if handle < 0:
            raise ValueError(f"a stream handle cannot be negative, got {handle}")
        return stream_wrap(<cydriver.CUstream>PyLong_AsVoidPtr(handle), None)

    @property
    def is_nonblocking(self):
        """True when the stream does not synchronize with the legacy default stream."""
        cdef unsigned int flags = 0
        self._live()
        if self._nonblocking < 0:
            check(cydriver.cuStreamGetFlags(self._handle, &flags))
            self._nonblocking = 1 if flags & cydriver.CU_STREAM_NON_BLOCKING else 0
        return self._nonblocking == 1

    @property
    def priority(self):
        """The stream's priority (lower runs first)."""
        self._live()
        if not self._has_priority:
            check(cydriver.cuStreamGetPriority(self._handle, &self._priority))
            self._has_priority = self._owned
        return self._priority

    def sync(self):
        """Wait until all work queued on the stream has completed."""
        self._live()
        # an idle stream answers at once: only a wait drops the GIL
        cdef cydriver.CUresult err = cydriver.cuStreamQuery(self._handle)
        if err == cydriver.CUDA_ERROR_NOT_READY:
            with nogil:
                err = cydriver.cuStreamSynchronize(self._handle)
        check(err)

    def record(self, event=None, options=None):
        """Record an event on the stream (a new one made with ``options``, or ``event``); returns it."""
        self._live()
        cdef Event ev
        cdef cydriver.CUcontext current = NULL
        if event is None and self._ctx != NULL:  # a green context's stream: the event is made there
            check(cydriver.cuCtxGetCurrent(&current))
            if current != self._ctx:
                check(cydriver.cuCtxPushCurrent(self._ctx))
                try:
                    ev = event_create(options, self._device_id if type(self._device_id) is int else None)
                finally:
                    cydriver.cuCtxPopCurrent(&current)
                event = ev
        if event is None:
            ev = event_create(options, self._device_id if type(self._device_id) is int else None)
        elif isinstance(event, Event):
            ev = <Event>event
            if ev._handle == NULL:
                raise RuntimeError("the event is closed")
        else:
            raise TypeError(f"event must be an Event or None, not {type(event).__name__}")
        check(cydriver.cuEventRecord(ev._handle, self._handle))
        return ev

    def wait(self, event_or_stream):
        """Make later work on this stream wait for an Event, or for all work now queued on a stream."""
        self._live()
        cdef cydriver.CUstream other
        cdef cydriver.CUevent tmp = NULL
        if isinstance(event_or_stream, Event):
            if (<Event>event_or_stream)._handle == NULL:
                raise RuntimeError("the event is closed")
            check(cydriver.cuStreamWaitEvent(self._handle, (<Event>event_or_stream)._handle, 0))
            return
        try:
            stream_handle(event_or_stream, &other)
        except TypeError as e:  # NVIDIA's raises ValueError here: the error is both
            raise WrongKindError(f"event_or_stream must be an Event or a stream: {e}") from None
        if other == self._handle:
            return
        check(cydriver.cuEventCreate(&tmp, cydriver.CU_EVENT_DISABLE_TIMING))
        try:
            check(cydriver.cuEventRecord(tmp, other))
            check(cydriver.cuStreamWaitEvent(self._handle, tmp, 0))
        finally:
            cydriver.cuEventDestroy(tmp)

    def _device_ordinal(self):
        cdef cydriver.CUdevice dev = 0
        if type(self._device_id) is int:
            return self._device_id
        self._live()
        check(cydriver.cuStreamGetDevice(self._handle, &dev))
        if self._owned or self._owner is not _BUILTIN:
            self._device_id = <int>dev  # the default streams follow the current context instead
        return <int>dev

    @property
    def device(self):
        """The Device the stream's work runs on."""
        from cuda.core._device import Device

        return Device(self._device_ordinal())

    @property
    def context(self):
        """The Context the stream belongs to."""
        from cuda.core._device import _context_for

        cdef cydriver.CUcontext ctx = NULL
        self._live()
        check(cydriver.cuStreamGetCtx(self._handle, &ctx))
        return _context_for(<uintptr_t>ctx, self._device_ordinal())

    @property
    def resources(self):
        """The DeviceResources available to work on this stream (those of its context)."""
        return self.context.resources

    def create_graph_builder(self):
        """A GraphBuilder capturing the work queued on this stream (begin_building() starts it)."""
        from cuda.core.graph._graph_builder import GraphBuilder

        self._live()
        return GraphBuilder._on_stream(self, False)

    def __eq__(self, other):
        if not isinstance(other, Stream):
            return NotImplemented
        return self._handle == (<Stream>other)._handle

    def __hash__(self):
        return hash(<uintptr_t>self._handle)

    def __repr__(self):
        cdef cydriver.CUcontext ctx = self._ctx
        if ctx == NULL and not self._closed:
            if cydriver.cuStreamGetCtx(self._handle, &ctx) != cydriver.CUDA_SUCCESS:
                ctx = NULL
        return f"<Stream handle={<uintptr_t>self._handle:#x} context={<uintptr_t>ctx:#x}>"


cdef Stream _builtin(cydriver.CUstream h):
    cdef Stream s = stream_wrap(h, _BUILTIN)
    s._nonblocking = 0
    return s


LEGACY_DEFAULT_STREAM = _builtin(_CU_STREAM_LEGACY)
PER_THREAD_DEFAULT_STREAM = _builtin(_CU_STREAM_PER_THREAD)


_FOREIGN_STREAM = ("Passing foreign stream objects to this function via the stream protocol is deprecated. "
                   "Convert the object explicitly using Stream(obj) instead.")


def warn_foreign_stream():
    """The DeprecationWarning NVIDIA's cuda.core gives where a stream argument is another library's
    object with ``__cuda_stream__`` (not a Stream or a GraphBuilder): wrap it with Stream(obj)."""
    import warnings

    warnings.warn(_FOREIGN_STREAM, DeprecationWarning, stacklevel=2)  # the caller of the (frameless) Cython function


def Stream_accept(arg, allow_stream_protocol=True):
    """A Stream for a stream argument (NVIDIA's cuda.core keeps this helper here; their test helpers
    import it): a Stream as is, None as the default stream, a GraphBuilder as its stream, an object
    with ``__cuda_stream__`` wrapped (unless ``allow_stream_protocol`` is false); else TypeError."""
    if isinstance(arg, Stream):
        return arg
    if arg is None:
        return PER_THREAD_DEFAULT_STREAM if _ptds_enabled() else LEGACY_DEFAULT_STREAM
    inner = getattr(arg, "stream", None)
    if isinstance(inner, Stream) and type(arg).__name__ == "GraphBuilder":
        return inner
    if allow_stream_protocol and hasattr(arg, "__cuda_stream__"):
        warn_foreign_stream()
        return Stream(arg)
    raise TypeError(f"expected a Stream, a GraphBuilder or an object with __cuda_stream__, not {type(arg).__name__}")


def _adopt(uintptr_t handle, device_id, uintptr_t context=0):
    """A Stream owning an existing CUstream (destroyed on close); `context` for a green context's."""
    cdef Stream s = stream_wrap(<cydriver.CUstream>handle, None)
    s._owned = True
    s._device_id = device_id
    s._ctx = <cydriver.CUcontext>context
    return s


def _create(options, device_id):
    """A new owned Stream made with StreamOptions (or a dict or None) in the current context."""
    if options is None:  # the defaults, without making a StreamOptions
        return stream_create(cydriver.CU_STREAM_NON_BLOCKING, 0, device_id)
    opts = coerce_options(StreamOptions, options, "options")
    cdef unsigned int flags = cydriver.CU_STREAM_NON_BLOCKING if opts.nonblocking else cydriver.CU_STREAM_DEFAULT
    cdef int priority = 0
    if opts.priority is not None:  # an int: StreamOptions made it one
        if not -(1 << 31) <= opts.priority < (1 << 31):
            raise ValueError(f"priority {opts.priority} is out of this device's range")
        priority = opts.priority
        _check_priority(priority)
    return stream_create(flags, priority, device_id)


cdef int _check_priority(int priority) except -1:
    """The driver clamps a priority outside its range; NVIDIA's cuda.core refuses it, and so do we."""
    cdef int least = 0, greatest = 0
    check(cydriver.cuCtxGetStreamPriorityRange(&least, &greatest))
    if not greatest <= priority <= least:
        raise ValueError(f"priority must be between {greatest} (highest) and {least} (lowest), got {priority}")
    return 0
