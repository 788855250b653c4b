# SPDX-License-Identifier: Apache-2.0
"""What the texture modules share: element formats, argument checks, the stream argument of
copies, and ``_Owned``, the holder of one driver object.

Lifetimes: a public object (OpaqueArray, MipmappedArray, TextureObject, SurfaceObject) holds an
``_Owned``; ``close()`` drops that reference and the driver object is destroyed when its last
holder lets go. A level view of a mipmap holds the mipmap's ``_Owned`` as its parent, and a
texture or surface holds the ``_Owned`` of the array it samples, so closing the parent never
leaves a dangling handle behind. Destruction never raises.
"""

from __future__ import annotations

import operator
import sys

from cuda.bindings import driver
from cuda.core._errors import WrongKindError
from cuda.core._options import ClosesOnExit
from cuda.core._utils.cuda_utils import handle_return
from cuda.core.typing import ArrayFormatType

TYPE_CHECKING = False
if TYPE_CHECKING:
    from cuda.core._device import Device

_F = driver.CUarray_format
# format -> (driver format, bytes per channel)
FORMATS = {
    ArrayFormatType.UINT8: (_F.CU_AD_FORMAT_UNSIGNED_INT8, 1),
    ArrayFormatType.UINT16: (_F.CU_AD_FORMAT_UNSIGNED_INT16, 2),
    ArrayFormatType.UINT32: (_F.CU_AD_FORMAT_UNSIGNED_INT32, 4),
    ArrayFormatType.INT8: (_F.CU_AD_FORMAT_SIGNED_INT8, 1),
    ArrayFormatType.INT16: (_F.CU_AD_FORMAT_SIGNED_INT16, 2),
    ArrayFormatType.INT32: (_F.CU_AD_FORMAT_SIGNED_INT32, 4),
    ArrayFormatType.FLOAT16: (_F.CU_AD_FORMAT_HALF, 2),
    ArrayFormatType.FLOAT32: (_F.CU_AD_FORMAT_FLOAT, 4),
}
FROM_DRIVER = {int(cu): fmt for fmt, (cu, _) in FORMATS.items()}
_FORMAT_NAMES = ", ".join(repr(f.value) for f in ArrayFormatType)


def normalize_format(format: object) -> ArrayFormatType:
    """An ArrayFormatType from an ArrayFormatType, its value as a str, or a numpy dtype (or type)."""
    if isinstance(format, ArrayFormatType):
        return format
    if isinstance(format, str):
        try:
            return ArrayFormatType(format)
        except ValueError:
            raise ValueError(f"format must be an ArrayFormatType or one of {_FORMAT_NAMES}, got {format!r}") from None
    np = sys.modules.get("numpy")  # a dtype exists only where numpy was imported
    if np is not None and (
        isinstance(format, np.dtype) or (isinstance(format, type) and issubclass(format, np.generic))
    ):
        dtype = np.dtype(format)
        if dtype.isnative and dtype.name in ArrayFormatType._value2member_map_:
            return ArrayFormatType(dtype.name)
        raise ValueError(f"numpy dtype {dtype.str} ({dtype.name}) has no ArrayFormatType equivalent")
    raise WrongKindError(
        f"format must be an ArrayFormatType, one of {_FORMAT_NAMES} or a numpy dtype, "
        f"got {type(format).__name__} {format!r}"
    )


def check_int(name: str, value: object, minimum: int) -> int:
    """``value`` as an int (bool refused) that is at least ``minimum``."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an int, got bool {value!r}")
    try:
        n = operator.index(value)  # type: ignore[arg-type]  # anything with __index__
    except TypeError:
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}") from None
    if n < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {n}")
    return n


def check_channels(num_channels: object) -> int:
    n = check_int("num_channels", num_channels, 1)
    if n not in (1, 2, 4):
        raise ValueError(f"num_channels must be 1, 2 or 4, got {n}")
    return n


def check_bool(name: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be a bool, got {type(value).__name__} {value!r}")
    return value


def check_shape(shape: object) -> tuple[int, ...]:
    """``shape`` as a tuple of 1 to 3 extents, each >= 1: (width,), (width, height) or (width, height, depth)."""
    if isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__"):
        raise TypeError(f"shape must be a tuple of 1 to 3 ints, got {type(shape).__name__} {shape!r}")
    dims = tuple(shape)
    if not 1 <= len(dims) <= 3:
        raise ValueError(f"shape rank must be 1, 2 or 3, got {len(dims)} ({dims!r})")
    return tuple(check_int(f"shape[{i}]", d, 1) for i, d in enumerate(dims))


def array3d_descriptor(shape, fmt: ArrayFormatType, num_channels: int, surface: bool):
    """The CUDA_ARRAY3D_DESCRIPTOR of a plain 1D/2D/3D array (absent extents are 0)."""
    desc = driver.CUDA_ARRAY3D_DESCRIPTOR()
    desc.Width = shape[0]
    desc.Height = shape[1] if len(shape) > 1 else 0
    desc.Depth = shape[2] if len(shape) > 2 else 0
    desc.Format = FORMATS[fmt][0]
    desc.NumChannels = num_channels
    desc.Flags = driver.CUDA_ARRAY3D_SURFACE_LDST if surface else 0
    return desc


def current_context() -> int:
    return int(handle_return(driver.cuCtxGetCurrent()))


def stream_of(stream: object):
    """The Stream of a copy's ``stream`` argument (a Stream, or a GraphBuilder's stream)."""
    from cuda.core._stream import Stream, Stream_accept

    if isinstance(stream, Stream):
        return stream
    if type(stream).__name__ == "GraphBuilder":
        return Stream_accept(stream)
    raise TypeError(f"stream: a Stream or GraphBuilder expected, got {type(stream).__name__}")


def closed_error(what: str) -> RuntimeError:
    return RuntimeError(f"this {what} is closed")


class _Owned:
    """One driver object (its handle as an int): ``destroy(value)`` runs once, when the last
    holder drops it, in the context it was created in. ``parent`` is kept alive as long as this."""

    __slots__ = ("_context", "_destroy", "parent", "value")

    def __init__(self, value: int, destroy, context: int, parent: object = None):
        self.value = value
        self.parent = parent
        self._destroy = destroy
        self._context = context

    def __del__(self):
        destroy, self._destroy = self._destroy, None
        if destroy is None:
            return
        try:
            pushed = self._context != 0 and current_context() != self._context
            if pushed:
                driver.cuCtxPushCurrent(self._context)
            try:
                destroy(self.value)  # the result is ignored: destructors never raise
            finally:
                if pushed:
                    driver.cuCtxPopCurrent()
        except Exception:
            pass


class DriverObject(ClosesOnExit):
    """What every texture-module object shares: one owned driver object (``_owned``, None once
    closed) made on one device (``_device_id``)."""

    __slots__ = ("_device_id", "_owned")
    _owned: _Owned | None
    _device_id: int

    def close(self) -> None:
        """Let go of this object's reference to its driver object (idempotent); the driver object
        is destroyed once nothing else holds it (a level its array, a texture its resource)."""
        self._owned = None

    @property
    def is_closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._owned is None

    @property
    def handle(self) -> int:
        """The driver handle as an int (0 once closed)."""
        return 0 if self._owned is None else self._owned.value

    @property
    def device(self) -> Device:
        """The Device the object was made on."""
        from cuda.core._device import Device

        return Device(self._device_id)


class ArrayObject(DriverObject):
    """What OpaqueArray and MipmappedArray share: their element layout and surface flag."""

    __slots__ = ("_format", "_num_channels", "_shape", "_surface")
    _shape: tuple[int, ...]
    _format: ArrayFormatType
    _num_channels: int
    _surface: bool

    @property
    def shape(self) -> tuple[int, ...]:
        """The extents in elements (of level 0, for a mipmapped array)."""
        return self._shape

    @property
    def format(self) -> ArrayFormatType:
        """The element format."""
        return self._format

    @property
    def num_channels(self) -> int:
        """Channels per element (1, 2 or 4)."""
        return self._num_channels

    @property
    def is_surface_load_store(self) -> bool:
        """True when made with ``CUDA_ARRAY3D_SURFACE_LDST`` (it can back a SurfaceObject)."""
        return self._surface
