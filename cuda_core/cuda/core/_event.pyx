# SPDX-License-Identifier: Apache-2.0
"""Events: markers recorded on a stream, to wait on, query, or time the work between two of them.

An Event owns its CUevent (cuEventDestroy in close() or when collected). Events are made by
Device.create_event() or Stream.record(); Event.from_ipc_descriptor() opens one exported by
another process.
"""

from libc.stdint cimport uintptr_t
from libc.string cimport memcpy

from cuda.bindings cimport cydriver
from cuda.core._errors cimport check
from cuda.core._thread_context cimport enter_context, leave_context

from cuda.core._errors import CUDAError
from cuda.core._object_options import EventOptions
from cuda.core._options import coerce_options


class IPCEventDescriptor:
    """What another process needs to open an IPC-enabled Event (picklable)."""

    __slots__ = ("_reserved", "_blocking_sync")

    def __init__(self, reserved, blocking_sync):
        if not isinstance(reserved, bytes) or len(reserved) != sizeof(cydriver.CUipcEventHandle):
            raise TypeError(f"an IPC event descriptor holds {sizeof(cydriver.CUipcEventHandle)} bytes")
        self._reserved = reserved
        self._blocking_sync = bool(blocking_sync)

    def __reduce__(self):
        return IPCEventDescriptor, (self._reserved, self._blocking_sync)

    def __eq__(self, other):
        if type(other) is not IPCEventDescriptor:
            return NotImplemented
        return self._reserved == other._reserved and self._blocking_sync == other._blocking_sync

    def __hash__(self):
        return hash(self._reserved)

    def __repr__(self):
        return f"IPCEventDescriptor({self._reserved[:8].hex()}..., blocking_sync={self._blocking_sync})"


cdef Event _new_event():
    return Event.__new__(Event)


def _reduce_event(event):
    """How multiprocessing sends an IPC-enabled event (registered when the first one is made)."""
    from cuda.core._utils.cuda_utils import check_multiprocessing_start_method

    check_multiprocessing_start_method()
    return event.__reduce__()


cdef Event event_create(object options, object device_id):
    cdef unsigned int flags = cydriver.CU_EVENT_DISABLE_TIMING
    cdef Event ev = _new_event()
    if options is not None:
        options = coerce_options(EventOptions, options, "options")
        ev._timing = bool(options.timing_enabled)
        ev._blocking = bool(options.blocking_sync)
        ev._ipc = bool(options.ipc_enabled)
        if ev._ipc and ev._timing:
            raise ValueError("an IPC-enabled event cannot have timing enabled (CUDA requires it disabled)")
        flags = 0 if ev._timing else cydriver.CU_EVENT_DISABLE_TIMING
        if ev._blocking:
            flags |= cydriver.CU_EVENT_BLOCKING_SYNC
        if ev._ipc:
            from cuda.core._utils.cuda_utils import register_reducers

            register_reducers((Event, _reduce_event))
            flags |= cydriver.CU_EVENT_INTERPROCESS
    check(cydriver.cuEventCreate(&ev._handle, flags))
    ev._owned = True
    cydriver.cuCtxGetCurrent(&ev._ctx)
    ev._device_id = device_id
    return ev


cdef class Event:
    """A CUDA event (see the module's description). Not constructed directly."""

    def __init__(self, *args, **kwargs):
        raise RuntimeError(
            "Event objects cannot be instantiated directly. Use Device.create_event() or Stream.record()."
        )

    def __dealloc__(self):
        if self._handle != NULL and self._owned:
            try:
                cydriver.cuEventDestroy(self._handle)  # the result is ignored: destructors never raise
            except BaseException:
                pass
            self._handle = NULL

    def close(self):
        """Destroy the event (idempotent)."""
        cdef cydriver.CUevent h = self._handle
        self._handle = NULL
        if h != NULL and self._owned:
            check(cydriver.cuEventDestroy(h))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    cdef int _live(self) except -1:
        if self._handle == NULL:
            raise RuntimeError("the event is closed")
        return 0

    @staticmethod
    def _from_handle(uintptr_t handle):
        """A non-owning Event for a CUevent made elsewhere (an event node's, for instance)."""
        cdef Event ev = _new_event()
        ev._handle = <cydriver.CUevent>handle
        ev._owned = False
        return ev

    @property
    def is_closed(self):
        return self._handle == NULL

    @property
    def handle(self):
        """The CUevent (a cuda.bindings.driver.CUevent); int() of it is the address."""
        from cuda.bindings.driver import CUevent

        return CUevent(<size_t>self._handle)

    @property
    def is_timing_enabled(self):
        return self._timing

    @property
    def is_blocking_sync(self):
        return self._blocking

    @property
    def is_ipc_enabled(self):
        return self._ipc

    def sync(self):
        """Wait until the work before the event's last record has completed."""
        self._live()
        # a completed event answers at once: only a wait drops the GIL
        cdef cydriver.CUresult err = cydriver.cuEventQuery(self._handle)
        if err == cydriver.CUDA_ERROR_NOT_READY:
            with nogil:
                err = cydriver.cuEventSynchronize(self._handle)
        check(err)

    @property
    def is_done(self):
        """True when the work before the event's last record has completed (cuEventQuery)."""
        self._live()
        cdef cydriver.CUresult err = cydriver.cuEventQuery(self._handle)
        if err == cydriver.CUDA_SUCCESS:
            return True
        if err == cydriver.CUDA_ERROR_NOT_READY:
            return False
        check(err)

    def __sub__(self, other):
        """Milliseconds elapsed from ``other`` to ``self`` (both recorded, timing enabled, complete)."""
        if not isinstance(self, Event) or not isinstance(other, Event):
            return NotImplemented
        cdef Event end = <Event>self
        cdef Event start = <Event>other
        end._live()
        start._live()
        if not (end._timing and start._timing):
            raise RuntimeError(
                "elapsed time needs both events created with EventOptions(timing_enabled=True)"
            )
        cdef float ms = 0
        cdef cydriver.CUresult err = cydriver.cuEventElapsedTime(&ms, start._handle, end._handle)
        if err == cydriver.CUDA_ERROR_NOT_READY:
            raise RuntimeError("an event's work has not completed yet: sync() the later event first")
        if err == cydriver.CUDA_ERROR_INVALID_HANDLE:
            raise RuntimeError("elapsed time needs both events recorded on a stream (Stream.record)")
        check(err)
        return ms

    def __eq__(self, other):
        if not isinstance(other, Event):
            return NotImplemented
        return self._handle == (<Event>other)._handle

    def __hash__(self):
        return hash(<size_t>self._handle)

    def __repr__(self):
        return f"<Event handle={<size_t>self._handle:#x}>"

    @property
    def device(self):
        """The Device the event was created on."""
        from cuda.core._device import Device

        if self._device_id is None:
            self._device_id = _current_device_id()
        return Device(self._device_id)

    @property
    def context(self):
        """The Context the event was created in (the current one at creation)."""
        from cuda.core._device import _context_for

        if self._ctx == NULL:
            raise RuntimeError("the event's context is not known (it was opened from an IPC descriptor)")
        return _context_for(<size_t>self._ctx, self.device.device_id)

    @property
    def ipc_descriptor(self):
        """An IPCEventDescriptor for another process's Event.from_ipc_descriptor()."""
        self._live()
        if not self._ipc:
            raise RuntimeError("the event was not created with EventOptions(ipc_enabled=True)")
        cdef cydriver.CUipcEventHandle h
        cdef int pushed = enter_context(self._ctx)  # pickling runs on a Queue's feeder thread too
        try:
            check(cydriver.cuIpcGetEventHandle(&h, self._handle))
        finally:
            leave_context(pushed)
        return IPCEventDescriptor((<char*>&h)[:sizeof(h)], self._blocking)

    def __reduce__(self):
        """An IPC-enabled event pickles as its IPC descriptor: the receiver opens the same event."""
        if not self._ipc:
            raise TypeError("only an event made with EventOptions(ipc_enabled=True) can be pickled")
        return (Event.from_ipc_descriptor, (self.ipc_descriptor,))

    @staticmethod
    def from_ipc_descriptor(ipc_descriptor):
        """Open an event exported by another process (an IPCEventDescriptor)."""
        if not isinstance(ipc_descriptor, IPCEventDescriptor):
            raise TypeError(f"expected an IPCEventDescriptor, not {type(ipc_descriptor).__name__}")
        cdef bytes raw = ipc_descriptor._reserved
        cdef cydriver.CUipcEventHandle h
        memcpy(&h, <const char*>raw, sizeof(h))
        cdef Event ev = _new_event()
        check(cydriver.cuIpcOpenEventHandle(&ev._handle, h))
        ev._owned = True
        ev._ipc = True
        ev._blocking = ipc_descriptor._blocking_sync
        return ev


cdef object _current_device_id():
    cdef cydriver.CUdevice dev = 0
    check(cydriver.cuCtxGetDevice(&dev))
    return <int>dev
