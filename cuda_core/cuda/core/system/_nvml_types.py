# SPDX-License-Identifier: Apache-2.0
"""The NVML-valued types of cuda.core.system.typing, made when first asked for (importing
cuda.bindings.nvml costs ~24 ms, which `import cuda.core.system` does not pay)."""

from __future__ import annotations

import enum

from cuda.bindings import nvml

FieldId = nvml.FieldId


class DeviceArch(enum.IntEnum):
    """A GPU architecture; ordered, so ``arch >= DeviceArch.AMPERE`` reads as 'Ampere or newer'."""

    KEPLER = int(nvml.DeviceArch.KEPLER)
    MAXWELL = int(nvml.DeviceArch.MAXWELL)
    PASCAL = int(nvml.DeviceArch.PASCAL)
    VOLTA = int(nvml.DeviceArch.VOLTA)
    TURING = int(nvml.DeviceArch.TURING)
    AMPERE = int(nvml.DeviceArch.AMPERE)
    ADA = int(nvml.DeviceArch.ADA)
    HOPPER = int(nvml.DeviceArch.HOPPER)
    BLACKWELL = int(nvml.DeviceArch.BLACKWELL)
    UNKNOWN = int(nvml.DeviceArch.UNKNOWN)


DeviceArch.__module__ = "cuda.core.system.typing"
