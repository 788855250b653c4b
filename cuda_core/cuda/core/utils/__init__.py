# SPDX-License-Identifier: Apache-2.0
"""cuda.core.utils: strided memory views, program caches, batched copies.

Each name is imported from its module on first use.
"""

from cuda.core._lazy import lazy_names

_WHERE = {
    "StridedMemoryView": "_memoryview",
    "args_viewable_as_strided_memory": "_memoryview",
    "ProgramCacheResource": "_program_cache",
    "InMemoryProgramCache": "_program_cache",
    "FileStreamProgramCache": "_program_cache",
    "make_program_cache_key": "_program_cache",
    "CopyOptions": "_batch",
    "MemcpyOverlapMode": "_batch",
    "MemcpySrcAccessOrder": "_batch",
    "copy_batch": "_batch",
    "discard_batch": "_batch",
    "discard_prefetch_batch": "_batch",
    "prefetch_batch": "_batch",
}

__all__ = list(_WHERE)

# What type checkers see (at run time each name is imported on first use, below).
TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from cuda.core._batch import CopyOptions as CopyOptions
    from cuda.core._batch import MemcpyOverlapMode as MemcpyOverlapMode
    from cuda.core._batch import MemcpySrcAccessOrder as MemcpySrcAccessOrder
    from cuda.core._batch import copy_batch as copy_batch
    from cuda.core._batch import discard_batch as discard_batch
    from cuda.core._batch import discard_prefetch_batch as discard_prefetch_batch
    from cuda.core._batch import prefetch_batch as prefetch_batch
    from cuda.core._memoryview import StridedMemoryView as StridedMemoryView
    from cuda.core._memoryview import args_viewable_as_strided_memory as args_viewable_as_strided_memory
    from cuda.core._program_cache import FileStreamProgramCache as FileStreamProgramCache
    from cuda.core._program_cache import InMemoryProgramCache as InMemoryProgramCache
    from cuda.core._program_cache import ProgramCacheResource as ProgramCacheResource
    from cuda.core._program_cache import make_program_cache_key as make_program_cache_key

    __all__ = [  # the names above, as a list a type checker reads (at run time: from _WHERE)
        "CopyOptions",
        "FileStreamProgramCache",
        "InMemoryProgramCache",
        "MemcpyOverlapMode",
        "MemcpySrcAccessOrder",
        "ProgramCacheResource",
        "StridedMemoryView",
        "args_viewable_as_strided_memory",
        "copy_batch",
        "discard_batch",
        "discard_prefetch_batch",
        "make_program_cache_key",
        "prefetch_batch",
    ]


__getattr__, __dir__ = lazy_names(__name__, _WHERE)
