# SPDX-License-Identifier: Apache-2.0
"""find_nvidia_binary_utility: the path of a CUDA tool (nvcc, ptxas, ...), or None.

Search order: pip wheels in site-packages, $CONDA_PREFIX/bin, CUDA_PATH/CUDA_HOME
bin, then the bin folder of the toolkit root that the system's libcudart lives in.
A file counts when it is executable.
"""

from __future__ import annotations

import os

from ._cache import cached_by_name
from ._exceptions import UnsupportedBinaryError
from ._places import (
    SearchLog,
    anchored_dirs,
    conda_prefix,
    ctk_root_from_system_cudart,
    find_file,
    get_cuda_path_or_home,
    site_packages_dirs,
)

_NVCC_DIRS = ("nvidia/cu13/bin", "nvidia/cuda_nvcc/bin")
_CU12_NVCC_DIR = ("nvidia/cuda_nvcc/bin",)

# utility -> wheel folders that ship it, in preference order
BINARY_UTILITIES: dict[str, tuple[str, ...]] = {
    "nvcc": _NVCC_DIRS,
    "ptxas": _NVCC_DIRS,
    "nvdisasm": _NVCC_DIRS,
    "cuobjdump": _NVCC_DIRS,
    "nvprune": _CU12_NVCC_DIR,
    "fatbinary": _NVCC_DIRS,
    "bin2c": _NVCC_DIRS,
    "nvlink": _NVCC_DIRS,
    "cuda-gdb": _CU12_NVCC_DIR,
    "cuda-gdbserver": _CU12_NVCC_DIR,
    "compute-sanitizer": _NVCC_DIRS,
    "nvprof": _CU12_NVCC_DIR,
    "nsys": ("nvidia/nsight_systems/bin",),
    "nsight-sys": ("nvidia/nsight_systems/bin",),
    "ncu": ("nvidia/nsight_compute/bin",),
    "nsight-compute": ("nvidia/nsight_compute/bin",),
}

SUPPORTED_BINARY_UTILITIES: tuple[str, ...] = tuple(BINARY_UTILITIES)


def _is_executable_file(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def _candidates(utility: str):
    yield from site_packages_dirs(BINARY_UTILITIES[utility])
    yield from anchored_dirs("conda", conda_prefix(), ("bin",))
    yield from anchored_dirs("CUDA_PATH", get_cuda_path_or_home(), ("bin",))
    yield from anchored_dirs("system-ctk-root", ctk_root_from_system_cudart(), ("bin",))


@cached_by_name
def find_nvidia_binary_utility(utility_name: str) -> str | None:
    """The absolute path of a CUDA command-line tool, or None when it is not found."""
    if not isinstance(utility_name, str):
        raise TypeError(f"utility_name must be a str, not {type(utility_name).__name__}")
    if utility_name not in BINARY_UTILITIES:
        raise UnsupportedBinaryError(
            f"Binary {utility_name!r} is not supported. Supported utilities are: {', '.join(BINARY_UTILITIES)}"
        )
    found = find_file(_candidates(utility_name), (utility_name,), SearchLog(utility_name), _is_executable_file)
    return os.path.realpath(found[0]) if found else None
