# SPDX-License-Identifier: Apache-2.0
"""A per-name result cache that is safe under threads.

functools.cache lets two threads run the same first call at once; a library
search must run once. Exceptions are not cached, so a failed search is retried
(after, say, a wheel was installed). The wrapper keeps functools' cache_clear()
and cache_info(), which callers and tests use.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import NamedTuple, TypeVar

T = TypeVar("T")

# One lock for every cached finder: a library search may load its dependencies
# (recursively, in the same thread), so it must be re-entrant.
_LOCK = threading.RLock()


class CacheInfo(NamedTuple):
    """cache_info()'s result, with the fields of functools' (whose class is private)."""

    hits: int
    misses: int
    maxsize: int | None
    currsize: int


def cached_by_name(func: Callable[[str], T]) -> Callable[[str], T]:
    results: dict[str, T] = {}
    stats = [0, 0]  # hits, misses

    @functools.wraps(func)
    def wrapper(name: str) -> T:
        try:
            result = results[name]  # fast path: no lock once found
        except (KeyError, TypeError):
            pass
        else:
            stats[0] += 1
            return result
        with _LOCK:
            if isinstance(name, str) and name in results:
                stats[0] += 1
                return results[name]
            stats[1] += 1
            result = func(name)
            if isinstance(name, str):
                results[name] = result
            return result

    def cache_clear() -> None:
        with _LOCK:
            results.clear()
            stats[:] = [0, 0]

    def cache_info() -> CacheInfo:
        return CacheInfo(stats[0], stats[1], None, len(results))

    wrapper.cache_clear = cache_clear
    wrapper.cache_info = cache_info
    return wrapper
