# SPDX-License-Identifier: Apache-2.0
"""StridedMemoryView: the pointer, shape, strides and dtype of an array from any exporter.

Sources: DLPack (versioned and legacy capsules; the consumed tensor is kept until the view
goes away, then its deleter runs), the CUDA Array Interface (v3; stream order established with
an event), NumPy's array interface, a cuda.core Buffer (``from_buffer``), or any object with the
buffer protocol. Strides are in elements, None when the exporter gave none (C order). numpy is
imported only when a dtype is first asked for.
"""

cimport cython
from cpython.buffer cimport (
    PyBUF_FULL_RO,
    PyBUF_RECORDS_RO,
    PyBuffer_IsContiguous,
    PyBuffer_Release,
    PyObject_GetBuffer,
)
from cpython.pycapsule cimport PyCapsule_GetPointer, PyCapsule_IsValid, PyCapsule_SetName
from cpython.exc cimport PyErr_SetObject
from libc.stdint cimport int32_t, int64_t, intptr_t, uintptr_t
from libc.stdlib cimport free, malloc
from libc.string cimport memcpy
from cpython.pycapsule cimport PyCapsule_Destructor, PyCapsule_New
from cpython.ref cimport Py_DECREF, Py_INCREF

from cuda.bindings cimport cydriver
from cuda.core._dlpack cimport *
from cuda.core._stream cimport stream_handle
from cuda.core._errors cimport check

import functools

__all__ = ["StridedMemoryView", "args_viewable_as_strided_memory"]

cdef const char* _NAME = b"dltensor"
cdef const char* _NAME_V = b"dltensor_versioned"
cdef const char* _USED = b"used_dltensor"
cdef const char* _USED_V = b"used_dltensor_versioned"

# DLPack (code, bits) -> numpy dtype name; ml_dtypes provides the narrow floats when installed.
_DL_DTYPES = {
    (kDLInt, 8): "int8", (kDLInt, 16): "int16", (kDLInt, 32): "int32", (kDLInt, 64): "int64",
    (kDLUInt, 8): "uint8", (kDLUInt, 16): "uint16", (kDLUInt, 32): "uint32", (kDLUInt, 64): "uint64",
    (kDLFloat, 16): "float16", (kDLFloat, 32): "float32", (kDLFloat, 64): "float64",
    (kDLComplex, 64): "complex64", (kDLComplex, 128): "complex128",
    (kDLBool, 8): "bool",
}
_DL_NARROW = {
    (kDLBfloat, 16): "bfloat16",
    (kDLFloat8_e3m4, 8): "float8_e3m4", (kDLFloat8_e4m3, 8): "float8_e4m3",
    (kDLFloat8_e4m3b11fnuz, 8): "float8_e4m3b11fnuz", (kDLFloat8_e4m3fn, 8): "float8_e4m3fn",
    (kDLFloat8_e4m3fnuz, 8): "float8_e4m3fnuz", (kDLFloat8_e5m2, 8): "float8_e5m2",
    (kDLFloat8_e5m2fnuz, 8): "float8_e5m2fnuz", (kDLFloat8_e8m0fnu, 8): "float8_e8m0fnu",
}


# DLPack's type codes by family, for messages (dlpack.h: kDLInt 0, kDLUInt 1, kDLFloat 2, kDLBfloat 4,
# kDLComplex 5, kDLBool 6)
_DL_FAMILIES = {0: "int", 1: "uint", 2: "float", 4: "bfloat", 5: "complex", 6: "bool"}


cdef object _dtype_of_dl(DLDataType* t):
    import numpy

    if t.lanes != 1:
        raise NotImplementedError(f"vector dtypes (lanes={t.lanes}) are not supported")
    key = (t.code, t.bits)
    name = _DL_DTYPES.get(key)
    if name is not None:
        return numpy.dtype(name)
    name = _DL_NARROW.get(key)
    if name is not None:
        try:
            import ml_dtypes
        except ImportError:
            raise NotImplementedError(f"{name} needs the ml_dtypes package") from None
        return numpy.dtype(getattr(ml_dtypes, name))
    # name the type the producer described, as NVIDIA's messages do ("uint24", "1-bit bool")
    family = _DL_FAMILIES.get(t.code)
    if family is None:
        raise TypeError(f"Unsupported dtype: DLPack type code {t.code} ({t.bits} bits)")
    what = f"{t.bits}-bit bool" if family == "bool" else f"{family}{t.bits}"
    raise TypeError(f"Unsupported dtype: {what} (DLPack type code {t.code}, {t.bits} bits)")


cdef tuple _int64_tuple(const int64_t* values, int n):
    return tuple([values[i] for i in range(n)])


cdef class _HostBufferView:
    """Holds a buffer-protocol view of an object for as long as a StridedMemoryView needs it."""

    cdef Py_buffer view
    cdef bint held

    def __dealloc__(self):
        if self.held:
            PyBuffer_Release(&self.view)
            self.held = False


cdef object _stream_ptr_arg(object stream_ptr):
    """The consumer stream as an int: an int (-1: no ordering), a handle object (a bindings
    CUstream or cudaStream_t: its value), or an object with ``__cuda_stream__`` (a cuda.core
    Stream). None is refused: it could mean the default stream or no ordering (NVIDIA's refuse
    it too)."""
    if stream_ptr is None:
        raise BufferError("stream=None is ambiguous with view(): give stream_ptr=-1 for no stream ordering, "
                          "or the consumer stream")  # fmt: skip
    if type(stream_ptr) is int:
        return stream_ptr
    if isinstance(stream_ptr, bool) or isinstance(stream_ptr, float) or isinstance(stream_ptr, str):
        raise TypeError(f"stream_ptr must be an int, a stream or None, not {type(stream_ptr).__name__}")
    cdef cydriver.CUstream h
    if hasattr(stream_ptr, "__cuda_stream__"):  # the protocol's checks are the streams' own
        stream_handle(stream_ptr, &h)
        return <uintptr_t>h
    try:
        return int(stream_ptr.__index__() if hasattr(stream_ptr, "__index__") else stream_ptr.__int__())
    except (AttributeError, TypeError):
        raise TypeError(f"stream_ptr must be an int, a stream or None, not {type(stream_ptr).__name__}") from None


cdef object _stream_address(object stream):
    from cuda.core._memory import _stream_address as address

    return address(stream)


@cython.freelist(8)
@cython.no_gc_clear  # the finalizer runs the DLPack deleter of the tensor it holds
cdef class StridedMemoryView:
    """The pointer, shape, strides (in elements), dtype and location of a strided array.

    ``StridedMemoryView(obj, stream_ptr)`` views any object with DLPack or the CUDA Array
    Interface (DLPack first); the classmethods pick one protocol. ``stream_ptr`` is the consumer
    stream: the producer's pending work is ordered before it; -1 asks for no ordering. None is
    refused (BufferError), as by NVIDIA's: it could mean either.
    Attributes: ptr, shape, strides, dtype, size, device_id (-1 for host memory),
    is_device_accessible, readonly, exporting_obj.
    """

    cdef readonly intptr_t ptr
    cdef readonly int device_id
    cdef readonly bint is_device_accessible
    cdef readonly bint readonly
    cdef readonly object exporting_obj
    cdef object _keep            # capsule, interface dict, Buffer, or _HostBufferView
    cdef DLTensor* _dl           # the consumed DLPack tensor (NULL otherwise)
    cdef void* _dl_managed       # its managed struct, for the deleter
    cdef bint _dl_versioned
    cdef tuple _shape
    cdef object _strides         # tuple in elements, or None
    cdef object _dtype
    cdef object _typestr         # array interfaces: dtype made lazily from it
    cdef object _byte_strides    # array interfaces: strides in bytes until dtype is known
    cdef int64_t* _dims          # shape then strides, lent by the C exchange API (malloc'ed, or NULL)
    cdef object __weakref__

    def __init__(self, obj=None, stream_ptr=None):
        self._shape = ()
        self.device_id = -1
        if obj is not None:
            _view_any(self, obj, stream_ptr)

    def __dealloc__(self):
        cdef DLManagedTensorVersioned* tv
        cdef DLManagedTensor* t
        free(self._dims)
        self._dims = NULL
        if self._dl_managed == NULL:
            return
        if self._dl_versioned:
            tv = <DLManagedTensorVersioned*>self._dl_managed
            self._dl_managed = NULL
            if tv.deleter != NULL:
                tv.deleter(tv)
        else:
            t = <DLManagedTensor*>self._dl_managed
            self._dl_managed = NULL
            if t.deleter != NULL:
                t.deleter(t)

    # ---- constructors -----------------------------------------------------------------------

    @classmethod
    def from_dlpack(cls, obj, stream_ptr=None):
        """View an object with ``__dlpack__``/``__dlpack_device__`` (DLPack up to 1.x).
        ``stream_ptr``: the consumer stream, or -1 for no ordering (None is refused as ambiguous)."""
        cdef StridedMemoryView v = cls.__new__(cls)
        _view_dlpack(v, obj, stream_ptr)
        return v

    @classmethod
    def from_cuda_array_interface(cls, obj, stream_ptr=None):
        """View an object with ``__cuda_array_interface__`` (v3). ``stream_ptr``: the consumer
        stream, made to wait for the producer's stream (-1: no ordering; None is refused)."""
        cdef StridedMemoryView v = cls.__new__(cls)
        _view_cai(v, obj, stream_ptr)
        return v

    @classmethod
    def from_array_interface(cls, obj):
        """View host memory of an object with ``__array_interface__`` (a NumPy array)."""
        cdef StridedMemoryView v = cls.__new__(cls)
        _view_array_interface(v, obj)
        return v

    @classmethod
    def from_any_interface(cls, obj, stream_ptr=None):
        """View ``obj`` through DLPack, else the CUDA Array Interface, else the array interface."""
        cdef StridedMemoryView v = cls.__new__(cls)
        _view_any(v, obj, stream_ptr)
        return v

    @classmethod
    def from_buffer(cls, buffer, shape, strides=None, *, itemsize=None, dtype=None, is_readonly=False):
        """View a cuda.core Buffer (or any buffer-protocol object, as host memory) with the
        given shape, strides (in elements; None for C order) and dtype or itemsize. The extent
        must lie inside the buffer. No synchronization is done."""
        cdef StridedMemoryView v = cls.__new__(cls)
        _view_buffer(v, buffer, shape, strides, itemsize, dtype, is_readonly)
        return v

    # ---- properties -------------------------------------------------------------------------

    @property
    def shape(self):
        """The shape (a tuple of ints)."""
        return self._shape

    @property
    def strides(self):
        """The strides in elements (not bytes), or None for a C-contiguous exporter that gave none."""
        if self._byte_strides is not None and self._strides is None:
            itemsize = self.dtype.itemsize
            self._strides = tuple(s // itemsize for s in self._byte_strides)
        return self._strides

    @property
    def dtype(self):
        """The element type (a numpy.dtype)."""
        if self._dtype is None:
            if self._dl != NULL:
                self._dtype = _dtype_of_dl(&self._dl.dtype)
            elif self._typestr is not None:
                import numpy

                self._dtype = numpy.dtype(self._typestr)
        return self._dtype

    @property
    def size(self):
        """The number of elements."""
        n = 1
        for extent in self._shape:
            n *= extent
        return n

    @property
    def _itemsize(self):
        return self.dtype.itemsize

    @property
    def _layout(self):
        """Shape, byte strides and contiguity (a ``cuda.core._layout._StridedLayout``: numba-cuda
        reads it)."""
        from cuda.core._layout import _StridedLayout

        itemsize = self.dtype.itemsize
        strides = self.strides
        return _StridedLayout(self._shape, None if strides is None else [s * itemsize for s in strides], itemsize)

    def __repr__(self):
        return (f"StridedMemoryView(ptr={self.ptr}, shape={self.shape}, strides={self.strides}, "
                f"dtype={self.dtype}, device_id={self.device_id}, "
                f"is_device_accessible={self.is_device_accessible}, readonly={self.readonly}, "
                f"exporting_obj={type(self.exporting_obj).__module__}.{type(self.exporting_obj).__name__})")

    # ---- DLPack export -----------------------------------------------------------------------

    def __dlpack_device__(self):
        if not self.is_device_accessible:
            return (kDLCPU, 0)
        if self.device_id < 0:
            return (kDLCUDAHost, 0)
        return (kDLCUDA, self.device_id)

    # DLPack's C exchange API: other libraries' C code exchanges views without Python calls
    __dlpack_c_exchange_api__ = _exchange_api_capsule()

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        if copy:
            raise BufferError("a StridedMemoryView exports its memory only (copy=True is not supported)")
        device = self.__dlpack_device__()
        if dl_device is not None and tuple(dl_device) != device:
            raise BufferError(f"the view lives on DLPack device {device}, not {tuple(dl_device)}")
        versioned = max_version is not None and tuple(max_version)[0] >= 1
        return _export_view(self, device[0], device[1], versioned)

    # ---- derived views, copies, tensor maps -------------------------------------------------

    def view(self, layout=None, dtype=None):
        """A new view of the same memory with another layout (an object with ``shape`` and
        ``strides``, or a (shape, strides) pair) and/or dtype of the same itemsize."""
        cdef StridedMemoryView v = type(self).__new__(type(self))
        _copy_fields(v, self)
        if layout is not None:
            if isinstance(layout, tuple) and len(layout) == 2:
                shape, strides = layout
            else:
                shape, strides = getattr(layout, "shape"), getattr(layout, "strides", None)
            v._shape = _check_shape(shape)
            v._strides = _check_strides(strides, len(v._shape))
            v._byte_strides = None
        if dtype is not None:
            import numpy

            new = numpy.dtype(dtype)
            if new.itemsize != self.dtype.itemsize:
                raise ValueError(f"dtype {new} has itemsize {new.itemsize}, the view's is {self.dtype.itemsize}")
            v._dtype = new
        return v

    def copy_from(self, other, stream, allocator=None, blocking=None):
        """Copy ``other`` (same shape and itemsize) into this view on ``stream``. Both must be
        C-contiguous. ``blocking``: wait for the copy (default: only when host memory is involved)."""
        _copy_views(self, other, stream, blocking)

    def copy_to(self, other, stream=None, allocator=None, blocking=None):
        """Copy this view into ``other``; see ``copy_from``."""
        _copy_views(other, self, stream, blocking)

    def as_tensor_map(self, box_dim=None, *, options=None, element_strides=None, data_type=None, interleave=None,
                      swizzle=None, l2_promotion=None, oob_fill=None):
        """A tiled TensorMapDescriptor of this (device) view; see TensorMapDescriptor."""
        from cuda.core._tensor_map import TensorMapDescriptor

        return TensorMapDescriptor._from_tiled(self, box_dim, options=options, element_strides=element_strides,
                                              data_type=data_type, interleave=interleave, swizzle=swizzle,
                                              l2_promotion=l2_promotion, oob_fill=oob_fill)


cdef int _dl_dtype(object dtype, DLDataType* out) except -1:
    if not dtype.isnative:  # DLPack describes native byte order only
        raise BufferError(f"Non-native-endian dtype {dtype} has no DLPack equivalent")
    kind, size = dtype.kind, dtype.itemsize
    codes = {"i": kDLInt, "u": kDLUInt, "f": kDLFloat, "c": kDLComplex, "b": kDLBool}
    if dtype.name == "bfloat16":
        out.code = kDLBfloat
    elif kind in codes and dtype.fields is None:
        out.code = codes[kind]
    else:
        raise BufferError(f"dtype {dtype} has no DLPack equivalent")
    out.bits = 8 * size
    out.lanes = 1
    return 0


cdef int _write_dims(StridedMemoryView v, int64_t* dims) except -1:
    """The view's shape, then its strides in elements, into ``dims`` (2 * ndim of them)."""
    cdef Py_ssize_t ndim = len(v._shape)
    steps = v.strides if v.strides is not None else _c_strides(v._shape)
    for i in range(ndim):
        dims[i] = v._shape[i]
        dims[ndim + i] = steps[i]
    return 0


cdef void* _export_block(StridedMemoryView v, int devtype, int devid, bint versioned) except NULL:
    """A new managed tensor of ``v`` (from dl_export_new); it does not yet hold a reference to v."""
    cdef void* block
    cdef DLDataType dt
    _dl_dtype(v.dtype, &dt)
    cdef DLTensor* dl = dl_export_new(v, versioned, v.readonly, <void*>v.ptr, devtype, devid, len(v._shape), dt,
                                      &block)  # fmt: skip
    _write_dims(v, dl.shape)  # dl_export_new lays the strides right after the shape
    return block


cdef object _export_view(StridedMemoryView v, int devtype, int devid, bint versioned):
    return dl_export_capsule(_export_block(v, devtype, devid, versioned), v, versioned)


# --------------------------------------------------------------------------------------------
# DLPack's C exchange API (StridedMemoryView.__dlpack_c_exchange_api__): a capsule named
# "dlpack_exchange_api" holding a static table of C functions, through which another library's C
# code turns views into DLPack tensors and back without calling Python. Each function returns 0,
# or -1 with a Python exception set; callers hold the GIL.

ctypedef void (*_SetError)(void* ctx, const char* kind, const char* message) noexcept
ctypedef int (*_Allocator)(DLTensor*, DLManagedTensorVersioned**, void*, _SetError) noexcept
ctypedef int (*_FromPy)(void*, DLManagedTensorVersioned**) noexcept
ctypedef int (*_ToPy)(DLManagedTensorVersioned*, void**) noexcept
ctypedef int (*_DLTensorFromPy)(void*, DLTensor*) noexcept
ctypedef int (*_CurrentStream)(int, int32_t, void**) noexcept


cdef struct _ExchangeHeader:
    DLPackVersion version
    _ExchangeHeader* prev_api


cdef struct _ExchangeAPI:
    _ExchangeHeader header
    _Allocator managed_tensor_allocator
    _FromPy managed_tensor_from_py_object_no_sync
    _ToPy managed_tensor_to_py_object_no_sync
    _DLTensorFromPy dltensor_from_py_object_no_sync
    _CurrentStream current_work_stream


cdef _ExchangeAPI _EXCHANGE_API


cdef object _exchange_api_capsule():
    _EXCHANGE_API.header.version.major = DLPACK_MAJOR_VERSION
    _EXCHANGE_API.header.version.minor = DLPACK_MINOR_VERSION
    _EXCHANGE_API.header.prev_api = NULL
    _EXCHANGE_API.managed_tensor_allocator = _xapi_allocator
    _EXCHANGE_API.managed_tensor_from_py_object_no_sync = _xapi_from_py
    _EXCHANGE_API.managed_tensor_to_py_object_no_sync = _xapi_to_py
    _EXCHANGE_API.dltensor_from_py_object_no_sync = _xapi_dltensor_from_py
    _EXCHANGE_API.current_work_stream = _xapi_current_stream
    return PyCapsule_New(&_EXCHANGE_API, b"dlpack_exchange_api", NULL)


cdef int _raised(object exc) noexcept:
    """Set ``exc`` as the Python error a caller of the table finds; -1."""
    PyErr_SetObject(type(exc), exc)
    return -1


cdef StridedMemoryView _exchanged_view(void* py_object):
    if py_object == NULL:
        raise TypeError("py_object cannot be NULL")
    obj = <object>py_object
    if not isinstance(obj, StridedMemoryView):
        raise TypeError(f"py_object must be a StridedMemoryView, not {type(obj).__name__}")
    return obj


cdef int _xapi_allocator(DLTensor* prototype, DLManagedTensorVersioned** out, void* ctx,
                         _SetError set_error) noexcept with gil:
    if out != NULL:
        out[0] = NULL
    message = "managed_tensor_allocator is not supported: a StridedMemoryView views memory, it never allocates"
    if set_error != NULL:
        set_error(ctx, b"NotImplementedError", message.encode())
        return -1
    return _raised(NotImplementedError(message))


cdef int _xapi_from_py(void* py_object, DLManagedTensorVersioned** out) noexcept with gil:
    """A new managed tensor of the view (it holds a reference to the view until deleted)."""
    cdef StridedMemoryView v
    cdef void* block
    try:
        if out == NULL:
            raise RuntimeError("out cannot be NULL")
        out[0] = NULL
        v = _exchanged_view(py_object)
        device = v.__dlpack_device__()
        block = _export_block(v, device[0], device[1], True)
        Py_INCREF(v)  # dropped by the tensor's deleter
        out[0] = <DLManagedTensorVersioned*>block
        return 0
    except BaseException as exc:
        return _raised(exc)


cdef int _xapi_to_py(DLManagedTensorVersioned* tensor, void** out_py_object) noexcept with gil:
    """A new StridedMemoryView (a new reference) that owns ``tensor``: it calls the deleter."""
    cdef StridedMemoryView v
    try:
        if out_py_object == NULL:
            raise RuntimeError("out_py_object cannot be NULL")
        out_py_object[0] = NULL
        if tensor == NULL:
            raise RuntimeError("tensor cannot be NULL")
        if tensor.version.major > DLPACK_MAJOR_VERSION:
            raise BufferError(f"DLPack {tensor.version.major}.{tensor.version.minor} is newer than this consumer (1.x)")
        v = StridedMemoryView.__new__(StridedMemoryView)
        _set_dl_device(v, tensor.dl_tensor.device.device_type, tensor.dl_tensor.device.device_id)
        v._dl_managed = tensor
        v._dl_versioned = True
        v.readonly = (tensor.flags & DLPACK_FLAG_BITMASK_READ_ONLY) != 0
        _adopt_dl(v, &tensor.dl_tensor)
        Py_INCREF(v)
        out_py_object[0] = <void*>v
        return 0
    except BaseException as exc:
        return _raised(exc)


cdef int _xapi_dltensor_from_py(void* py_object, DLTensor* out) noexcept with gil:
    """Fill ``out`` with the view's tensor; its shape and strides are lent for the view's life."""
    cdef StridedMemoryView v
    cdef int ndim
    try:
        if out == NULL:
            raise RuntimeError("out cannot be NULL")
        v = _exchanged_view(py_object)
        _dl_dtype(v.dtype, &out.dtype)
        ndim = len(v._shape)
        if ndim and v._dims == NULL:
            v._dims = <int64_t*>malloc(2 * ndim * sizeof(int64_t))
            if v._dims == NULL:
                raise MemoryError()
            _write_dims(v, v._dims)
        device = v.__dlpack_device__()
        out.data = <void*>v.ptr
        out.byte_offset = 0
        out.device.device_type = device[0]
        out.device.device_id = device[1]
        out.ndim = ndim
        out.shape = v._dims if ndim else NULL
        out.strides = v._dims + ndim if ndim else NULL
        return 0
    except BaseException as exc:
        return _raised(exc)


cdef int _xapi_current_stream(int device_type, int32_t device_id, void** out) noexcept with gil:
    if out == NULL:
        return _raised(RuntimeError("out_current_stream cannot be NULL"))
    out[0] = NULL  # cuda.core keeps no current stream
    return 0


cdef int _copy_fields(StridedMemoryView v, StridedMemoryView src) except -1:
    v.ptr = src.ptr
    v.device_id = src.device_id
    v.is_device_accessible = src.is_device_accessible
    v.readonly = src.readonly
    v.exporting_obj = src.exporting_obj
    v._keep = src  # the source owns any DLPack tensor: keep it, not the tensor
    v._shape = src._shape
    v._strides = src.strides
    v._dtype = src.dtype
    return 0


# --------------------------------------------------------------------------------------------
# checks shared by the constructors

cdef tuple _check_shape(object shape):
    if isinstance(shape, int) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)):
        raise TypeError(f"shape must be a tuple of ints, not {type(shape).__name__}")
    for extent in shape:
        if isinstance(extent, bool) or not isinstance(extent, int):
            raise TypeError(f"shape entries must be ints, not {type(extent).__name__}")
        if extent < 0:
            raise ValueError(f"shape entries must not be negative: {tuple(shape)}")
    return tuple(shape)


cdef object _check_strides(object strides, Py_ssize_t ndim):
    if strides is None:
        return None
    if not isinstance(strides, (tuple, list)):
        raise TypeError(f"strides must be a tuple of ints or None, not {type(strides).__name__}")
    if len(strides) != ndim:
        raise ValueError(f"strides {tuple(strides)} do not match the {ndim} dimensions of the shape")
    for step in strides:
        if isinstance(step, bool) or not isinstance(step, int):
            raise TypeError(f"strides entries must be ints, not {type(step).__name__}")
    return tuple(strides)


cdef tuple _c_strides(tuple shape):
    out = []
    step = 1
    for extent in reversed(shape):
        out.append(step)
        step *= max(extent, 1)
    return tuple(reversed(out))


cdef int _set_ptr(StridedMemoryView v, object address) except -1:
    if isinstance(address, bool) or not isinstance(address, int):
        raise TypeError(f"the data pointer must be an int, not {type(address).__name__}")
    v.ptr = <intptr_t><uintptr_t>address if address >= 0 else <intptr_t>address
    return 0


# --------------------------------------------------------------------------------------------
# DLPack

cdef int _view_any(StridedMemoryView v, object obj, object stream_ptr) except -1:
    if hasattr(obj, "__dlpack__") and hasattr(obj, "__dlpack_device__"):
        return _view_dlpack(v, obj, stream_ptr)
    if hasattr(obj, "__cuda_array_interface__"):
        return _view_cai(v, obj, stream_ptr)
    if hasattr(obj, "__array_interface__"):
        return _view_array_interface(v, obj)
    raise BufferError(f"{type(obj).__name__} supports neither DLPack nor the CUDA Array Interface")


cdef int _view_dlpack(StridedMemoryView v, object obj, object stream_ptr) except -1:
    cdef DLManagedTensorVersioned* tv
    cdef DLManagedTensor* t
    cdef DLTensor* dl
    if not hasattr(obj, "__dlpack__") or not hasattr(obj, "__dlpack_device__"):
        raise TypeError(f"{type(obj).__name__} does not support DLPack (__dlpack__, __dlpack_device__)")
    devtype, devid = obj.__dlpack_device__()
    _set_dl_device(v, devtype, devid)
    if stream_ptr is None and (devtype == kDLCUDAHost or devtype == kDLCUDAManaged):
        stream = None  # pinned or managed memory: readable from both sides, no order asked (as NVIDIA's)
    else:
        stream_ptr = _stream_ptr_arg(stream_ptr)
        # Host exporters take no stream. 0, the legacy default stream, goes as None: DLPack refuses
        # 0 as ambiguous and means the legacy default stream by None (NVIDIA's pass None too).
        stream = None if devtype == kDLCPU or stream_ptr == 0 else int(stream_ptr)
    try:
        capsule = obj.__dlpack__(stream=stream, max_version=(DLPACK_MAJOR_VERSION, DLPACK_MINOR_VERSION))
    except TypeError:  # an exporter from before DLPack 1.0 (no max_version)
        capsule = obj.__dlpack__(stream=stream)
    if PyCapsule_IsValid(capsule, _NAME_V):
        tv = <DLManagedTensorVersioned*>PyCapsule_GetPointer(capsule, _NAME_V)
        if tv.version.major > DLPACK_MAJOR_VERSION:
            raise BufferError(f"DLPack {tv.version.major}.{tv.version.minor} is newer than this consumer (1.x)")
        PyCapsule_SetName(capsule, _USED_V)
        v._dl_managed = tv
        v._dl_versioned = True
        dl = &tv.dl_tensor
        v.readonly = (tv.flags & DLPACK_FLAG_BITMASK_READ_ONLY) != 0
    elif PyCapsule_IsValid(capsule, _NAME):
        t = <DLManagedTensor*>PyCapsule_GetPointer(capsule, _NAME)
        PyCapsule_SetName(capsule, _USED)
        v._dl_managed = t
        v._dl_versioned = False
        dl = &t.dl_tensor
        v.readonly = False
    else:
        raise BufferError("__dlpack__ did not return an unconsumed DLPack capsule")
    v._keep = capsule
    v.exporting_obj = obj
    return _adopt_dl(v, dl)


cdef int _set_dl_device(StridedMemoryView v, int devtype, int devid) except -1:
    if devtype == kDLCPU:
        v.device_id = -1
        v.is_device_accessible = False
    elif devtype == kDLCUDA:
        v.device_id = devid
        v.is_device_accessible = True
    elif devtype == kDLCUDAHost or devtype == kDLCUDAManaged:
        v.device_id = devid if devtype == kDLCUDAManaged else -1
        v.is_device_accessible = True
    else:
        raise BufferError(f"DLPack device not supported: type {devtype} (cuda.core takes CPU, CUDA, CUDA host, "
                          "CUDA managed)")  # fmt: skip
    return 0


cdef int _adopt_dl(StridedMemoryView v, DLTensor* dl) except -1:
    """The view's pointer, shape and strides from a DLPack tensor it now holds."""
    v._dl = dl
    v.ptr = <intptr_t>(<char*>dl.data + dl.byte_offset)
    v._shape = _int64_tuple(dl.shape, dl.ndim)
    v._strides = _int64_tuple(dl.strides, dl.ndim) if dl.strides != NULL else None
    return 0


# --------------------------------------------------------------------------------------------
# CUDA Array Interface and NumPy's array interface

cdef object _interface(object obj, str attr, int default_version, str too_old):
    """obj's interface dict ``attr``: TypeError when absent, BufferError when older than v3
    (a missing version counts as ``default_version``) or masked."""
    try:
        d = getattr(obj, attr)
    except AttributeError:
        raise TypeError(f"{type(obj).__name__} has no {attr}") from None
    if d.get("version", default_version) < 3:
        raise BufferError(too_old)
    if d.get("mask") is not None:
        raise BufferError("masked arrays are not supported")
    return d

cdef int _view_cai(StridedMemoryView v, object obj, object stream_ptr) except -1:
    cdef int ordinal = 0
    cdef cydriver.CUdeviceptr p
    cdef cydriver.CUevent event
    cdef cydriver.CUstream producer, consumer
    cai = _interface(obj, "__cuda_array_interface__", 0, "only CUDA Array Interface v3 or later is supported")
    stream_ptr = _stream_ptr_arg(stream_ptr)
    address, ro = cai["data"]
    _set_ptr(v, address)
    v.readonly = bool(ro)
    v._shape = _check_shape(cai["shape"])
    v._typestr = cai["typestr"]
    v._byte_strides = cai.get("strides")
    v._strides = None
    v._keep = cai
    v.exporting_obj = obj
    v.is_device_accessible = True
    if v.ptr != 0:
        p = <cydriver.CUdeviceptr>v.ptr
        check(cydriver.cuPointerGetAttribute(&ordinal, cydriver.CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL, p))
    else:  # an empty array: the current device
        if cydriver.cuCtxGetDevice(&ordinal) != cydriver.CUDA_SUCCESS:
            ordinal = 0
    v.device_id = ordinal
    producer_stream = cai.get("stream")
    if stream_ptr != -1 and producer_stream is not None and producer_stream != stream_ptr:
        producer = <cydriver.CUstream><uintptr_t>producer_stream
        consumer = <cydriver.CUstream><uintptr_t>stream_ptr
        with nogil:
            check(cydriver.cuEventCreate(&event, cydriver.CU_EVENT_DISABLE_TIMING))
            try:
                check(cydriver.cuEventRecord(event, producer))
                check(cydriver.cuStreamWaitEvent(consumer, event, 0))
            finally:
                cydriver.cuEventDestroy(event)
    return 0


cdef int _view_array_interface(StridedMemoryView v, object obj) except -1:
    cdef _HostBufferView held
    ai = _interface(obj, "__array_interface__", 3, "only array interface v3 is supported")
    data = ai.get("data")
    if isinstance(data, tuple):
        address, ro = data
        _set_ptr(v, address)
        v.readonly = bool(ro)
        v._keep = ai
    else:  # the memory is the buffer of `data` (or of obj itself), plus "offset"
        held = _HostBufferView.__new__(_HostBufferView)
        PyObject_GetBuffer(obj if data is None else data, &held.view, PyBUF_RECORDS_RO)
        held.held = True
        v.ptr = <intptr_t>held.view.buf + ai.get("offset", 0)
        v.readonly = held.view.readonly
        v._keep = held
    v._shape = _check_shape(ai["shape"])
    descr = ai.get("descr")
    structured = descr is not None and not (len(descr) == 1 and descr[0][0] == "")
    v._typestr = descr if structured else ai["typestr"]
    v._byte_strides = ai.get("strides")
    v._strides = None
    v.exporting_obj = obj
    v.device_id = -1
    v.is_device_accessible = False
    return 0


# --------------------------------------------------------------------------------------------
# Buffers

cdef int _view_buffer(StridedMemoryView v, object buffer, object shape, object strides, object itemsize,
                      object dtype, bint is_readonly) except -1:
    cdef _HostBufferView held
    cdef Py_ssize_t nbytes
    v._shape = _check_shape(shape)
    v._strides = _check_strides(strides, len(v._shape))
    if dtype is not None:
        import numpy

        v._dtype = numpy.dtype(dtype)
        if itemsize is not None and itemsize != v._dtype.itemsize:
            raise ValueError(f"itemsize {itemsize} does not match dtype {v._dtype} (itemsize {v._dtype.itemsize})")
        itemsize = v._dtype.itemsize
    elif itemsize is None:
        raise ValueError("from_buffer needs dtype or itemsize")
    elif isinstance(itemsize, bool) or not isinstance(itemsize, int):
        raise TypeError(f"itemsize must be an int, not {type(itemsize).__name__}")
    elif itemsize <= 0:
        raise ValueError(f"itemsize must be positive, got {itemsize}")
    else:
        import numpy

        v._dtype = numpy.dtype(f"V{itemsize}") if itemsize not in (1, 2, 4, 8) else numpy.dtype(f"u{itemsize}")
    if hasattr(buffer, "handle") and hasattr(buffer, "size") and hasattr(buffer, "is_device_accessible"):
        v.ptr = <intptr_t><uintptr_t>int(buffer.handle)
        nbytes = buffer.size
        v.is_device_accessible = bool(buffer.is_device_accessible)
        v.device_id = buffer.device_id if v.is_device_accessible else -1
        v.readonly = is_readonly
        v._keep = buffer
    else:
        held = _HostBufferView.__new__(_HostBufferView)
        try:
            PyObject_GetBuffer(buffer, &held.view, PyBUF_FULL_RO)
        except TypeError:
            raise TypeError(f"from_buffer needs a Buffer or a buffer-protocol object, not {type(buffer).__name__}") from None
        held.held = True
        if not PyBuffer_IsContiguous_(&held.view):
            raise BufferError("from_buffer needs a contiguous buffer-protocol object")
        v.ptr = <intptr_t>held.view.buf
        nbytes = held.view.len
        v.is_device_accessible = False
        v.device_id = -1
        v.readonly = is_readonly or held.view.readonly
        v._keep = held
    v.exporting_obj = buffer
    # the extent must lie inside the buffer
    lo = 0
    hi = 0
    steps = v._strides if v._strides is not None else _c_strides(v._shape)
    if all(extent > 0 for extent in v._shape):
        for extent, step in zip(v._shape, steps):
            if step >= 0:
                hi += (extent - 1) * step
            else:
                lo += (extent - 1) * step
        if lo < 0 or (hi + 1) * itemsize > nbytes:
            raise ValueError(f"shape {v._shape} with strides {steps} and itemsize {itemsize} reaches outside "
                             f"the buffer's {nbytes} bytes")
    return 0


cdef bint PyBuffer_IsContiguous_(Py_buffer* view) noexcept:
    return PyBuffer_IsContiguous(view, b'A')


# --------------------------------------------------------------------------------------------
# copies between views

cdef int _copy_views(StridedMemoryView dst, StridedMemoryView src, object stream, object blocking) except -1:
    cdef cydriver.CUstream s
    cdef size_t nbytes
    cdef cydriver.CUdeviceptr dp, sp
    if not isinstance(dst, StridedMemoryView) or not isinstance(src, StridedMemoryView):
        raise TypeError("copies go between StridedMemoryView objects")
    if dst.readonly:
        raise ValueError("the destination view is read-only")
    if dst.shape != src.shape:
        raise ValueError(f"shapes differ: destination {dst.shape}, source {src.shape}")
    if dst.dtype.itemsize != src.dtype.itemsize:
        raise ValueError(f"itemsizes differ: destination {dst.dtype.itemsize}, source {src.dtype.itemsize}")
    for view in (dst, src):
        if view.strides is not None and view.strides != _c_strides(view.shape) and view.size > 1:
            raise NotImplementedError("only C-contiguous views can be copied")
    nbytes = src.size * src.dtype.itemsize
    if nbytes == 0:
        return 0
    if not dst.is_device_accessible and not src.is_device_accessible:
        memcpy(<void*>dst.ptr, <const void*>src.ptr, nbytes)
        return 0
    if stream is None:
        raise ValueError("a stream is needed to copy device memory")
    s = <cydriver.CUstream><uintptr_t>_stream_address(stream)
    dp = <cydriver.CUdeviceptr>dst.ptr
    sp = <cydriver.CUdeviceptr>src.ptr
    if blocking is None:
        blocking = not (dst.is_device_accessible and src.is_device_accessible)
    with nogil:
        check(cydriver.cuMemcpyAsync(dp, sp, nbytes, s))
    if blocking:
        with nogil:
            check(cydriver.cuStreamSynchronize(s))
    return 0


# --------------------------------------------------------------------------------------------
# the decorator


cdef class _StridedMemoryViewProxy:
    """Stands for an argument of a function decorated by args_viewable_as_strided_memory:
    ``view(stream_ptr)`` makes the StridedMemoryView."""

    cdef readonly object obj
    cdef readonly bint has_dlpack

    def __init__(self, obj):
        self.obj = obj
        if hasattr(obj, "__dlpack__") and hasattr(obj, "__dlpack_device__"):
            self.has_dlpack = True
        elif hasattr(obj, "__cuda_array_interface__") or hasattr(obj, "__array_interface__"):
            self.has_dlpack = False
        else:
            raise RuntimeError(f"{type(obj).__name__} supports no data exchange protocol "
                               "(DLPack, CUDA Array Interface, array interface)")

    def view(self, stream_ptr=None):
        cdef StridedMemoryView v = StridedMemoryView.__new__(StridedMemoryView)
        if self.has_dlpack:
            _view_dlpack(v, self.obj, stream_ptr)
        elif hasattr(self.obj, "__cuda_array_interface__"):
            _view_cai(v, self.obj, stream_ptr)
        else:
            _view_array_interface(v, self.obj)
        return v


def args_viewable_as_strided_memory(tuple arg_indices):
    """Decorator: the positional arguments at ``arg_indices`` reach the function as proxies
    whose ``view(stream_ptr)`` returns a StridedMemoryView of the original argument."""
    for idx in arg_indices:
        if isinstance(idx, bool) or not isinstance(idx, int):
            raise TypeError(f"argument indices must be ints, not {type(idx).__name__}")

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            args = list(args)
            for idx in arg_indices:
                args[idx] = _StridedMemoryViewProxy(args[idx])
            return func(*args, **kwargs)

        return wrapper

    return decorate
