"""cuda.core.utils: strided memory views, program caches, batched copies.

Each name is imported from its module on first use.
"""

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


def __getattr__(name: str):
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'cuda.core.utils' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"cuda.core.{where}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(__all__)
