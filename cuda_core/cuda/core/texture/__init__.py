# SPDX-License-Identifier: Apache-2.0
"""Textures and surfaces: CUDA arrays and the bindless objects kernels read and write them with.

- :class:`OpaqueArray` (:meth:`cuda.core.Device.create_opaque_array` with
  :class:`OpaqueArrayOptions`) and :class:`MipmappedArray`
  (:meth:`cuda.core.Device.create_mipmapped_array` with :class:`MipmappedArrayOptions`): device
  storage laid out by the driver; data moves in and out by copies.
- :class:`ResourceDescriptor`: what a texture or surface reads (an array, a mipmapped array,
  or a linear or pitched 2D :class:`~cuda.core.Buffer`).
- :class:`TextureObject` (:meth:`cuda.core.Device.create_texture_object` with
  :class:`TextureObjectOptions`) and :class:`SurfaceObject`
  (:meth:`cuda.core.Device.create_surface_object`): 64-bit handles passed to kernels.

The rules shared by all of them: formats are :class:`~cuda.core.typing.ArrayFormatType`
(plain strings such as ``"float32"`` and NumPy dtypes are accepted too), modes are the StrEnums
of :mod:`cuda.core.typing`; bad arguments raise TypeError or ValueError before any driver call,
driver failures raise :class:`~cuda.core.CUDAError`, and using a closed object raises
RuntimeError. ``close()`` is idempotent and lets go of the object's reference: an array lives on
while a level view, texture or surface made from it still uses it. ``handle`` is 0 once closed.
Importing this module loads cuda.bindings.driver; ``import cuda.core`` does not import it.
"""

from cuda.core.texture._array import OpaqueArray, OpaqueArrayOptions
from cuda.core.texture._mipmapped_array import MipmappedArray, MipmappedArrayOptions
from cuda.core.texture._surface import SurfaceObject
from cuda.core.texture._texture import ResourceDescriptor, TextureObject, TextureObjectOptions

__all__ = [
    "MipmappedArray",
    "MipmappedArrayOptions",
    "OpaqueArray",
    "OpaqueArrayOptions",
    "ResourceDescriptor",
    "SurfaceObject",
    "TextureObject",
    "TextureObjectOptions",
]
