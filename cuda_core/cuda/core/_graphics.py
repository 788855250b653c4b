# SPDX-License-Identifier: Apache-2.0
"""GraphicsResource: OpenGL buffers and images registered with CUDA (CUDA-OpenGL interop).

``from_gl_buffer`` / ``from_gl_image`` register a GL object (cuGraphicsGLRegisterBuffer /
cuGraphicsGLRegisterImage; a GL context must be current on the calling thread). ``map`` maps it
on a stream and returns a Buffer over the mapped memory; closing that Buffer (or ``unmap``) gives
the mapping back, ordered on the mapping stream or the one given. ``close`` unmaps if needed and
unregisters. None of this is on a hot path: plain Python over cuda.bindings.driver.
"""

from __future__ import annotations

import weakref

from cuda.core._memory import Buffer, MemoryResource

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import Any

__all__ = ["GraphicsResource"]

# the names NVIDIA's cuda.core takes for the CU_GRAPHICS_REGISTER_FLAGS_* members
_REGISTER_FLAGS = {"none": "NONE", "read_only": "READ_ONLY", "write_discard": "WRITE_DISCARD",
                   "surface_load_store": "SURFACE_LDST", "texture_gather": "TEXTURE_GATHER"}  # fmt: skip


def _parse_register_flags(flags) -> int:
    """None, a flag name or a sequence of them -> the CU_GRAPHICS_REGISTER_FLAGS_* bits."""
    if flags is None:
        return 0
    from cuda.bindings.driver import CUgraphicsRegisterFlags

    names = (flags,) if isinstance(flags, str) else flags
    bits = 0
    for name in names:
        member = _REGISTER_FLAGS.get(name) if isinstance(name, str) else None
        if member is None:
            valid = ", ".join(sorted(_REGISTER_FLAGS))
            raise ValueError(f"Unknown register flag {name!r}. Valid flags: {valid}")
        bits |= int(getattr(CUgraphicsRegisterFlags, f"CU_GRAPHICS_REGISTER_FLAGS_{member}"))
    return bits


def _driver_call(result):
    from cuda.core._utils.cuda_utils import handle_return

    return handle_return(result)


def _stream_of(stream):
    from cuda.core._stream import Stream_accept

    return Stream_accept(stream)


class _Mapping(MemoryResource):
    """What the Buffer of a mapped resource is given back through: deallocate() unmaps."""

    def __init__(self, resource: GraphicsResource):
        self._resource = weakref.ref(resource)
        self._raw: Any = resource._raw

    def allocate(self, size, stream=None):
        raise TypeError("a mapped graphics resource allocates nothing: use GraphicsResource.map()")

    def deallocate(self, ptr, size, stream=None):
        from cuda.bindings import driver

        _driver_call(driver.cuGraphicsUnmapResources(1, [self._raw], _stream_of(stream).handle))
        resource = self._resource()
        if resource is not None:
            resource._mapped = None

    @property
    def is_device_accessible(self):
        return True

    @property
    def is_host_accessible(self):
        return False

    @property
    def device_id(self):
        from cuda.core._device import Device

        return Device().device_id


class GraphicsResource:
    """An OpenGL buffer or image registered for CUDA access (made by ``from_gl_buffer`` or
    ``from_gl_image``). A context manager: it closes on exit, and when made with a ``stream``
    it maps on entry and gives the mapped Buffer."""

    __slots__ = ("__weakref__", "_enter_stream", "_mapped", "_raw")
    _raw: Any  # the CUgraphicsResource; None once closed
    _mapped: Buffer | None
    _enter_stream: Any

    def __init__(self, *args, **kwargs):
        raise RuntimeError(
            "GraphicsResource objects cannot be instantiated directly. "
            "Use GraphicsResource.from_gl_buffer() or GraphicsResource.from_gl_image()."
        )

    @classmethod
    def _register(cls, result, enter_stream) -> GraphicsResource:
        self = object.__new__(cls)
        self._raw = _driver_call(result)
        self._mapped = None
        self._enter_stream = enter_stream
        return self

    @classmethod
    def from_gl_buffer(cls, gl_buffer: int, *, flags=None, stream=None) -> GraphicsResource:
        """Register the GL buffer object ``gl_buffer`` (its GLuint name). ``flags``: None, or one
        or more of "none", "read_only", "write_discard", "surface_load_store", "texture_gather".
        With ``stream``, entering the resource as a context manager maps it on that stream."""
        from cuda.bindings import driver

        bits = _parse_register_flags(flags)
        return cls._register(driver.cuGraphicsGLRegisterBuffer(gl_buffer, bits), stream)

    @classmethod
    def from_gl_image(cls, image: int, target: int, *, flags=None) -> GraphicsResource:
        """Register the GL texture or renderbuffer ``image`` of GL target ``target`` (e.g.
        GL_TEXTURE_2D); ``flags`` as for from_gl_buffer."""
        from cuda.bindings import driver

        bits = _parse_register_flags(flags)
        return cls._register(driver.cuGraphicsGLRegisterImage(image, target, bits), None)

    def _live(self) -> None:
        if self._raw is None:
            raise RuntimeError("GraphicsResource has been closed")

    def _mapped_buffer(self):
        buf = self._mapped
        if buf is not None and buf.is_closed:  # its Buffer was closed: that unmapped it
            self._mapped = buf = None
        return buf

    def map(self, *, stream=None) -> Buffer:
        """Map the resource on ``stream`` (default: the default stream); returns a Buffer over the
        mapped memory. Closing the Buffer, or unmap(), gives the mapping back."""
        from cuda.bindings import driver

        self._live()
        if self._mapped_buffer() is not None:
            raise RuntimeError("GraphicsResource is already mapped")
        s = _stream_of(stream)
        _driver_call(driver.cuGraphicsMapResources(1, [self._raw], s.handle))
        try:
            ptr, size = _driver_call(driver.cuGraphicsResourceGetMappedPointer(self._raw))
        except BaseException:
            driver.cuGraphicsUnmapResources(1, [self._raw], s.handle)
            raise
        self._mapped = Buffer.from_handle(int(ptr), size, mr=_Mapping(self), stream=s)
        return self._mapped

    def unmap(self, *, stream=None) -> None:
        """Give the mapping back, ordered on ``stream`` (default: the stream it was mapped on)."""
        self._live()
        buf = self._mapped_buffer()
        if buf is None:
            raise RuntimeError("GraphicsResource is not mapped")
        buf.close(stream)
        self._mapped = None

    def close(self, stream=None) -> None:
        """Unmap (on ``stream``, default the mapping stream) if mapped, then unregister. Closing
        twice is harmless."""
        from cuda.bindings import driver

        if self._raw is None:
            return
        buf = self._mapped_buffer()
        if buf is not None:
            buf.close(stream)
            self._mapped = None
        raw, self._raw, self._enter_stream = self._raw, None, None
        _driver_call(driver.cuGraphicsUnregisterResource(raw))

    def __del__(self):
        try:
            self.close()
        except Exception:  # at exit the driver may be gone; a finalizer never raises
            pass

    def __enter__(self):
        if self._enter_stream is None:
            return self
        return self.map(stream=self._enter_stream)

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close()

    @property
    def handle(self) -> int:
        """The CUgraphicsResource as an int (0 once closed)."""
        return 0 if self._raw is None else int(self._raw)

    @property
    def resource_handle(self) -> int:
        """The same as ``handle``."""
        return self.handle

    @property
    def is_mapped(self) -> bool:
        return self._mapped_buffer() is not None

    @property
    def is_closed(self) -> bool:
        return self._raw is None

    def __repr__(self) -> str:
        state = " mapped" if self.is_mapped else ""
        if self._raw is None:
            state += " closed"
        return f"<GraphicsResource handle={self.handle:#x}{state}>"
