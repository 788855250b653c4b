# SPDX-License-Identifier: Apache-2.0
"""cuda.core.texture without a GPU: options, formats, resource descriptors, the driver structs
they make, argument checks of copies and factories, and the ownership chain of handles."""

from __future__ import annotations

import array
import gc
import subprocess
import sys

import numpy as np
import pytest

from cuda.bindings import driver
from cuda.core import LEGACY_DEFAULT_STREAM, Buffer
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
from cuda.core.texture._common import _Owned
from cuda.core.texture._surface import _check_surface_resource
from cuda.core.texture._texture import _create_texture_object, _normalize_address_modes
from cuda.core.typing import AddressModeType, ArrayFormatType, FilterModeType, ReadModeType


def _fake_array(shape=(16,), fmt=ArrayFormatType.UINT32, channels=1, surface=False, destroy=None):
    """An OpaqueArray around a made-up handle (nothing is destroyed unless ``destroy`` is given)."""
    return OpaqueArray._make(_Owned(0x1234, destroy, 0), shape, fmt, channels, surface, 0)


def test_import_is_lazy():
    code = (
        "import sys, cuda.core; before = 'cuda.core.texture' in sys.modules; "
        "t = cuda.core.texture; print(before, t.__name__, 'numpy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "cuda.core.texture", "False"]


def test_objects_are_not_constructed_directly():
    for cls, factory in (
        (OpaqueArray, "create_opaque_array"),
        (MipmappedArray, "create_mipmapped_array"),
        (TextureObject, "create_texture_object"),
        (SurfaceObject, "create_surface_object"),
    ):
        with pytest.raises(RuntimeError, match=rf"^{cls.__name__} cannot be instantiated directly.*{factory}"):
            cls()
    with pytest.raises(RuntimeError, match=r"^ResourceDescriptor cannot be instantiated"):
        ResourceDescriptor()


@pytest.mark.parametrize(
    "given, expected",
    [
        (ArrayFormatType.INT16, ArrayFormatType.INT16),
        ("float32", ArrayFormatType.FLOAT32),
        ("uint8", ArrayFormatType.UINT8),
        (np.float32, ArrayFormatType.FLOAT32),
        (np.dtype("float16"), ArrayFormatType.FLOAT16),
        (np.uint16, ArrayFormatType.UINT16),
        (np.dtype("i4"), ArrayFormatType.INT32),
        (np.int8, ArrayFormatType.INT8),
        (np.dtype("=u4"), ArrayFormatType.UINT32),
    ],
)
def test_format_spellings(given, expected):
    opts = OpaqueArrayOptions(shape=(8,), format=given, num_channels=1)
    assert opts.format is expected
    assert MipmappedArrayOptions(shape=(8,), format=given, num_channels=1, num_levels=1).format is expected


@pytest.mark.parametrize(
    "bad, error, match",
    [
        (np.float64, ValueError, "no ArrayFormatType equivalent"),
        (np.dtype(">f4" if sys.byteorder == "little" else "<f4"), ValueError, "no ArrayFormatType equivalent"),
        (np.dtype("complex64"), ValueError, "no ArrayFormatType equivalent"),
        ("float64", ValueError, "format must be an ArrayFormatType"),
        ("FLOAT32", ValueError, "format must be an ArrayFormatType"),
        (0, ValueError, "format must be an ArrayFormatType"),
        (0, TypeError, "got int 0"),
        (None, TypeError, "format must be"),
        (driver.CUarray_format.CU_AD_FORMAT_FLOAT, TypeError, "format must be"),
    ],
)
def test_bad_formats(bad, error, match):
    with pytest.raises(error, match=match):
        OpaqueArrayOptions(shape=(8,), format=bad, num_channels=1)


def test_array_options_normalise():
    opts = OpaqueArrayOptions(shape=[np.int64(4), 3], format="int8", num_channels=np.int32(2))
    assert opts.shape == (4, 3) and type(opts.shape[0]) is int
    assert opts.num_channels == 2 and type(opts.num_channels) is int
    assert opts.is_surface_load_store is False
    assert OpaqueArrayOptions((2, 2, 2), "uint8", 4, True).is_surface_load_store is True


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"shape": 8}, TypeError, "shape must be a tuple"),
        ({"shape": "abc"}, TypeError, "shape must be a tuple"),
        ({"shape": ()}, ValueError, "shape rank"),
        ({"shape": (2, 2, 2, 2)}, ValueError, "shape rank"),
        ({"shape": (8, 0)}, ValueError, r"shape\[1\] must be >= 1"),
        ({"shape": (-1,)}, ValueError, r"shape\[0\] must be >= 1"),
        ({"shape": (2.0,)}, TypeError, r"shape\[0\] must be an int"),
        ({"num_channels": 3}, ValueError, "num_channels must be 1, 2 or 4"),
        ({"num_channels": 0}, ValueError, "num_channels"),
        ({"num_channels": "1"}, TypeError, "num_channels must be an int"),
        ({"num_channels": True}, TypeError, "num_channels must be an int"),
        ({"is_surface_load_store": 1}, TypeError, "is_surface_load_store must be a bool"),
    ],
)
def test_array_options_reject(kwargs, error, match):
    args = {"shape": (8, 8), "format": "uint8", "num_channels": 1, **kwargs}
    with pytest.raises(error, match=match):
        OpaqueArrayOptions(**args)
    with pytest.raises(error, match=match):
        MipmappedArrayOptions(**args, num_levels=1)


@pytest.mark.parametrize("levels, error", [(0, ValueError), (-2, ValueError), (1.5, TypeError), (None, TypeError)])
def test_mipmapped_options_reject_levels(levels, error):
    with pytest.raises(error, match="num_levels"):
        MipmappedArrayOptions(shape=(8, 8), format="uint8", num_channels=1, num_levels=levels)


def test_opaque_array_properties_and_close():
    destroyed = []
    arr = _fake_array(shape=(5, 3, 2), fmt=ArrayFormatType.FLOAT16, channels=4, surface=True, destroy=destroyed.append)
    assert arr.shape == (5, 3, 2)
    assert arr.format is ArrayFormatType.FLOAT16
    assert arr.num_channels == 4
    assert arr.element_bytes == 8
    assert arr.size_bytes == 5 * 3 * 2 * 8
    assert arr._extent_bytes() == (40, 3, 2)
    assert arr.is_surface_load_store is True
    assert arr.handle == 0x1234 and not arr.is_closed
    assert "OpaqueArray" in repr(arr) and "float16" in repr(arr)
    arr.close()
    assert arr.is_closed and arr.handle == 0 and destroyed == [0x1234]
    arr.close()  # closing twice is harmless
    assert destroyed == [0x1234]
    assert "closed" in repr(arr)
    with pytest.raises(RuntimeError, match="closed"):
        arr.copy_from(b"\0" * 160, stream=LEGACY_DEFAULT_STREAM)
    with pytest.raises(RuntimeError, match="closed"):
        ResourceDescriptor.from_opaque_array(arr)._to_driver()


def test_extent_of_lower_ranks():
    assert _fake_array(shape=(7,), fmt=ArrayFormatType.UINT8, channels=2)._extent_bytes() == (14, 1, 1)
    assert _fake_array(shape=(7, 5), fmt=ArrayFormatType.INT32, channels=1)._extent_bytes() == (28, 5, 1)


def test_array_is_a_context_manager():
    destroyed = []
    with _fake_array(destroy=destroyed.append) as arr:
        assert not arr.is_closed
    assert arr.is_closed and destroyed == [0x1234]


def test_copy_argument_checks():
    arr = _fake_array(shape=(16,), fmt=ArrayFormatType.UINT32)  # 64 bytes
    ok = array.array("I", range(16))
    with pytest.raises(TypeError, match="Stream or GraphBuilder expected"):
        arr.copy_from(ok, stream="not-a-stream")
    with pytest.raises(TypeError, match="Stream or GraphBuilder expected"):
        arr.copy_to(ok, stream=None)
    with pytest.raises(TypeError):
        arr.copy_from(ok)  # stream is required
    s = LEGACY_DEFAULT_STREAM
    with pytest.raises(ValueError, match="smaller than the array extent"):
        arr.copy_from(array.array("I", range(8)), stream=s)
    with pytest.raises(ValueError, match="smaller than the array extent"):
        arr.copy_to(bytearray(63), stream=s)
    with pytest.raises(ValueError, match="read-only"):
        arr.copy_to(bytes(64), stream=s)
    with pytest.raises(ValueError, match="contiguous"):
        arr.copy_from(np.zeros(32, dtype=np.uint32)[::2], stream=s)
    with pytest.raises(TypeError, match="buffer protocol"):
        arr.copy_from([0] * 16, stream=s)
    with pytest.raises(TypeError, match="buffer protocol"):
        arr.copy_to(3.0, stream=s)
    small = Buffer.from_handle(0x10000, 32)
    with pytest.raises(ValueError, match="smaller than the array extent"):
        arr.copy_from(small, stream=s)
    with pytest.raises(ValueError, match="smaller than the array extent"):
        arr.copy_to(small, stream=s)
    closed = Buffer.from_handle(0x10000, 64)
    closed.close()
    with pytest.raises(RuntimeError, match="Buffer is closed"):
        arr.copy_from(closed, stream=s)


def test_texture_options_defaults():
    opts = TextureObjectOptions()
    assert opts.address_mode == AddressModeType.CLAMP
    assert opts.filter_mode is FilterModeType.POINT
    assert opts.read_mode is ReadModeType.ELEMENT_TYPE
    assert opts.mipmap_filter_mode is FilterModeType.POINT
    assert (opts.normalized_coords, opts.srgb, opts.disable_trilinear_optimization, opts.seamless_cubemap) == (
        False,
        False,
        False,
        False,
    )
    assert (opts.max_anisotropy, opts.mipmap_level_bias, opts.min_mipmap_level_clamp) == (0, 0.0, 0.0)
    assert (opts.max_mipmap_level_clamp, opts.border_color) == (0.0, None)
    desc = opts._to_driver()
    clamp = int(driver.CUaddress_mode.CU_TR_ADDRESS_MODE_CLAMP)
    assert [int(m) for m in desc.addressMode] == [clamp] * 3
    assert int(desc.filterMode) == int(driver.CUfilter_mode.CU_TR_FILTER_MODE_POINT)
    assert desc.flags == driver.CU_TRSF_READ_AS_INTEGER  # ELEMENT_TYPE: values as stored
    assert list(desc.borderColor) == [0.0] * 4


def test_texture_options_strings_become_enums():
    opts = TextureObjectOptions(filter_mode="linear", read_mode="normalized_float", mipmap_filter_mode="linear")
    assert opts.filter_mode is FilterModeType.LINEAR
    assert opts.read_mode is ReadModeType.NORMALIZED_FLOAT
    assert opts.mipmap_filter_mode is FilterModeType.LINEAR


def test_texture_options_to_driver():
    rng = np.random.default_rng()
    color = tuple(float(x) for x in rng.random(4))
    bias, lo, hi = (float(x) for x in rng.random(3))
    opts = TextureObjectOptions(
        address_mode=("wrap", AddressModeType.MIRROR),
        filter_mode=FilterModeType.LINEAR,
        read_mode=ReadModeType.NORMALIZED_FLOAT,
        normalized_coords=True,
        srgb=True,
        disable_trilinear_optimization=True,
        seamless_cubemap=True,
        max_anisotropy=8,
        mipmap_filter_mode="linear",
        mipmap_level_bias=bias,
        min_mipmap_level_clamp=lo,
        max_mipmap_level_clamp=hi,
        border_color=color,
    )
    desc = opts._to_driver()
    mode = driver.CUaddress_mode
    assert [int(m) for m in desc.addressMode] == [
        int(mode.CU_TR_ADDRESS_MODE_WRAP),
        int(mode.CU_TR_ADDRESS_MODE_MIRROR),
        int(mode.CU_TR_ADDRESS_MODE_MIRROR),
    ]
    linear = int(driver.CUfilter_mode.CU_TR_FILTER_MODE_LINEAR)
    assert int(desc.filterMode) == linear and int(desc.mipmapFilterMode) == linear
    assert desc.flags == (
        driver.CU_TRSF_NORMALIZED_COORDINATES
        | driver.CU_TRSF_SRGB
        | driver.CU_TRSF_DISABLE_TRILINEAR_OPTIMIZATION
        | driver.CU_TRSF_SEAMLESS_CUBEMAP
    )
    assert desc.maxAnisotropy == 8
    assert desc.mipmapLevelBias == pytest.approx(bias)
    assert desc.minMipmapLevelClamp == pytest.approx(lo)
    assert desc.maxMipmapLevelClamp == pytest.approx(hi)
    assert list(desc.borderColor) == pytest.approx(list(color))


def test_address_modes():
    W, C, M, B = AddressModeType.WRAP, AddressModeType.CLAMP, AddressModeType.MIRROR, AddressModeType.BORDER
    assert _normalize_address_modes(W) == (W, W, W)
    assert _normalize_address_modes("border") == (B, B, B)
    assert _normalize_address_modes([W]) == (W, W, W)
    assert _normalize_address_modes((W, C)) == (W, C, C)
    assert _normalize_address_modes((W, "clamp", M)) == (W, C, M)
    with pytest.raises(ValueError, match="address_mode tuple must have 1-3"):
        _normalize_address_modes(())
    with pytest.raises(ValueError, match="address_mode tuple must have 1-3"):
        _normalize_address_modes((W,) * 4)
    with pytest.raises(TypeError, match="address_mode"):
        _normalize_address_modes(42)
    with pytest.raises(TypeError, match=r"address_mode\[1\]"):
        _normalize_address_modes((W, 7, C))
    with pytest.raises(ValueError, match=r"address_mode\[1\]"):
        _normalize_address_modes((W, "bad", C))
    with pytest.raises(ValueError, match="address_mode must be an AddressModeType"):
        _normalize_address_modes("nearest")


@pytest.mark.parametrize("field", ["filter_mode", "read_mode", "mipmap_filter_mode"])
@pytest.mark.parametrize("value", [0, "nearest", None])
def test_texture_options_reject_modes_when_made(field, value):
    expected = "FilterModeType" if "filter" in field else "ReadModeType"
    with pytest.raises(ValueError, match=f"^{field} must be a {expected} or one of"):
        TextureObjectOptions(**{field: value})


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"address_mode": 42}, TypeError, "address_mode"),
        ({"address_mode": ()}, ValueError, "address_mode tuple must have 1-3"),
        ({"max_anisotropy": -1}, ValueError, "max_anisotropy must be >= 0"),
        ({"max_anisotropy": 1.5}, TypeError, "max_anisotropy must be an int"),
        ({"border_color": (0.0, 0.0)}, ValueError, "border_color must have 4"),
        ({"border_color": 1.0}, TypeError, "border_color must be a tuple"),
        ({"border_color": (0, 0, "x", 0)}, TypeError, r"border_color\[2\]"),
        ({"normalized_coords": 1}, TypeError, "normalized_coords must be a bool"),
        ({"srgb": None}, TypeError, "srgb must be a bool"),
        ({"mipmap_level_bias": "0"}, TypeError, "mipmap_level_bias must be a float"),
        ({"max_mipmap_level_clamp": None}, TypeError, "max_mipmap_level_clamp must be a float"),
    ],
)
def test_texture_options_checked_when_used(kwargs, error, match):
    opts = TextureObjectOptions(**kwargs)  # made without complaint, as NVIDIA's are
    with pytest.raises(error, match=match):
        opts._to_driver()
    # the texture factory checks them before any driver call
    with pytest.raises(error, match=match):
        _create_texture_object(ResourceDescriptor.from_opaque_array(_fake_array()), opts, 0)


def test_texture_factory_argument_types():
    with pytest.raises(TypeError, match="resource must be a ResourceDescriptor"):
        _create_texture_object(object(), None, 0)
    res = ResourceDescriptor.from_opaque_array(_fake_array())
    with pytest.raises(TypeError, match="options must be a TextureObjectOptions"):
        _create_texture_object(res, "nope", 0)
    with pytest.raises(TypeError):
        _create_texture_object(res, {"no_such_field": 1}, 0)


def test_resource_from_arrays():
    arr = _fake_array()
    res = ResourceDescriptor.from_opaque_array(arr)
    assert res.kind == "array" and res.source is arr
    assert (res.format, res.num_channels, res.size_bytes, res.width, res.height, res.pitch_bytes) == (None,) * 6
    desc, owned = res._to_driver()
    assert int(desc.resType) == int(driver.CUresourcetype.CU_RESOURCE_TYPE_ARRAY)
    assert int(desc.res.array.hArray) == 0x1234 and owned is arr._owned
    assert repr(res) == "ResourceDescriptor(kind='array')"
    with pytest.raises(TypeError, match="array must be an OpaqueArray"):
        ResourceDescriptor.from_opaque_array(object())
    with pytest.raises(TypeError, match="mipmapped_array must be a MipmappedArray"):
        ResourceDescriptor.from_mipmapped_array(arr)

    mip = MipmappedArray.__new__(MipmappedArray)
    mip._owned = _Owned(0x5678, None, 0)
    res = ResourceDescriptor.from_mipmapped_array(mip)
    assert res.kind == "mipmapped_array" and res.source is mip
    desc, owned = res._to_driver()
    assert int(desc.resType) == int(driver.CUresourcetype.CU_RESOURCE_TYPE_MIPMAPPED_ARRAY)
    assert int(desc.res.mipmap.hMipmappedArray) == 0x5678 and owned is mip._owned


def test_resource_from_linear():
    rng = np.random.default_rng()
    ptr = int(rng.integers(1, 2**40)) * 256
    buf = Buffer.from_handle(ptr, 4096)
    res = ResourceDescriptor.from_linear(buf, format=np.float32, num_channels=2)
    assert res.kind == "linear" and res.source is buf
    assert (res.format, res.num_channels, res.size_bytes) == (ArrayFormatType.FLOAT32, 2, 4096)
    assert (res.width, res.height, res.pitch_bytes) == (None, None, None)
    assert "linear" in repr(res)
    res = ResourceDescriptor.from_linear(buf, format="uint32", num_channels=1, size_bytes=2048)
    assert res.size_bytes == 2048
    desc, owned = res._to_driver()
    assert owned is None
    assert int(desc.resType) == int(driver.CUresourcetype.CU_RESOURCE_TYPE_LINEAR)
    lin = desc.res.linear
    assert int(lin.devPtr) == ptr and lin.sizeInBytes == 2048 and lin.numChannels == 1
    assert int(lin.format) == int(driver.CUarray_format.CU_AD_FORMAT_UNSIGNED_INT32)

    with pytest.raises(ValueError, match=r"exceeds buffer\.size"):
        ResourceDescriptor.from_linear(buf, format="uint8", num_channels=1, size_bytes=4097)
    with pytest.raises(ValueError, match="at least one element"):
        ResourceDescriptor.from_linear(buf, format="uint32", num_channels=1, size_bytes=0)
    with pytest.raises(ValueError, match="multiple of element size"):
        ResourceDescriptor.from_linear(buf, format="uint32", num_channels=1, size_bytes=10)
    with pytest.raises(ValueError, match="num_channels"):
        ResourceDescriptor.from_linear(buf, format="uint8", num_channels=3)
    with pytest.raises(ValueError, match="format must be an ArrayFormatType"):
        ResourceDescriptor.from_linear(buf, format=0, num_channels=1)
    with pytest.raises(TypeError, match="size_bytes must be an int"):
        ResourceDescriptor.from_linear(buf, format="uint8", num_channels=1, size_bytes="8")
    with pytest.raises(TypeError, match="buffer must be a Buffer"):
        ResourceDescriptor.from_linear(object(), format="uint8", num_channels=1)
    buf.close()
    with pytest.raises(RuntimeError, match="Buffer is closed"):
        ResourceDescriptor.from_linear(buf, format="uint8", num_channels=1)
    with pytest.raises(RuntimeError, match="Buffer is closed"):
        res._to_driver()


def test_resource_from_pitch2d():
    buf = Buffer.from_handle(0x200000, 64 * 1024)
    res = ResourceDescriptor.from_pitch2d(buf, format="uint8", num_channels=4, width=32, height=16, pitch_bytes=512)
    assert res.kind == "pitch2d" and res.source is buf
    assert (res.format, res.num_channels, res.width, res.height, res.pitch_bytes) == (
        ArrayFormatType.UINT8,
        4,
        32,
        16,
        512,
    )
    assert res.size_bytes is None
    assert "pitch2d" in repr(res)
    desc, _ = res._to_driver()
    assert int(desc.resType) == int(driver.CUresourcetype.CU_RESOURCE_TYPE_PITCH2D)
    p2 = desc.res.pitch2D
    assert (int(p2.devPtr), p2.width, p2.height, p2.pitchInBytes, p2.numChannels) == (0x200000, 32, 16, 512, 4)
    assert int(p2.format) == int(driver.CUarray_format.CU_AD_FORMAT_UNSIGNED_INT8)

    def make(**kw):
        args = {"format": "uint32", "num_channels": 1, "width": 16, "height": 8, "pitch_bytes": 64, **kw}
        return ResourceDescriptor.from_pitch2d(buf, **args)

    with pytest.raises(ValueError, match="pitch_bytes"):
        make(pitch_bytes=32)  # less than a row of 16 * 4 bytes
    with pytest.raises(ValueError, match=r"exceeds buffer\.size"):
        make(pitch_bytes=8192, height=9)
    with pytest.raises(ValueError, match="width"):
        make(width=0)
    with pytest.raises(ValueError, match="height"):
        make(height=-1)
    with pytest.raises(TypeError, match="height must be an int"):
        make(height=2.0)
    with pytest.raises(ValueError, match="num_channels"):
        make(num_channels=3)
    with pytest.raises(TypeError, match="buffer must be a Buffer"):
        ResourceDescriptor.from_pitch2d(object(), format="uint8", num_channels=1, width=8, height=8, pitch_bytes=64)


def test_surface_needs_an_ldst_array():
    buf = Buffer.from_handle(0x200000, 4096)
    with pytest.raises(TypeError, match="resource must be a ResourceDescriptor"):
        _check_surface_resource(_fake_array(surface=True))
    with pytest.raises(ValueError, match="array-backed"):
        _check_surface_resource(ResourceDescriptor.from_linear(buf, format="uint32", num_channels=1))
    with pytest.raises(ValueError, match="array-backed"):
        _check_surface_resource(
            ResourceDescriptor.from_pitch2d(buf, format="uint8", num_channels=4, width=8, height=8, pitch_bytes=64)
        )
    mip = MipmappedArray.__new__(MipmappedArray)
    mip._owned = _Owned(1, None, 0)
    with pytest.raises(ValueError, match="array-backed"):
        _check_surface_resource(ResourceDescriptor.from_mipmapped_array(mip))
    with pytest.raises(ValueError, match="is_surface_load_store=True"):
        _check_surface_resource(ResourceDescriptor.from_opaque_array(_fake_array(surface=False)))
    _check_surface_resource(ResourceDescriptor.from_opaque_array(_fake_array(surface=True)))


def test_owned_chain_destroys_once_after_the_last_holder():
    """A level view (or a texture) holds its parent's _Owned: the parent is destroyed only when
    both the parent object and everything made from it have let go, and exactly once."""
    destroyed = []
    parent = _Owned(0xAA, destroyed.append, 0)
    mip = MipmappedArray.__new__(MipmappedArray)
    mip._owned = parent
    level = OpaqueArray._make(_Owned(0xBB, None, 0, parent), (4, 4), ArrayFormatType.UINT8, 1, False, 0)
    tex = TextureObject.__new__(TextureObject)
    tex._owned = _Owned(0xCC, destroyed.append, 0, level._owned)
    tex._resource = ResourceDescriptor.from_opaque_array(level)
    del parent
    mip.close()
    mip.close()
    assert mip.handle == 0 and destroyed == []
    level.close()
    assert level.handle == 0 and destroyed == []  # the texture still reads the level
    assert tex.handle == 0xCC
    tex.close()
    gc.collect()
    assert destroyed == [0xCC, 0xAA]
    tex.close()
    assert destroyed == [0xCC, 0xAA]


def test_texture_refers_to_its_resource_and_array():
    """gc.get_referents walks the chain TextureObject -> ResourceDescriptor -> OpaqueArray."""
    arr = _fake_array()
    res = ResourceDescriptor.from_opaque_array(arr)
    tex = TextureObject.__new__(TextureObject)
    tex._owned = _Owned(0xCC, None, 0, arr._owned)
    tex._resource = res
    tex._options = TextureObjectOptions()
    tex._device_id = 0
    assert any(r is res for r in gc.get_referents(tex))
    assert any(r is arr for r in gc.get_referents(res))
    assert tex.resource is res and isinstance(tex.options, TextureObjectOptions)
    assert not tex.is_closed and "TextureObject" in repr(tex)


def test_destroy_errors_are_swallowed():
    def boom(_):
        raise RuntimeError("driver gone")

    owned = _Owned(1, boom, 0)
    del owned  # must not raise nor print an unraisable error


def test_public_names():
    import cuda.core
    import cuda.core.texture as texture

    assert cuda.core.texture is texture
    assert sorted(texture.__all__) == [
        "MipmappedArray",
        "MipmappedArrayOptions",
        "OpaqueArray",
        "OpaqueArrayOptions",
        "ResourceDescriptor",
        "SurfaceObject",
        "TextureObject",
        "TextureObjectOptions",
    ]
