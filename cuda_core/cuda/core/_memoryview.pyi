# SPDX-License-Identifier: Apache-2.0
from collections.abc import Callable
from typing import Any, ClassVar

import numpy

from cuda.core._tensor_map import TensorMapDescriptor

__all__ = ["StridedMemoryView", "args_viewable_as_strided_memory"]

class StridedMemoryView:
    ptr: int
    device_id: int
    is_device_accessible: bool
    readonly: bool
    exporting_obj: Any
    def __init__(self, obj: object = None, stream_ptr: int | None = None) -> None: ...
    @classmethod
    def from_dlpack(cls, obj: object, stream_ptr: int | None = None) -> StridedMemoryView: ...
    @classmethod
    def from_cuda_array_interface(cls, obj: object, stream_ptr: int | None = None) -> StridedMemoryView: ...
    @classmethod
    def from_array_interface(cls, obj: object) -> StridedMemoryView: ...
    @classmethod
    def from_any_interface(cls, obj: object, stream_ptr: int | None = None) -> StridedMemoryView: ...
    @classmethod
    def from_buffer(
        cls,
        buffer: Any,
        shape: tuple[int, ...],
        strides: tuple[int, ...] | None = None,
        *,
        itemsize: int | None = None,
        dtype: numpy.dtype | None = None,
        is_readonly: bool = False,
    ) -> StridedMemoryView: ...
    @property
    def shape(self) -> tuple[int, ...]: ...
    @property
    def strides(self) -> tuple[int, ...] | None: ...
    @property
    def dtype(self) -> numpy.dtype | None: ...
    @property
    def size(self) -> int: ...
    __dlpack_c_exchange_api__: ClassVar[Any]  # a PyCapsule named "dlpack_exchange_api"
    def __dlpack__(
        self,
        *,
        stream: int | None = None,
        max_version: tuple[int, int] | None = None,
        dl_device: tuple[int, int] | None = None,
        copy: bool | None = None,
    ) -> object: ...
    def __dlpack_device__(self) -> tuple[int, int]: ...
    def view(self, layout: Any = None, dtype: Any = None) -> StridedMemoryView: ...
    def copy_from(
        self, other: StridedMemoryView, stream: Any, allocator: Any = None, blocking: bool | None = None
    ) -> None: ...
    def copy_to(
        self, other: StridedMemoryView, stream: Any = None, allocator: Any = None, blocking: bool | None = None
    ) -> None: ...
    def as_tensor_map(
        self,
        box_dim: tuple[int, ...] | None = None,
        *,
        options: Any = None,
        element_strides: tuple[int, ...] | None = None,
        data_type: Any = None,
        interleave: Any = None,
        swizzle: Any = None,
        l2_promotion: Any = None,
        oob_fill: Any = None,
    ) -> TensorMapDescriptor: ...

def args_viewable_as_strided_memory(
    arg_indices: tuple[int, ...],
) -> Callable[[Callable[..., Any]], Callable[..., Any]]: ...
