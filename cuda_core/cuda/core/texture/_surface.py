# SPDX-License-Identifier: Apache-2.0
"""SurfaceObject: a CUsurfObject, typed loads and stores of an OpaqueArray from kernels."""

from __future__ import annotations

from cuda.bindings import driver
from cuda.core._utils.cuda_utils import handle_return
from cuda.core.texture._common import DriverObject, _Owned, current_context
from cuda.core.texture._texture import ResourceDescriptor

TYPE_CHECKING = False
if TYPE_CHECKING:
    pass


class SurfaceObject(DriverObject):
    """A surface object (CUsurfObject): kernels read and write an :class:`OpaqueArray` through it
    (``surf2Dread``, ``surf2Dwrite``, ...; x in bytes, y and z in elements), with no sampling.
    Pass :attr:`handle` to a kernel parameter of type ``cudaSurfaceObject_t``.

    The array must have been made with ``is_surface_load_store=True``; the surface keeps it
    alive. Made by :meth:`cuda.core.Device.create_surface_object`; ``close()`` destroys it
    (idempotent).
    """

    __slots__ = ("_resource",)
    _resource: ResourceDescriptor

    def __init__(self, *args, **kwargs):
        raise RuntimeError("SurfaceObject cannot be instantiated directly. Use Device.create_surface_object().")

    @property
    def resource(self) -> ResourceDescriptor:
        """The ResourceDescriptor (of kind ``"array"``) the surface accesses."""
        return self._resource

    def __repr__(self) -> str:
        state = "closed" if self._owned is None else f"handle={self._owned.value:#x}"
        return f"<SurfaceObject {state}>"


def _check_surface_resource(resource) -> None:
    if not isinstance(resource, ResourceDescriptor):
        raise TypeError(f"resource must be a ResourceDescriptor, got {type(resource).__name__}")
    if resource.kind != "array":
        raise ValueError(
            f"a SurfaceObject needs an array-backed resource (ResourceDescriptor.from_opaque_array), "
            f"not a {resource.kind!r} one"
        )
    if not resource._source.is_surface_load_store:
        raise ValueError("the OpaqueArray of a SurfaceObject must be created with is_surface_load_store=True")


def _create_surface_object(resource, device_id: int) -> SurfaceObject:
    """Backs Device.create_surface_object (the device is current)."""
    _check_surface_resource(resource)
    res_desc, source = resource._to_driver()
    handle = int(handle_return(driver.cuSurfObjectCreate(res_desc)))
    self = SurfaceObject.__new__(SurfaceObject)
    self._owned = _Owned(handle, driver.cuSurfObjectDestroy, current_context(), source)
    self._resource = resource
    self._device_id = device_id
    return self
