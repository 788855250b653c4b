# SPDX-License-Identifier: Apache-2.0
"""Devices and contexts: the entry point of cuda.core.

Wrapping rules of this module:
- ``Device(i)`` returns one object per ordinal and thread (a per-thread singleton), found
  through the thread state's dict, so calling it costs about as much as a dict lookup.
  ``Device()`` is the device of the current context, or 0 when none is current.
- Creating a Device initializes the driver (cuInit) but no context; ``set_current()`` retains
  the device's primary context (once per process) and makes it current on the calling thread.
  Methods that need a context (streams, events, allocations, sync) ask for ``set_current()``
  first, with a CUDAError saying so.
- Device attributes are read once and cached: ``properties`` has a property per
  CUdevice_attribute (table below), named like the enumerator without its prefix, lower case.
- Driver errors raise CUDAError; bad Python input raises TypeError/ValueError first.
"""

from libc.stdint cimport uintptr_t
from libc.stdlib cimport calloc

from cpython.dict cimport PyDict_GetItem, PyDict_SetItem
from cpython.long cimport PyLong_AsVoidPtr
from cpython.object cimport PyObject, PyTypeObject, newfunc
from cpython.tuple cimport PyTuple_GET_SIZE

from cuda.bindings cimport cydriver

include "cuda/core/_cuda_line.pxi"  # calls and values that differ between the toolkit lines
from cuda.core._errors cimport check
from cuda.core._event cimport event_create
from cuda.core._stream cimport Stream

from cuda.core._errors import CUDAError, WrongKindError
from cuda.core._object_options import ContextOptions

import threading
import weakref

cdef extern from "Python.h":
    PyObject* PyThreadState_GetDict()
    PyObject* PyTuple_GET_ITEM(object, Py_ssize_t)
    bint PyLong_CheckExact(PyObject*)
    long PyLong_AsLong(PyObject*) except? -1
    void PyType_Modified(PyTypeObject*)
    Py_ssize_t PyVectorcall_NARGS(size_t)

cdef extern from *:
    """
    /* Device(...) is called through the type's vectorcall slot when there is one (Cython
       fills it); both it and tp_new are pointed at the singleton lookup below. */
    static void _cuda_core_set_type_vectorcall(PyTypeObject *t, vectorcallfunc f) { t->tp_vectorcall = f; }
    """
    ctypedef object (*vectorcallfunc)(object, PyObject**, size_t, PyObject*)
    void _cuda_core_set_type_vectorcall(PyTypeObject*, vectorcallfunc)

# the per-thread list of Device objects lives in the thread state's dict under this key
cdef str _THREAD_KEY = "cuda.core._device.Device"
cdef int _count = -1                      # devices in the process (-1: driver not initialized yet)
cdef cydriver.CUcontext* _primary = NULL  # primary context per ordinal, retained on first set_current
cdef tuple _EMPTY = ()
cdef object _init_lock = threading.Lock()


cdef int _init_driver() except -1:
    """cuInit and the device count, once per process."""
    global _count, _primary
    cdef int n = 0
    if _count >= 0:
        return 0
    with _init_lock:
        if _count >= 0:
            return 0
        with nogil:
            check(cydriver.cuInit(0))
        check(cydriver.cuDeviceGetCount(&n))
        _primary = <cydriver.CUcontext*>calloc(n if n > 0 else 1, sizeof(cydriver.CUcontext))
        if _primary == NULL:
            raise MemoryError()
        _count = n
    return 0


cdef list _thread_devices():
    """This thread's Device objects, one per ordinal (made on the thread's first call)."""
    cdef PyObject* d = PyThreadState_GetDict()
    cdef PyObject* found
    if d != NULL:
        found = PyDict_GetItem(<object>d, _THREAD_KEY)
        if found != NULL:
            return <list>found
    _init_driver()
    cdef list devices = []
    cdef Device dev
    cdef int i
    for i in range(_count):
        dev = <Device>_orig_new(Device, <PyObject*>_EMPTY, NULL)
        dev._id = i
        check(cydriver.cuDeviceGet(&dev._dev, i))
        devices.append(dev)
    if d != NULL:
        PyDict_SetItem(<object>d, _THREAD_KEY, devices)
    return devices


cdef int _current_ordinal() except -1:
    """The device of the current context, or 0 when no context is current."""
    cdef cydriver.CUcontext ctx = NULL
    cdef cydriver.CUdevice dev = 0
    _init_driver()
    check(cydriver.cuCtxGetCurrent(&ctx))
    if ctx == NULL:
        return 0
    check(cydriver.cuCtxGetDevice(&dev))
    return <int>dev


cdef object _lookup(object device_id):
    cdef list devices
    if device_id is None:
        devices = _thread_devices()
        if not devices:
            raise CUDAError("CUDA_ERROR_NO_DEVICE: no CUDA-capable device is detected", 100, "CUDA_ERROR_NO_DEVICE")
        return devices[_current_ordinal()]
    if isinstance(device_id, Device):
        return _thread_devices()[(<Device>device_id)._id]
    if type(device_id) is bool or not isinstance(device_id, int):
        raise TypeError(f"device_id must be an int, a Device or None, not {type(device_id).__name__}")
    devices = _thread_devices()
    if not 0 <= device_id < len(devices):
        raise ValueError(f"device_id must be within [0, {len(devices)}), got {device_id}")
    return devices[device_id]


cdef newfunc _orig_new = NULL


cdef object _device_new(type t, PyObject* args, PyObject* kwds):
    """Device(...) without building an object: the thread's singleton (fast path: one int argument)."""
    cdef PyObject* arg
    cdef long i
    cdef PyObject* d
    cdef PyObject* found
    if kwds == NULL and PyTuple_GET_SIZE(<object>args) == 1:
        arg = PyTuple_GET_ITEM(<object>args, 0)
        if PyLong_CheckExact(arg):
            i = PyLong_AsLong(arg)
            d = PyThreadState_GetDict()
            if d != NULL:
                found = PyDict_GetItem(<object>d, _THREAD_KEY)
                if found != NULL and 0 <= i < len(<list>found):
                    return (<list>found)[i]
    return _device_slow(<object>args, <object>kwds if kwds != NULL else None)


cdef object _device_vectorcall(object t, PyObject** args, size_t nargsf, PyObject* kwnames):
    """The same as _device_new, called without building an argument tuple."""
    cdef Py_ssize_t n = PyVectorcall_NARGS(nargsf)
    cdef long i
    cdef PyObject* d
    cdef PyObject* found
    if kwnames == NULL and n == 1 and PyLong_CheckExact(args[0]):
        i = PyLong_AsLong(args[0])
        d = PyThreadState_GetDict()
        if d != NULL:
            found = PyDict_GetItem(<object>d, _THREAD_KEY)
            if found != NULL and 0 <= i < len(<list>found):
                return (<list>found)[i]
    cdef Py_ssize_t nk = 0 if kwnames == NULL else len(<tuple>kwnames)
    cdef tuple pos = tuple([<object>args[k] for k in range(n)])
    kwds = {(<tuple>kwnames)[k]: <object>args[n + k] for k in range(nk)} if nk else None
    return _device_slow(pos, kwds)


cdef object _device_slow(tuple args, object kwds):
    if kwds:
        if len(args) or set(kwds) != {"device_id"}:
            raise TypeError(f"Device() takes one optional argument, device_id (got {args!r}, {kwds!r})")
        return _lookup(kwds["device_id"])
    if len(args) > 1:
        raise TypeError(f"Device() takes at most 1 argument ({len(args)} given)")
    return _lookup(args[0] if args else None)


_ComputeCapability = None


def _compute_capability_type():
    global _ComputeCapability
    if _ComputeCapability is None:
        from collections import namedtuple

        _ComputeCapability = namedtuple("ComputeCapability", ("major", "minor"))
    return _ComputeCapability


cdef bint _ptds = False
cdef bint _ptds_read = False


cdef object _default_stream():
    global _ptds, _ptds_read
    from cuda.core import _stream

    if not _ptds_read:  # read once per process, as the driver loader does
        _ptds = _stream._ptds_enabled()
        _ptds_read = True
    return _stream.PER_THREAD_DEFAULT_STREAM if _ptds else _stream.LEGACY_DEFAULT_STREAM


cdef class Device:
    """A GPU, and the entry point of cuda.core (see the module's description).

    ``Device(device_id=None)``: the calling thread's object for ordinal ``device_id`` (an int or
    a Device), or for the current context's device when None (0 when no context is current).
    """

    cdef int _id
    cdef cydriver.CUdevice _dev
    cdef bint _has_inited
    cdef object _properties
    cdef object _mr
    cdef object _cc
    cdef object _name
    cdef object _uuid
    cdef object __weakref__

    def __reduce__(self):
        return Device, (self._id,)

    cdef int _need_context(self) except -1:
        if not self._has_inited:
            raise CUDAError(
                f"Device {self._id} is not initialized on this thread: call Device({self._id}).set_current() first"
            )
        return 0

    @property
    def device_id(self):
        """The device's ordinal."""
        return self._id

    @property
    def name(self):
        """The device's name (cuDeviceGetName)."""
        cdef char buf[256]
        if self._name is None:
            check(cydriver.cuDeviceGetName(buf, sizeof(buf), self._dev))
            self._name = buf.decode()
        return self._name

    @property
    def uuid(self):
        """The device's UUID as a string: 8-4-4-4-12 hexadecimal digits."""
        cdef cydriver.CUuuid u
        if self._uuid is None:
            check(cydriver.cuDeviceGetUuid(&u, self._dev))
            h = (<char*>&u)[:16].hex()
            self._uuid = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
        return self._uuid

    @property
    def pci_bus_id(self):
        """The device's PCI bus id, ``domain:bus:device.function`` in hexadecimal."""
        cdef char buf[32]
        check(cydriver.cuDeviceGetPCIBusId(buf, sizeof(buf), self._dev))
        return buf.decode()

    @property
    def compute_capability(self):
        """A named tuple (major, minor)."""
        cdef int major = 0, minor = 0
        if self._cc is None:
            check(cydriver.cuDeviceGetAttribute(&major, cydriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, self._dev))
            check(cydriver.cuDeviceGetAttribute(&minor, cydriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, self._dev))
            self._cc = _compute_capability_type()(major, minor)
        return self._cc

    @property
    def arch(self):
        """The compute capability as digits, e.g. ``"90"`` (as in ``sm_90``)."""
        cc = self.compute_capability
        return f"{cc[0]}{cc[1]}"

    @property
    def properties(self):
        """A DeviceProperties: one cached property per device attribute."""
        if self._properties is None:
            self._properties = DeviceProperties._for(self._dev)
        return self._properties

    @property
    def context(self):
        """The Context current on this thread (set_current() must have been called)."""
        cdef cydriver.CUcontext ctx = NULL
        cdef cydriver.CUdevice dev = 0
        self._need_context()
        check(cydriver.cuCtxGetCurrent(&ctx))
        if ctx == NULL:
            raise CUDAError(f"no context is current on this thread: call Device({self._id}).set_current()")
        check(cydriver.cuCtxGetDevice(&dev))
        if dev != self._dev:
            raise CUDAError(f"the current context belongs to device {dev}, not {self._id}: call set_current()")
        return _context_of(<uintptr_t>ctx, self._id)

    @property
    def _context(self):
        # NVIDIA's private name for the current context, which their tests reach for
        return self.context

    def set_current(self, ctx=None):
        """Make this device current on the calling thread.

        Without ``ctx``: retain the device's primary context (once per process) and make it
        current; returns None. With a Context of this device: make it current instead and
        return the Context it replaced (None when there was none).
        """
        cdef cydriver.CUcontext c
        if ctx is None:
            c = _primary[self._id]
            if c == NULL:
                with nogil:
                    check(cydriver.cuDevicePrimaryCtxRetain(&c, self._dev))
                _primary[self._id] = c
            check(cydriver.cuCtxSetCurrent(c))
            self._has_inited = True
            return None
        if not isinstance(ctx, Context):
            raise TypeError(f"ctx must be a Context or None, not {type(ctx).__name__}")
        if (<Context>ctx)._device_id != self._id:
            raise ValueError(f"the context belongs to device {(<Context>ctx)._device_id}, not {self._id}")
        (<Context>ctx)._live()
        cdef cydriver.CUcontext prev = NULL
        check(cydriver.cuCtxGetCurrent(&prev))
        if prev != NULL:
            check(cydriver.cuCtxPopCurrent(&prev))
        check(cydriver.cuCtxPushCurrent(<cydriver.CUcontext>(<Context>ctx)._handle))
        self._has_inited = True
        if prev == NULL:
            return None
        return _context_of(<uintptr_t>prev, _device_of_context(prev))

    def sync(self):
        """Wait until all work of the current context has completed (cuCtxSynchronize)."""
        self._need_context()
        with nogil:
            check(cydriver.cuCtxSynchronize())

    def create_stream(self, obj=None, options=None):
        """A new Stream (StreamOptions, a dict or None), or a Stream wrapping ``obj``'s ``__cuda_stream__``."""
        from cuda.core import _stream

        if obj is not None:
            if options is not None:
                raise ValueError("options cannot be given with an object to wrap")
            return _stream._wrap_foreign(obj)
        self._need_context()
        return _stream._create(options, self._id)

    def create_event(self, options=None):
        """A new Event (EventOptions, a dict or None: timing disabled)."""
        self._need_context()
        return event_create(options, self._id)

    @property
    def default_stream(self):
        """LEGACY_DEFAULT_STREAM, or PER_THREAD_DEFAULT_STREAM when CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM=1."""
        return _default_stream()

    @property
    def memory_resource(self):
        """The MemoryResource allocate() uses (default: a DeviceMemoryResource of this device)."""
        if self._mr is None:
            from cuda.core._memory_pools import DeviceMemoryResource

            self._mr = DeviceMemoryResource(self._id)
        return self._mr

    @memory_resource.setter
    def memory_resource(self, mr):
        from cuda.core._memory import MemoryResource

        if not isinstance(mr, MemoryResource):
            raise TypeError(f"memory_resource must be a MemoryResource, not {type(mr).__name__}")
        self._mr = mr

    def allocate(self, size, stream=None):
        """A Buffer of ``size`` bytes from memory_resource, ordered on ``stream`` (default_stream if None)."""
        self._need_context()
        mr = self._mr if self._mr is not None else self.memory_resource
        return mr.allocate(size, _default_stream() if stream is None else stream)

    def can_access_peer(self, peer):
        """True when this device can access ``peer``'s memory (a Device or an ordinal)."""
        cdef int ok = 0
        cdef Device other = _lookup(peer)
        if other._id == self._id:
            return True
        check(cydriver.cuDeviceCanAccessPeer(&ok, self._dev, other._dev))
        return ok != 0

    @staticmethod
    def get_all_devices():
        """A tuple of this thread's Device objects, one per ordinal."""
        return tuple(_thread_devices())

    def create_context(self, options=None):
        """A new green Context made from ContextOptions(resources=[...]) (not made current)."""
        from cuda.core._resources import _create_green_context

        if options is None:
            raise ValueError("resources must be provided: create_context(ContextOptions(resources=[...]))")
        if not isinstance(options, ContextOptions):
            if isinstance(options, dict):
                options = ContextOptions(**options)
            else:
                raise TypeError(f"options must be a ContextOptions, not {type(options).__name__}")
        return _create_green_context(self, options.resources)

    @property
    def resources(self):
        """The DeviceResources of this device (SMs, work queues) to split for green contexts."""
        from cuda.core._resources import DeviceResources

        return DeviceResources._of_device(self)

    def to_system_device(self):
        """The cuda.core.system.Device (NVML) of this GPU, found by its UUID."""
        from cuda.core import system

        if not hasattr(system, "Device"):
            raise RuntimeError(
                "cuda.core.system.Device is not available: it needs NVML bindings, which this cuda.bindings "
                "does not provide (cuda.core.system.CUDA_BINDINGS_NVML_IS_COMPATIBLE is False)"
            )
        return system.Device(uuid=f"GPU-{self.uuid}")  # NVML spells UUIDs with this prefix

    def create_graph_builder(self):
        """A GraphBuilder capturing into a new stream of this device."""
        from cuda.core.graph._graph_builder import GraphBuilder

        self._need_context()
        return GraphBuilder._on_stream(self.create_stream(), True)

    def create_opaque_array(self, options=None):
        """A new cuda.core.texture.OpaqueArray on this device (current) from OpaqueArrayOptions (or a dict)."""
        from cuda.core.texture._array import _create_opaque_array

        self._need_context()
        return _create_opaque_array(options, self._id)

    def create_mipmapped_array(self, options=None):
        """A new cuda.core.texture.MipmappedArray on this device (current) from MipmappedArrayOptions (or a dict)."""
        from cuda.core.texture._mipmapped_array import _create_mipmapped_array

        self._need_context()
        return _create_mipmapped_array(options, self._id)

    def create_texture_object(self, *, resource, options=None):
        """A new cuda.core.texture.TextureObject reading ``resource`` (a ResourceDescriptor), sampled as
        ``options`` (TextureObjectOptions, a dict or None for the defaults) say."""
        from cuda.core.texture._texture import _create_texture_object

        self._need_context()
        return _create_texture_object(resource, options, self._id)

    def create_surface_object(self, *, resource):
        """A new cuda.core.texture.SurfaceObject of ``resource``: a ResourceDescriptor of an OpaqueArray
        created with is_surface_load_store=True."""
        from cuda.core.texture._surface import _create_surface_object

        self._need_context()
        return _create_surface_object(resource, self._id)

    def __int__(self):
        return self._id

    def __index__(self):
        return self._id

    def __repr__(self):
        return f"<Device {self._id} ({self.name})>"


_orig_new = (<PyTypeObject*>Device).tp_new
(<PyTypeObject*>Device).tp_new = <newfunc>_device_new
_cuda_core_set_type_vectorcall(<PyTypeObject*>Device, <vectorcallfunc>_device_vectorcall)
PyType_Modified(<PyTypeObject*>Device)


cdef int _device_of_context(cydriver.CUcontext ctx) except -1:
    cdef cydriver.CUdevice dev = 0
    check(cydriver.cuCtxPushCurrent(ctx))
    try:
        check(cydriver.cuCtxGetDevice(&dev))
    finally:
        cydriver.cuCtxPopCurrent(&ctx)
    return <int>dev


cdef class Context:
    """A CUDA context: a primary context (Device.context) or a green one (Device.create_context).

    Not constructed directly. A green context made by create_context() is owned: close()
    destroys it. Other contexts are borrowed.
    """

    cdef uintptr_t _handle
    cdef uintptr_t _green   # CUgreenCtx, 0 for an ordinary context
    cdef int _device_id
    cdef bint _owned
    cdef bint _closed
    cdef object __weakref__

    def __init__(self, *args, **kwargs):
        raise RuntimeError("Context objects cannot be constructed directly: use Device.context or Device.create_context()")

    @staticmethod
    def _from_handle(uintptr_t handle, int device_id, uintptr_t green=0, bint owned=False):
        cdef Context c = Context.__new__(Context)
        c._handle = handle
        c._device_id = device_id
        c._green = green
        c._owned = owned
        if green:
            _green_contexts[handle] = c
        return c

    def __dealloc__(self):
        if self._owned and not self._closed and self._green:
            try:
                cydriver.cuGreenCtxDestroy(<cydriver.CUgreenCtx>self._green)
            except BaseException:
                pass

    cdef int _live(self) except -1:
        if self._closed:
            raise RuntimeError("the context is closed")
        return 0

    def close(self):
        """Destroy a green context this object owns; otherwise only mark the object closed.
        A context current on this thread cannot be closed (RuntimeError)."""
        cdef cydriver.CUcontext current = NULL
        if self._closed:
            return
        if self._green:
            check(cydriver.cuCtxGetCurrent(&current))
            if <uintptr_t>current == self._handle:
                raise RuntimeError("cannot close a green context while it is current: set another one first")
        self._closed = True
        _green_contexts.pop(self._handle, None)
        if self._owned and self._green:
            check(cydriver.cuGreenCtxDestroy(<cydriver.CUgreenCtx>self._green))

    @property
    def is_closed(self):
        return self._closed

    def _green_handle(self):
        return self._green

    @property
    def is_green(self):
        """True for a green context (one limited to some of the device's resources)."""
        return self._green != 0

    @property
    def handle(self):
        """The CUcontext (a cuda.bindings.driver.CUcontext)."""
        from cuda.bindings.driver import CUcontext

        self._live()
        return CUcontext(self._handle)

    @property
    def device(self):
        return Device(self._device_id)

    def create_stream(self, options=None):
        """A new Stream in this context (for a green context: on its resources; always non-blocking there)."""
        from cuda.core import _stream
        from cuda.core._stream import StreamOptions
        from cuda.core._options import coerce_options

        cdef cydriver.CUstream s = NULL
        cdef int priority = 0
        self._live()
        if not self._green:
            raise RuntimeError("Context.create_stream is only supported on green contexts: "
                               "use Device.create_stream for the device's own context")
        opts = coerce_options(StreamOptions, options, "options")
        if not opts.nonblocking:
            raise ValueError("streams of a green context must be non-blocking: use StreamOptions(nonblocking=True)")
        if opts.priority is not None:
            priority = opts.priority
        check(cydriver.cuGreenCtxStreamCreate(&s, <cydriver.CUgreenCtx>self._green, cydriver.CU_STREAM_NON_BLOCKING, priority))
        return _stream._adopt(<uintptr_t>s, self._device_id, self._handle)

    @property
    def resources(self):
        """The DeviceResources this context may use."""
        from cuda.core._resources import DeviceResources

        self._live()
        return DeviceResources._of_context(self)

    def __eq__(self, other):
        if not isinstance(other, Context):
            return NotImplemented
        return self._handle == (<Context>other)._handle

    def __hash__(self):
        return hash(self._handle)

    def __repr__(self):
        kind = "green " if self._green else ""
        return f"<{kind}Context handle={self._handle:#x} device={self._device_id}>"


# Green contexts by CUcontext, so that a handle the driver returns (set_current's previous
# context) gives back the object that owns it, not a second one.
_green_contexts = weakref.WeakValueDictionary()


cdef Context _context_of(uintptr_t handle, int device_id):
    c = _green_contexts.get(handle)
    return c if c is not None else Context._from_handle(handle, device_id)


def _context_for(handle, device_id):
    """The Context of a CUcontext handle (the green one that owns it, if any): for streams and events."""
    return _context_of(handle, device_id)


class Host:
    """The host (CPU) as a location for managed memory: any NUMA node, one node, or the calling thread's node.

    ``Host()``, ``Host(numa_id=N)`` and ``Host.numa_current()`` (or ``Host(is_numa_current=True)``)
    are singletons: the same arguments give the same object.
    """

    __slots__ = ("_numa_id", "_is_numa_current", "__weakref__")
    _instances = {}
    _lock = threading.Lock()

    def __new__(cls, numa_id=None, *, is_numa_current=False):
        if numa_id is not None:
            # bool is refused: Host(True) would alias Host(1) in the singleton table. The error is a
            # ValueError (as NVIDIA's) and, for another kind of object, a TypeError too.
            if type(numa_id) is bool or not isinstance(numa_id, int):
                raise WrongKindError(f"numa_id must be a non-negative int or None, got {numa_id!r}")
            if numa_id < 0:
                raise ValueError(f"numa_id must be a non-negative int, got {numa_id}")
            if is_numa_current:
                raise ValueError("numa_id and is_numa_current are mutually exclusive: give one of them")
        key = (numa_id, bool(is_numa_current))
        inst = cls._instances.get(key)
        if inst is None:
            with cls._lock:
                inst = cls._instances.get(key)
                if inst is None:
                    inst = object.__new__(cls)
                    inst._numa_id = numa_id
                    inst._is_numa_current = bool(is_numa_current)
                    cls._instances[key] = inst
        return inst

    @classmethod
    def numa_current(cls):
        """The NUMA node of the calling thread."""
        return cls(is_numa_current=True)

    @property
    def numa_id(self):
        """The NUMA node, or None for any node (and for numa_current())."""
        return self._numa_id

    @property
    def is_numa_current(self):
        return self._is_numa_current

    def __reduce__(self):
        if self._is_numa_current:
            return Host.numa_current, ()
        return Host, (self._numa_id,)

    def __repr__(self):
        if self._is_numa_current:
            return "Host.numa_current()"
        return "Host()" if self._numa_id is None else f"Host(numa_id={self._numa_id})"


class _DevicePropertiesBase:
    __slots__ = ("_dev", "_cache")

    def __init__(self, *args, **kwargs):
        raise RuntimeError("DeviceProperties cannot be instantiated directly. Use Device(...).properties.")

    @classmethod
    def _for(cls, int dev):
        self = object.__new__(cls)
        self._dev = dev
        self._cache = {}
        return self

    def _get(self, int attr):
        cdef int value = 0
        cached = self._cache.get(attr)
        if cached is None:
            check(cydriver.cuDeviceGetAttribute(&value, <cydriver.CUdevice_attribute>attr, <cydriver.CUdevice>self._dev))
            cached = self._cache[attr] = value
        return cached

    def __repr__(self):
        return f"<DeviceProperties of device {self._dev}>"


# Yes/no attributes come back as bool (as NVIDIA's do); the rest as int.
_BOOL_ATTRIBUTES = frozenset((
    "gpu_overlap", "kernel_exec_timeout", "integrated", "can_map_host_memory", "concurrent_kernels",
    "ecc_enabled", "tcc_driver", "unified_addressing", "global_l1_cache_supported",
    "local_l1_cache_supported", "managed_memory", "multi_gpu_board", "host_native_atomic_supported",
    "pageable_memory_access", "concurrent_managed_access", "compute_preemption_supported",
    "can_use_host_pointer_for_registered_mem", "cooperative_launch",
    "pageable_memory_access_uses_host_page_tables", "direct_managed_mem_access_from_host",
    "virtual_memory_management_supported", "handle_type_posix_file_descriptor_supported",
    "handle_type_win32_handle_supported", "handle_type_win32_kmt_handle_supported",
    "generic_compression_supported", "gpu_direct_rdma_with_cuda_vmm_supported",
    "sparse_cuda_array_supported", "read_only_host_register_supported", "memory_pools_supported",
    "gpu_direct_rdma_supported", "deferred_mapping_cuda_array_supported", "can_tex2d_gather",
    "stream_priorities_supported", "can_flush_remote_writes", "host_register_supported",
    "timeline_semaphore_interop_supported", "cluster_launch", "can_use_64_bit_stream_mem_ops",
    "can_use_stream_wait_value_nor", "dma_buf_supported", "ipc_event_supported",
    "tensor_map_access_supported", "handle_type_fabric_supported", "unified_function_pointers",
    "multicast_supported", "mps_enabled", "d3d12_cig_supported", "vulkan_cig_supported",
    "host_numa_virtual_memory_management_supported", "host_numa_memory_pools_supported",
    "host_numa_multinode_ipc_supported", "host_memory_pools_supported",
    "host_virtual_memory_management_supported", "host_alloc_dma_buf_supported",
    "only_partial_host_native_atomic_supported",
))


def _attribute_property(name, attr):
    if name in _BOOL_ATTRIBUTES:
        def get(self):
            return bool(self._get(attr))
    else:
        def get(self):
            return self._get(attr)

    get.__name__ = name
    get.__doc__ = f"CU_DEVICE_ATTRIBUTE_{name.upper()}"
    return property(get)


# name -> CUdevice_attribute: one DeviceProperties property each
_ATTRIBUTES = dict((
    ("max_threads_per_block", cydriver.CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK),
    ("max_block_dim_x", cydriver.CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X),
    ("max_block_dim_y", cydriver.CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y),
    ("max_block_dim_z", cydriver.CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z),
    ("max_grid_dim_x", cydriver.CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X),
    ("max_grid_dim_y", cydriver.CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y),
    ("max_grid_dim_z", cydriver.CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z),
    ("max_shared_memory_per_block", cydriver.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK),
    ("shared_memory_per_block", cydriver.CU_DEVICE_ATTRIBUTE_SHARED_MEMORY_PER_BLOCK),
    ("total_constant_memory", cydriver.CU_DEVICE_ATTRIBUTE_TOTAL_CONSTANT_MEMORY),
    ("warp_size", cydriver.CU_DEVICE_ATTRIBUTE_WARP_SIZE),
    ("max_pitch", cydriver.CU_DEVICE_ATTRIBUTE_MAX_PITCH),
    ("max_registers_per_block", cydriver.CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK),
    ("registers_per_block", cydriver.CU_DEVICE_ATTRIBUTE_REGISTERS_PER_BLOCK),
    ("clock_rate", cydriver.CU_DEVICE_ATTRIBUTE_CLOCK_RATE),
    ("texture_alignment", cydriver.CU_DEVICE_ATTRIBUTE_TEXTURE_ALIGNMENT),
    ("gpu_overlap", cydriver.CU_DEVICE_ATTRIBUTE_GPU_OVERLAP),
    ("multiprocessor_count", cydriver.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT),
    ("kernel_exec_timeout", cydriver.CU_DEVICE_ATTRIBUTE_KERNEL_EXEC_TIMEOUT),
    ("integrated", cydriver.CU_DEVICE_ATTRIBUTE_INTEGRATED),
    ("can_map_host_memory", cydriver.CU_DEVICE_ATTRIBUTE_CAN_MAP_HOST_MEMORY),
    ("compute_mode", cydriver.CU_DEVICE_ATTRIBUTE_COMPUTE_MODE),
    ("maximum_texture1d_width", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE1D_WIDTH),
    ("maximum_texture2d_width", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE2D_WIDTH),
    ("maximum_texture2d_height", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE2D_HEIGHT),
    ("maximum_texture3d_width", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE3D_WIDTH),
    ("maximum_texture3d_height", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE3D_HEIGHT),
    ("maximum_texture3d_depth", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE3D_DEPTH),
    ("maximum_texture2d_layered_width", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE2D_LAYERED_WIDTH),
    ("maximum_texture2d_layered_height", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE2D_LAYERED_HEIGHT),
    ("maximum_texture2d_layered_layers", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE2D_LAYERED_LAYERS),
    ("maximum_texture2d_array_width", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE2D_ARRAY_WIDTH),
    ("maximum_texture2d_array_height", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE2D_ARRAY_HEIGHT),
    ("maximum_texture2d_array_numslices", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE2D_ARRAY_NUMSLICES),
    ("surface_alignment", cydriver.CU_DEVICE_ATTRIBUTE_SURFACE_ALIGNMENT),
    ("concurrent_kernels", cydriver.CU_DEVICE_ATTRIBUTE_CONCURRENT_KERNELS),
    ("ecc_enabled", cydriver.CU_DEVICE_ATTRIBUTE_ECC_ENABLED),
    ("pci_bus_id", cydriver.CU_DEVICE_ATTRIBUTE_PCI_BUS_ID),
    ("pci_device_id", cydriver.CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID),
    ("tcc_driver", cydriver.CU_DEVICE_ATTRIBUTE_TCC_DRIVER),
    ("memory_clock_rate", cydriver.CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE),
    ("global_memory_bus_width", cydriver.CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH),
    ("l2_cache_size", cydriver.CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE),
    ("max_threads_per_multiprocessor", cydriver.CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR),
    ("async_engine_count", cydriver.CU_DEVICE_ATTRIBUTE_ASYNC_ENGINE_COUNT),
    ("unified_addressing", cydriver.CU_DEVICE_ATTRIBUTE_UNIFIED_ADDRESSING),
    ("maximum_texture1d_layered_width", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE1D_LAYERED_WIDTH),
    ("maximum_texture1d_layered_layers", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE1D_LAYERED_LAYERS),
    ("can_tex2d_gather", cydriver.CU_DEVICE_ATTRIBUTE_CAN_TEX2D_GATHER),
    ("maximum_texture2d_gather_width", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE2D_GATHER_WIDTH),
    ("maximum_texture2d_gather_height", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE2D_GATHER_HEIGHT),
    ("maximum_texture3d_width_alternate", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE3D_WIDTH_ALTERNATE),
    ("maximum_texture3d_height_alternate", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE3D_HEIGHT_ALTERNATE),
    ("maximum_texture3d_depth_alternate", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE3D_DEPTH_ALTERNATE),
    ("pci_domain_id", cydriver.CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID),
    ("texture_pitch_alignment", cydriver.CU_DEVICE_ATTRIBUTE_TEXTURE_PITCH_ALIGNMENT),
    ("maximum_texturecubemap_width", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURECUBEMAP_WIDTH),
    ("maximum_texturecubemap_layered_width", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURECUBEMAP_LAYERED_WIDTH),
    ("maximum_texturecubemap_layered_layers", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURECUBEMAP_LAYERED_LAYERS),
    ("maximum_surface1d_width", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACE1D_WIDTH),
    ("maximum_surface2d_width", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACE2D_WIDTH),
    ("maximum_surface2d_height", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACE2D_HEIGHT),
    ("maximum_surface3d_width", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACE3D_WIDTH),
    ("maximum_surface3d_height", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACE3D_HEIGHT),
    ("maximum_surface3d_depth", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACE3D_DEPTH),
    ("maximum_surface1d_layered_width", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACE1D_LAYERED_WIDTH),
    ("maximum_surface1d_layered_layers", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACE1D_LAYERED_LAYERS),
    ("maximum_surface2d_layered_width", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACE2D_LAYERED_WIDTH),
    ("maximum_surface2d_layered_height", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACE2D_LAYERED_HEIGHT),
    ("maximum_surface2d_layered_layers", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACE2D_LAYERED_LAYERS),
    ("maximum_surfacecubemap_width", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACECUBEMAP_WIDTH),
    ("maximum_surfacecubemap_layered_width", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACECUBEMAP_LAYERED_WIDTH),
    ("maximum_surfacecubemap_layered_layers", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_SURFACECUBEMAP_LAYERED_LAYERS),
    ("maximum_texture1d_linear_width", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE1D_LINEAR_WIDTH),
    ("maximum_texture2d_linear_width", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE2D_LINEAR_WIDTH),
    ("maximum_texture2d_linear_height", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE2D_LINEAR_HEIGHT),
    ("maximum_texture2d_linear_pitch", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE2D_LINEAR_PITCH),
    ("maximum_texture2d_mipmapped_width", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE2D_MIPMAPPED_WIDTH),
    ("maximum_texture2d_mipmapped_height", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE2D_MIPMAPPED_HEIGHT),
    ("compute_capability_major", cydriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
    ("compute_capability_minor", cydriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR),
    ("maximum_texture1d_mipmapped_width", cydriver.CU_DEVICE_ATTRIBUTE_MAXIMUM_TEXTURE1D_MIPMAPPED_WIDTH),
    ("stream_priorities_supported", cydriver.CU_DEVICE_ATTRIBUTE_STREAM_PRIORITIES_SUPPORTED),
    ("global_l1_cache_supported", cydriver.CU_DEVICE_ATTRIBUTE_GLOBAL_L1_CACHE_SUPPORTED),
    ("local_l1_cache_supported", cydriver.CU_DEVICE_ATTRIBUTE_LOCAL_L1_CACHE_SUPPORTED),
    ("max_shared_memory_per_multiprocessor", cydriver.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR),
    ("max_registers_per_multiprocessor", cydriver.CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR),
    ("managed_memory", cydriver.CU_DEVICE_ATTRIBUTE_MANAGED_MEMORY),
    ("multi_gpu_board", cydriver.CU_DEVICE_ATTRIBUTE_MULTI_GPU_BOARD),
    ("multi_gpu_board_group_id", cydriver.CU_DEVICE_ATTRIBUTE_MULTI_GPU_BOARD_GROUP_ID),
    ("host_native_atomic_supported", cydriver.CU_DEVICE_ATTRIBUTE_HOST_NATIVE_ATOMIC_SUPPORTED),
    ("single_to_double_precision_perf_ratio", cydriver.CU_DEVICE_ATTRIBUTE_SINGLE_TO_DOUBLE_PRECISION_PERF_RATIO),
    ("pageable_memory_access", cydriver.CU_DEVICE_ATTRIBUTE_PAGEABLE_MEMORY_ACCESS),
    ("concurrent_managed_access", cydriver.CU_DEVICE_ATTRIBUTE_CONCURRENT_MANAGED_ACCESS),
    ("compute_preemption_supported", cydriver.CU_DEVICE_ATTRIBUTE_COMPUTE_PREEMPTION_SUPPORTED),
    ("can_use_host_pointer_for_registered_mem", cydriver.CU_DEVICE_ATTRIBUTE_CAN_USE_HOST_POINTER_FOR_REGISTERED_MEM),
    ("can_use_stream_mem_ops_v1", cydriver.CU_DEVICE_ATTRIBUTE_CAN_USE_STREAM_MEM_OPS_V1),
    ("can_use_64_bit_stream_mem_ops_v1", cydriver.CU_DEVICE_ATTRIBUTE_CAN_USE_64_BIT_STREAM_MEM_OPS_V1),
    ("can_use_stream_wait_value_nor_v1", cydriver.CU_DEVICE_ATTRIBUTE_CAN_USE_STREAM_WAIT_VALUE_NOR_V1),
    ("cooperative_launch", cydriver.CU_DEVICE_ATTRIBUTE_COOPERATIVE_LAUNCH),
    ("cooperative_multi_device_launch", cydriver.CU_DEVICE_ATTRIBUTE_COOPERATIVE_MULTI_DEVICE_LAUNCH),
    ("max_shared_memory_per_block_optin", cydriver.CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN),
    ("can_flush_remote_writes", cydriver.CU_DEVICE_ATTRIBUTE_CAN_FLUSH_REMOTE_WRITES),
    ("host_register_supported", cydriver.CU_DEVICE_ATTRIBUTE_HOST_REGISTER_SUPPORTED),
    ("pageable_memory_access_uses_host_page_tables", cydriver.CU_DEVICE_ATTRIBUTE_PAGEABLE_MEMORY_ACCESS_USES_HOST_PAGE_TABLES),
    ("direct_managed_mem_access_from_host", cydriver.CU_DEVICE_ATTRIBUTE_DIRECT_MANAGED_MEM_ACCESS_FROM_HOST),
    ("virtual_address_management_supported", cydriver.CU_DEVICE_ATTRIBUTE_VIRTUAL_ADDRESS_MANAGEMENT_SUPPORTED),
    ("virtual_memory_management_supported", cydriver.CU_DEVICE_ATTRIBUTE_VIRTUAL_MEMORY_MANAGEMENT_SUPPORTED),
    ("handle_type_posix_file_descriptor_supported", cydriver.CU_DEVICE_ATTRIBUTE_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR_SUPPORTED),
    ("handle_type_win32_handle_supported", cydriver.CU_DEVICE_ATTRIBUTE_HANDLE_TYPE_WIN32_HANDLE_SUPPORTED),
    ("handle_type_win32_kmt_handle_supported", cydriver.CU_DEVICE_ATTRIBUTE_HANDLE_TYPE_WIN32_KMT_HANDLE_SUPPORTED),
    ("max_blocks_per_multiprocessor", cydriver.CU_DEVICE_ATTRIBUTE_MAX_BLOCKS_PER_MULTIPROCESSOR),
    ("generic_compression_supported", cydriver.CU_DEVICE_ATTRIBUTE_GENERIC_COMPRESSION_SUPPORTED),
    ("max_persisting_l2_cache_size", cydriver.CU_DEVICE_ATTRIBUTE_MAX_PERSISTING_L2_CACHE_SIZE),
    ("max_access_policy_window_size", cydriver.CU_DEVICE_ATTRIBUTE_MAX_ACCESS_POLICY_WINDOW_SIZE),
    ("gpu_direct_rdma_with_cuda_vmm_supported", cydriver.CU_DEVICE_ATTRIBUTE_GPU_DIRECT_RDMA_WITH_CUDA_VMM_SUPPORTED),
    ("reserved_shared_memory_per_block", cydriver.CU_DEVICE_ATTRIBUTE_RESERVED_SHARED_MEMORY_PER_BLOCK),
    ("sparse_cuda_array_supported", cydriver.CU_DEVICE_ATTRIBUTE_SPARSE_CUDA_ARRAY_SUPPORTED),
    ("read_only_host_register_supported", cydriver.CU_DEVICE_ATTRIBUTE_READ_ONLY_HOST_REGISTER_SUPPORTED),
    ("timeline_semaphore_interop_supported", cydriver.CU_DEVICE_ATTRIBUTE_TIMELINE_SEMAPHORE_INTEROP_SUPPORTED),
    ("memory_pools_supported", cydriver.CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED),
    ("gpu_direct_rdma_supported", cydriver.CU_DEVICE_ATTRIBUTE_GPU_DIRECT_RDMA_SUPPORTED),
    ("gpu_direct_rdma_flush_writes_options", cydriver.CU_DEVICE_ATTRIBUTE_GPU_DIRECT_RDMA_FLUSH_WRITES_OPTIONS),
    ("gpu_direct_rdma_writes_ordering", cydriver.CU_DEVICE_ATTRIBUTE_GPU_DIRECT_RDMA_WRITES_ORDERING),
    ("mempool_supported_handle_types", cydriver.CU_DEVICE_ATTRIBUTE_MEMPOOL_SUPPORTED_HANDLE_TYPES),
    ("cluster_launch", cydriver.CU_DEVICE_ATTRIBUTE_CLUSTER_LAUNCH),
    ("deferred_mapping_cuda_array_supported", cydriver.CU_DEVICE_ATTRIBUTE_DEFERRED_MAPPING_CUDA_ARRAY_SUPPORTED),
    ("can_use_64_bit_stream_mem_ops", cydriver.CU_DEVICE_ATTRIBUTE_CAN_USE_64_BIT_STREAM_MEM_OPS),
    ("can_use_stream_wait_value_nor", cydriver.CU_DEVICE_ATTRIBUTE_CAN_USE_STREAM_WAIT_VALUE_NOR),
    ("dma_buf_supported", cydriver.CU_DEVICE_ATTRIBUTE_DMA_BUF_SUPPORTED),
    ("ipc_event_supported", cydriver.CU_DEVICE_ATTRIBUTE_IPC_EVENT_SUPPORTED),
    ("mem_sync_domain_count", cydriver.CU_DEVICE_ATTRIBUTE_MEM_SYNC_DOMAIN_COUNT),
    ("tensor_map_access_supported", cydriver.CU_DEVICE_ATTRIBUTE_TENSOR_MAP_ACCESS_SUPPORTED),
    ("handle_type_fabric_supported", cydriver.CU_DEVICE_ATTRIBUTE_HANDLE_TYPE_FABRIC_SUPPORTED),
    ("unified_function_pointers", cydriver.CU_DEVICE_ATTRIBUTE_UNIFIED_FUNCTION_POINTERS),
    ("numa_config", cydriver.CU_DEVICE_ATTRIBUTE_NUMA_CONFIG),
    ("numa_id", cydriver.CU_DEVICE_ATTRIBUTE_NUMA_ID),
    ("multicast_supported", cydriver.CU_DEVICE_ATTRIBUTE_MULTICAST_SUPPORTED),
    ("mps_enabled", cydriver.CU_DEVICE_ATTRIBUTE_MPS_ENABLED),
    ("host_numa_id", cydriver.CU_DEVICE_ATTRIBUTE_HOST_NUMA_ID),
    ("d3d12_cig_supported", cydriver.CU_DEVICE_ATTRIBUTE_D3D12_CIG_SUPPORTED),
    ("mem_decompress_algorithm_mask", cydriver.CU_DEVICE_ATTRIBUTE_MEM_DECOMPRESS_ALGORITHM_MASK),
    ("mem_decompress_maximum_length", cydriver.CU_DEVICE_ATTRIBUTE_MEM_DECOMPRESS_MAXIMUM_LENGTH),
    ("vulkan_cig_supported", cydriver.CU_DEVICE_ATTRIBUTE_VULKAN_CIG_SUPPORTED),
    ("gpu_pci_device_id", cydriver.CU_DEVICE_ATTRIBUTE_GPU_PCI_DEVICE_ID),
    ("gpu_pci_subsystem_id", cydriver.CU_DEVICE_ATTRIBUTE_GPU_PCI_SUBSYSTEM_ID),
    ("host_numa_virtual_memory_management_supported", cydriver.CU_DEVICE_ATTRIBUTE_HOST_NUMA_VIRTUAL_MEMORY_MANAGEMENT_SUPPORTED),
    ("host_numa_memory_pools_supported", cydriver.CU_DEVICE_ATTRIBUTE_HOST_NUMA_MEMORY_POOLS_SUPPORTED),
    ("host_numa_multinode_ipc_supported", cydriver.CU_DEVICE_ATTRIBUTE_HOST_NUMA_MULTINODE_IPC_SUPPORTED),
    ("host_memory_pools_supported", <cydriver.CUdevice_attribute>LINE_ATTR_HOST_MEMORY_POOLS),
    ("host_virtual_memory_management_supported", <cydriver.CUdevice_attribute>LINE_ATTR_HOST_VMM),
    ("host_alloc_dma_buf_supported", <cydriver.CUdevice_attribute>LINE_ATTR_HOST_ALLOC_DMA_BUF),
    ("only_partial_host_native_atomic_supported", <cydriver.CUdevice_attribute>LINE_ATTR_ONLY_PARTIAL_HOST_ATOMIC),
))

# The attributes of a device, read once each (cuDeviceGetAttribute) and cached: a property per
# entry of _ATTRIBUTES.
DeviceProperties = type(
    "DeviceProperties",
    (_DevicePropertiesBase,),
    {
        "__slots__": (),
        "__module__": __name__,
        "__doc__": "The attributes of a device (a property per CUdevice_attribute), each read once and cached.",
        **{name: _attribute_property(name, attr) for name, attr in _ATTRIBUTES.items()},
    },
)
