# SPDX-License-Identifier: Apache-2.0
"""OpaqueArray: a CUDA array (CUarray), storage laid out by the driver for texture and surface access."""

from __future__ import annotations

import math
from dataclasses import dataclass

from cuda.bindings import driver
from cuda.core._options import coerce_options
from cuda.core._utils.cuda_utils import handle_return
from cuda.core.texture._common import (
    FORMATS,
    FROM_DRIVER,
    ArrayObject,
    _Owned,
    array3d_descriptor,
    check_bool,
    check_channels,
    check_shape,
    closed_error,
    current_context,
    normalize_format,
    stream_of,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    pass


@dataclass
class OpaqueArrayOptions:
    """Options of :meth:`cuda.core.Device.create_opaque_array`.

    Attributes
    ----------
    shape : tuple of int
        ``(width,)``, ``(width, height)`` or ``(width, height, depth)``, in elements.
    format : ArrayFormatType, str or numpy.dtype
        The element format; a plain string such as ``"float32"`` or a NumPy dtype is turned into
        its :class:`~cuda.core.typing.ArrayFormatType`.
    num_channels : int
        Channels per element: 1, 2 or 4.
    is_surface_load_store : bool
        Allocate with ``CUDA_ARRAY3D_SURFACE_LDST`` so that a SurfaceObject can be made of the
        array (kernels write through it). Default False.

    The fields are checked and normalised when the options are made and again when the array is
    created: a bad shape, format or channel count raises TypeError or ValueError.
    """

    shape: tuple[int, ...]
    format: object
    num_channels: int
    is_surface_load_store: bool = False

    def __post_init__(self) -> None:
        self.shape = check_shape(self.shape)
        self.format = normalize_format(self.format)
        self.num_channels = check_channels(self.num_channels)
        self.is_surface_load_store = check_bool("is_surface_load_store", self.is_surface_load_store)


class OpaqueArray(ArrayObject):
    """A CUDA array: device storage in a layout the driver picks for 2D/3D locality.

    It has no device pointer, so it offers neither ``__cuda_array_interface__`` nor DLPack:
    kernels reach it through a :class:`TextureObject` or a :class:`SurfaceObject`, and data
    moves in and out by copies (:meth:`copy_from`, :meth:`copy_to`) from or to a linear
    :class:`~cuda.core.Buffer` or a host object with the buffer protocol.

    Made by :meth:`cuda.core.Device.create_opaque_array`, or by :meth:`MipmappedArray.get_level`
    (a view of one level, which keeps the mipmapped array alive and destroys nothing).
    ``close()`` lets go of this object's reference: the array is destroyed once nothing uses it
    (a texture or surface made from it keeps it alive). Closing twice is harmless.
    """

    __slots__ = ()

    def __init__(self, *args, **kwargs):
        raise RuntimeError("OpaqueArray cannot be instantiated directly. Use Device.create_opaque_array().")

    @classmethod
    def _make(cls, owned, shape, fmt, num_channels, surface, device_id) -> OpaqueArray:
        self = cls.__new__(cls)
        self._owned = owned
        self._shape = shape
        self._format = fmt
        self._num_channels = num_channels
        self._surface = surface
        self._device_id = device_id
        return self

    @classmethod
    def _from_handle(cls, handle, owning: bool, *, device_id=None, parent=None) -> OpaqueArray:
        """Wrap an existing CUarray; shape, format and flags come from the driver. With ``owning``
        false the array is never destroyed here; ``parent`` is kept alive as long as it."""
        desc = handle_return(driver.cuArray3DGetDescriptor(int(handle)))
        extents = (int(desc.Width), int(desc.Height), int(desc.Depth))
        rank = 3 if extents[2] else 2 if extents[1] else 1
        if device_id is None:
            device_id = int(handle_return(driver.cuCtxGetDevice()))
        owned = _Owned(int(handle), driver.cuArrayDestroy if owning else None, current_context(), parent)
        surface = bool(int(desc.Flags) & driver.CUDA_ARRAY3D_SURFACE_LDST)
        return cls._make(
            owned, extents[:rank], FROM_DRIVER[int(desc.Format)], int(desc.NumChannels), surface, device_id
        )

    @property
    def element_bytes(self) -> int:
        """Bytes per element: the format's size times the channels."""
        return FORMATS[self._format][1] * self._num_channels

    @property
    def size_bytes(self) -> int:
        """Bytes of the whole array: the product of the shape times :attr:`element_bytes`."""
        return math.prod(self._shape) * self.element_bytes

    def _live(self) -> _Owned:
        if self._owned is None:
            raise closed_error("OpaqueArray")
        return self._owned

    def _extent_bytes(self) -> tuple[int, int, int]:
        """(bytes per row, rows, slices) of the whole array, each at least 1."""
        dims = self._shape + (1,) * (3 - len(self._shape))
        return dims[0] * self.element_bytes, dims[1], dims[2]

    def copy_from(self, src, *, stream) -> None:
        """Copy the whole array's worth of bytes from ``src`` into the array, ordered on ``stream``.

        Parameters
        ----------
        src : Buffer or buffer-protocol object
            Linear device or host memory holding at least :attr:`size_bytes` contiguous bytes,
            rows of ``shape[0]`` elements packed without padding.
        stream : Stream or GraphBuilder
            The stream the copy is queued on (a GraphBuilder records it into its graph).

        Raises
        ------
        TypeError
            ``src`` is neither a Buffer nor a buffer, or ``stream`` is not a stream.
        ValueError
            ``src`` is smaller than the array or not contiguous.
        RuntimeError
            The array or the Buffer is closed.
        """
        _copy(self, src, to_array=True, stream=stream)

    def copy_to(self, dst, *, stream):
        """Copy the whole array into ``dst``, ordered on ``stream``; returns ``dst``.

        Parameters
        ----------
        dst : Buffer or writable buffer-protocol object
            Linear device or host memory with room for at least :attr:`size_bytes` contiguous bytes.
        stream : Stream or GraphBuilder
            The stream the copy is queued on (a GraphBuilder records it into its graph).

        Returns
        -------
        The ``dst`` given.

        Raises
        ------
        TypeError
            ``dst`` is neither a Buffer nor a buffer, or ``stream`` is not a stream.
        ValueError
            ``dst`` is smaller than the array, read-only or not contiguous.
        RuntimeError
            The array or the Buffer is closed.
        """
        _copy(self, dst, to_array=False, stream=stream)
        return dst

    def __repr__(self) -> str:
        state = "closed" if self._owned is None else f"handle={self._owned.value:#x}"
        return (
            f"<OpaqueArray {state} shape={self._shape} format={self._format.value} num_channels={self._num_channels}>"
        )


def _copy(array: OpaqueArray, other, *, to_array: bool, stream) -> None:
    from cuda.core._memory import Buffer

    owned = array._live()
    s = stream_of(stream)
    width, height, depth = array._extent_bytes()
    need = array.size_bytes
    params = driver.CUDA_MEMCPY3D()
    params.WidthInBytes = width
    params.Height = height
    params.Depth = depth
    MT = driver.CUmemorytype
    keep = other  # held until the call returns
    if isinstance(other, Buffer):
        if other.is_closed:
            raise closed_error("Buffer")
        if other.size < need:
            raise ValueError(f"the Buffer ({other.size} bytes) is smaller than the array extent ({need} bytes)")
        linear: dict[str, object] = {"MemoryType": MT.CU_MEMORYTYPE_UNIFIED, "Device": int(other.handle)}
    else:
        try:
            keep = memoryview(other)
        except TypeError:
            what = "src" if to_array else "dst"
            raise TypeError(
                f"{what} must be a Buffer or an object with the buffer protocol, not {type(other).__name__}"
            ) from None
        if not keep.c_contiguous:
            raise ValueError("the host buffer must be C-contiguous")
        if not to_array and keep.readonly:
            raise ValueError("dst is read-only: copy_to needs a writable buffer")
        if keep.nbytes < need:
            raise ValueError(f"the host buffer ({keep.nbytes} bytes) is smaller than the array extent ({need} bytes)")
        linear = {"MemoryType": MT.CU_MEMORYTYPE_HOST, "Host": keep}
    array_side, linear_side = ("dst", "src") if to_array else ("src", "dst")
    setattr(params, f"{array_side}MemoryType", MT.CU_MEMORYTYPE_ARRAY)
    setattr(params, f"{array_side}Array", owned.value)
    for field, value in linear.items():
        setattr(params, f"{linear_side}{field}", value)
    setattr(params, f"{linear_side}Pitch", width)
    setattr(params, f"{linear_side}Height", height)
    handle_return(driver.cuMemcpy3DAsync(params, int(s.handle)))
    del keep


def _create_opaque_array(options, device_id: int) -> OpaqueArray:
    """Backs Device.create_opaque_array (the device is current)."""
    if options is None:
        raise TypeError("options must be given: create_opaque_array(OpaqueArrayOptions(shape=..., format=..., ...))")
    opts = coerce_options(OpaqueArrayOptions, options, "options")
    opts.__post_init__()  # the fields may have been changed since the options were made
    desc = array3d_descriptor(opts.shape, opts.format, opts.num_channels, opts.is_surface_load_store)
    handle = int(handle_return(driver.cuArray3DCreate(desc)))
    owned = _Owned(handle, driver.cuArrayDestroy, current_context())
    return OpaqueArray._make(owned, opts.shape, opts.format, opts.num_channels, opts.is_surface_load_store, device_id)
