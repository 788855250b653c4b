# SPDX-License-Identifier: Apache-2.0
"""cuda.core.texture on a GPU: arrays filled and read back, textures and surfaces made of them,
and kernels (compiled with Program) that sample and write them, checked against numpy."""

from __future__ import annotations

import array
import gc

import numpy as np
import pytest
from _gpu_helpers import ok

import cuda.core as core
from cuda.core.texture import (
    MipmappedArray,
    MipmappedArrayOptions,
    OpaqueArray,
    OpaqueArrayOptions,
    ResourceDescriptor,
    SurfaceObject,
    TextureObject,
    TextureObjectOptions,
)
from cuda.core.typing import AddressModeType, ArrayFormatType, FilterModeType, ReadModeType

pytestmark = pytest.mark.gpu

# launch() passes a Python int as 64 bits and a Python float as a double: the kernels take those
KERNELS = r"""
typedef long long i64;

extern "C" __global__ void fetch2d(unsigned long long tex, float* out, i64 w, i64 h, double dx, double dy) {
    int x = blockIdx.x * blockDim.x + threadIdx.x;
    int y = blockIdx.y * blockDim.y + threadIdx.y;
    if (x < w && y < h) out[y * w + x] = tex2D<float>((cudaTextureObject_t)tex, x + (float)dx, y + (float)dy);
}

extern "C" __global__ void fetch2d_lod(unsigned long long tex, float* out, i64 w, i64 h, double level) {
    int x = blockIdx.x * blockDim.x + threadIdx.x;
    int y = blockIdx.y * blockDim.y + threadIdx.y;
    if (x < w && y < h)
        out[y * w + x] = tex2DLod<float>((cudaTextureObject_t)tex, (x + 0.5f) / w, (y + 0.5f) / h, (float)level);
}

extern "C" __global__ void fetch3d(unsigned long long tex, float* out, i64 w, i64 h, i64 d) {
    int x = blockIdx.x * blockDim.x + threadIdx.x;
    int y = blockIdx.y * blockDim.y + threadIdx.y;
    int z = blockIdx.z;
    if (x < w && y < h && z < d)
        out[(z * h + y) * w + x] = tex3D<float>((cudaTextureObject_t)tex, x + 0.5f, y + 0.5f, z + 0.5f);
}

extern "C" __global__ void fetch_linear(unsigned long long tex, int* out, i64 n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = tex1Dfetch<int>((cudaTextureObject_t)tex, i);
}

extern "C" __global__ void fetch1d(unsigned long long tex, float* out, i64 n, double start, double step) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) out[i] = tex1D<float>((cudaTextureObject_t)tex, (float)(start + i * step));
}

extern "C" __global__ void scale_surface(unsigned long long surf, i64 w, i64 h, double factor) {
    int x = blockIdx.x * blockDim.x + threadIdx.x;
    int y = blockIdx.y * blockDim.y + threadIdx.y;
    if (x < w && y < h) {
        float v = surf2Dread<float>((cudaSurfaceObject_t)surf, x * (int)sizeof(float), y);
        surf2Dwrite(v * (float)factor + (float)(y * w + x), (cudaSurfaceObject_t)surf, x * (int)sizeof(float), y);
    }
}
"""

_CACHE: dict = {}


def _kernel(device, name):
    if device.arch not in _CACHE:
        prog = core.Program(KERNELS, "c++", core.ProgramOptions(arch=f"sm_{device.arch}"))
        _CACHE[device.arch] = prog.compile("cubin")
    return _CACHE[device.arch].get_kernel(name)


def _grid2d(w, h, block=(16, 16)):
    return core.LaunchConfig(grid=((w + block[0] - 1) // block[0], (h + block[1] - 1) // block[1]), block=block)


@pytest.fixture
def stream(device):
    s = device.create_stream()
    yield s
    s.close()


def _device_buffer(device, stream, nbytes):
    """A device Buffer poisoned with 0xAB."""
    from cuda.bindings import driver

    buf = device.memory_resource.allocate(nbytes, stream=stream)
    ok(driver.cuMemsetD8Async(buf.handle, 0xAB, nbytes, int(stream.handle)))
    return buf


def _write(buf, stream, host):
    """Copy the numpy array ``host`` to the start of ``buf`` (complete on return)."""
    from cuda.bindings import driver

    host = np.ascontiguousarray(host)
    ok(driver.cuMemcpyHtoDAsync(buf.handle, host, host.nbytes, int(stream.handle)))
    stream.sync()


def _read(buf, stream, dtype, shape):
    from cuda.bindings import driver

    out = np.empty(shape, dtype=dtype)
    stream.sync()
    ok(driver.cuMemcpyDtoH(out, buf.handle, out.nbytes))
    return out


def _opaque(device, shape, fmt, channels=1, surface=False):
    return device.create_opaque_array(
        OpaqueArrayOptions(shape=shape, format=fmt, num_channels=channels, is_surface_load_store=surface)
    )


# ---- arrays


def test_array_properties(device):
    arr = _opaque(device, (32, 16), ArrayFormatType.FLOAT32)
    try:
        assert isinstance(arr, OpaqueArray)
        assert arr.shape == (32, 16) and arr.format is ArrayFormatType.FLOAT32 and arr.num_channels == 1
        assert arr.element_bytes == 4 and arr.size_bytes == 32 * 16 * 4
        assert arr.is_surface_load_store is False and arr.handle != 0 and not arr.is_closed
        assert arr.device.device_id == device.device_id
    finally:
        arr.close()
    assert arr.is_closed and arr.handle == 0
    arr.close()


@pytest.mark.parametrize("fmt", ["float16", np.uint8, np.dtype("int32")])
def test_array_3d_surface_flag_and_format_spellings(device, fmt):
    arr = _opaque(device, (8, 4, 2), fmt, channels=4, surface=True)
    try:
        assert arr.shape == (8, 4, 2) and arr.num_channels == 4 and arr.is_surface_load_store is True
        assert arr.format is ArrayFormatType(np.dtype(fmt).name if not isinstance(fmt, str) else fmt)
    finally:
        arr.close()


def test_create_opaque_array_takes_a_dict(device):
    with device.create_opaque_array({"shape": (4,), "format": "uint16", "num_channels": 2}) as arr:
        assert arr.shape == (4,) and arr.element_bytes == 4


def test_create_rejects_bad_options(device):
    with pytest.raises(TypeError, match="options must be given"):
        device.create_opaque_array()
    with pytest.raises(TypeError, match="options must be"):
        device.create_opaque_array("float32")
    with pytest.raises(ValueError, match="num_channels"):
        device.create_opaque_array(OpaqueArrayOptions(shape=(8,), format="uint8", num_channels=3))
    opts = OpaqueArrayOptions(shape=(8,), format="uint8", num_channels=1)
    opts.shape = (8, 0)  # changed after it was made: checked again at creation
    with pytest.raises(ValueError, match=r"shape\[1\]"):
        device.create_opaque_array(opts)


@pytest.mark.parametrize("shape", [(37,), (19, 7), (9, 5, 3)])
@pytest.mark.parametrize("dtype, channels", [(np.uint32, 1), (np.float32, 2), (np.int16, 4), (np.uint8, 1)])
def test_host_round_trip(device, stream, shape, dtype, channels):
    arr = _opaque(device, shape, dtype, channels)
    try:
        rng = np.random.default_rng()
        src = rng.integers(0, 100, size=(*shape[::-1], channels)).astype(dtype)
        keep = src.copy()
        dst = np.full_like(src, 0x5A)
        arr.copy_from(src, stream=stream)
        assert arr.copy_to(dst, stream=stream) is dst
        stream.sync()
        np.testing.assert_array_equal(dst, keep)
        np.testing.assert_array_equal(src, keep)  # copy_from leaves its source alone
    finally:
        arr.close()


def test_round_trip_with_array_module_buffers(device, stream):
    arr = _opaque(device, (16,), ArrayFormatType.UINT32)
    try:
        values = list(np.random.default_rng().integers(0, 2**32, size=16, dtype=np.uint64))
        src = array.array("I", values)
        dst = array.array("I", [0] * 16)
        arr.copy_from(src, stream=stream)
        arr.copy_to(dst, stream=stream)
        stream.sync()
        assert list(dst) == values
    finally:
        arr.close()


def test_device_buffer_round_trip(device, stream):
    shape = (24, 10)
    arr = _opaque(device, shape, np.float32)
    src = np.random.default_rng().random((shape[1], shape[0]), dtype=np.float32)
    a = _device_buffer(device, stream, arr.size_bytes)
    b = _device_buffer(device, stream, arr.size_bytes + 64)  # larger than needed is fine
    try:
        _write(a, stream, src)
        arr.copy_from(a, stream=stream)
        arr.copy_to(b, stream=stream)
        out = _read(b, stream, np.uint8, arr.size_bytes + 64)
        np.testing.assert_array_equal(out[: arr.size_bytes].view(np.float32).reshape(src.shape), src)
        assert (out[arr.size_bytes :] == 0xAB).all()  # nothing written past the array's bytes
    finally:
        a.close()
        b.close()
        arr.close()


def test_copy_rejects_undersized_buffers(device, stream):
    arr = _opaque(device, (16,), ArrayFormatType.UINT32)
    small = device.memory_resource.allocate(32, stream=stream)
    try:
        for other in (array.array("I", [0] * 8), small):
            with pytest.raises(ValueError, match="smaller than the array extent"):
                arr.copy_from(other, stream=stream)
            with pytest.raises(ValueError, match="smaller than the array extent"):
                arr.copy_to(other, stream=stream)
        with pytest.raises(TypeError, match="Stream or GraphBuilder expected"):
            arr.copy_to(array.array("I", [0] * 16), stream="not-a-stream")
    finally:
        small.close()
        arr.close()


def test_copies_captured_in_a_graph(device, stream):
    arr = _opaque(device, (64,), ArrayFormatType.INT32)
    src = np.random.default_rng().integers(-(2**31), 2**31 - 1, size=64, dtype=np.int32)
    a = _device_buffer(device, stream, arr.size_bytes)
    b = _device_buffer(device, stream, arr.size_bytes)
    try:
        _write(a, stream, src)
        stream.sync()
        gb = device.create_graph_builder().begin_building()
        arr.copy_from(a, stream=gb)
        arr.copy_to(b, stream=gb)
        graph = gb.end_building().complete()
        graph.launch(stream)
        np.testing.assert_array_equal(_read(b, stream, np.int32, 64), src)
    finally:
        a.close()
        b.close()
        arr.close()


# ---- mipmapped arrays


def test_mipmapped_array_levels(device, stream):
    shape, levels = (64, 32), 4
    mip = device.create_mipmapped_array(
        MipmappedArrayOptions(shape=shape, format="float32", num_channels=1, num_levels=levels)
    )
    try:
        assert isinstance(mip, MipmappedArray)
        assert (mip.shape, mip.format, mip.num_channels, mip.num_levels) == (
            shape,
            ArrayFormatType.FLOAT32,
            1,
            levels,
        )
        assert mip.handle != 0 and mip.is_surface_load_store is False
        assert mip.device.device_id == device.device_id
        rng = np.random.default_rng()
        for level in range(levels):
            lvl = mip.get_level(level)
            expected = tuple(max(1, d >> level) for d in shape)
            assert isinstance(lvl, OpaqueArray) and lvl.shape == expected
            assert lvl.format is ArrayFormatType.FLOAT32 and lvl.num_channels == 1
            data = rng.random(expected[::-1], dtype=np.float32)
            out = np.full_like(data, -1.0)
            lvl.copy_from(data, stream=stream)
            lvl.copy_to(out, stream=stream)
            stream.sync()
            np.testing.assert_array_equal(out, data)
            lvl.close()
        with pytest.raises(ValueError, match="num_levels"):
            mip.get_level(levels)
        with pytest.raises(ValueError, match=">= 0"):
            mip.get_level(-1)
    finally:
        mip.close()
    assert mip.handle == 0 and mip.is_closed
    mip.close()
    with pytest.raises(RuntimeError, match="closed"):
        mip.get_level(0)


def test_mipmapped_array_with_more_levels_than_sizes(device):
    # the driver takes it (seen on driver 580, H200, 2026-12-05): levels go down to 1 x 1
    mip = device.create_mipmapped_array(
        MipmappedArrayOptions(shape=(8, 8), format="uint8", num_channels=1, num_levels=10)
    )
    try:
        assert mip.get_level(3).shape == (1, 1)
    finally:
        mip.close()


def test_level_outlives_its_mipmapped_array(device, stream):
    mip = device.create_mipmapped_array(
        MipmappedArrayOptions(shape=(16, 16), format=ArrayFormatType.UINT32, num_channels=1, num_levels=3)
    )
    lvl = mip.get_level(1)
    mip.close()
    del mip
    gc.collect()
    try:
        assert lvl.handle != 0 and lvl.shape == (8, 8)
        src = np.random.default_rng().integers(0, 2**32, size=(8, 8), dtype=np.uint32)
        dst = np.zeros_like(src)
        lvl.copy_from(src, stream=stream)
        lvl.copy_to(dst, stream=stream)
        stream.sync()
        np.testing.assert_array_equal(dst, src)
    finally:
        lvl.close()


# ---- textures


def test_point_sampled_2d_texture(device, stream):
    w, h = 37, 23
    data = np.random.default_rng().random((h, w), dtype=np.float32)
    arr = _opaque(device, (w, h), np.float32)
    out = _device_buffer(device, stream, data.nbytes)
    try:
        arr.copy_from(data, stream=stream)
        opts = TextureObjectOptions(address_mode="clamp", filter_mode="point", read_mode="element_type")
        tex = device.create_texture_object(resource=ResourceDescriptor.from_opaque_array(arr), options=opts)
        assert isinstance(tex, TextureObject) and tex.handle != 0
        assert tex.options is opts and tex.resource.source is arr and tex.device.device_id == device.device_id
        core.launch(stream, _grid2d(w, h), _kernel(device, "fetch2d"), tex.handle, out.handle, w, h, 0.5, 0.5)
        np.testing.assert_array_equal(_read(out, stream, np.float32, (h, w)), data)
        tex.close()
        assert tex.is_closed and tex.handle == 0
        tex.close()
    finally:
        out.close()
        arr.close()


def test_linear_filtering_and_clamp(device, stream):
    w, h = 16, 8
    data = np.random.default_rng().random((h, w), dtype=np.float32)
    arr = _opaque(device, (w, h), np.float32)
    out = _device_buffer(device, stream, data.nbytes)
    try:
        arr.copy_from(data, stream=stream)
        tex = device.create_texture_object(
            resource=ResourceDescriptor.from_opaque_array(arr),
            options=TextureObjectOptions(address_mode=AddressModeType.CLAMP, filter_mode=FilterModeType.LINEAR),
        )
        # x + 1.0: halfway between element x and x + 1 (the last one clamps to itself)
        core.launch(stream, _grid2d(w, h), _kernel(device, "fetch2d"), tex.handle, out.handle, w, h, 1.0, 0.5)
        got = _read(out, stream, np.float32, (h, w))
        right = np.concatenate([data[:, 1:], data[:, -1:]], axis=1)
        # the hardware interpolates with 8-bit fractional weights
        np.testing.assert_allclose(got, (data + right) / 2, atol=1e-2)
        tex.close()
    finally:
        out.close()
        arr.close()


def _expected_address(mode, data, j):
    n = len(data)
    if 0 <= j < n:
        return data[j]
    if mode == "wrap":
        return data[j % n]
    if mode == "clamp":
        return data[min(max(j, 0), n - 1)]
    if mode == "mirror":
        period = j % (2 * n)
        return data[period if period < n else 2 * n - 1 - period]
    return np.float32(0.25)  # border


@pytest.mark.parametrize("mode", ["wrap", "clamp", "mirror", "border"])
def test_address_modes(device, stream, mode):
    n = 8
    data = np.random.default_rng().random(n, dtype=np.float32)
    arr = _opaque(device, (n,), np.float32)
    out = _device_buffer(device, stream, 3 * n * 4)
    try:
        arr.copy_from(data, stream=stream)
        tex = device.create_texture_object(
            resource=ResourceDescriptor.from_opaque_array(arr),
            options=TextureObjectOptions(address_mode=mode, normalized_coords=True, border_color=(0.25,) * 4),
        )
        # the centres of elements -n .. 2n - 1, in normalized coordinates (wrap and mirror need them)
        core.launch(stream, core.LaunchConfig(grid=1, block=3 * n), _kernel(device, "fetch1d"),
                    tex.handle, out.handle, 3 * n, (0.5 - n) / n, 1.0 / n)  # fmt: skip
        want = np.array([_expected_address(mode, data, j) for j in range(-n, 2 * n)], dtype=np.float32)
        np.testing.assert_array_equal(_read(out, stream, np.float32, 3 * n), want)
        tex.close()
    finally:
        out.close()
        arr.close()


def test_normalized_float_read_of_uint8(device, stream):
    n = 64
    data = np.random.default_rng().integers(0, 256, size=n, dtype=np.uint8)
    arr = _opaque(device, (n,), "uint8")
    out = _device_buffer(device, stream, n * 4)
    try:
        arr.copy_from(data, stream=stream)
        tex = device.create_texture_object(
            resource=ResourceDescriptor.from_opaque_array(arr),
            options=TextureObjectOptions(read_mode=ReadModeType.NORMALIZED_FLOAT),
        )
        core.launch(stream, core.LaunchConfig(grid=1, block=n), _kernel(device, "fetch1d"),
                    tex.handle, out.handle, n, 0.5, 1.0)  # fmt: skip
        np.testing.assert_allclose(_read(out, stream, np.float32, n), data / np.float32(255), rtol=1e-6)
        tex.close()
    finally:
        out.close()
        arr.close()


def test_3d_texture(device, stream):
    w, h, d = 9, 6, 4
    data = np.random.default_rng().random((d, h, w), dtype=np.float32)
    arr = _opaque(device, (w, h, d), np.float32)
    out = _device_buffer(device, stream, data.nbytes)
    try:
        arr.copy_from(data, stream=stream)
        tex = device.create_texture_object(resource=ResourceDescriptor.from_opaque_array(arr))
        cfg = core.LaunchConfig(grid=(1, 1, d), block=(16, 8, 1))
        core.launch(stream, cfg, _kernel(device, "fetch3d"), tex.handle, out.handle, w, h, d)
        np.testing.assert_array_equal(_read(out, stream, np.float32, (d, h, w)), data)
        tex.close()
    finally:
        out.close()
        arr.close()


def test_mipmapped_texture_reads_each_level(device, stream):
    shape, levels = (32, 16), 3
    mip = device.create_mipmapped_array(
        MipmappedArrayOptions(shape=shape, format="float32", num_channels=1, num_levels=levels)
    )
    rng = np.random.default_rng()
    datas = []
    try:
        for level in range(levels):
            w, h = (max(1, s >> level) for s in shape)
            datas.append(rng.random((h, w), dtype=np.float32))
            with mip.get_level(level) as lvl:
                lvl.copy_from(datas[-1], stream=stream)
        tex = device.create_texture_object(
            resource=ResourceDescriptor.from_mipmapped_array(mip),
            options=TextureObjectOptions(normalized_coords=True, max_mipmap_level_clamp=float(levels - 1)),
        )
        mip.close()  # the texture keeps the storage
        k = _kernel(device, "fetch2d_lod")
        for level, data in enumerate(datas):
            h, w = data.shape
            out = _device_buffer(device, stream, data.nbytes)
            core.launch(stream, _grid2d(w, h), k, tex.handle, out.handle, w, h, float(level))
            np.testing.assert_array_equal(_read(out, stream, np.float32, (h, w)), data)
            out.close()
        tex.close()
    finally:
        mip.close()


def test_linear_texture(device, stream):
    n = 300
    data = np.random.default_rng().integers(-(2**31), 2**31 - 1, size=n, dtype=np.int32)
    src = _device_buffer(device, stream, data.nbytes)
    out = _device_buffer(device, stream, data.nbytes)
    try:
        _write(src, stream, data)
        res = ResourceDescriptor.from_linear(src, format="int32", num_channels=1)
        assert res.size_bytes == data.nbytes
        tex = device.create_texture_object(resource=res)
        core.launch(stream, core.LaunchConfig(grid=(n + 127) // 128, block=128), _kernel(device, "fetch_linear"),
                    tex.handle, out.handle, n)  # fmt: skip
        np.testing.assert_array_equal(_read(out, stream, np.int32, n), data)
        tex.close()
    finally:
        out.close()
        src.close()


def test_pitch2d_texture(device, stream):
    w, h = 20, 12
    align = device.properties.texture_pitch_alignment
    pitch = ((w * 4 + align - 1) // align) * align
    data = np.random.default_rng().random((h, w), dtype=np.float32)
    padded = np.zeros((h, pitch // 4), dtype=np.float32)
    padded[:, :w] = data
    src = _device_buffer(device, stream, padded.nbytes)
    out = _device_buffer(device, stream, data.nbytes)
    try:
        _write(src, stream, padded)
        res = ResourceDescriptor.from_pitch2d(
            src, format=np.float32, num_channels=1, width=w, height=h, pitch_bytes=pitch
        )
        tex = device.create_texture_object(resource=res, options={"filter_mode": "point"})
        core.launch(stream, _grid2d(w, h), _kernel(device, "fetch2d"), tex.handle, out.handle, w, h, 0.5, 0.5)
        np.testing.assert_array_equal(_read(out, stream, np.float32, (h, w)), data)
        tex.close()
    finally:
        out.close()
        src.close()


def test_texture_keeps_its_array_alive(device, stream):
    w, h = 8, 8
    data = np.random.default_rng().random((h, w), dtype=np.float32)
    arr = _opaque(device, (w, h), np.float32)
    arr.copy_from(data, stream=stream)
    tex = device.create_texture_object(resource=ResourceDescriptor.from_opaque_array(arr))
    arr.close()
    del arr
    gc.collect()
    out = _device_buffer(device, stream, data.nbytes)
    try:
        core.launch(stream, _grid2d(w, h), _kernel(device, "fetch2d"), tex.handle, out.handle, w, h, 0.5, 0.5)
        np.testing.assert_array_equal(_read(out, stream, np.float32, (h, w)), data)
    finally:
        out.close()
        tex.close()


def test_texture_rejects_closed_and_bad_arguments(device):
    arr = _opaque(device, (8, 8), np.float32)
    res = ResourceDescriptor.from_opaque_array(arr)
    with pytest.raises(TypeError, match="resource must be a ResourceDescriptor"):
        device.create_texture_object(resource=arr)
    with pytest.raises(ValueError, match="max_anisotropy"):
        device.create_texture_object(resource=res, options=TextureObjectOptions(max_anisotropy=-1))
    with pytest.raises(ValueError, match="border_color must have 4"):
        device.create_texture_object(resource=res, options=TextureObjectOptions(border_color=(0.0,)))
    arr.close()
    with pytest.raises(RuntimeError, match="closed"):
        device.create_texture_object(resource=res)


# ---- surfaces


def test_surface_read_and_write(device, stream):
    w, h = 21, 13
    data = np.random.default_rng().random((h, w), dtype=np.float32)
    arr = _opaque(device, (w, h), np.float32, surface=True)
    try:
        arr.copy_from(data, stream=stream)
        surf = device.create_surface_object(resource=ResourceDescriptor.from_opaque_array(arr))
        assert isinstance(surf, SurfaceObject) and surf.handle != 0
        assert surf.resource.source is arr and surf.device.device_id == device.device_id
        core.launch(stream, _grid2d(w, h), _kernel(device, "scale_surface"), surf.handle, w, h, 3.0)
        got = np.full_like(data, -1.0)
        arr.copy_to(got, stream=stream)
        stream.sync()
        want = data * np.float32(3.0) + np.arange(w * h, dtype=np.float32).reshape(h, w)
        np.testing.assert_allclose(got, want, rtol=1e-6)  # the kernel's fused multiply-add rounds once
        surf.close()
        assert surf.is_closed and surf.handle == 0
        surf.close()
    finally:
        arr.close()


def test_surface_on_a_mipmap_level(device, stream):
    mip = device.create_mipmapped_array(
        MipmappedArrayOptions(
            shape=(16, 16), format="float32", num_channels=1, num_levels=2, is_surface_load_store=True
        )
    )
    lvl = mip.get_level(1)
    mip.close()
    try:
        assert lvl.is_surface_load_store is True and lvl.shape == (8, 8)
        data = np.random.default_rng().random((8, 8), dtype=np.float32)
        lvl.copy_from(data, stream=stream)
        surf = device.create_surface_object(resource=ResourceDescriptor.from_opaque_array(lvl))
        core.launch(stream, _grid2d(8, 8), _kernel(device, "scale_surface"), surf.handle, 8, 8, -1.0)
        got = np.zeros_like(data)
        lvl.copy_to(got, stream=stream)
        stream.sync()
        np.testing.assert_array_equal(got, -data + np.arange(64, dtype=np.float32).reshape(8, 8))
        surf.close()
    finally:
        lvl.close()


def test_surface_needs_the_ldst_flag(device):
    arr = _opaque(device, (8, 8), "uint8", channels=4)
    try:
        with pytest.raises(ValueError, match="is_surface_load_store=True"):
            device.create_surface_object(resource=ResourceDescriptor.from_opaque_array(arr))
    finally:
        arr.close()
