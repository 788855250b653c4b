# SPDX-License-Identifier: Apache-2.0
"""``cuda.core._utils.version``: where NVIDIA's cuda.core keeps its version helpers; their tests
and helpers read the driver's and the bindings' versions from here as (major, minor, patch)."""

from __future__ import annotations

import re

__all__ = ["binding_version", "driver_version"]


def binding_version() -> tuple[int, int, int]:
    """The installed cuda-bindings release, e.g. (13, 5, 0)."""
    from cuda.bindings import __version__

    major, minor, patch = ([int(p) for p in re.findall(r"\d+", __version__)] + [0, 0, 0])[:3]
    return major, minor, patch


def driver_version() -> tuple[int, int, int]:
    """The CUDA version the driver supports, e.g. (13, 0, 0) for cuDriverGetVersion's 13000."""
    from cuda.bindings import driver
    from cuda.core._utils.cuda_utils import handle_return

    v = handle_return(driver.cuDriverGetVersion())
    return v // 1000, v % 1000 // 10, v % 10
