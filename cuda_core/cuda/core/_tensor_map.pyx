# SPDX-License-Identifier: Apache-2.0
"""TensorMapDescriptor: the 128-byte CUtensorMap that Hopper's tensor memory accelerator reads,
encoded from a StridedMemoryView with cuTensorMapEncodeTiled.

Shapes, strides and boxes are given in row-major order (as numpy has them); the driver takes
them innermost first, so they are reversed here. Kernel launches pass ``_map`` by value
(``_address`` is where it lives, for Python-level argument packing).
"""

import dataclasses
import enum

from libc.stdint cimport uint32_t, uint64_t, uintptr_t
from libc.string cimport memcpy, memset

from cuda.bindings cimport cydriver
from cuda.core._errors cimport check

__all__ = ["TensorMapDescriptor", "TensorMapDescriptorOptions"]


class TensorMapDataType(enum.IntEnum):
    """Element types a tensor map can describe (CUtensorMapDataType)."""

    UINT8 = cydriver.CU_TENSOR_MAP_DATA_TYPE_UINT8
    UINT16 = cydriver.CU_TENSOR_MAP_DATA_TYPE_UINT16
    UINT32 = cydriver.CU_TENSOR_MAP_DATA_TYPE_UINT32
    INT32 = cydriver.CU_TENSOR_MAP_DATA_TYPE_INT32
    UINT64 = cydriver.CU_TENSOR_MAP_DATA_TYPE_UINT64
    INT64 = cydriver.CU_TENSOR_MAP_DATA_TYPE_INT64
    FLOAT16 = cydriver.CU_TENSOR_MAP_DATA_TYPE_FLOAT16
    FLOAT32 = cydriver.CU_TENSOR_MAP_DATA_TYPE_FLOAT32
    FLOAT64 = cydriver.CU_TENSOR_MAP_DATA_TYPE_FLOAT64
    BFLOAT16 = cydriver.CU_TENSOR_MAP_DATA_TYPE_BFLOAT16
    FLOAT32_FTZ = cydriver.CU_TENSOR_MAP_DATA_TYPE_FLOAT32_FTZ
    TFLOAT32 = cydriver.CU_TENSOR_MAP_DATA_TYPE_TFLOAT32
    TFLOAT32_FTZ = cydriver.CU_TENSOR_MAP_DATA_TYPE_TFLOAT32_FTZ


class TensorMapInterleave(enum.IntEnum):
    """Interleaved layouts (CUtensorMapInterleave)."""

    NONE = cydriver.CU_TENSOR_MAP_INTERLEAVE_NONE
    INTERLEAVE_16B = cydriver.CU_TENSOR_MAP_INTERLEAVE_16B
    INTERLEAVE_32B = cydriver.CU_TENSOR_MAP_INTERLEAVE_32B


class TensorMapSwizzle(enum.IntEnum):
    """Shared-memory swizzle patterns (CUtensorMapSwizzle)."""

    NONE = cydriver.CU_TENSOR_MAP_SWIZZLE_NONE
    SWIZZLE_32B = cydriver.CU_TENSOR_MAP_SWIZZLE_32B
    SWIZZLE_64B = cydriver.CU_TENSOR_MAP_SWIZZLE_64B
    SWIZZLE_128B = cydriver.CU_TENSOR_MAP_SWIZZLE_128B


class TensorMapL2Promotion(enum.IntEnum):
    """L2 promotion sizes (CUtensorMapL2promotion)."""

    NONE = cydriver.CU_TENSOR_MAP_L2_PROMOTION_NONE
    L2_64B = cydriver.CU_TENSOR_MAP_L2_PROMOTION_L2_64B
    L2_128B = cydriver.CU_TENSOR_MAP_L2_PROMOTION_L2_128B
    L2_256B = cydriver.CU_TENSOR_MAP_L2_PROMOTION_L2_256B


class TensorMapOOBFill(enum.IntEnum):
    """What out-of-bounds float elements read as (CUtensorMapFloatOOBfill)."""

    NONE = cydriver.CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE
    NAN_REQUEST_ZERO_FMA = cydriver.CU_TENSOR_MAP_FLOAT_OOB_FILL_NAN_REQUEST_ZERO_FMA


# data type -> (bytes per element, the numpy dtype name it describes or None)
_DATA_TYPES = {
    TensorMapDataType.UINT8: (1, "uint8"),
    TensorMapDataType.UINT16: (2, "uint16"),
    TensorMapDataType.UINT32: (4, "uint32"),
    TensorMapDataType.INT32: (4, "int32"),
    TensorMapDataType.UINT64: (8, "uint64"),
    TensorMapDataType.INT64: (8, "int64"),
    TensorMapDataType.FLOAT16: (2, "float16"),
    TensorMapDataType.FLOAT32: (4, "float32"),
    TensorMapDataType.FLOAT64: (8, "float64"),
    TensorMapDataType.BFLOAT16: (2, "bfloat16"),
    TensorMapDataType.FLOAT32_FTZ: (4, None),
    TensorMapDataType.TFLOAT32: (4, None),
    TensorMapDataType.TFLOAT32_FTZ: (4, None),
}
_SIZES = {kind: size for kind, (size, _) in _DATA_TYPES.items()}
_BY_DTYPE_NAME = {name: kind for kind, (_, name) in _DATA_TYPES.items() if name}


def _data_type(value):
    """A TensorMapDataType from the enum, an int of it, or a dtype-like (numpy, ml_dtypes)."""
    if isinstance(value, TensorMapDataType):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return TensorMapDataType(value)
    import numpy

    try:
        name = numpy.dtype(value).name
    except TypeError:
        raise TypeError(f"data_type must be a dtype or TensorMapDataType, not {type(value).__name__}") from None
    if name not in _BY_DTYPE_NAME:
        raise ValueError(f"dtype {name} cannot be described by a tensor map")
    return _BY_DTYPE_NAME[name]


def _int_tuple(name, values, rank, lo, hi):
    if isinstance(values, int) and not isinstance(values, bool):
        values = (values,)
    if not isinstance(values, (tuple, list)):
        raise TypeError(f"{name} must be a tuple of ints, not {type(values).__name__}")
    values = tuple(values)
    if rank is not None and len(values) != rank:
        raise ValueError(f"{name} needs {rank} entries (the tensor's rank), got {len(values)}")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int):
            raise TypeError(f"{name} entries must be ints, not {type(v).__name__}")
        if not lo <= v <= hi:
            raise ValueError(f"{name} entries must lie in [{lo}, {hi}], got {v}")
    return values


def _enum(name, value, kind):
    if value is None:  # as_tensor_map passes None for "not given": the NONE member
        return kind.NONE
    try:
        return kind(value)
    except ValueError:
        raise ValueError(f"{name} must be a {kind.__name__}, got {value!r}") from None


@dataclasses.dataclass
class TensorMapDescriptorOptions:
    """Options of a tiled tensor map (StridedMemoryView.as_tensor_map): box_dim (the tile, in
    elements, row-major), element_strides (default all 1), data_type (default: the view's
    dtype), interleave, swizzle, l2_promotion, oob_fill."""

    box_dim: tuple
    element_strides: tuple | None = None
    data_type: object = None
    interleave: TensorMapInterleave = TensorMapInterleave.NONE
    swizzle: TensorMapSwizzle = TensorMapSwizzle.NONE
    l2_promotion: TensorMapL2Promotion = TensorMapL2Promotion.NONE
    oob_fill: TensorMapOOBFill = TensorMapOOBFill.NONE

    def __post_init__(self):
        self.box_dim = _int_tuple("box_dim", self.box_dim, None, 1, 256)
        if not 1 <= len(self.box_dim) <= 5:
            raise ValueError(f"box_dim needs 1 to 5 entries, got {len(self.box_dim)}")
        if self.element_strides is not None:
            self.element_strides = _int_tuple("element_strides", self.element_strides, len(self.box_dim), 1, 8)
        if self.data_type is not None:
            self.data_type = _data_type(self.data_type)
        self.interleave = _enum("interleave", self.interleave, TensorMapInterleave)
        self.swizzle = _enum("swizzle", self.swizzle, TensorMapSwizzle)
        self.l2_promotion = _enum("l2_promotion", self.l2_promotion, TensorMapL2Promotion)
        self.oob_fill = _enum("oob_fill", self.oob_fill, TensorMapOOBFill)


def _device_view(tensor):
    from cuda.core._memoryview import StridedMemoryView

    view = tensor if isinstance(tensor, StridedMemoryView) else StridedMemoryView.from_any_interface(tensor, -1)
    if not view.is_device_accessible:
        raise ValueError("a tensor map needs device-accessible memory")
    if view.ptr % 16:
        raise ValueError(f"a tensor map needs a 16-byte aligned address, got 0x{view.ptr:x}")
    return view


cdef class TensorMapDescriptor:
    """A TMA tensor map (the opaque 128-byte CUtensorMap) for Hopper and later GPUs, made by
    StridedMemoryView.as_tensor_map and passed to kernels by value (launch arguments)."""

    def __init__(self, *args, **kwargs):
        raise RuntimeError("TensorMapDescriptor objects cannot be instantiated directly. Use StridedMemoryView.as_tensor_map().")

    @classmethod
    def _from_tiled(cls, view, box_dim=None, *, options=None, element_strides=None, data_type=None,
                    interleave=TensorMapInterleave.NONE, swizzle=TensorMapSwizzle.NONE,
                    l2_promotion=TensorMapL2Promotion.NONE, oob_fill=TensorMapOOBFill.NONE):
        cdef TensorMapDescriptor self
        cdef uint64_t dims[5]
        cdef uint64_t strides[5]
        cdef uint32_t box[5]
        cdef uint32_t estrides[5]
        cdef int rank, i
        cdef cydriver.CUtensorMap tmp
        if options is not None:
            if box_dim is not None or element_strides is not None or data_type is not None:
                raise ValueError("give either options or box_dim and the other keywords, not both")
            if isinstance(options, dict):
                options = TensorMapDescriptorOptions(**options)
            elif not isinstance(options, TensorMapDescriptorOptions):
                raise TypeError(f"options must be a TensorMapDescriptorOptions, not {type(options).__name__}")
            opts = options
        else:
            if box_dim is None:
                raise ValueError("box_dim is required")
            opts = TensorMapDescriptorOptions(box_dim, element_strides, data_type, interleave, swizzle,
                                              l2_promotion, oob_fill)
        view = _device_view(view)
        shape = tuple(view.shape)
        rank = len(shape)
        if not 1 <= rank <= 5:
            raise ValueError(f"a tensor map describes 1 to 5 dimensions, the view has {rank}")
        if len(opts.box_dim) != rank:
            raise ValueError(f"box_dim has {len(opts.box_dim)} entries for a rank-{rank} tensor")
        dtype = opts.data_type if opts.data_type is not None else _data_type(view.dtype)
        size = _SIZES[dtype]
        steps = view.strides
        if steps is None:
            steps, step = [], 1
            for extent in reversed(shape):
                steps.insert(0, step)
                step *= extent
        if steps[rank - 1] != 1 and shape[rank - 1] > 1:
            raise ValueError("the innermost dimension must be contiguous (stride 1)")
        for i in range(rank - 1):
            if (steps[i] * size) % 16:
                raise ValueError(f"dimension {i} has a stride of {steps[i] * size} bytes, not a multiple of 16")
        es = opts.element_strides or (1,) * rank
        for i in range(rank):
            dims[i] = shape[rank - 1 - i]
            box[i] = opts.box_dim[rank - 1 - i]
            estrides[i] = es[rank - 1 - i]
        for i in range(rank - 1):
            strides[i] = steps[rank - 2 - i] * size
        # The driver wants the CUtensorMap 64-byte aligned; a Python object is only 16-byte
        # aligned, so the map is encoded in an aligned local (alignas(128) from cuda.h) and copied.
        memset(&tmp, 0, sizeof(cydriver.CUtensorMap))
        check(cydriver.cuTensorMapEncodeTiled(
            &tmp, <cydriver.CUtensorMapDataType><int>dtype, rank, <void*><uintptr_t>view.ptr, dims, strides,
            box, estrides, <cydriver.CUtensorMapInterleave><int>opts.interleave,
            <cydriver.CUtensorMapSwizzle><int>opts.swizzle, <cydriver.CUtensorMapL2promotion><int>opts.l2_promotion,
            <cydriver.CUtensorMapFloatOOBfill><int>opts.oob_fill))
        self = TensorMapDescriptor.__new__(TensorMapDescriptor)
        memcpy(&self._map, &tmp, sizeof(cydriver.CUtensorMap))
        self._source = view
        self._device_id = view.device_id
        return self

    @property
    def device(self):
        """The Device of the described memory (None for host-accessible memory)."""
        if self._device_id < 0:
            return None
        from cuda.core._device import Device

        return Device(self._device_id)

    @property
    def _address(self):
        """Where the 128-byte CUtensorMap lives (valid while this object is)."""
        return <uintptr_t>&self._map

    def replace_address(self, tensor):
        """Point this tensor map at ``tensor`` (same shape, strides and dtype assumed): any
        device-accessible object with DLPack or the CUDA Array Interface, or a view."""
        cdef cydriver.CUtensorMap tmp  # 64-byte aligned for the driver (see _from_tiled)
        view = _device_view(tensor)
        memcpy(&tmp, &self._map, sizeof(cydriver.CUtensorMap))
        check(cydriver.cuTensorMapReplaceAddress(&tmp, <void*><uintptr_t>view.ptr))
        memcpy(&self._map, &tmp, sizeof(cydriver.CUtensorMap))
        self._source = view
        self._device_id = view.device_id

    def __reduce__(self):
        raise TypeError("a TensorMapDescriptor cannot be pickled")

    def __repr__(self):
        return f"<TensorMapDescriptor device_id={self._device_id}>"
