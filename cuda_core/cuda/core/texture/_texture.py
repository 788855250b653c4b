# SPDX-License-Identifier: Apache-2.0
"""ResourceDescriptor (what a texture or surface reads), TextureObjectOptions (how it samples)
and TextureObject (a CUtexObject)."""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

from cuda.bindings import driver
from cuda.core._errors import WrongKindError
from cuda.core._options import coerce_options
from cuda.core._utils.cuda_utils import handle_return
from cuda.core.texture._array import OpaqueArray
from cuda.core.texture._common import (
    FORMATS,
    DriverObject,
    _Owned,
    check_channels,
    check_int,
    closed_error,
    current_context,
    normalize_format,
)
from cuda.core.texture._mipmapped_array import MipmappedArray
from cuda.core.typing import AddressModeType, ArrayFormatType, FilterModeType, ReadModeType

TYPE_CHECKING = False
if TYPE_CHECKING:
    pass

_ADDRESS = {
    AddressModeType.WRAP: driver.CUaddress_mode.CU_TR_ADDRESS_MODE_WRAP,
    AddressModeType.CLAMP: driver.CUaddress_mode.CU_TR_ADDRESS_MODE_CLAMP,
    AddressModeType.MIRROR: driver.CUaddress_mode.CU_TR_ADDRESS_MODE_MIRROR,
    AddressModeType.BORDER: driver.CUaddress_mode.CU_TR_ADDRESS_MODE_BORDER,
}
_FILTER = {
    FilterModeType.POINT: driver.CUfilter_mode.CU_TR_FILTER_MODE_POINT,
    FilterModeType.LINEAR: driver.CUfilter_mode.CU_TR_FILTER_MODE_LINEAR,
}
_RT = driver.CUresourcetype
_KINDS = {
    "array": _RT.CU_RESOURCE_TYPE_ARRAY,
    "mipmapped_array": _RT.CU_RESOURCE_TYPE_MIPMAPPED_ARRAY,
    "linear": _RT.CU_RESOURCE_TYPE_LINEAR,
    "pitch2d": _RT.CU_RESOURCE_TYPE_PITCH2D,
}


def _normalize_enum(name: str, value: object, enum_type):
    """``value`` as a member of the StrEnum ``enum_type`` (a member, or its value as a str).

    Anything else raises WrongKindError: a ValueError (what NVIDIA's raise for a bad mode) that
    is also a TypeError (what theirs raise for a bad entry of an address_mode tuple)."""
    if isinstance(value, enum_type):
        return value
    if isinstance(value, str) and value in enum_type._value2member_map_:
        return enum_type(value)
    names = ", ".join(repr(m.value) for m in enum_type)
    got = repr(value) if isinstance(value, str) else f"{type(value).__name__} {value!r}"
    article = "an" if enum_type.__name__[0] in "AEIOU" else "a"
    raise WrongKindError(f"{name} must be {article} {enum_type.__name__} or one of {names}, got {got}")


def _normalize_address_modes(address_mode: object) -> tuple[AddressModeType, AddressModeType, AddressModeType]:
    """Three AddressModeType from one mode (for every axis) or a sequence of 1 to 3 (the last repeated)."""
    if isinstance(address_mode, (AddressModeType, str)):
        mode = _normalize_enum("address_mode", address_mode, AddressModeType)
        return (mode, mode, mode)
    if not hasattr(address_mode, "__iter__"):
        raise TypeError(
            f"address_mode must be an AddressModeType, a str or a tuple of 1 to 3 of them, "
            f"got {type(address_mode).__name__} {address_mode!r}"
        )
    modes = tuple(address_mode)
    if not 1 <= len(modes) <= 3:
        raise ValueError(f"address_mode tuple must have 1-3 entries, got {len(modes)}")
    modes = tuple(_normalize_enum(f"address_mode[{i}]", m, AddressModeType) for i, m in enumerate(modes))
    return modes + (modes[-1],) * (3 - len(modes))


def _check_real(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a float, got {type(value).__name__} {value!r}")
    return float(value)


def _check_flag(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__} {value!r}")
    return value


@dataclass
class TextureObjectOptions:
    """How a :class:`TextureObject` samples (the fields of ``CUDA_TEXTURE_DESC``).

    Attributes
    ----------
    address_mode : AddressModeType, str or tuple of them
        What coordinates outside the image read: one mode for every axis, or 1 to 3 modes (x, y,
        z; the last one repeats). Default ``CLAMP``.
    filter_mode : FilterModeType or str
        ``POINT`` (the nearest element, the default) or ``LINEAR`` (interpolated).
    read_mode : ReadModeType or str
        ``ELEMENT_TYPE`` (values as stored, the default) or ``NORMALIZED_FLOAT`` (integer
        formats read as floats in [0, 1], or [-1, 1] when signed).
    normalized_coords : bool
        Coordinates in [0, 1) across each extent instead of element units. Default False.
    srgb : bool
        Convert sRGB to linear on reads (8-bit formats). Default False.
    disable_trilinear_optimization : bool
        Ask for exact trilinear filtering. Default False.
    seamless_cubemap : bool
        Filter across cubemap faces. Default False.
    max_anisotropy : int
        The anisotropy limit; 0 (the default) disables anisotropic filtering.
    mipmap_filter_mode : FilterModeType or str
        How levels of a mipmapped array are combined. Default ``POINT``.
    mipmap_level_bias : float
        Added to the level a read asks for. Default 0.
    min_mipmap_level_clamp : float
        The lowest level reads use. Default 0.
    max_mipmap_level_clamp : float
        The highest level reads use. Default 0: set it to ``num_levels - 1`` to read every level.
    border_color : tuple of 4 floats or None
        What ``BORDER`` addressing reads outside the image; None means zeros.

    ``filter_mode``, ``read_mode`` and ``mipmap_filter_mode`` are turned into their enumerations
    when the options are made (an unknown value raises ValueError); the other fields are checked
    when a texture is created.
    """

    address_mode: AddressModeType | str | tuple[AddressModeType | str, ...] = AddressModeType.CLAMP
    filter_mode: FilterModeType | str = FilterModeType.POINT
    read_mode: ReadModeType | str = ReadModeType.ELEMENT_TYPE
    normalized_coords: bool = False
    srgb: bool = False
    disable_trilinear_optimization: bool = False
    seamless_cubemap: bool = False
    max_anisotropy: int = 0
    mipmap_filter_mode: FilterModeType | str = FilterModeType.POINT
    mipmap_level_bias: float = 0.0
    min_mipmap_level_clamp: float = 0.0
    max_mipmap_level_clamp: float = 0.0
    border_color: tuple[float, ...] | None = None

    def __post_init__(self) -> None:
        self.filter_mode = _normalize_enum("filter_mode", self.filter_mode, FilterModeType)
        self.read_mode = _normalize_enum("read_mode", self.read_mode, ReadModeType)
        self.mipmap_filter_mode = _normalize_enum("mipmap_filter_mode", self.mipmap_filter_mode, FilterModeType)

    def _to_driver(self):
        """The CUDA_TEXTURE_DESC of these options (every field checked)."""
        desc = driver.CUDA_TEXTURE_DESC()
        desc.addressMode = [_ADDRESS[m] for m in _normalize_address_modes(self.address_mode)]
        desc.filterMode = _FILTER[_normalize_enum("filter_mode", self.filter_mode, FilterModeType)]
        read = _normalize_enum("read_mode", self.read_mode, ReadModeType)
        flags = driver.CU_TRSF_READ_AS_INTEGER if read == ReadModeType.ELEMENT_TYPE else 0
        for field, bit in (
            ("normalized_coords", driver.CU_TRSF_NORMALIZED_COORDINATES),
            ("srgb", driver.CU_TRSF_SRGB),
            ("disable_trilinear_optimization", driver.CU_TRSF_DISABLE_TRILINEAR_OPTIMIZATION),
            ("seamless_cubemap", driver.CU_TRSF_SEAMLESS_CUBEMAP),
        ):
            if _check_flag(field, getattr(self, field)):
                flags |= bit
        desc.flags = flags
        desc.maxAnisotropy = check_int("max_anisotropy", self.max_anisotropy, 0)
        desc.mipmapFilterMode = _FILTER[_normalize_enum("mipmap_filter_mode", self.mipmap_filter_mode, FilterModeType)]
        desc.mipmapLevelBias = _check_real("mipmap_level_bias", self.mipmap_level_bias)
        desc.minMipmapLevelClamp = _check_real("min_mipmap_level_clamp", self.min_mipmap_level_clamp)
        desc.maxMipmapLevelClamp = _check_real("max_mipmap_level_clamp", self.max_mipmap_level_clamp)
        color = self.border_color
        if color is None:
            color = (0.0, 0.0, 0.0, 0.0)
        elif isinstance(color, (str, bytes)) or not hasattr(color, "__iter__"):
            raise TypeError(f"border_color must be a tuple of 4 floats or None, got {type(color).__name__}")
        color = tuple(color)
        if len(color) != 4:
            raise ValueError(f"border_color must have 4 entries (r, g, b, a), got {len(color)}")
        desc.borderColor = [_check_real(f"border_color[{i}]", c) for i, c in enumerate(color)]
        return desc


class ResourceDescriptor:
    """The memory a :class:`TextureObject` or :class:`SurfaceObject` reads.

    Made by one of the class methods, each naming a :attr:`kind`:

    - :meth:`from_opaque_array` (``"array"``): an :class:`OpaqueArray`, for textures and surfaces.
    - :meth:`from_mipmapped_array` (``"mipmapped_array"``): a :class:`MipmappedArray`, for
      textures only.
    - :meth:`from_linear` (``"linear"``): a device :class:`~cuda.core.Buffer` read as a 1D array
      of typed elements (``tex1Dfetch``: integer indices, no filtering or address modes).
    - :meth:`from_pitch2d` (``"pitch2d"``): a device Buffer read as a 2D image whose rows are
      ``pitch_bytes`` apart (filtering and 2D addressing work).

    The descriptor holds its :attr:`source`; a texture holds the descriptor. A Buffer behind a
    linear or pitch2d resource must stay open while textures read it.
    """

    __slots__ = ("_format", "_height", "_kind", "_num_channels", "_pitch_bytes", "_size_bytes", "_source", "_width")
    _kind: str
    _source: Any
    _format: ArrayFormatType | None
    _num_channels: int | None
    _size_bytes: int | None
    _width: int | None
    _height: int | None
    _pitch_bytes: int | None

    def __init__(self, *args, **kwargs):
        raise RuntimeError(
            "ResourceDescriptor cannot be instantiated directly. Use ResourceDescriptor.from_opaque_array(), "
            "from_mipmapped_array(), from_linear() or from_pitch2d()."
        )

    @classmethod
    def _make(cls, kind, source, fmt=None, num_channels=None, size_bytes=None, width=None, height=None, pitch=None):
        self = cls.__new__(cls)
        self._kind = kind
        self._source = source
        self._format = fmt
        self._num_channels = num_channels
        self._size_bytes = size_bytes
        self._width = width
        self._height = height
        self._pitch_bytes = pitch
        return self

    @classmethod
    def from_opaque_array(cls, array: OpaqueArray) -> ResourceDescriptor:
        """A resource reading ``array`` (an :class:`OpaqueArray`).

        Raises
        ------
        TypeError
            ``array`` is not an OpaqueArray.
        """
        if not isinstance(array, OpaqueArray):
            raise TypeError(f"array must be an OpaqueArray, got {type(array).__name__}")
        return cls._make("array", array)

    @classmethod
    def from_mipmapped_array(cls, mipmapped_array: MipmappedArray) -> ResourceDescriptor:
        """A resource reading every level of ``mipmapped_array`` (textures only; a surface needs
        one level: :meth:`MipmappedArray.get_level`).

        Raises
        ------
        TypeError
            ``mipmapped_array`` is not a MipmappedArray.
        """
        if not isinstance(mipmapped_array, MipmappedArray):
            raise TypeError(f"mipmapped_array must be a MipmappedArray, got {type(mipmapped_array).__name__}")
        return cls._make("mipmapped_array", mipmapped_array)

    @staticmethod
    def _buffer_format(buffer, format, num_channels):
        from cuda.core._memory import Buffer

        if not isinstance(buffer, Buffer):
            raise TypeError(f"buffer must be a Buffer, got {type(buffer).__name__}")
        if buffer.is_closed:
            raise closed_error("Buffer")
        fmt = normalize_format(format)
        channels = check_channels(num_channels)
        return fmt, channels, FORMATS[fmt][1] * channels

    @classmethod
    def from_linear(cls, buffer, *, format, num_channels: int, size_bytes: int | None = None) -> ResourceDescriptor:
        """A resource reading ``size_bytes`` of ``buffer`` as a 1D array of typed elements.

        Parameters
        ----------
        buffer : Buffer
            Device memory; it must stay open while textures made from this resource exist.
        format : ArrayFormatType, str or numpy.dtype
            The element format.
        num_channels : int
            Channels per element: 1, 2 or 4.
        size_bytes : int, optional
            How many bytes to bind (default: ``buffer.size``): a whole number of elements, at least
            one, and no more than the buffer holds.

        Raises
        ------
        TypeError
            ``buffer`` is not a Buffer, or an argument has the wrong type.
        ValueError
            A bad format or channel count, or a size the buffer cannot give.
        """
        fmt, channels, elem = cls._buffer_format(buffer, format, num_channels)
        size = buffer.size if size_bytes is None else check_int("size_bytes", size_bytes, 0)
        if size > buffer.size:
            raise ValueError(f"size_bytes ({size}) exceeds buffer.size ({buffer.size})")
        if size < elem:
            raise ValueError(f"size_bytes ({size}) must hold at least one element ({elem} bytes)")
        if size % elem:
            raise ValueError(
                f"size_bytes ({size}) must be a multiple of element size ({elem} bytes: {fmt.value} x {channels})"
            )
        return cls._make("linear", buffer, fmt, channels, size_bytes=size)

    @classmethod
    def from_pitch2d(
        cls, buffer, *, format, num_channels: int, width: int, height: int, pitch_bytes: int
    ) -> ResourceDescriptor:
        """A resource reading ``buffer`` as a 2D image of ``height`` rows of ``width`` elements,
        each row ``pitch_bytes`` after the previous one.

        Parameters
        ----------
        buffer : Buffer
            Device memory; it must stay open while textures made from this resource exist.
        format : ArrayFormatType, str or numpy.dtype
            The element format.
        num_channels : int
            Channels per element: 1, 2 or 4.
        width, height : int
            The image's extents in elements and rows, each at least 1.
        pitch_bytes : int
            Bytes from one row to the next: at least ``width`` elements, and a multiple of the
            device's ``texture_pitch_alignment`` (the driver checks that when the texture is made).

        Raises
        ------
        TypeError
            ``buffer`` is not a Buffer, or an argument has the wrong type.
        ValueError
            A bad format or channel count, extents below 1, a pitch shorter than a row, or an image
            larger than the buffer.
        """
        fmt, channels, elem = cls._buffer_format(buffer, format, num_channels)
        w = check_int("width", width, 1)
        h = check_int("height", height, 1)
        pitch = check_int("pitch_bytes", pitch_bytes, 1)
        if pitch < w * elem:
            raise ValueError(f"pitch_bytes ({pitch}) must be >= width * element bytes ({w} * {elem} = {w * elem})")
        if pitch * h > buffer.size:
            raise ValueError(f"pitch_bytes * height ({pitch * h}) exceeds buffer.size ({buffer.size})")
        return cls._make("pitch2d", buffer, fmt, channels, width=w, height=h, pitch=pitch)

    @property
    def kind(self) -> str:
        """``"array"``, ``"mipmapped_array"``, ``"linear"`` or ``"pitch2d"``."""
        return self._kind

    @property
    def source(self) -> Any:
        """The OpaqueArray, MipmappedArray or Buffer this resource reads."""
        return self._source

    @property
    def format(self) -> ArrayFormatType | None:
        """The element format of a linear or pitch2d resource (None for arrays: theirs is :attr:`source`'s)."""
        return self._format

    @property
    def num_channels(self) -> int | None:
        """Channels per element of a linear or pitch2d resource (None for arrays)."""
        return self._num_channels

    @property
    def size_bytes(self) -> int | None:
        """Bytes bound by a linear resource (None for the other kinds)."""
        return self._size_bytes

    @property
    def width(self) -> int | None:
        """The width in elements of a pitch2d resource (None for the other kinds)."""
        return self._width

    @property
    def height(self) -> int | None:
        """The height in rows of a pitch2d resource (None for the other kinds)."""
        return self._height

    @property
    def pitch_bytes(self) -> int | None:
        """The row pitch in bytes of a pitch2d resource (None for the other kinds)."""
        return self._pitch_bytes

    def _to_driver(self):
        """(CUDA_RESOURCE_DESC, the _Owned of an array source or None); RuntimeError if the source is closed."""
        desc = driver.CUDA_RESOURCE_DESC()
        desc.resType = _KINDS[self._kind]
        src = self._source
        if self._kind in ("array", "mipmapped_array"):
            owned = src._live()
            if self._kind == "array":
                desc.res.array.hArray = owned.value
            else:
                desc.res.mipmap.hMipmappedArray = owned.value
            return desc, owned
        if src.is_closed:
            raise closed_error("Buffer")
        part = desc.res.linear if self._kind == "linear" else desc.res.pitch2D
        part.devPtr = int(src.handle)
        part.format = FORMATS[self._format][0]
        part.numChannels = self._num_channels
        if self._kind == "linear":
            part.sizeInBytes = self._size_bytes
        else:
            part.width = self._width
            part.height = self._height
            part.pitchInBytes = self._pitch_bytes
        return desc, None

    def __repr__(self) -> str:
        fields = [f"kind={self._kind!r}"]
        for name in ("format", "num_channels", "size_bytes", "width", "height", "pitch_bytes"):
            value = getattr(self, name)
            if value is not None:
                fields.append(f"{name}={value.value if name == 'format' else value!r}")
        return f"ResourceDescriptor({', '.join(fields)})"


class TextureObject(DriverObject):
    """A texture object (CUtexObject): kernels read :attr:`resource` through it, sampled as
    :attr:`options` say. Pass :attr:`handle` to a kernel parameter of type ``cudaTextureObject_t``.

    It keeps its resource (and an array's storage) alive. Made by
    :meth:`cuda.core.Device.create_texture_object`; ``close()`` destroys it (idempotent).
    """

    __slots__ = ("_options", "_resource")
    _resource: ResourceDescriptor
    _options: TextureObjectOptions

    def __init__(self, *args, **kwargs):
        raise RuntimeError("TextureObject cannot be instantiated directly. Use Device.create_texture_object().")

    @property
    def resource(self) -> ResourceDescriptor:
        """The ResourceDescriptor the texture reads."""
        return self._resource

    @property
    def options(self) -> TextureObjectOptions:
        """The TextureObjectOptions the texture was made with."""
        return self._options

    def __repr__(self) -> str:
        state = "closed" if self._owned is None else f"handle={self._owned.value:#x}"
        return f"<TextureObject {state} kind={self._resource.kind!r}>"


def _create_texture_object(resource, options, device_id: int) -> TextureObject:
    """Backs Device.create_texture_object (the device is current)."""
    if not isinstance(resource, ResourceDescriptor):
        raise TypeError(f"resource must be a ResourceDescriptor, got {type(resource).__name__}")
    opts = coerce_options(TextureObjectOptions, options, "options")
    tex_desc = opts._to_driver()
    res_desc, source = resource._to_driver()
    handle = int(handle_return(driver.cuTexObjectCreate(res_desc, tex_desc, None)))
    self = TextureObject.__new__(TextureObject)
    self._owned = _Owned(handle, driver.cuTexObjectDestroy, current_context(), source)
    self._resource = resource
    self._options = opts
    self._device_id = device_id
    return self
