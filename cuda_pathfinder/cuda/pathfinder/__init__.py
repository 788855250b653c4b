# SPDX-License-Identifier: Apache-2.0
"""cuda.pathfinder: find and load NVIDIA CUDA libraries, headers and tools.

Looks in pip wheels (site-packages), conda environments, CUDA_PATH/CUDA_HOME and
the system loader; see the package README for the order of each search.
"""

from ._binaries import SUPPORTED_BINARY_UTILITIES, find_nvidia_binary_utility
from ._catalog import SUPPORTED_NVIDIA_LIBNAMES
from ._dynamic import LoadedDL, load_nvidia_dynamic_lib
from ._exceptions import (
    BitcodeLibNotFoundError,
    DynamicLibNotAvailableError,
    DynamicLibNotFoundError,
    DynamicLibUnknownError,
    StaticLibNotFoundError,
    UnsupportedArchError,
)
from ._headers import (
    SUPPORTED_HEADERS_CTK,
    LocatedHeaderDir,
    find_nvidia_header_directory,
    locate_nvidia_header_directory,
)
from ._places import get_cuda_path_or_home
from ._static_libs import (
    SUPPORTED_BITCODE_LIBS,
    SUPPORTED_STATIC_LIBS,
    LocatedBitcodeLib,
    LocatedStaticLib,
    find_bitcode_lib,
    find_static_lib,
    locate_bitcode_lib,
    locate_static_lib,
)
from ._version import __version__

# Private aliases that existing callers of NVIDIA's cuda.pathfinder use.
_SUPPORTED_BINARIES = SUPPORTED_BINARY_UTILITIES
_SUPPORTED_BITCODE_LIBS = SUPPORTED_BITCODE_LIBS
_SUPPORTED_HEADERS_CTK = SUPPORTED_HEADERS_CTK
_SUPPORTED_NVIDIA_LIBNAMES = SUPPORTED_NVIDIA_LIBNAMES
_SUPPORTED_STATIC_LIBS = SUPPORTED_STATIC_LIBS
_find_nvidia_header_directory = find_nvidia_header_directory

__all__ = [
    "SUPPORTED_BINARY_UTILITIES",
    "SUPPORTED_BITCODE_LIBS",
    "SUPPORTED_HEADERS_CTK",
    "SUPPORTED_NVIDIA_LIBNAMES",
    "SUPPORTED_STATIC_LIBS",
    "BitcodeLibNotFoundError",
    "DynamicLibNotAvailableError",
    "DynamicLibNotFoundError",
    "DynamicLibUnknownError",
    "LoadedDL",
    "LocatedBitcodeLib",
    "LocatedHeaderDir",
    "LocatedStaticLib",
    "StaticLibNotFoundError",
    "UnsupportedArchError",
    "__version__",
    "find_bitcode_lib",
    "find_nvidia_binary_utility",
    "find_nvidia_header_directory",
    "find_static_lib",
    "get_cuda_path_or_home",
    "load_nvidia_dynamic_lib",
    "locate_bitcode_lib",
    "locate_nvidia_header_directory",
    "locate_static_lib",
]
