# SPDX-License-Identifier: Apache-2.0
"""load_nvidia_dynamic_lib: find a CUDA shared library and load it into this process.

Search order (first hit wins), for every library except the driver's:
  1. already loaded in this process (by any means) under one of its sonames;
  2. pip wheels in site-packages (sys.path order; CUDA 13 wheel folders first);
  3. conda: $CONDA_PREFIX/lib64, lib;
  4. the system loader (LD_LIBRARY_PATH, ld.so.conf, the default folders);
  5. the product's own root variable (CUDNN_PATH, NCCL_HOME), then CUDA_PATH/CUDA_HOME;
  6. for nvvm and CUPTI, the toolkit root that the system's libcudart lives in.
The libraries a library needs are loaded first, through the same search.
Driver libraries (cuda, nvml, nvcudla) come from steps 1 and 4 only.
"""

from __future__ import annotations

import glob
import os
import re
import struct
import sys
import warnings
from dataclasses import dataclass, replace

from . import _dlopen
from ._cache import cached_by_name
from ._catalog import CU13_LIB, DRIVER, LIBRARIES, LibSpec
from ._exceptions import DynamicLibNotAvailableError, DynamicLibNotFoundError, DynamicLibUnknownError
from ._places import (
    SearchLog,
    anchored_dirs,
    conda_prefix,
    ctk_root_from_system_cudart,
    find_file,
    get_cuda_path_or_home,
    site_packages_dirs,
)


@dataclass
class LoadedDL:
    """A library loaded into this process. Never dlclose the handle: it is shared and cached."""

    abs_path: str | None
    was_already_loaded_from_elsewhere: bool
    _handle_uint: int
    found_via: str


def _install_hint(spec: LibSpec) -> str:
    ways = []
    if spec.wheels:
        ways.append("pip install " + " or ".join(spec.wheels))
    if spec.packaged_with == "ctk":
        ways.append("install the CUDA Toolkit and set CUDA_HOME to it")
    return ("To get it: " + "; or ".join(ways) + ".") if ways else ""


def _describe(spec: LibSpec) -> str:
    return f"the {spec.name} library ({' or '.join(spec.sonames)})"


def _open(path_or_soname: str, spec: LibSpec, via: str) -> LoadedDL:
    try:
        handle = _dlopen.dlopen(path_or_soname)
    except OSError as exc:
        raise DynamicLibNotFoundError(
            f"Found {_describe(spec)} at {path_or_soname} ({via}), but the system loader could not load it: {exc}"
        ) from None
    abs_path = path_or_soname if os.path.isabs(path_or_soname) else _dlopen.abs_path_of(handle)
    return LoadedDL(abs_path, False, handle, via)


def _already_loaded(spec: LibSpec) -> LoadedDL | None:
    for soname in spec.sonames:
        handle = _dlopen.dlopen_if_loaded(soname)
        if handle:
            return LoadedDL(_dlopen.abs_path_of(handle), True, handle, "was-already-loaded-from-elsewhere")
    return None


def _system_search(spec: LibSpec, log: SearchLog) -> LoadedDL | None:
    for soname in spec.sonames:
        try:
            handle = _dlopen.dlopen(soname)
        except OSError as exc:
            log.note("system-search", f"dlopen({soname!r})", str(exc).split(": ")[-1])
            continue
        return LoadedDL(_dlopen.abs_path_of(handle), False, handle, "system-search")
    return None


def _load_dependencies(spec: LibSpec) -> None:
    for dep in spec.dependencies:
        try:
            load_nvidia_dynamic_lib(dep)
        except DynamicLibNotFoundError as exc:
            raise type(exc)(f"{spec.name} needs {dep}, which could not be loaded:\n{exc}") from exc
    for dep in spec.optional_dependencies:
        try:
            load_nvidia_dynamic_lib(dep)
        except DynamicLibNotFoundError as exc:
            if type(exc) is not DynamicLibNotFoundError:
                raise


def _preload_nvrtc_builtins(loaded: LoadedDL) -> None:
    """libnvrtc dlopens its builtins library by soname; load the sibling copy first."""
    directory = os.path.dirname(loaded.abs_path)
    real = os.path.basename(os.path.realpath(loaded.abs_path))
    match = re.match(r"libnvrtc\.so\.(\d+)(?:\.(\d+))?", real)
    if not match:
        return
    major, minor = match.group(1), match.group(2)
    pattern = f"libnvrtc-builtins.so.{major}.{minor}" if minor else f"libnvrtc-builtins.so.{major}.*"
    builtins = sorted(glob.glob(os.path.join(directory, pattern)), reverse=True)
    if not builtins:
        return
    try:
        _dlopen.dlopen(builtins[0])
    except OSError as exc:
        warnings.warn(f"could not preload {builtins[0]}: {exc}", RuntimeWarning, stacklevel=4)


def _load_driver_lib(spec: LibSpec) -> LoadedDL:
    loaded = _already_loaded(spec)
    if loaded:
        return loaded
    log = SearchLog(_describe(spec))
    loaded = _system_search(spec, log)
    if loaded:
        return loaded
    raise DynamicLibNotFoundError(
        f'"{spec.name}" is an NVIDIA driver library and can only be found via system search. '
        f"Ensure the NVIDIA display driver is installed.\n{log.render()}"
    )


def _late_candidates(spec: LibSpec):
    for var, rel_dirs in spec.env_roots:
        yield from anchored_dirs(var, os.environ.get(var) or None, rel_dirs)
    yield from anchored_dirs("CUDA_PATH", get_cuda_path_or_home(), spec.anchor_dirs)


def _load(spec: LibSpec) -> LoadedDL:
    if spec.packaged_with == DRIVER:
        return _load_driver_lib(spec)
    log = SearchLog(_describe(spec))
    early = find_file(
        [*site_packages_dirs(spec.site_dirs), *anchored_dirs("conda", conda_prefix(), spec.anchor_dirs)],
        spec.sonames,
        log,
    )
    if conda_prefix() is None:
        log.note("conda", "CONDA_PREFIX", "not set")
    already = _already_loaded(spec)
    _load_dependencies(spec)
    if already:
        return already
    if early:
        loaded = _open(early[0], spec, early[1])
    else:
        loaded = _system_search(spec, log)
        if loaded is None:
            if get_cuda_path_or_home() is None:
                log.note("CUDA_PATH", "CUDA_PATH and CUDA_HOME", "not set")
            late = find_file(_late_candidates(spec), spec.sonames, log)
            if late is None and spec.ctk_root_probe:
                root = ctk_root_from_system_cudart()
                if root is None:
                    log.note(
                        "system-ctk-root", "toolkit root of the system's libcudart", "no libcudart on the loader path"
                    )
                late = find_file(anchored_dirs("system-ctk-root", root, spec.anchor_dirs), spec.sonames, log)
            if late is None:
                raise DynamicLibNotFoundError(log.render(_install_hint(spec)))
            loaded = _open(late[0], spec, late[1])
    if spec.name == "nvrtc" and loaded.abs_path and loaded.found_via != "system-search":
        _preload_nvrtc_builtins(loaded)
    return loaded


def _check_name(libname: str) -> LibSpec:
    if not isinstance(libname, str):
        raise TypeError(f"libname must be a str, not {type(libname).__name__}")
    spec = LIBRARIES.get(libname)
    if spec is None:
        raise DynamicLibUnknownError(f"Unknown library name: {libname!r}. Known names: {sorted(LIBRARIES)}")
    if not sys.platform.startswith(spec.platforms):
        available = sorted(n for n, s in LIBRARIES.items() if sys.platform.startswith(s.platforms))
        raise DynamicLibNotAvailableError(
            f"Library name {libname!r} is known but not available on {sys.platform} "
            f"(it exists for {', '.join(spec.platforms)}). Supported names on {sys.platform}: {available}"
        )
    return spec


@cached_by_name
def load_nvidia_dynamic_lib(libname: str) -> LoadedDL:
    """Load an NVIDIA library by its short name (for example "nvrtc", "cublas") and return it.

    The result is cached: later calls with the same name return the same object.
    Raises DynamicLibUnknownError for a name that is not known,
    DynamicLibNotFoundError (listing every place searched) when it is not found.
    """
    if struct.calcsize("P") != 8:
        raise RuntimeError(
            "cuda.pathfinder.load_nvidia_dynamic_lib() requires 64-bit Python. "
            f"Currently running: {struct.calcsize('P') * 8}-bit Python {sys.version.split()[0]}"
        )
    return _load(_check_name(libname))


def _for_major(spec: LibSpec, major: int) -> LibSpec:
    """The spec narrowed to one toolkit major (a build of one CUDA line must not load the other
    line's library, whose ABI differs): its sonames (libnvrtc.so.12 for 12), or, for a library
    whose sonames carry no toolkit major (libnvvm.so.4, libcufile.so.0), the wheel layout of that
    major in site-packages (nvidia/cu13/... for 13, the others for 12)."""
    mine = tuple(s for s in spec.sonames if s.endswith(f".so.{major}"))
    if mine:
        return replace(spec, sonames=mine)
    cu13 = CU13_LIB.rsplit("/", 1)[0] + "/"  # nvidia/cu13/
    dirs = tuple(d for d in spec.site_dirs if d.startswith(cu13) == (major >= 13))
    return replace(spec, site_dirs=dirs) if dirs else spec


_BY_MAJOR: dict[tuple[str, int], LoadedDL] = {}


def _load_nvidia_dynamic_lib_for_major(libname: str, major: int) -> LoadedDL:
    """load_nvidia_dynamic_lib for a build of toolkit ``major`` (cuda.bindings of the 12.x or 13.x
    line): only that major's library is searched for. Not public: cuda.bindings' loader uses it."""
    key = (libname, major)
    found = _BY_MAJOR.get(key)
    if found is None:
        spec = _check_name(libname)
        found = load_nvidia_dynamic_lib(libname) if spec.packaged_with == DRIVER else _load(_for_major(spec, major))
        _BY_MAJOR[key] = found
    return found
