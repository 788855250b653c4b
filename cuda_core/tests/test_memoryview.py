# SPDX-License-Identifier: Apache-2.0
"""StridedMemoryView over host arrays: the array interface, DLPack (versioned and legacy
capsules), buffer-protocol objects, the decorator, views and host copies."""

from __future__ import annotations

import ctypes
import gc

import numpy as np
import pytest

from cuda.core.utils import StridedMemoryView, args_viewable_as_strided_memory

RNG = np.random.default_rng(1234)

DTYPES = [
    np.int8,
    np.uint16,
    np.int32,
    np.uint64,
    np.float16,
    np.float32,
    np.float64,
    np.complex64,
    np.complex128,
    np.bool_,
]


def element_strides(arr):
    return tuple(s // arr.itemsize for s in arr.strides)


def random_array(shape, dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "b":
        return RNG.integers(0, 2, shape).astype(dtype)
    if dtype.kind == "c":
        return np.asarray(RNG.standard_normal(shape) + 1j * RNG.standard_normal(shape)).astype(dtype)
    if dtype.kind == "f":
        return RNG.standard_normal(shape).astype(dtype)
    return RNG.integers(0, 100, shape).astype(dtype)


class LegacyDLPack:
    """An exporter from before DLPack 1.0: __dlpack__ takes no max_version."""

    def __init__(self, arr):
        self.arr = arr

    def __dlpack__(self, stream=None):
        return self.arr.__dlpack__(stream=stream)

    def __dlpack_device__(self):
        return self.arr.__dlpack_device__()


class ArrayInterfaceOnly:
    def __init__(self, arr):
        self.arr = arr
        self.__array_interface__ = arr.__array_interface__


def check_view(view, arr, *, strides_none_ok):
    assert view.ptr == arr.ctypes.data
    assert view.shape == arr.shape
    assert view.dtype == arr.dtype
    assert view.size == arr.size
    assert view.device_id == -1
    assert view.is_device_accessible is False
    if view.strides is None:
        assert strides_none_ok and arr.flags.c_contiguous
    else:
        assert view.strides == element_strides(arr)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(7,), (3, 5), (2, 3, 4), ()])
def test_array_interface(dtype, shape):
    arr = random_array(shape, dtype)
    view = StridedMemoryView.from_array_interface(arr)
    check_view(view, arr, strides_none_ok=True)
    assert view.strides is None  # C-contiguous exporters give none
    assert view.readonly is False
    assert view.exporting_obj is arr


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(7,), (3, 5), (2, 3, 4)])
def test_dlpack_versioned(dtype, shape):
    arr = random_array(shape, dtype)
    view = StridedMemoryView.from_dlpack(arr, -1)
    check_view(view, arr, strides_none_ok=False)
    assert view.readonly is False
    assert view.exporting_obj is arr


@pytest.mark.parametrize("dtype", [np.int16, np.float64])
def test_dlpack_legacy_capsule(dtype):
    arr = random_array((4, 6), dtype)[:, 1::2]
    view = StridedMemoryView.from_dlpack(LegacyDLPack(arr), -1)
    check_view(view, arr, strides_none_ok=False)
    assert view.strides == (6, 2)


@pytest.mark.parametrize("make", [lambda a: a[::2], lambda a: a.T, lambda a: a[1:, ::-1], lambda a: a[:, 2]])
def test_strided_views(make):
    base = random_array((6, 5), np.float32)
    arr = make(base)
    for view in (StridedMemoryView.from_dlpack(arr, -1), StridedMemoryView.from_array_interface(arr)):
        assert view.ptr == arr.ctypes.data
        assert view.shape == arr.shape
        assert view.strides == element_strides(arr)
        assert view.dtype == np.float32


def test_readonly_arrays():
    arr = random_array((8,), np.int32)
    arr.flags.writeable = False
    assert StridedMemoryView.from_dlpack(arr, -1).readonly is True
    assert StridedMemoryView.from_array_interface(arr).readonly is True


def test_dlpack_view_keeps_exporter_alive():
    arr = np.arange(100, dtype=np.int64)
    expected = arr.copy()
    view = StridedMemoryView.from_dlpack(arr, -1)
    ptr = view.ptr
    del arr
    gc.collect()
    assert view.exporting_obj.ctypes.data == ptr
    np.testing.assert_array_equal(view.exporting_obj, expected)


def test_dlpack_deleter_runs_when_view_goes():
    arr = np.arange(10, dtype=np.int32)
    import sys

    before = sys.getrefcount(arr)
    view = StridedMemoryView.from_dlpack(arr, -1)
    assert sys.getrefcount(arr) > before
    del view
    gc.collect()
    assert sys.getrefcount(arr) == before


def test_from_any_interface_and_constructor():
    arr = random_array((3, 4), np.float64)
    for view in (
        StridedMemoryView.from_any_interface(arr, -1),
        StridedMemoryView(arr, -1),
        StridedMemoryView(arr, -1),
        StridedMemoryView.from_any_interface(ArrayInterfaceOnly(arr), -1),
    ):
        assert view.ptr == arr.ctypes.data
        assert view.shape == (3, 4)
        assert view.dtype == np.float64
    with pytest.raises(BufferError):
        StridedMemoryView.from_any_interface(object(), -1)
    with pytest.raises(BufferError):
        StridedMemoryView(42, -1)


def test_structured_dtype_via_array_interface():
    dt = np.dtype([("a", np.int32), ("b", np.float64)])
    arr = np.zeros(5, dt)
    view = StridedMemoryView.from_array_interface(arr)
    assert view.dtype == dt
    assert view.shape == (5,)


def test_array_interface_without_data_pointer():
    class Exporter:
        def __init__(self):
            self.raw = bytearray(range(24))
            self.__array_interface__ = {"version": 3, "shape": (2, 3), "typestr": "<i4", "data": self.raw}

    exp = Exporter()
    view = StridedMemoryView.from_array_interface(exp)
    assert view.shape == (2, 3)
    assert view.dtype == np.int32
    assert view.strides is None
    got = np.frombuffer(exp.raw, np.int32).reshape(2, 3)
    assert view.ptr == got.ctypes.data


def test_bad_input_types():
    with pytest.raises(TypeError):
        StridedMemoryView.from_dlpack(object(), -1)
    with pytest.raises(TypeError):
        StridedMemoryView.from_array_interface(object())
    with pytest.raises(TypeError):
        StridedMemoryView.from_cuda_array_interface(np.zeros(3), -1)
    with pytest.raises(TypeError):
        StridedMemoryView.from_dlpack(np.zeros(3), stream_ptr="1")


def test_unsupported_dlpack_device():
    class OddDevice:
        def __dlpack__(self, **kwargs):
            raise AssertionError("not reached")

        def __dlpack_device__(self):
            return (4, 0)  # OpenCL

    with pytest.raises(BufferError):
        StridedMemoryView.from_dlpack(OddDevice(), -1)


# ---- from_buffer ---------------------------------------------------------------------------


def test_from_buffer_host_bytes():
    raw = bytearray(RNG.integers(0, 255, 48, dtype=np.uint8).tobytes())
    view = StridedMemoryView.from_buffer(raw, (3, 4), dtype=np.int32)
    expected = np.frombuffer(raw, np.int32).reshape(3, 4)
    assert view.ptr == expected.ctypes.data
    assert view.shape == (3, 4)
    assert view.strides is None
    assert view.dtype == np.int32
    assert view.readonly is False
    assert view.exporting_obj is raw
    assert view.device_id == -1
    assert view.size == 12


def test_from_buffer_strides_itemsize_readonly():
    raw = bytes(64)
    view = StridedMemoryView.from_buffer(raw, (4, 2), (4, 2), itemsize=2)
    assert view.strides == (4, 2)
    assert view.dtype.itemsize == 2
    assert view.readonly is True  # bytes are immutable
    view = StridedMemoryView.from_buffer(bytearray(64), (2,), is_readonly=True, dtype=np.float64)
    assert view.readonly is True


@pytest.mark.parametrize(
    ("args", "kwargs", "error"),
    [
        (((5, 4),), {"dtype": np.int32}, ValueError),  # 80 bytes > 64
        (((4, 4),), {}, ValueError),  # neither dtype nor itemsize
        (((4, 4),), {"dtype": np.int32, "itemsize": 8}, ValueError),
        (((4, 4),), {"itemsize": 0}, ValueError),
        (((4, 4),), {"itemsize": 1.0}, TypeError),
        (("4",), {"itemsize": 1}, TypeError),
        (((4, -1),), {"itemsize": 1}, ValueError),
        (((4, 4), (4,)), {"itemsize": 1}, ValueError),
        (((4, 4), (-4, 1)), {"itemsize": 1}, ValueError),  # reaches before the start
        (((4, 4), (1.0, 1)), {"itemsize": 1}, TypeError),
    ],
)
def test_from_buffer_bad_input(args, kwargs, error):
    with pytest.raises(error):
        StridedMemoryView.from_buffer(bytearray(64), *args, **kwargs)


def test_from_buffer_rejects_non_buffers():
    with pytest.raises(TypeError):
        StridedMemoryView.from_buffer(object(), (1,), itemsize=1)


def test_from_buffer_of_cuda_core_host_buffer():
    from cuda.core import Buffer

    arr = random_array((16,), np.float32)
    buf = Buffer.from_handle(arr.ctypes.data, arr.nbytes, owner=arr)
    view = StridedMemoryView.from_buffer(buf, (4, 4), dtype=np.float32)
    assert view.ptr == arr.ctypes.data
    assert view.exporting_obj is buf
    assert view.is_device_accessible is False
    with pytest.raises(ValueError):
        StridedMemoryView.from_buffer(buf, (5, 4), dtype=np.float32)


# ---- view, copies, decorator ---------------------------------------------------------------


def test_view_with_dtype_and_layout():
    arr = random_array((4, 4), np.int32)
    view = StridedMemoryView.from_dlpack(arr, -1)
    as_float = view.view(dtype=np.float32)
    assert as_float.dtype == np.float32
    assert as_float.shape == (4, 4)
    assert as_float.ptr == view.ptr
    flat = view.view(((16,), None))
    assert flat.shape == (16,)
    assert flat.strides is None
    with pytest.raises(ValueError):
        view.view(dtype=np.float64)


def test_host_copy_between_views():
    src = random_array((5, 3), np.float64)
    dst = np.full((5, 3), -7.0)
    StridedMemoryView.from_dlpack(dst, -1).copy_from(StridedMemoryView.from_array_interface(src), None)
    np.testing.assert_array_equal(dst, src)
    dst2 = np.full((5, 3), -7.0)
    StridedMemoryView.from_dlpack(src, -1).copy_to(StridedMemoryView.from_dlpack(dst2, -1))
    np.testing.assert_array_equal(dst2, src)


def test_copy_checks():
    a = StridedMemoryView.from_dlpack(np.zeros((2, 3)), -1)
    with pytest.raises(ValueError):
        a.copy_from(StridedMemoryView.from_dlpack(np.zeros((3, 2)), -1), None)
    with pytest.raises(ValueError):
        a.copy_from(StridedMemoryView.from_dlpack(np.zeros((2, 3), np.float32), -1), None)
    with pytest.raises(NotImplementedError):
        a.copy_from(StridedMemoryView.from_dlpack(np.zeros((3, 2)).T, -1), None)
    ro = np.zeros((2, 3))
    ro.flags.writeable = False
    with pytest.raises(ValueError):
        StridedMemoryView.from_dlpack(ro, -1).copy_from(a, None)


def test_args_viewable_as_strided_memory():
    @args_viewable_as_strided_memory((1, 2))
    def func(scale, x, y, *, stream_ptr=-1):
        vx = x.view(stream_ptr)
        vy = y.view(stream_ptr)
        assert isinstance(vx, StridedMemoryView)
        return scale, vx.shape, vx.dtype, vy.shape, vy.dtype

    a = random_array((2, 3), np.int16)
    b = ArrayInterfaceOnly(random_array((4,), np.float32))
    assert func(2, a, b) == (2, (2, 3), np.int16, (4,), np.float32)
    with pytest.raises(RuntimeError):
        func(1, object(), a)
    with pytest.raises(TypeError):
        args_viewable_as_strided_memory(("1",))


def test_repr_mentions_fields():
    text = repr(StridedMemoryView.from_dlpack(np.zeros((2, 2), np.float32), -1))
    assert "shape=(2, 2)" in text
    assert "float32" in text
    assert "device_id=-1" in text


@pytest.mark.parametrize("dtype", [np.int8, np.uint32, np.float16, np.float64, np.complex64, np.bool_])
def test_view_exports_dlpack(dtype):
    base = random_array((4, 6), dtype)
    for arr in (base, base[:, ::2], base.T):
        view = StridedMemoryView.from_array_interface(arr)
        assert view.__dlpack_device__() == (1, 0)
        out = np.from_dlpack(view)
        assert out.ctypes.data == arr.ctypes.data
        assert out.dtype == arr.dtype
        np.testing.assert_array_equal(out, arr)
        back = StridedMemoryView.from_dlpack(view, -1)
        assert back.shape == arr.shape
        assert back.strides == element_strides(arr)
        assert back.exporting_obj is view


def test_view_dlpack_export_readonly_and_errors():
    arr = random_array((5,), np.int32)
    arr.flags.writeable = False
    view = StridedMemoryView.from_dlpack(arr, -1)
    assert StridedMemoryView.from_dlpack(view, -1).readonly is True
    with pytest.raises(BufferError):
        view.__dlpack__(copy=True)
    with pytest.raises(BufferError):
        view.__dlpack__(dl_device=(2, 0))
    structured = StridedMemoryView.from_array_interface(np.zeros(3, [("a", np.int32), ("b", np.int8)]))
    with pytest.raises(BufferError):
        structured.__dlpack__()


def test_empty_view():
    view = StridedMemoryView()
    assert view.shape == ()
    assert view.strides is None
    assert view.dtype is None
    assert view.size == 1
    assert view.ptr == 0
    assert view.device_id == -1
    assert view.exporting_obj is None


def test_tensor_map_options_none_means_default():
    # as_tensor_map passes None for every keyword not given: the NONE member of each enum
    from cuda.core import TensorMapDescriptorOptions
    from cuda.core._tensor_map import TensorMapInterleave, TensorMapSwizzle

    opts = TensorMapDescriptorOptions((16, 32), None, None, None, None, None, None)
    assert opts.box_dim == (16, 32)
    assert opts.interleave is TensorMapInterleave.NONE and opts.swizzle is TensorMapSwizzle.NONE
    assert int(opts.l2_promotion) == 0 and int(opts.oob_fill) == 0
    host = StridedMemoryView.from_dlpack(np.zeros((64, 64), np.float32), -1)
    with pytest.raises(ValueError, match="device-accessible"):  # reaches the memory check
        host.as_tensor_map((16, 32))


# ---- DLPack's C exchange API -------------------------------------------------------------------


class _Version(ctypes.Structure):
    _fields_ = [("major", ctypes.c_uint32), ("minor", ctypes.c_uint32)]


class _Device(ctypes.Structure):
    _fields_ = [("device_type", ctypes.c_int), ("device_id", ctypes.c_int32)]


class _DType(ctypes.Structure):
    _fields_ = [("code", ctypes.c_uint8), ("bits", ctypes.c_uint8), ("lanes", ctypes.c_uint16)]


class _Tensor(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("device", _Device), ("ndim", ctypes.c_int32), ("dtype", _DType),
                ("shape", ctypes.POINTER(ctypes.c_int64)), ("strides", ctypes.POINTER(ctypes.c_int64)),
                ("byte_offset", ctypes.c_uint64)]  # fmt: skip


_P, _I = ctypes.c_void_p, ctypes.c_int
_TABLE = [
    ("version", _Version),
    ("prev_api", _P),
    ("allocator", ctypes.PYFUNCTYPE(_I, _P, ctypes.POINTER(_P), _P, _P)),
    ("from_py", ctypes.PYFUNCTYPE(_I, _P, ctypes.POINTER(_P))),
    ("to_py", ctypes.PYFUNCTYPE(_I, _P, ctypes.POINTER(_P))),
    ("dltensor_from_py", ctypes.PYFUNCTYPE(_I, _P, _P)),
    ("current_stream", ctypes.PYFUNCTYPE(_I, _I, ctypes.c_int32, ctypes.POINTER(_P))),
]


class _Api(ctypes.Structure):
    _fields_ = _TABLE


def _exchange_api():
    get = ctypes.pythonapi.PyCapsule_GetPointer
    get.restype, get.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
    address = get(StridedMemoryView.__dlpack_c_exchange_api__, b"dlpack_exchange_api")
    return ctypes.cast(address, ctypes.POINTER(_Api)).contents


def test_exchange_api_lends_a_tensor_and_round_trips():
    api = _exchange_api()
    assert (api.version.major, api.version.minor) >= (1, 0) and not api.prev_api
    src = np.arange(12, dtype=np.int16).reshape(3, 4)[:, ::2]
    view = StridedMemoryView.from_dlpack(src, -1)
    out = _Tensor()
    assert api.dltensor_from_py(id(view), ctypes.addressof(out)) == 0
    assert out.ndim == 2 and out.data == src.ctypes.data and (out.dtype.code, out.dtype.bits) == (0, 16)
    assert [out.shape[i] for i in range(2)] == [3, 2] and [out.strides[i] for i in range(2)] == [4, 2]
    tensor = ctypes.c_void_p()
    assert api.from_py(id(view), ctypes.byref(tensor)) == 0 and tensor.value
    back = ctypes.c_void_p()
    assert api.to_py(tensor, ctypes.byref(back)) == 0  # the new view owns the tensor
    imported = ctypes.cast(back, ctypes.py_object).value
    ctypes.pythonapi.Py_DecRef(ctypes.py_object(imported))  # the table gave a new reference
    assert isinstance(imported, StridedMemoryView) and imported.shape == (3, 2) and imported.ptr == src.ctypes.data
    assert np.array_equal(np.from_dlpack(imported), src)
    stream = ctypes.c_void_p(7)
    assert api.current_stream(1, 0, ctypes.byref(stream)) == 0 and not stream.value  # none kept


def test_exchange_api_errors_are_python_exceptions():
    api = _exchange_api()
    view = StridedMemoryView.from_dlpack(np.arange(3), -1)
    out = ctypes.c_void_p(5)
    not_a_view = object()  # alive across the call: the table reads it by address
    with pytest.raises(TypeError, match="must be a StridedMemoryView"):
        api.from_py(id(not_a_view), ctypes.byref(out))
    assert not out.value
    with pytest.raises(RuntimeError, match="out cannot be NULL"):
        api.dltensor_from_py(id(view), None)
    with pytest.raises(RuntimeError, match="tensor cannot be NULL"):
        api.to_py(None, ctypes.byref(out))
    with pytest.raises(NotImplementedError, match="not supported"):
        api.allocator(None, ctypes.byref(out), None, None)
    swapped = StridedMemoryView.from_array_interface(np.zeros(3, dtype=np.dtype(np.int32).newbyteorder("S")))
    with pytest.raises(BufferError, match="Non-native-endian"):
        api.dltensor_from_py(id(swapped), ctypes.addressof(_Tensor()))


class StreamRecorder:
    """A DLPack exporter of a device kind that records the stream each __dlpack__ call is given."""

    def __init__(self, devtype):
        self.arr, self.devtype, self.streams = np.zeros(4, np.int32), devtype, []

    def __dlpack_device__(self):
        return (self.devtype, 0)

    def __dlpack__(self, *, stream=None, max_version=None, **kwargs):
        self.streams.append(stream)
        return self.arr.__dlpack__()


def test_dlpack_consumer_streams():
    cuda = StreamRecorder(2)  # kDLCUDA
    for given, passed in ((7, 7), (-1, -1), (0, None)):  # 0, the legacy default stream: None, as DLPack says
        StridedMemoryView.from_dlpack(cuda, given)
        assert cuda.streams[-1] == passed
    with pytest.raises(BufferError, match="ambiguous"):
        StridedMemoryView.from_dlpack(cuda, None)
    for kind in (3, 13):  # kDLCUDAHost, kDLCUDAManaged: readable from both sides, None is taken
        pinned = StridedMemoryView.from_dlpack(StreamRecorder(kind), None)
        assert pinned.exporting_obj.streams == [None] and pinned.is_device_accessible
