# SPDX-License-Identifier: Apache-2.0
"""``cuda.core._utils.version``: where NVIDIA's cuda.core keeps its version helpers; their tests
and helpers read the driver's and the bindings' versions from here as (major, minor, patch)."""

from __future__ import annotations

import functools
import re

__all__ = ["binding_version", "driver_version"]


@functools.cache
def binding_version() -> tuple[int, int, int]:
    """The installed cuda-bindings release, e.g. (13, 5, 0)."""
    from cuda.bindings import __version__

    parts = [int(p) for p in re.findall(r"\d+", __version__)[:3]]
    return tuple(parts + [0] * (3 - len(parts)))  # type: ignore[return-value]


def driver_version() -> tuple[int, int, int]:
    """The CUDA version the driver supports, e.g. (13, 0, 0) for cuDriverGetVersion's 13000."""
    from cuda.bindings import driver
    from cuda.core._utils.cuda_utils import handle_return

    v = handle_return(driver.cuDriverGetVersion())
    return v // 1000, v % 1000 // 10, v % 10
