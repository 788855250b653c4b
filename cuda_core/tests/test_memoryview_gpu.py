# SPDX-License-Identifier: Apache-2.0
"""StridedMemoryView over device memory: cuda.core Buffers, CuPy and PyTorch through DLPack
and the CUDA Array Interface, copies between host and device views."""

from __future__ import annotations

import numpy as np
import pytest

from cuda.core.utils import StridedMemoryView, args_viewable_as_strided_memory

pytestmark = pytest.mark.gpu

RNG = np.random.default_rng(99)


@pytest.fixture
def stream(device):
    s = device.create_stream()
    yield s
    s.close()


def stream_ptr(stream):
    return int(stream.__cuda_stream__()[1])


def test_from_buffer_and_copies(device, stream):
    buf = device.allocate(24 * 4, stream)
    view = StridedMemoryView.from_buffer(buf, (4, 6), dtype=np.float32)
    assert view.ptr == buf.handle
    assert view.shape == (4, 6)
    assert view.strides is None
    assert view.dtype == np.float32
    assert view.device_id == device.device_id
    assert view.is_device_accessible is True
    assert view.exporting_obj is buf
    src = RNG.standard_normal((4, 6)).astype(np.float32)
    view.copy_from(StridedMemoryView.from_dlpack(src, -1), stream)
    out = np.full((4, 6), np.nan, np.float32)
    view.copy_to(StridedMemoryView.from_dlpack(out, -1), stream)
    np.testing.assert_array_equal(out, src)
    with pytest.raises(ValueError):
        StridedMemoryView.from_buffer(buf, (5, 6), dtype=np.float32)


def test_device_to_device_view_copy(device, stream):
    a = device.allocate(400, stream)
    b = device.allocate(400, stream)
    va = StridedMemoryView.from_buffer(a, (100,), dtype=np.int32)
    vb = StridedMemoryView.from_buffer(b, (100,), dtype=np.int32)
    data = RNG.integers(-1000, 1000, 100).astype(np.int32)
    va.copy_from(StridedMemoryView.from_dlpack(data, -1), stream)
    b.fill(0xFF, stream=stream)
    vb.copy_from(va, stream, blocking=True)
    out = np.zeros(100, np.int32)
    vb.copy_to(StridedMemoryView.from_dlpack(out, -1), stream)
    np.testing.assert_array_equal(out, data)


@pytest.mark.parametrize("dtype", ["int8", "uint16", "int32", "float32", "float64", "complex64"])
def test_cupy_dlpack_and_cai(device, stream, dtype):
    cp = pytest.importorskip("cupy")
    base = cp.asarray(RNG.integers(0, 50, (6, 8)).astype(dtype))
    for arr in (base, base[:, ::2], base.T, base[1:4]):
        for view in (
            StridedMemoryView.from_dlpack(arr, stream_ptr(stream)),
            StridedMemoryView.from_cuda_array_interface(arr, stream_ptr(stream)),
            StridedMemoryView(arr, -1),
        ):
            assert view.ptr == arr.data.ptr
            assert view.shape == arr.shape
            expected = tuple(s // arr.itemsize for s in arr.strides)
            assert view.strides in (expected, None if arr.flags.c_contiguous else expected)
            assert view.dtype == np.dtype(dtype)
            assert view.device_id == device.device_id
            assert view.is_device_accessible is True
            assert view.readonly is False
            assert view.exporting_obj is arr


def test_cupy_values_through_view(device, stream):
    cp = pytest.importorskip("cupy")
    arr = cp.arange(32, dtype=cp.float64).reshape(4, 8)
    cp.cuda.Device().synchronize()
    view = StridedMemoryView.from_dlpack(arr, -1)
    out = np.full((4, 8), -1.0)
    StridedMemoryView.from_dlpack(out, -1).copy_from(view, stream)
    np.testing.assert_array_equal(out, np.arange(32, dtype=np.float64).reshape(4, 8))


def test_torch_dlpack(device, stream):
    torch = pytest.importorskip("torch")
    t = torch.arange(60, dtype=torch.float16, device=f"cuda:{device.device_id}").reshape(3, 4, 5)
    for src in (t, t[:, 1:, ::2], t.transpose(0, 2)):
        view = StridedMemoryView.from_dlpack(src, stream_ptr(stream))
        assert view.ptr == src.data_ptr()
        assert view.shape == tuple(src.shape)
        assert view.strides in (tuple(src.stride()), None)
        assert view.dtype == np.float16
        assert view.device_id == device.device_id
    torch.cuda.synchronize()
    out = np.zeros((3, 4, 5), np.float16)
    StridedMemoryView.from_dlpack(out, -1).copy_from(StridedMemoryView.from_dlpack(t, -1), stream)
    np.testing.assert_array_equal(out, np.arange(60, dtype=np.float16).reshape(3, 4, 5))


def test_torch_bfloat16(device):
    torch = pytest.importorskip("torch")
    t = torch.ones(4, dtype=torch.bfloat16, device="cuda")
    view = StridedMemoryView.from_dlpack(t, -1)
    try:
        import ml_dtypes  # noqa: F401
    except ImportError:
        with pytest.raises(NotImplementedError):
            _ = view.dtype
    else:
        assert view.dtype.name == "bfloat16"


def test_cai_stream_ordering(device, stream):
    cp = pytest.importorskip("cupy")
    producer = cp.cuda.Stream(non_blocking=True)
    with producer:
        arr = cp.full(1 << 20, 3, dtype=cp.int32)
    view = StridedMemoryView.from_cuda_array_interface(arr, stream_ptr(stream))
    out = np.zeros(1 << 20, np.int32)
    # ordered after the producer's fill by the event the view recorded
    StridedMemoryView.from_dlpack(out, -1).copy_from(view, stream)
    assert (out == 3).all()


def test_decorator_with_device_arrays(device, stream):
    cp = pytest.importorskip("cupy")

    @args_viewable_as_strided_memory((0,))
    def shape_of(x, s):
        return x.view(stream_ptr(s)).shape

    assert shape_of(cp.zeros((3, 2)), stream) == (3, 2)
    assert shape_of(device.allocate(16, stream), stream) == (16,)


def test_tensor_map(device, stream):
    from cuda.core import TensorMapDescriptor, TensorMapDescriptorOptions

    if device.compute_capability < (9, 0):
        pytest.skip("tensor maps need compute capability 9.0")
    buf = device.allocate(64 * 64 * 4, stream)
    view = StridedMemoryView.from_buffer(buf, (64, 64), dtype=np.float32)
    tmap = view.as_tensor_map((16, 32))
    assert isinstance(tmap, TensorMapDescriptor)
    assert tmap.device == device
    tmap2 = view.as_tensor_map(options=TensorMapDescriptorOptions(box_dim=(8, 8), swizzle=0))
    assert tmap2.device == device
    other = device.allocate(64 * 64 * 4, stream)
    tmap.replace_address(StridedMemoryView.from_buffer(other, (64, 64), dtype=np.float32))
    with pytest.raises(ValueError):
        view.as_tensor_map((16, 300))  # box entries are at most 256
    with pytest.raises(ValueError):
        view.as_tensor_map((16,))  # rank mismatch
    from cuda.core import Buffer

    unaligned = Buffer.from_handle(buf.handle + 4, 1024)
    with pytest.raises(ValueError):
        StridedMemoryView.from_buffer(unaligned, (16, 16), dtype=np.float32).as_tensor_map((4, 4))
    with pytest.raises(RuntimeError):
        TensorMapDescriptor()
