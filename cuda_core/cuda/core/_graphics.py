# SPDX-License-Identifier: Apache-2.0
"""GraphicsResource: OpenGL buffers and images registered with CUDA.

Registering needs the CUDA-OpenGL interop calls (cuGraphicsGLRegisterBuffer,
cuGraphicsGLRegisterImage of cudaGL.h), which cuda.bindings here does not bind (it covers
cuda.h). from_gl_buffer() and from_gl_image() therefore raise NotImplementedError; the
object API is kept so that code naming it imports.
"""

from __future__ import annotations

_NO_GL = (
    "GraphicsResource needs the CUDA-OpenGL interop calls of cudaGL.h (cuGraphicsGLRegisterBuffer, "
    "cuGraphicsGLRegisterImage), which this package's cuda.bindings does not provide yet"
)


class GraphicsResource:
    """A graphics-API resource registered with CUDA (not available: see the module's description)."""

    def __init__(self, *args, **kwargs):
        raise RuntimeError(
            "GraphicsResource objects cannot be instantiated directly. Use from_gl_buffer() or from_gl_image()."
        )

    @classmethod
    def from_gl_buffer(cls, *args, **kwargs):
        raise NotImplementedError(_NO_GL)

    @classmethod
    def from_gl_image(cls, *args, **kwargs):
        raise NotImplementedError(_NO_GL)

    def map(self, *args, **kwargs):
        raise NotImplementedError(_NO_GL)

    def unmap(self, *args, **kwargs):
        raise NotImplementedError(_NO_GL)

    def close(self):
        raise NotImplementedError(_NO_GL)

    @property
    def handle(self) -> None:
        return None

    @property
    def resource_handle(self) -> None:
        return None

    @property
    def is_mapped(self) -> None:
        return None

    @property
    def is_closed(self) -> None:
        return None
