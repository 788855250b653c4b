# SPDX-License-Identifier: Apache-2.0
"""Small helpers that go with the bindings: handles as integers, PTX versions, a version check."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from cuda.bindings.utils._envvar import envvar_bool
from cuda.bindings.utils._nvvm_options import check_nvvm_compiler_options
from cuda.bindings.utils._version_check import warn_if_cuda_major_version_mismatch

__all__ = [
    "Any",
    "Callable",
    "check_nvvm_compiler_options",
    "envvar_bool",
    "get_cuda_native_handle",
    "get_minimal_required_cuda_ver_from_ptx_ver",
    "get_ptx_ver",
    "warn_if_cuda_major_version_mismatch",
]

# PTX ISA version -> the first CUDA release (as CUDA_VERSION encodes it) whose tools emit it and
# whose driver JIT-compiles it (from the PTX ISA release notes).
_PTX_TO_CUDA = {
    "6.0": 9000, "6.1": 9010, "6.2": 9020, "6.3": 10000, "6.4": 10010, "6.5": 10020,
    "7.0": 11000, "7.1": 11010, "7.2": 11020, "7.3": 11030, "7.4": 11040, "7.5": 11050,
    "7.6": 11060, "7.7": 11070, "7.8": 11080,
    "8.0": 12000, "8.1": 12010, "8.2": 12020, "8.3": 12030, "8.4": 12040, "8.5": 12050,
    "8.6": 12070, "8.7": 12080, "8.8": 12090,
    "9.0": 13000, "9.1": 13010, "9.2": 13020, "9.3": 13030, "9.4": 13040, "9.5": 13050,
}  # fmt: skip

_VERSION_LINE = re.compile(r"^\s*\.version\s+(\d+\.\d+)", re.M)


def get_ptx_ver(ptx: str | bytes) -> str:
    """The PTX ISA version a PTX module declares (its `.version` directive), e.g. "8.5"."""
    if isinstance(ptx, (bytes, bytearray)):
        ptx = bytes(ptx).decode("ascii", errors="replace")
    if not isinstance(ptx, str):
        raise TypeError(f"ptx must be str or bytes, not {type(ptx).__name__}")
    match = _VERSION_LINE.search(ptx)
    if match is None:
        raise ValueError("no .version directive in the PTX")
    return match.group(1)


def get_minimal_required_cuda_ver_from_ptx_ver(ptx_version: str) -> int:
    """The oldest CUDA (CUDA_VERSION-style, e.g. 12050) that understands PTX ISA `ptx_version`."""
    if not isinstance(ptx_version, str):
        raise TypeError(f"ptx_version must be a str such as '8.5', not {type(ptx_version).__name__}")
    try:
        return _PTX_TO_CUDA[ptx_version.strip()]
    except KeyError:
        known = ", ".join(_PTX_TO_CUDA)
        raise ValueError(f"unknown PTX ISA version {ptx_version!r}; known: {known}") from None


def get_cuda_native_handle(obj: Any) -> int:
    """The C value of a cuda.bindings handle object (CUstream, CUcontext, nvrtcProgram, ...) as an int."""
    if isinstance(obj, bool) or not hasattr(obj, "getPtr"):
        raise TypeError(f"expected a cuda.bindings handle object, not {type(obj).__name__}")
    return int(obj)
