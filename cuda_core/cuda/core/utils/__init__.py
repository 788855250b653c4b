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


__getattr__, __dir__ = lazy_names(__name__, _WHERE)
