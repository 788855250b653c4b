# SPDX-License-Identifier: Apache-2.0
"""Caches of compiled programs: bytes in, bytes out, keyed by make_program_cache_key().

* ``ProgramCacheResource``: the abstract mapping. Keys are bytes or str (str means its UTF-8
  bytes); values written may be bytes-like or an ObjectCode (its code is stored; a
  path-backed one is read at write time); reads return bytes. There is deliberately no
  ``in``: check-then-read races other processes, so use ``get`` instead.
* ``InMemoryProgramCache``: an LRU dict under a lock, for one process.
* ``FileStreamProgramCache``: one file per entry in a directory, shared safely by processes:
  each write goes to a temporary file in the same directory, is fsync-ed and then
  ``os.replace``-d into place, so readers see a whole entry or none. Reads bump the entry's
  access time; over ``max_size_bytes``, the least recently read entries are removed.
* ``make_program_cache_key``: a 32-byte blake2b digest of everything that decides the
  compiled bytes: code, code type, target, backend options, name expressions, and the
  versions of cuda.core and of the compiler (NVRTC, libNVVM or the linker).
"""

from __future__ import annotations

import abc
import collections
import collections.abc
import hashlib
import os
import tempfile
import threading
import time

from cuda.core._program_options import ProgramOptions
from cuda.core._toolchain import TARGETS, linker_backend, nvrtc_version

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from _typeshed import StrOrBytesPath
    from typing_extensions import Self

    from cuda.core._module import ObjectCode

    _Key = bytes | str
    _Value = bytes | bytearray | memoryview | ObjectCode

__all__ = ["FileStreamProgramCache", "InMemoryProgramCache", "ProgramCacheResource", "make_program_cache_key"]

_KEY_SCHEMA = b"cuda.core program cache key v1"
_DIR_SCHEMA = "v1"
_STALE_TMP_SECONDS = 3600  # a writer's temporary file older than this was abandoned


def _key_bytes(key) -> bytes:
    if isinstance(key, bytes):
        return key
    if isinstance(key, str):
        return key.encode("utf-8")
    raise TypeError(f"cache keys must be bytes or str, got {type(key).__name__}")


def _value_bytes(value) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    from cuda.core._module import ObjectCode

    if isinstance(value, ObjectCode):
        code = value.code
        if isinstance(code, str):  # a path-backed ObjectCode: store the content
            with open(code, "rb") as f:
                return f.read()
        return bytes(code)
    raise TypeError(f"cache values must be bytes-like or an ObjectCode, got {type(value).__name__}")


class ProgramCacheResource(abc.ABC):
    """A cache of compiled program bytes (see the module notes for the contract)."""

    __iter__ = None  # not iterable, and ``key in cache`` is a TypeError (use get)

    @abc.abstractmethod
    def __getitem__(self, key: _Key) -> bytes:
        """The stored bytes; KeyError when absent."""

    @abc.abstractmethod
    def __setitem__(self, key: _Key, value: _Value) -> None:
        """Store bytes (or an ObjectCode's code) under ``key``."""

    def __delitem__(self, key: _Key) -> None:
        """Remove ``key``; KeyError when absent."""
        raise NotImplementedError(f"{type(self).__name__} does not support removing entries")

    @abc.abstractmethod
    def clear(self) -> None:
        """Remove every entry."""

    def get(self, key: _Key, default: bytes | None = None) -> bytes | None:
        """``self[key]``, or ``default`` when absent."""
        try:
            return self[key]
        except KeyError:
            return default

    def update(self, items: Mapping[_Key, _Value] | Iterable[tuple[_Key, _Value]], /) -> None:
        """Store each (key, value) of a mapping or an iterable of pairs."""
        pairs = items.items() if isinstance(items, collections.abc.Mapping) else items
        for key, value in pairs:
            self[key] = value

    def close(self) -> None:  # noqa: B027 - optional to override: most caches hold nothing
        """Release what the cache holds (nothing by default)."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _check_max_size(max_size_bytes):
    if max_size_bytes is None:
        return None
    if isinstance(max_size_bytes, bool) or not isinstance(max_size_bytes, int):
        raise TypeError(f"max_size_bytes must be an int or None, got {type(max_size_bytes).__name__}")
    if max_size_bytes < 0:
        raise ValueError(f"max_size_bytes must be >= 0, got {max_size_bytes}")
    return max_size_bytes


class InMemoryProgramCache(ProgramCacheResource):
    """A process-local cache with least-recently-used eviction past ``max_size_bytes``."""

    def __init__(self, *, max_size_bytes: int | None = None) -> None:
        self._max = _check_max_size(max_size_bytes)
        self._entries: collections.OrderedDict[bytes, bytes] = collections.OrderedDict()
        self._size = 0
        self._lock = threading.RLock()

    def __getitem__(self, key: _Key) -> bytes:
        k = _key_bytes(key)
        with self._lock:
            value = self._entries[k]
            self._entries.move_to_end(k)
            return value

    def __setitem__(self, key: _Key, value: _Value) -> None:
        k = _key_bytes(key)
        data = _value_bytes(value)
        with self._lock:
            old = self._entries.pop(k, None)
            if old is not None:
                self._size -= len(old)
            self._entries[k] = data
            self._size += len(data)
            if self._max is not None:
                while self._size > self._max and self._entries:
                    _, evicted = self._entries.popitem(last=False)
                    self._size -= len(evicted)

    def __delitem__(self, key: _Key) -> None:
        k = _key_bytes(key)
        with self._lock:
            self._size -= len(self._entries.pop(k))

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0


def _default_cache_dir():
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "cuda-python", "program-cache")


class FileStreamProgramCache(ProgramCacheResource):
    """A directory of cache entries, safe to share between processes.

    ``path`` defaults to ``$XDG_CACHE_HOME/cuda-python/program-cache`` (``~/.cache/...``).
    Each entry is the raw compiled bytes (cubin, PTX, LTO-IR), usable by NVIDIA's tools.
    """

    def __init__(self, path: StrOrBytesPath | None = None, *, max_size_bytes: int | None = None) -> None:
        self._max = _check_max_size(max_size_bytes)
        root = _default_cache_dir() if path is None else os.fspath(path)
        if not isinstance(root, str):
            root = os.fsdecode(root)
        self._root = os.path.abspath(root)
        self._dir = os.path.join(self._root, _DIR_SCHEMA)
        os.makedirs(self._dir, exist_ok=True)

    @property
    def path(self) -> str:
        return self._root

    def _entry(self, key) -> str:
        name = hashlib.blake2b(_key_bytes(key), digest_size=20).hexdigest()
        return os.path.join(self._dir, name)

    def __getitem__(self, key: _Key) -> bytes:
        path = self._entry(key)
        try:
            with open(path, "rb") as f:
                data = f.read()
                st = os.fstat(f.fileno())
        except FileNotFoundError:
            raise KeyError(key) from None
        try:  # bump the access time: eviction removes the least recently read first
            os.utime(path, ns=(time.time_ns(), st.st_mtime_ns))
        except OSError:
            pass
        return data

    def __setitem__(self, key: _Key, value: _Value) -> None:
        data = _value_bytes(value)
        path = self._entry(key)
        fd, tmp = tempfile.mkstemp(dir=self._dir, prefix=".tmp-", suffix=f".{os.getpid()}")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        if self._max is not None:
            self._enforce_size()

    def __delitem__(self, key: _Key) -> None:
        try:
            os.unlink(self._entry(key))
        except FileNotFoundError:
            raise KeyError(key) from None

    def _entries(self):
        """(atime, size, path) of each entry; removes temporary files left by crashed writers."""
        out = []
        try:
            names = os.listdir(self._dir)
        except FileNotFoundError:
            return out
        stale = time.time() - _STALE_TMP_SECONDS
        for name in names:
            path = os.path.join(self._dir, name)
            if name.startswith(".tmp-"):
                try:
                    if os.stat(path).st_mtime < stale:
                        os.unlink(path)
                except FileNotFoundError:
                    pass
                continue
            try:
                st = os.stat(path)
            except FileNotFoundError:  # removed by another process meanwhile
                continue
            out.append((st.st_atime_ns, st.st_size, path))
        return out

    def _enforce_size(self):
        entries = self._entries()
        total = sum(size for _, size, _ in entries)
        if total <= self._max:
            return
        for _, size, path in sorted(entries):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
            total -= size
            if total <= self._max:
                break

    def clear(self) -> None:
        for _, _, path in self._entries():
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass

    def __repr__(self):
        return f"<FileStreamProgramCache {self._root!r} max_size_bytes={self._max}>"


# ---------------------------------------------------------------------------------------------
# keys

_FILE_OPTIONS = ("include_path", "pre_include", "pch", "use_pch", "pch_dir", "create_pch")


def _versions(code_type, options):
    """The compiler versions that decide the output of this code type."""
    import cuda.core

    parts = [b"cuda.core=" + cuda.core.__version__.encode()]
    if code_type == "c++":
        parts.append(b"nvrtc=%d.%d" % nvrtc_version())
    elif code_type == "nvvm":
        from cuda.bindings import nvvm

        parts.append(b"nvvm=%d.%d" % tuple(nvvm.version()))
        parts.append(b"nvvm-ir=%d.%d.%d.%d" % tuple(nvvm.ir_version()))
    else:
        backend = linker_backend()
        parts.append(b"linker=" + backend.encode())
        if backend == "nvJitLink":
            from cuda.bindings import nvjitlink

            parts.append(b"nvjitlink=%d.%d" % tuple(nvjitlink.version()))
        else:
            from cuda.bindings import driver

            err, version = driver.cuDriverGetVersion()
            parts.append(b"driver=%d" % version)
    return parts


def _option_bytes(code_type, options, target_type):
    if code_type == "c++":
        return options.as_bytes("nvrtc", target_type)
    if code_type == "nvvm":
        out = options.as_bytes("nvvm", target_type)
        for name, source in options._values().get("extra_sources") or ():
            data = source.encode() if isinstance(source, str) else bytes(source)
            out.append(b"extra:" + name.encode() + b":" + hashlib.blake2b(data).digest())
        return out
    lo = options._linker_options()
    if linker_backend() == "nvJitLink":
        return lo.as_bytes("nvjitlink")
    return [b"%d=%d" % pair for pair in lo._driver_options()]


def make_program_cache_key(
    *,
    code: str | bytes | bytearray,
    code_type: str,
    options: ProgramOptions,
    target_type: str,
    name_expressions: tuple[str | bytes, ...] | list[str | bytes] = (),
    extra_digest: bytes | bytearray | None = None,
) -> bytes:
    """A 32-byte key for these compile inputs, stable across processes and runs.

    It includes the versions of cuda.core and of the compiler used, so an upgrade misses.
    Options that read files (include_path, pre_include, pch, use_pch, pch_dir, create_pch,
    NVVM use_libdevice) need ``extra_digest``: bytes fingerprinting those files.
    """
    if not isinstance(code, (str, bytes, bytearray)):
        raise TypeError(f"code must be str or bytes, got {type(code).__name__}")
    if code_type not in ("c++", "ptx", "nvvm"):
        raise ValueError(f"code_type must be 'c++', 'ptx' or 'nvvm', got {code_type!r}")
    if not isinstance(options, ProgramOptions):
        raise TypeError(f"options must be a ProgramOptions, got {type(options).__name__}")
    kind = {"c++": "NVRTC", "nvvm": "NVVM", "ptx": "linker"}[code_type]
    if target_type not in TARGETS[kind]:
        raise ValueError(f"target_type {target_type!r} is not supported for code_type {code_type!r}")
    if options.arch is None:
        raise ValueError("options.arch must be set to make a cache key")
    if isinstance(name_expressions, (str, bytes)) or not isinstance(name_expressions, (list, tuple)):
        raise TypeError("name_expressions must be a list or tuple of str or bytes")
    for expr in name_expressions:
        if not isinstance(expr, (str, bytes)):
            raise TypeError(f"each name expression must be str or bytes, got {type(expr).__name__}")
    if extra_digest is not None and not isinstance(extra_digest, (bytes, bytearray)):
        raise TypeError(f"extra_digest must be bytes or None, got {type(extra_digest).__name__}")
    if extra_digest is None:
        needs = [f for f in _FILE_OPTIONS if getattr(options, f) not in (None, False)]
        if code_type == "nvvm" and options.use_libdevice:
            needs.append("use_libdevice")
        if code_type == "c++" and options.name and os.sep in options.name:
            needs.append("name (with a directory: headers are searched there)")
        if needs:
            raise ValueError(
                f"options {', '.join(needs)} pull in file contents the key cannot see: "
                "pass extra_digest= with a fingerprint of those files"
            )

    h = hashlib.blake2b(digest_size=32)

    def put(tag: bytes, data: bytes):
        h.update(tag + b"%d:" % len(data))
        h.update(data)

    put(b"schema", _KEY_SCHEMA)
    for part in _versions(code_type, options):
        put(b"version", part)
    put(b"code_type", code_type.encode())
    put(b"target", target_type.encode())
    put(b"name", (options.name or "").encode())
    put(b"code", code.encode("utf-8") if isinstance(code, str) else bytes(code))
    for opt in _option_bytes(code_type, options, target_type):
        put(b"option", opt)
    exprs = sorted((b"s" + e.encode()) if isinstance(e, str) else (b"b" + e) for e in name_expressions)
    for e in exprs:
        put(b"name_expression", e)
    if extra_digest is not None:
        put(b"extra", bytes(extra_digest))
    return h.digest()
