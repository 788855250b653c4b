# SPDX-License-Identifier: Apache-2.0
"""Caches of compiled programs: bytes in, bytes out, keyed by make_program_cache_key().

* ``ProgramCacheResource``: the abstract mapping (``__getitem__``, ``__setitem__``,
  ``__delitem__``, ``__len__`` and ``clear`` to write). Keys are bytes-like or str (str means its
  UTF-8 bytes); values written may be bytes-like or an ObjectCode (its code is stored; a
  path-backed one is read at write time); reads return bytes. There is deliberately no ``in``:
  check-then-read races other processes, so use ``get`` instead.
* ``InMemoryProgramCache``: an LRU dict under a lock, for one process.
* ``FileStreamProgramCache``: a directory shared safely by processes. ``entries/<2 hex>/<62 hex>``
  holds each entry's raw bytes (named by the SHA-256 of its key), ``tmp/`` the writes in flight:
  each is written there, fsync-ed and ``os.replace``-d into ``entries/``, so readers see a whole
  entry or none. Reads bump the entry's access time; past ``max_size_bytes`` (a soft cap that
  counts files in flight too) the least recently read entries are removed. Every removal first
  checks that the file is still the one it looked at, so an entry another process has just
  replaced survives.
* ``make_program_cache_key``: a 32-byte SHA-256 digest of everything that decides the compiled
  bytes for the backend of ``code_type``: code, target, the options that backend reads, C++
  name expressions, and the compiler's version (NVRTC, libNVVM, or the linker in use). What a
  backend ignores leaves its key alone; what Program would refuse, and options whose effect the
  key cannot see (files read or written by the compile), are refused.

SHA-256 rather than blake2b: Pythons in FIPS mode may refuse blake2b.
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

from cuda.core._options import emit
from cuda.core._program_options import _NVRTC_TABLE, SOURCE_TYPES, ProgramOptions, is_sequence
from cuda.core._toolchain import TARGETS, linker_backend, nvrtc_version

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

    from _typeshed import StrOrBytesPath
    from typing_extensions import Self

    from cuda.core._module import ObjectCode

    _Key = bytes | bytearray | str
    _Value = bytes | bytearray | memoryview | ObjectCode

__all__ = ["FileStreamProgramCache", "InMemoryProgramCache", "ProgramCacheResource", "make_program_cache_key"]

_KEY_SCHEMA = b"cuda.core program cache key v2"  # bump when what goes into a key changes
_STALE_TMP_SECONDS = 3600  # a file in tmp/ older than this was left by a writer that died


def _key_bytes(key) -> bytes:
    if isinstance(key, (bytes, bytearray)):
        return bytes(key)
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
            try:
                with open(code, "rb") as f:
                    return f.read()
            except FileNotFoundError as exc:
                # say why a cache write touches the file system at all
                raise FileNotFoundError(
                    exc.errno, "cannot store a path-backed ObjectCode in the cache: its file is gone", code
                ) from None
        return bytes(code)
    raise TypeError(f"cache values must be bytes-like or ObjectCode, got {type(value).__name__}")


class ProgramCacheResource(abc.ABC):
    """A cache of compiled program bytes (see the module notes for the contract)."""

    __iter__ = None  # not iterable, and ``key in cache`` is a TypeError (use get)

    @abc.abstractmethod
    def __getitem__(self, key: _Key) -> bytes:
        """The stored bytes; KeyError when absent."""

    @abc.abstractmethod
    def __setitem__(self, key: _Key, value: _Value) -> None:
        """Store bytes (or an ObjectCode's code) under ``key``."""

    @abc.abstractmethod
    def __delitem__(self, key: _Key) -> None:
        """Remove ``key``; KeyError when absent."""

    @abc.abstractmethod
    def __len__(self) -> int:
        """The number of entries."""

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
    if max_size_bytes <= 0:  # 0 would drop every entry as soon as it is written
        raise ValueError(f"max_size_bytes must be positive or None, got {max_size_bytes}")
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


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    """Whether two stats see one file version: os.replace gives a new inode and mtime."""
    return (a.st_ino, a.st_size, a.st_mtime_ns) == (b.st_ino, b.st_size, b.st_mtime_ns)


def _unlink_if_unchanged(path: str, seen: os.stat_result) -> bool:
    """Remove ``path`` unless it was replaced since ``seen`` (another writer's fresh entry)."""
    try:
        if not _same_file(os.stat(path), seen):
            return False
        os.unlink(path)
    except FileNotFoundError:
        return False
    return True


def _files(directory: str):
    """The os.DirEntry of each plain file in ``directory``; none when it is missing."""
    try:
        items = list(os.scandir(directory))
    except FileNotFoundError:
        return
    for item in items:
        try:
            if item.is_file(follow_symlinks=False):
                yield item
        except FileNotFoundError:  # removed by another process meanwhile
            continue


def _stats(items):
    """(path, stat) of each os.DirEntry still there."""
    out = []
    for item in items:
        try:
            out.append((item.path, item.stat(follow_symlinks=False)))
        except FileNotFoundError:
            continue
    return out


class FileStreamProgramCache(ProgramCacheResource):
    """A directory of cache entries, safe to share between processes.

    ``path`` defaults to ``$XDG_CACHE_HOME/cuda-python/program-cache`` (``~/.cache/...``).
    Each entry is the raw compiled bytes (cubin, PTX, LTO-IR), usable by NVIDIA's tools.
    ``max_size_bytes`` (positive, or None for no cap) bounds the directory softly: each
    process counts its own writes and removes the least recently read entries when its count
    passes the cap, after recounting what is on disk.
    """

    def __init__(self, path: StrOrBytesPath | None = None, *, max_size_bytes: int | None = None) -> None:
        self._max = _check_max_size(max_size_bytes)
        root = _default_cache_dir() if path is None else os.fspath(path)
        if not isinstance(root, str):
            root = os.fsdecode(root)
        self._root = os.path.abspath(root)
        self._entries_dir = os.path.join(self._root, "entries")
        self._tmp_dir = os.path.join(self._root, "tmp")
        os.makedirs(self._entries_dir, exist_ok=True)
        os.makedirs(self._tmp_dir, exist_ok=True)
        self._lock = threading.RLock()  # guards the size count and serialises eviction
        tmp_bytes = self._sweep_tmp()
        # bytes on disk as this process counts them (kept only under a cap: nothing to enforce else)
        self._counted = 0
        if self._max is not None:
            self._counted = tmp_bytes + sum(st.st_size for _, st in _stats(self._entry_files()))

    @property
    def path(self) -> str:
        return self._root

    def _entry_path(self, key) -> str:
        name = hashlib.sha256(_key_bytes(key)).hexdigest()
        return os.path.join(self._entries_dir, name[:2], name[2:])

    def _entry_files(self):
        try:
            shards = [d.path for d in os.scandir(self._entries_dir) if d.is_dir(follow_symlinks=False)]
        except FileNotFoundError:
            return
        for shard in shards:
            yield from _files(shard)

    def _sweep_tmp(self) -> int:
        """Remove the files dead writers left in tmp/; the bytes of those still in flight."""
        in_flight = 0
        stale = time.time() - _STALE_TMP_SECONDS
        for path, st in _stats(_files(self._tmp_dir)):
            if st.st_mtime < stale and _unlink_if_unchanged(path, st):
                continue
            in_flight += st.st_size  # a write in flight takes disk space too
        return in_flight

    def __getitem__(self, key: _Key) -> bytes:
        path = self._entry_path(key)
        try:
            with open(path, "rb") as f:
                seen = os.fstat(f.fileno())
                data = f.read()
        except FileNotFoundError:
            raise KeyError(key) from None
        # bump the access time (eviction removes the least recently read first), keeping the
        # mtime; skipped when another writer replaced the file meanwhile, so its new file keeps
        # the identity that eviction checks
        try:
            if _same_file(os.stat(path), seen):
                os.utime(path, ns=(time.time_ns(), seen.st_mtime_ns))
        except OSError:
            pass
        return data

    def _temp_file(self):
        try:
            return tempfile.mkstemp(dir=self._tmp_dir)
        except FileNotFoundError:  # tmp/ was removed under us: make it again
            os.makedirs(self._tmp_dir, exist_ok=True)
            return tempfile.mkstemp(dir=self._tmp_dir)

    def __setitem__(self, key: _Key, value: _Value) -> None:
        data = _value_bytes(value)
        path = self._entry_path(key)
        fd, tmp = self._temp_file()
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            replaced = 0
            if self._max is not None:
                try:
                    replaced = os.stat(path).st_size
                except FileNotFoundError:
                    pass
            try:
                os.replace(tmp, path)
            except FileNotFoundError:  # the entry's shard directory is new (or was removed)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        self._count(len(data) - replaced)

    def __delitem__(self, key: _Key) -> None:
        path = self._entry_path(key)
        try:
            size = os.stat(path).st_size
            os.unlink(path)
        except FileNotFoundError:
            raise KeyError(key) from None
        self._count(-size)

    def __len__(self) -> int:
        return sum(1 for _ in self._entry_files())

    def _count(self, delta: int) -> None:
        """Add ``delta`` bytes to this process's count; evict when it passes the cap."""
        if self._max is None:
            return
        with self._lock:
            # never below 0: a negative count would never pass the cap again
            self._counted = max(0, self._counted + delta)
            if self._counted > self._max:
                self._evict()

    def _evict(self) -> None:
        with self._lock:
            entries = _stats(self._entry_files())
            total = self._sweep_tmp() + sum(st.st_size for _, st in entries)
            for path, st in sorted(entries, key=lambda e: (e[1].st_atime_ns, e[1].st_mtime_ns)):
                if total <= self._max:
                    break
                if _unlink_if_unchanged(path, st):
                    total -= st.st_size
            self._counted = total  # recounted from the disk: other processes' writes included

    def clear(self) -> None:
        """Remove every entry (and stale files in tmp/; a write in flight there is kept)."""
        with self._lock:
            entries = _stats(self._entry_files())
            kept = sum(st.st_size for path, st in entries if not _unlink_if_unchanged(path, st))
            in_flight = self._sweep_tmp()
            if self._max is not None:
                self._counted = in_flight + kept

    def __repr__(self):
        return f"<FileStreamProgramCache {self._root!r} max_size_bytes={self._max}>"


# ---------------------------------------------------------------------------------------------
# keys

# NVRTC options whose effect is a file the compile writes: a cache hit would skip writing it
_SIDE_EFFECT_OPTIONS = ("create_pch", "time", "fdevice_time_trace")
# NVRTC options that make the compile read files whose content the key cannot see
_FILE_INPUT_OPTIONS = ("include_path", "pre_include", "pch", "use_pch", "pch_dir")
_NVRTC_ROWS = {row[0]: row for row in _NVRTC_TABLE}


def _nvrtc_flags(values, fields):
    """Those of ``fields`` that give NVRTC a flag (whatever form their value takes)."""
    return [f for f in fields if emit((_NVRTC_ROWS[f],), values)]


def _lowered(what, value):
    if not isinstance(value, str):
        raise ValueError(f"{what} must be a str, got {type(value).__name__} {value!r}")
    return value.lower()  # as Program and Program.compile take them


def _check_inputs(code, code_type, options, target_type, extra_digest):
    """Refuse what Program would refuse, and what the key cannot see or reproduce."""
    backend = {"c++": "NVRTC", "nvvm": "NVVM", "ptx": "linker"}[code_type]
    if target_type not in TARGETS[backend]:
        raise ValueError(
            f"target_type {target_type!r} is not valid for code_type {code_type!r} "
            f"(Program.compile refuses it); choose one of {TARGETS[backend]}"
        )
    if not isinstance(code, (str, bytes, bytearray)):
        raise TypeError(f"code must be str or bytes, got {type(code).__name__}")
    if code_type != "nvvm" and not isinstance(code, str):
        raise TypeError(f"code must be str for code_type {code_type!r}; bytes are NVVM IR, for 'nvvm' only")
    if not isinstance(options, ProgramOptions):
        raise TypeError(f"options must be a ProgramOptions, got {type(options).__name__}")
    if options.arch is None:
        raise ValueError("options.arch must be set to make a cache key")
    if extra_digest is not None and not isinstance(extra_digest, (bytes, bytearray, memoryview)):
        raise TypeError(f"extra_digest must be bytes or None, got {type(extra_digest).__name__}")

    values = options._values()
    if code_type != "nvvm" and values["extra_sources"]:
        raise ValueError(f"options.extra_sources is for code_type 'nvvm' only; Program refuses it for {code_type!r}")
    if code_type == "nvvm" and values["use_libdevice"] and extra_digest is None:
        raise ValueError(
            "options.use_libdevice links the toolkit's libdevice, which the key cannot see: "
            "pass extra_digest= with a digest of that libdevice file"
        )
    if code_type != "c++":
        return
    written = _nvrtc_flags(values, _SIDE_EFFECT_OPTIONS)
    if written:
        raise ValueError(
            f"options {', '.join(written)} write files as a side effect of compiling, which a cache "
            "hit would skip: compile without the cache to get them"
        )
    if extra_digest is None:
        read = _nvrtc_flags(values, _FILE_INPUT_OPTIONS)
        if read:
            raise ValueError(
                f"options {', '.join(read)} make NVRTC read files whose content the key cannot see: "
                "pass extra_digest= with a digest of those files"
            )
        name = values["name"] or ""
        if "/" in name or "\\" in name:  # NVRTC looks for quoted #includes beside the source
            raise ValueError(
                f"options.name {name!r} has a directory component, where NVRTC looks for quoted "
                "#includes the key cannot see: pass extra_digest= with a digest of those headers, "
                "or a name without a directory"
            )


def _check_name_expressions(name_expressions):
    if not is_sequence(name_expressions):
        what = type(name_expressions).__name__
        raise TypeError(f"name_expressions must be a list or tuple of str or bytes, got {what}")
    for expr in name_expressions:
        if isinstance(expr, bytearray):  # ObjectCode.symbol_mapping keys them: must be hashable
            raise TypeError("name_expressions elements must be str or bytes, not bytearray (unhashable)")
        if not isinstance(expr, (str, bytes)):
            raise TypeError(f"name_expressions elements must be str or bytes, got {type(expr).__name__}")


def _toolchain(code_type):
    """The compiler versions that decide the output of this code type."""
    if code_type == "c++":
        return [b"nvrtc=%d.%d" % nvrtc_version()]
    if code_type == "nvvm":
        from cuda.core import _program

        nvvm = _program._get_nvvm_module()  # the module Program compiles with (and only once found)
        return [b"nvvm=%d.%d" % tuple(nvvm.version()), b"nvvm-ir=%d.%d.%d.%d" % tuple(nvvm.ir_version())]
    backend = linker_backend()
    if backend == "nvJitLink":
        from cuda.bindings import nvjitlink

        return [b"linker=nvJitLink", b"nvjitlink=%d.%d" % tuple(nvjitlink.version())]
    from cuda.bindings import driver

    err, version = driver.cuDriverGetVersion()
    return [b"linker=driver", b"driver=%d" % version]


def _option_bytes(code_type, options, target_type):
    """The option strings the backend of ``code_type`` gets, plus what else it reads."""
    if code_type == "c++":  # as_bytes("nvrtc") leaves NVVM's options out
        return options.as_bytes("nvrtc", target_type)
    if code_type == "nvvm":
        values = options._values()
        out = options.as_bytes("nvvm", target_type)
        for name, source in values["extra_sources"] or ():
            data = source.encode() if isinstance(source, str) else bytes(source)
            out.append(b"extra:" + name.encode() + b":" + hashlib.sha256(data).digest())
        if values["use_libdevice"]:
            out.append(b"libdevice")
        return out
    linker = options._linker_options(warn=False)
    if linker_backend() == "nvJitLink":
        return linker.as_bytes("nvjitlink")
    try:
        pairs = linker._driver_options()
    except Exception as exc:  # what the driver linker lacks: Program would fail the same way
        raise ValueError(str(exc)) from exc
    return [b"%d=%d" % pair for pair in pairs]


def make_program_cache_key(
    *,
    code: str | bytes | bytearray,
    code_type: str,
    options: ProgramOptions,
    target_type: str,
    name_expressions: Sequence[str | bytes] = (),
    extra_digest: bytes | bytearray | None = None,
) -> bytes:
    """A 32-byte key for these compile inputs, stable across processes and runs.

    Parameters
    ----------
    code, code_type, options, target_type
        As given to ``Program(code, code_type, options).compile(target_type)``; ``code_type``
        and ``target_type`` in any case. ``code`` is str, or also bytes for ``"nvvm"``.
    name_expressions
        As given to ``compile`` (C++ only; ignored for the other code types).
    extra_digest
        Bytes fingerprinting the files the compile reads, which the key cannot see: the
        headers and PCH of ``include_path``, ``pre_include``, ``pch``, ``use_pch``, ``pch_dir``
        and of an ``options.name`` with a directory (C++), or libdevice (NVVM
        ``use_libdevice``). Required with those options.

    Returns
    -------
    bytes
        The SHA-256 digest of the inputs, of the compiler's version and of the key schema.

    Raises
    ------
    TypeError
        A value of the wrong type.
    ValueError
        An unknown code or target type, a pair Program refuses, an option the backend
        refuses, a file-reading option without ``extra_digest``, or a C++ option that writes
        files (``create_pch``, ``time``, ``fdevice_time_trace``): a hit would skip them.
    """
    code_type = _lowered("code_type", code_type)
    if code_type not in SOURCE_TYPES:
        raise ValueError(f"code_type must be one of {SOURCE_TYPES}, got {code_type!r}")
    target_type = _lowered("target_type", target_type)
    if target_type not in TARGETS["NVRTC"]:
        raise ValueError(f"target_type must be one of {TARGETS['NVRTC']}, got {target_type!r}")
    _check_inputs(code, code_type, options, target_type, extra_digest)
    exprs: list[bytes] = []
    if code_type == "c++":  # Program.compile hands name expressions to NVRTC only
        _check_name_expressions(name_expressions)
        exprs = sorted((b"s" + e.encode()) if isinstance(e, str) else (b"b" + e) for e in name_expressions)

    h = hashlib.sha256()

    def put(tag: bytes, data: bytes):
        h.update(tag + b"%d:" % len(data))
        h.update(data)

    put(b"schema", _KEY_SCHEMA)
    for part in _toolchain(code_type):
        put(b"version", part)
    put(b"code_type", code_type.encode())
    put(b"target", target_type.encode())
    put(b"name", (options.name or "").encode())
    put(b"code", code.encode("utf-8") if isinstance(code, str) else bytes(code))
    for opt in _option_bytes(code_type, options, target_type):
        put(b"option", opt)
    for e in exprs:
        put(b"name_expression", e)
    if extra_digest is not None:
        put(b"extra", bytes(extra_digest))
    return h.digest()
