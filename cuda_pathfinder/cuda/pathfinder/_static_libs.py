# SPDX-License-Identifier: Apache-2.0
"""Static and bitcode libraries: libcudadevrt.a, libdevice.10.bc, ...

Search order: pip wheels in site-packages, the conda prefix, CUDA_PATH/CUDA_HOME.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ._cache import cached_by_name
from ._exceptions import BitcodeLibNotFoundError, StaticLibNotFoundError
from ._places import SearchLog, anchored_dirs, conda_prefix, find_file, get_cuda_path_or_home, site_packages_dirs


@dataclass(frozen=True)
class FileLibSpec:
    filename: str
    site_dirs: tuple[str, ...]
    conda_dirs: tuple[str, ...]
    ctk_dirs: tuple[str, ...]
    wheels: tuple[str, ...]


STATIC_LIBS: dict[str, FileLibSpec] = {
    "cudadevrt": FileLibSpec(
        "libcudadevrt.a",
        ("nvidia/cu13/lib", "nvidia/cuda_runtime/lib"),
        ("lib",),
        ("lib64", "lib"),
        ("nvidia-cuda-runtime", "nvidia-cuda-runtime-cu12"),
    ),
}

BITCODE_LIBS: dict[str, FileLibSpec] = {
    "device": FileLibSpec(
        "libdevice.10.bc",
        ("nvidia/cu13/nvvm/libdevice", "nvidia/cuda_nvcc/nvvm/libdevice"),
        ("nvvm/libdevice",),
        ("nvvm/libdevice",),
        ("nvidia-nvvm", "nvidia-cuda-nvcc-cu12"),
    ),
    "nccl_device": FileLibSpec(
        "libnccl_device.bc", ("nvidia/nccl/lib",), ("lib",), ("lib",), ("nvidia-nccl-cu13", "nvidia-nccl-cu12")
    ),
    "nvshmem_device": FileLibSpec(
        "libnvshmem_device.bc",
        ("nvidia/nvshmem/lib",),
        ("lib",),
        ("lib",),
        ("nvidia-nvshmem-cu13", "nvidia-nvshmem-cu12"),
    ),
}

SUPPORTED_STATIC_LIBS: tuple[str, ...] = tuple(sorted(STATIC_LIBS))
SUPPORTED_BITCODE_LIBS: tuple[str, ...] = tuple(sorted(BITCODE_LIBS))


@dataclass(frozen=True)
class LocatedStaticLib:
    name: str
    abs_path: str
    filename: str
    found_via: str


@dataclass(frozen=True)
class LocatedBitcodeLib:
    name: str
    abs_path: str
    filename: str
    found_via: str


def _locate(kind: str, table: dict, name: str, error: type[RuntimeError]) -> tuple[str, str, FileLibSpec]:
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, not {type(name).__name__}")
    spec = table.get(name)
    if spec is None:
        raise ValueError(f"Unknown {kind} library: {name!r}. Supported: {', '.join(sorted(table))}")
    log = SearchLog(f"{spec.filename} ({kind} library {name!r})")
    if conda_prefix() is None:
        log.note("conda", "CONDA_PREFIX", "not set")
    if get_cuda_path_or_home() is None:
        log.note("CUDA_PATH", "CUDA_PATH and CUDA_HOME", "not set")
    candidates = [
        *site_packages_dirs(spec.site_dirs),
        *anchored_dirs("conda", conda_prefix(), spec.conda_dirs),
        *anchored_dirs("CUDA_PATH", get_cuda_path_or_home(), spec.ctk_dirs),
    ]
    found = find_file(candidates, (spec.filename,), log)
    if found is None:
        raise error(log.render(f"To get it: pip install {' or '.join(spec.wheels)}."))
    return os.path.realpath(found[0]), found[1], spec


def locate_static_lib(name: str) -> LocatedStaticLib:
    """Where a static library ("cudadevrt") is, and how it was found."""
    path, via, spec = _locate("static", STATIC_LIBS, name, StaticLibNotFoundError)
    return LocatedStaticLib(name, path, spec.filename, via)


@cached_by_name
def find_static_lib(name: str) -> str:
    """The absolute path of a static library ("cudadevrt"); raises StaticLibNotFoundError."""
    return locate_static_lib(name).abs_path


def locate_bitcode_lib(name: str) -> LocatedBitcodeLib:
    """Where a bitcode library ("device" for libdevice) is, and how it was found."""
    path, via, spec = _locate("bitcode", BITCODE_LIBS, name, BitcodeLibNotFoundError)
    return LocatedBitcodeLib(name, path, spec.filename, via)


@cached_by_name
def find_bitcode_lib(name: str) -> str:
    """The absolute path of a bitcode library ("device"); raises BitcodeLibNotFoundError."""
    return locate_bitcode_lib(name).abs_path
