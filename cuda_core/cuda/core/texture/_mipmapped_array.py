# SPDX-License-Identifier: Apache-2.0
"""MipmappedArray: a CUDA mipmapped array (CUmipmappedArray), a chain of levels each half the size."""

from __future__ import annotations

from dataclasses import dataclass

from cuda.bindings import driver
from cuda.core._options import coerce_options
from cuda.core._utils.cuda_utils import handle_return
from cuda.core.texture._array import OpaqueArray
from cuda.core.texture._common import (
    ArrayObject,
    _Owned,
    array3d_descriptor,
    check_bool,
    check_channels,
    check_int,
    check_shape,
    closed_error,
    current_context,
    normalize_format,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    pass


@dataclass
class MipmappedArrayOptions:
    """Options of :meth:`cuda.core.Device.create_mipmapped_array`.

    Attributes
    ----------
    shape : tuple of int
        Extents of level 0: ``(width,)``, ``(width, height)`` or ``(width, height, depth)``.
    format : ArrayFormatType, str or numpy.dtype
        The element format (a plain string such as ``"float32"`` or a NumPy dtype is accepted).
    num_channels : int
        Channels per element: 1, 2 or 4.
    num_levels : int
        How many levels to allocate, at least 1. The driver refuses more than
        ``1 + floor(log2(max(shape)))``.
    is_surface_load_store : bool
        Allocate with ``CUDA_ARRAY3D_SURFACE_LDST`` so that each level (:meth:`MipmappedArray.get_level`)
        can back a SurfaceObject. Default False.
    """

    shape: tuple[int, ...]
    format: object
    num_channels: int
    num_levels: int
    is_surface_load_store: bool = False

    def __post_init__(self) -> None:
        self.shape = check_shape(self.shape)
        self.format = normalize_format(self.format)
        self.num_channels = check_channels(self.num_channels)
        self.num_levels = check_int("num_levels", self.num_levels, 1)
        self.is_surface_load_store = check_bool("is_surface_load_store", self.is_surface_load_store)


class MipmappedArray(ArrayObject):
    """A mipmapped CUDA array: level 0 has :attr:`shape`, each next level half of it (at least 1).

    A :class:`TextureObject` made from it samples across levels; :meth:`get_level` gives one level
    as an :class:`OpaqueArray` view (to copy data in and out, or to back a SurfaceObject). A view
    keeps this mipmapped array's storage alive, so closing this object first is safe.

    Made by :meth:`cuda.core.Device.create_mipmapped_array`. ``close()`` lets go of this object's
    reference; the storage is destroyed once neither it, a level view nor a texture uses it.
    """

    __slots__ = ("_num_levels",)
    _num_levels: int

    def __init__(self, *args, **kwargs):
        raise RuntimeError("MipmappedArray cannot be instantiated directly. Use Device.create_mipmapped_array().")

    @property
    def num_levels(self) -> int:
        """How many levels the array has."""
        return self._num_levels

    def _live(self) -> _Owned:
        if self._owned is None:
            raise closed_error("MipmappedArray")
        return self._owned

    def get_level(self, level: int) -> OpaqueArray:
        """One level as an :class:`OpaqueArray` that destroys nothing and keeps this array alive.

        Parameters
        ----------
        level : int
            The level, from 0 to ``num_levels - 1``.

        Raises
        ------
        TypeError
            ``level`` is not an int.
        ValueError
            ``level`` is negative or not below :attr:`num_levels`.
        RuntimeError
            This array is closed.
        """
        n = check_int("level", level, 0)
        if n >= self._num_levels:
            raise ValueError(f"level must be < num_levels ({self._num_levels}), got {n}")
        owned = self._live()
        handle = handle_return(driver.cuMipmappedArrayGetLevel(owned.value, n))
        return OpaqueArray._from_handle(handle, False, device_id=self._device_id, parent=owned)

    def __repr__(self) -> str:
        state = "closed" if self._owned is None else f"handle={self._owned.value:#x}"
        return (
            f"<MipmappedArray {state} shape={self._shape} format={self._format.value} "
            f"num_channels={self._num_channels} num_levels={self._num_levels}>"
        )


def _create_mipmapped_array(options, device_id: int) -> MipmappedArray:
    """Backs Device.create_mipmapped_array (the device is current)."""
    if options is None:
        raise TypeError(
            "options must be given: create_mipmapped_array(MipmappedArrayOptions(shape=..., format=..., ...))"
        )
    opts = coerce_options(MipmappedArrayOptions, options, "options")
    opts.__post_init__()
    desc = array3d_descriptor(opts.shape, opts.format, opts.num_channels, opts.is_surface_load_store)
    handle = int(handle_return(driver.cuMipmappedArrayCreate(desc, opts.num_levels)))
    self = MipmappedArray.__new__(MipmappedArray)
    self._owned = _Owned(handle, driver.cuMipmappedArrayDestroy, current_context())
    self._shape = opts.shape
    self._format = opts.format
    self._num_channels = opts.num_channels
    self._num_levels = opts.num_levels
    self._surface = opts.is_surface_load_store
    self._device_id = device_id
    return self
