# SPDX-License-Identifier: Apache-2.0
"""The enumerations cuda.core.system's answers and arguments use.

Each is a StrEnum: a member equals its plain string (``ClockType.SM == "sm"``), so either may be
passed. ``DeviceArch`` is an IntEnum (architectures are ordered: ``arch >= DeviceArch.HOPPER``)
and ``FieldId`` is cuda.bindings.nvml's own; both exist only where cuda.bindings has NVML.
"""

from __future__ import annotations

import importlib.util

from cuda.core._utils.strenum import StrEnum

__all__ = [
    "AddressingMode",
    "AffinityScope",
    "ClockId",
    "ClockType",
    "ClocksEventReasons",
    "CoolerControl",
    "CoolerTarget",
    "EventType",
    "FanControlPolicy",
    "GpuP2PCapsIndex",
    "GpuP2PStatus",
    "GpuTopologyLevel",
    "InforomObject",
    "SystemEventType",
    "TemperatureThresholds",
    "ThermalController",
    "ThermalTarget",
]


def _members(*names: str) -> dict[str, str]:
    return {name: name.lower() for name in names}


AddressingMode = StrEnum("AddressingMode", _members("HMM", "ATS"), module=__name__)
AddressingMode.__doc__ = "How system-allocated memory is reached from the GPU: HMM (mirrored page tables) or ATS."
AffinityScope = StrEnum("AffinityScope", _members("NODE", "SOCKET"), module=__name__)
AffinityScope.__doc__ = "What an affinity query counts in: NUMA nodes (the default) or CPU sockets."
ClockId = StrEnum("ClockId", _members("CURRENT", "CUSTOMER_BOOST_MAX"), module=__name__)
ClockId.__doc__ = "Which value of a clock: its current rate or the OEM's boost maximum."
ClocksEventReasons = StrEnum(
    "ClocksEventReasons",
    _members(
        "NONE",
        "GPU_IDLE",
        "APPLICATIONS_CLOCKS_SETTING",
        "SW_POWER_CAP",
        "HW_SLOWDOWN",
        "SYNC_BOOST",
        "SW_THERMAL_SLOWDOWN",
        "HW_THERMAL_SLOWDOWN",
        "HW_POWER_BRAKE_SLOWDOWN",
        "DISPLAY_CLOCK_SETTING",
        "BOARD_LIMIT",
        "RELIABILITY",
    ),
    module=__name__,
)
ClocksEventReasons.__doc__ = "Why clocks are where they are (idle, a power cap, a thermal slowdown...)."
ClockType = StrEnum("ClockType", _members("GRAPHICS", "SM", "MEMORY", "VIDEO"), module=__name__)
ClockType.__doc__ = "A clock domain of the GPU; rates are in MHz."
CoolerControl = StrEnum("CoolerControl", _members("TOGGLE", "VARIABLE"), module=__name__)
CoolerControl.__doc__ = "How a cooler is driven: on/off only, or at a variable level."
CoolerTarget = StrEnum("CoolerTarget", _members("NONE", "GPU", "MEMORY", "POWER_SUPPLY"), module=__name__)
CoolerTarget.__doc__ = "What a cooler cools."
EventType = StrEnum(
    "EventType",
    _members(
        "NONE",
        "SINGLE_BIT_ECC_ERROR",
        "DOUBLE_BIT_ECC_ERROR",
        "PSTATE",
        "XID_CRITICAL_ERROR",
        "CLOCK",
        "POWER_SOURCE_CHANGE",
        "MIG_CONFIG_CHANGE",
        "SINGLE_BIT_ECC_ERROR_STORM",
        "DRAM_RETIREMENT_EVENT",
        "DRAM_RETIREMENT_FAILURE",
        "NON_FATAL_POISON_ERROR",
        "FATAL_POISON_ERROR",
        "GPU_UNAVAILABLE_ERROR",
        "GPU_RECOVERY_ACTION",
    ),
    module=__name__,
)
EventType.__doc__ = "Device events that Device.register_events records and DeviceEvents.wait delivers."
FanControlPolicy = StrEnum("FanControlPolicy", _members("TEMPERATURE_CONTROLLED", "MANUAL"), module=__name__)
FanControlPolicy.__doc__ = "Who sets a fan's speed: the temperature-following default, or the user."
GpuP2PCapsIndex = StrEnum(
    "GpuP2PCapsIndex", _members("READ", "WRITE", "NVLINK", "ATOMICS", "PCI", "PROP", "UNKNOWN"), module=__name__
)
GpuP2PCapsIndex.__doc__ = "The peer-to-peer capability get_p2p_status asks about."
GpuP2PStatus = StrEnum(
    "GpuP2PStatus",
    {
        "OK": "ok",
        "CHIPSET_NOT_SUPPORTED": "chipset not supported",
        "GPU_NOT_SUPPORTED": "GPU not supported",
        "IOH_TOPOLOGY_NOT_SUPPORTED": "IOH topology not supported",
        "DISABLED_BY_REGKEY": "disabled by regkey",
        "NOT_SUPPORTED": "not supported",
        "UNKNOWN": "unknown",
    },
    module=__name__,
)
GpuP2PStatus.__doc__ = "Whether a peer-to-peer capability holds between two GPUs, and if not, why."
GpuTopologyLevel = StrEnum(
    "GpuTopologyLevel", _members("INTERNAL", "SINGLE", "MULTIPLE", "HOSTBRIDGE", "NODE", "SYSTEM"), module=__name__
)
GpuTopologyLevel.__doc__ = "How far apart two GPUs are: one board, one PCIe switch... up to across the system."
InforomObject = StrEnum("InforomObject", _members("OEM", "ECC", "POWER", "DEN"), module=__name__)
InforomObject.__doc__ = "An object of the InfoROM whose version can be read."
SystemEventType = StrEnum("SystemEventType", _members("UNBIND", "BIND"), module=__name__)
SystemEventType.__doc__ = "System events: a GPU's driver bound or unbound."
TemperatureThresholds = StrEnum(
    "TemperatureThresholds",
    _members("SHUTDOWN", "SLOWDOWN", "MEM_MAX", "GPU_MAX", "ACOUSTIC_MIN", "ACOUSTIC_CURR", "ACOUSTIC_MAX", "GPS_CURR"),
    module=__name__,
)
TemperatureThresholds.__doc__ = "Temperature thresholds a GPU reports, in degrees C."
ThermalController = StrEnum(
    "ThermalController",
    _members(
        "GPU_INTERNAL",
        "ADM1032",
        "ADT7461",
        "MAX6649",
        "MAX1617",
        "LM99",
        "LM89",
        "LM64",
        "G781",
        "ADT7473",
        "SBMAX6649",
        "VBIOSEVT",
        "OS",
        "NVSYSCON_CANOAS",
        "NVSYSCON_E551",
        "MAX6649R",
        "ADT7473S",
        "UNKNOWN",
    ),
    module=__name__,
)
ThermalController.__doc__ = "The chip that reads a thermal sensor."
ThermalTarget = StrEnum(
    "ThermalTarget",
    _members("NONE", "GPU", "MEMORY", "POWER_SUPPLY", "BOARD", "VCD_BOARD", "VCD_INLET", "VCD_OUTLET", "ALL"),
    module=__name__,
)
ThermalTarget.__doc__ = "What a thermal sensor measures."


if importlib.util.find_spec("cuda.bindings.nvml") is not None:
    __all__ += ["DeviceArch", "FieldId"]  # noqa: F822 (made by __getattr__ below)


def __getattr__(name):
    """DeviceArch and FieldId: their values are NVML's, so they are made on first use."""
    if name not in ("DeviceArch", "FieldId") or name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import enum

    from cuda.bindings import nvml

    names = ("KEPLER", "MAXWELL", "PASCAL", "VOLTA", "TURING", "AMPERE", "ADA", "HOPPER", "BLACKWELL", "UNKNOWN")
    arch = enum.IntEnum("DeviceArch", {n: int(getattr(nvml.DeviceArch, n)) for n in names}, module=__name__)
    arch.__doc__ = "A GPU architecture; ordered, so ``arch >= DeviceArch.AMPERE`` reads as 'Ampere or newer'."
    globals().update(DeviceArch=arch, FieldId=nvml.FieldId)
    return globals()[name]
