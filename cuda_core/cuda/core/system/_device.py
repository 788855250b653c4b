# SPDX-License-Identifier: Apache-2.0
"""NVML's view of a GPU: ``Device`` and the small objects its queries answer with.

Every query is one call of cuda.bindings.nvml, looked up on the module at call time (so a
test may stand in for any of them). NVML's enums come back as cuda.core.system.typing's
StrEnums, and arguments take either those or their plain strings.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator

from cuda.bindings import nvml
from cuda.core.system import _nvml_context
from cuda.core.system.typing import (
    AddressingMode,
    AffinityScope,
    ClockId,
    ClocksEventReasons,
    ClockType,
    CoolerControl,
    CoolerTarget,
    DeviceArch,
    EventType,
    FanControlPolicy,
    FieldId,
    GpuP2PCapsIndex,
    GpuP2PStatus,
    GpuTopologyLevel,
    InforomObject,
    TemperatureThresholds,
    ThermalController,
    ThermalTarget,
)
from cuda.core.system.utils import unpack_bitmask

__all__ = ["Device", "NvlinkInfo", "get_p2p_status", "get_topology_common_ancestor"]

_ENABLED = int(nvml.EnableState.FEATURE_ENABLED)
_PSTATE_UNKNOWN = int(nvml.Pstates.PSTATE_UNKNOWN)


def _by_name(enum, nvml_enum, renames=None) -> dict:
    """{our member: NVML's value} for members NVML has under the same name (or a renamed one)."""
    renames = renames or {}
    out = {}
    for member in enum:
        value = getattr(nvml_enum, renames.get(member.name, member.name), None)
        if value is not None:
            out[member] = int(value)
    return out


def _inverse(mapping: dict) -> dict:
    return {value: member for member, value in mapping.items()}


_CLOCK_TYPE = _by_name(ClockType, nvml.ClockType, {"MEMORY": "MEM"})
_CLOCK_ID = _by_name(ClockId, nvml.ClockId)
_AFFINITY_SCOPE = _by_name(AffinityScope, nvml.AffinityScope)
_INFOROM = _by_name(InforomObject, nvml.InforomObject)
_TEMPERATURE_THRESHOLD = _by_name(TemperatureThresholds, nvml.TemperatureThresholds)
_THERMAL_TARGET = _by_name(ThermalTarget, nvml.ThermalTarget)
_THERMAL_CONTROLLER = _inverse(_by_name(ThermalController, nvml.ThermalController))
_TOPOLOGY = _by_name(GpuTopologyLevel, nvml.GpuTopologyLevel)
_P2P_INDEX = _by_name(GpuP2PCapsIndex, nvml.GpuP2PCapsIndex)
_P2P_STATUS = _inverse(_by_name(GpuP2PStatus, nvml.GpuP2PStatus))
_COOLER_CONTROL = _inverse(_by_name(CoolerControl, nvml.CoolerControl))
_COOLER_TARGET = _by_name(CoolerTarget, nvml.CoolerTarget)
_ADDRESSING = _inverse(_by_name(AddressingMode, nvml.DeviceAddressingModeType))
# NVML's header spells it CONTINOUS; the value is 0 under either name
_FAN_POLICY = {0: FanControlPolicy.TEMPERATURE_CONTROLLED, int(nvml.FanControlPolicy.MANUAL): FanControlPolicy.MANUAL}
# bit masks: NVML's #defines, some of them named THROTTLE_ in older headers
_CLOCK_REASON_BITS = {
    ClocksEventReasons.GPU_IDLE: 0x1,
    ClocksEventReasons.APPLICATIONS_CLOCKS_SETTING: 0x2,
    ClocksEventReasons.SW_POWER_CAP: 0x4,
    ClocksEventReasons.HW_SLOWDOWN: 0x8,
    ClocksEventReasons.SYNC_BOOST: 0x10,
    ClocksEventReasons.SW_THERMAL_SLOWDOWN: 0x20,
    ClocksEventReasons.HW_THERMAL_SLOWDOWN: 0x40,
    ClocksEventReasons.HW_POWER_BRAKE_SLOWDOWN: 0x80,
    ClocksEventReasons.DISPLAY_CLOCK_SETTING: 0x100,
    ClocksEventReasons.BOARD_LIMIT: 0x200,
    ClocksEventReasons.RELIABILITY: 0x400,
}
_EVENT_BITS = {
    EventType.SINGLE_BIT_ECC_ERROR: 0x1,
    EventType.DOUBLE_BIT_ECC_ERROR: 0x2,
    EventType.PSTATE: 0x4,
    EventType.XID_CRITICAL_ERROR: 0x8,
    EventType.CLOCK: 0x10,
    EventType.POWER_SOURCE_CHANGE: 0x80,
    EventType.MIG_CONFIG_CHANGE: 0x100,
    EventType.SINGLE_BIT_ECC_ERROR_STORM: 0x200,
    EventType.DRAM_RETIREMENT_EVENT: 0x400,
    EventType.DRAM_RETIREMENT_FAILURE: 0x800,
    EventType.NON_FATAL_POISON_ERROR: 0x1000,
    EventType.FATAL_POISON_ERROR: 0x2000,
    EventType.GPU_UNAVAILABLE_ERROR: 0x4000,
    EventType.GPU_RECOVERY_ACTION: 0x8000,
}
_NVLINK_VERSIONS = {1: (1, 0), 2: (2, 0), 3: (2, 2), 4: (3, 0), 5: (3, 1), 6: (4, 0), 7: (5, 0), 8: (6, 0)}
_BRANDS = {
    "UNKNOWN": "Unknown",
    "QUADRO": "Quadro",
    "TESLA": "Tesla",
    "NVS": "NVS",
    "GRID": "GRID",
    "GEFORCE": "GeForce",
    "TITAN": "Titan",
    "NVIDIA_VAPPS": "NVIDIA vApps",
    "NVIDIA_VPC": "NVIDIA VPC",
    "NVIDIA_VCS": "NVIDIA VCS",
    "NVIDIA_VWS": "NVIDIA VWS",
    "NVIDIA_CLOUD_GAMING": "NVIDIA Cloud Gaming",
    "NVIDIA_VGAMING": "NVIDIA vGaming",
    "QUADRO_RTX": "Quadro RTX",
    "NVIDIA_RTX": "NVIDIA RTX",
    "NVIDIA": "NVIDIA",
    "GEFORCE_RTX": "GeForce RTX",
    "TITAN_RTX": "Titan RTX",
}
_BRAND_NAMES = {int(getattr(nvml.BrandType, k)): v for k, v in _BRANDS.items() if hasattr(nvml.BrandType, k)}


def _choose(mapping: dict, value, what: str):
    """NVML's value for a member of one of our enums, or for its plain string."""
    for member, nvml_value in mapping.items():
        if value is member or value == member.value:
            return nvml_value
    choices = ", ".join(repr(m.value) for m in mapping)
    raise ValueError(f"{what} must be one of {choices}, got {value!r}")


def _bits(mask: int, bits: dict) -> list:
    return [member for member, bit in bits.items() if mask & bit]


def _cpu_words() -> int:
    """How many 64-bit words a CPU (or NUMA node) set of this machine needs."""
    return max(1, ((os.cpu_count() or 1) + 63) // 64)


def _raise_status(status: int) -> None:
    """Raise NVML's error class for a status that is not success (a field value's own status)."""
    if status != int(nvml.Return.SUCCESS):
        nvml.check_status(status)


# ---------------------------------------------------------------------------- small answers


class _Wrapper:
    """An answer object over one of cuda.bindings.nvml's structs."""

    __slots__ = ("_data",)

    def __init__(self, data):
        self._data = data

    _repr_fields: tuple[str, ...] = ()

    def __repr__(self):
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._repr_fields)
        return f"<{type(self).__name__} {fields}>"


class MemoryInfo(_Wrapper):
    """Device memory in bytes: ``free + used + reserved == total``."""

    __slots__ = ()
    _repr_fields: tuple[str, ...] = ("free", "used", "reserved", "total")

    @property
    def free(self) -> int:
        return int(self._data.free)

    @property
    def total(self) -> int:
        return int(self._data.total)

    @property
    def used(self) -> int:
        return int(self._data.used)

    @property
    def reserved(self) -> int:
        return int(self._data.reserved)


class BAR1MemoryInfo(MemoryInfo):
    """The BAR1 aperture (device memory mapped for the CPU and peers), in bytes."""

    __slots__ = ()
    _repr_fields = ("free", "used", "total")

    @property
    def free(self) -> int:
        return int(self._data.bar1_free)

    @property
    def total(self) -> int:
        return int(self._data.bar1_total)

    @property
    def used(self) -> int:
        return int(self._data.bar1_used)

    @property
    def reserved(self) -> int:
        return 0


class Utilization(_Wrapper):
    """Percent of the last sample period the GPU computed (``gpu``) and read or wrote memory."""

    __slots__ = ()
    _repr_fields = ("gpu", "memory")

    @property
    def gpu(self) -> int:
        return int(self._data.gpu)

    @property
    def memory(self) -> int:
        return int(self._data.memory)


class DeviceAttributes(_Wrapper):
    """Counts of a (MIG) device's resources."""

    __slots__ = ()
    _repr_fields = ("multiprocessor_count", "memory_size_mb")

    def __getattr__(self, name):
        if name in _ATTRIBUTE_NAMES:
            return int(getattr(self._data, name))
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __dir__(self):
        return sorted({*super().__dir__(), *_ATTRIBUTE_NAMES})


_ATTRIBUTE_NAMES = frozenset(
    (
        "multiprocessor_count",
        "shared_copy_engine_count",
        "shared_decoder_count",
        "shared_encoder_count",
        "shared_jpeg_count",
        "shared_ofa_count",
        "gpu_instance_slice_count",
        "compute_instance_slice_count",
        "memory_size_mb",
    )
)


class ClockOffsets(_Wrapper):
    """A clock's offset at one performance state, and its allowed range, in MHz."""

    __slots__ = ()
    _repr_fields = ("clock_offset_mhz", "min_offset_mhz", "max_offset_mhz")

    @property
    def clock_offset_mhz(self) -> int:
        return int(self._data.clock_offset_m_hz)

    @property
    def max_offset_mhz(self) -> int:
        return int(self._data.max_clock_offset_m_hz)

    @property
    def min_offset_mhz(self) -> int:
        return int(self._data.min_clock_offset_m_hz)


class CoolerInfo(_Wrapper):
    """How a cooler is controlled and what it cools."""

    __slots__ = ()
    _repr_fields = ("signal_type", "target")

    @property
    def signal_type(self) -> CoolerControl | None:
        return _COOLER_CONTROL.get(int(self._data.signal_type))

    @property
    def target(self) -> list[CoolerTarget]:
        mask = int(self._data.target)
        if mask == 0:
            return [CoolerTarget.NONE]
        return [member for member, bit in _COOLER_TARGET.items() if bit and mask & bit]


class RepairStatus:
    """Whether a TPC or channel repair is pending (takes effect at the next reset)."""

    __slots__ = ("_data",)

    def __init__(self, handle: int):
        self._data = nvml.device_get_repair_status(handle)

    @property
    def channel_repair_pending(self) -> bool:
        return bool(self._data.b_channel_repair_pending)

    @property
    def tpc_repair_pending(self) -> bool:
        return bool(self._data.b_tpc_repair_pending)

    def __repr__(self):
        return f"<RepairStatus channel={self.channel_repair_pending} tpc={self.tpc_repair_pending}>"


class ProcessInfo:
    """A process with a compute context on the device, and the device memory it uses."""

    __slots__ = ("_data", "_device")

    def __init__(self, device: Device, process_info):
        self._device, self._data = device, process_info

    @property
    def pid(self) -> int:
        return int(self._data.pid)

    @property
    def used_gpu_memory(self) -> int:
        return int(self._data.used_gpu_memory)

    def _mig_only(self, value) -> int:
        if not self._device.mig.is_mig_device:
            raise nvml.NotSupportedError(nvml.Return.ERROR_NOT_SUPPORTED)
        return int(value)

    @property
    def gpu_instance_id(self) -> int:
        """The GPU instance the process runs in (MIG devices only: NotSupportedError otherwise)."""
        return self._mig_only(self._data.gpu_instance_id)

    @property
    def compute_instance_id(self) -> int:
        """The compute instance the process runs in (MIG devices only: NotSupportedError otherwise)."""
        return self._mig_only(self._data.compute_instance_id)

    def __repr__(self):
        return f"<ProcessInfo pid={self.pid} used_gpu_memory={self.used_gpu_memory}>"


# the member of NVML's value union that holds each nvmlValueType_t
_VALUE_MEMBER = {
    int(nvml.ValueType.UNSIGNED_INT): "ui_val",
    int(nvml.ValueType.UNSIGNED_LONG): "ul_val",
    int(nvml.ValueType.UNSIGNED_LONG_LONG): "ull_val",
    int(nvml.ValueType.SIGNED_LONG_LONG): "sll_val",
    int(nvml.ValueType.SIGNED_INT): "si_val",
    int(nvml.ValueType.UNSIGNED_SHORT): "us_val",
}


class FieldValue:
    """One answer of Device.get_field_values; reading ``value`` raises the field's own error."""

    __slots__ = ("_data",)

    def __init__(self, field_value):
        self._data = field_value

    @property
    def field_id(self) -> FieldId:
        return FieldId(int(self._data.field_id))

    @property
    def scope_id(self) -> int:
        return int(self._data.scope_id)

    @property
    def timestamp(self) -> int:
        """When the value was sampled, in microseconds since 1970."""
        return int(self._data.timestamp)

    @property
    def latency_usec(self) -> int:
        """How long the value took to read, in microseconds."""
        return int(self._data.latency_usec)

    @property
    def value(self) -> int | float:
        _raise_status(int(self._data.nvml_return))
        kind = int(self._data.value_type)
        v = self._data.value
        # a union inside the struct: its members read as one-item arrays (as NVIDIA's records give them)
        raw = getattr(v, "d_val" if kind == int(nvml.ValueType.DOUBLE) else _VALUE_MEMBER.get(kind, "ull_val"))
        raw = raw[0] if hasattr(raw, "__getitem__") else raw
        return float(raw) if kind == int(nvml.ValueType.DOUBLE) else int(raw)

    def __repr__(self):
        return f"<FieldValue {self.field_id.name} scope={self.scope_id}>"


class FieldValues:
    """The answers of Device.get_field_values, in the order the fields were asked."""

    __slots__ = ("_count", "_data")

    def __init__(self, field_values, count: int | None = None):
        self._data = field_values
        self._count = len(field_values) if count is None else count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: int) -> FieldValue:
        if isinstance(index, bool) or not isinstance(index, int):
            raise TypeError(f"field values are indexed by int, got {type(index).__name__}")
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError(f"field value index {index} out of range for {self._count} values")
        return FieldValue(self._data if self._count == 1 and not _is_array(self._data) else self._data[index])

    def __iter__(self) -> Iterator[FieldValue]:
        return (self[i] for i in range(self._count))

    def validate(self) -> None:
        """Raise the error of the first field that failed, if any did."""
        for item in self:
            _raise_status(int(item._data.nvml_return))

    def get_all_values(self) -> list[int | float]:
        """Every value, in order (raises the first field's error, as ``value`` would)."""
        return [item.value for item in self]


def _is_array(record) -> bool:
    try:
        return len(record) != 1
    except TypeError:
        return False


class GpuDynamicPstatesUtilization:
    """One domain's utilisation and the thresholds at which the performance state changes."""

    __slots__ = ("_data",)

    def __init__(self, data):
        self._data = data

    @property
    def is_present(self) -> bool:
        return bool(self._data.b_is_present)

    @property
    def percentage(self) -> int:
        return int(self._data.percentage)

    @property
    def inc_threshold(self) -> int:
        return int(self._data.inc_threshold)

    @property
    def dec_threshold(self) -> int:
        return int(self._data.dec_threshold)


class GpuDynamicPstatesInfo(_Wrapper):
    """Utilisation samples of the GPU's domains (graphics, frame buffer, video, bus), as a sequence."""

    __slots__ = ()

    def __len__(self) -> int:
        return len(self._data.utilization)

    def __getitem__(self, index: int) -> GpuDynamicPstatesUtilization:
        return GpuDynamicPstatesUtilization(self._data.utilization[index])

    def __iter__(self):
        return (self[i] for i in range(len(self)))


class ThermalSensor:
    """One thermal sensor: what it measures, its controller and its range, in degrees C."""

    __slots__ = ("_data",)

    def __init__(self, data):
        self._data = data

    @property
    def controller(self) -> ThermalController:
        return _THERMAL_CONTROLLER.get(int(self._data.controller), ThermalController.UNKNOWN)

    @property
    def default_min_temp(self) -> int:
        return int(self._data.default_min_temp)

    @property
    def default_max_temp(self) -> int:
        return int(self._data.default_max_temp)

    @property
    def current_temp(self) -> int:
        return int(self._data.current_temp)

    @property
    def target(self) -> ThermalTarget:
        value = int(self._data.target)
        for member, nvml_value in _THERMAL_TARGET.items():
            if nvml_value == value:
                return member
        return ThermalTarget.NONE


class ThermalSettings(_Wrapper):
    """The thermal sensors a query found, as a sequence of ThermalSensor."""

    __slots__ = ()

    def __len__(self) -> int:
        return min(int(self._data.count), len(self._data.sensor))

    def __getitem__(self, index: int) -> ThermalSensor:
        if not -len(self) <= index < len(self):
            raise IndexError(f"sensor index {index} out of range for {len(self)} sensors")
        return ThermalSensor(self._data.sensor[index % len(self)])

    def __iter__(self):
        return (self[i] for i in range(len(self)))


class Temperature:
    """The device's temperatures, in degrees C."""

    __slots__ = ("_handle",)

    def __init__(self, handle: int):
        self._handle = handle

    def get_sensor(self) -> int:
        """The GPU die's temperature."""
        return int(nvml.device_get_temperature_v(self._handle, int(nvml.TemperatureSensors.TEMPERATURE_GPU)))

    def get_threshold(self, threshold_type: TemperatureThresholds | str) -> int:
        """A temperature threshold (slowdown, shutdown...)."""
        kind = _choose(_TEMPERATURE_THRESHOLD, threshold_type, "threshold_type")
        return int(nvml.device_get_temperature_threshold(self._handle, kind))

    @property
    def margin(self) -> int:
        """How far the GPU is below its slowdown threshold."""
        return int(nvml.device_get_margin_temperature(self._handle))

    def get_thermal_settings(self, sensor_index: ThermalTarget | str) -> ThermalSettings:
        """The thermal sensors of one target (ThermalTarget.ALL: every one)."""
        index = _choose(_THERMAL_TARGET, sensor_index, "sensor_index")
        return ThermalSettings(nvml.device_get_thermal_settings(self._handle, index))


class FanInfo:
    """One fan of the device; setting ``speed`` (percent) needs root."""

    __slots__ = ("_fan", "_handle")

    def __init__(self, handle: int, fan: int):
        self._handle, self._fan = handle, fan

    @property
    def speed(self) -> int:
        """The intended speed, in percent of the maximum (may exceed 100)."""
        return int(nvml.device_get_fan_speed_v2(self._handle, self._fan))

    @speed.setter
    def speed(self, speed: int) -> None:
        nvml.device_set_fan_speed_v2(self._handle, self._fan, speed)

    @property
    def speed_rpm(self) -> int:
        return int(nvml.device_get_fan_speed_rpm(self._handle, self._fan))

    @property
    def target_speed(self) -> int:
        """The speed the fan's controller aims at, in percent."""
        return int(nvml.device_get_target_fan_speed(self._handle, self._fan))

    @property
    def min_max_speed(self) -> tuple[int, int]:
        low, high = nvml.device_get_min_max_fan_speed(self._handle)
        return int(low), int(high)

    @property
    def control_policy(self) -> FanControlPolicy:
        return _FAN_POLICY[int(nvml.device_get_fan_control_policy_v2(self._handle, self._fan))]

    def set_default_speed(self) -> None:
        """Give the fan back to its default, temperature-following control."""
        nvml.device_set_default_fan_speed_v2(self._handle, self._fan)


class ClockInfo:
    """One clock domain of the device; rates in MHz."""

    __slots__ = ("_handle", "_type")

    def __init__(self, handle: int, clock_type: ClockType | str):
        self._handle, self._type = handle, _choose(_CLOCK_TYPE, clock_type, "clock_type")

    def get_current_mhz(self, clock_id: ClockId | str = ClockId.CURRENT) -> int:
        return int(nvml.device_get_clock(self._handle, self._type, _choose(_CLOCK_ID, clock_id, "clock_id")))

    def get_max_mhz(self) -> int:
        return int(nvml.device_get_max_clock_info(self._handle, self._type))

    def get_max_customer_boost_mhz(self) -> int:
        return int(nvml.device_get_max_customer_boost_clock(self._handle, self._type))

    def get_min_max_clock_of_pstate_mhz(self, pstate: int) -> tuple[int, int]:
        low, high = nvml.device_get_min_max_clock_of_p_state(self._handle, self._type, _pstate(pstate))
        return int(low), int(high)

    def get_offsets(self, pstate: int) -> ClockOffsets:
        return ClockOffsets(nvml.device_get_clock_offsets(self._handle, self._type, _pstate(pstate)))


def _pstate(pstate) -> int:
    if isinstance(pstate, bool) or not isinstance(pstate, int):
        raise TypeError(f"pstate must be an int between 0 and 15, got {type(pstate).__name__}")
    if not 0 <= pstate <= 15:
        raise ValueError(f"pstate must be between 0 and 15, got {pstate}")
    return pstate


class PciInfo:
    """The device's PCI identity and link."""

    __slots__ = ("_data", "_handle")

    def __init__(self, pci_info_ext, handle: int):
        self._data, self._handle = pci_info_ext, handle

    @property
    def bus(self) -> int:
        return int(self._data.bus)

    @property
    def bus_id(self) -> str:
        """domain:bus:device.function, e.g. "00000000:19:00.0"."""
        return str(self._data.bus_id)

    @property
    def device(self) -> int:
        return int(self._data.device_)

    @property
    def domain(self) -> int:
        return int(self._data.domain)

    @property
    def vendor_id(self) -> int:
        return int(self._data.pci_device_id) & 0xFFFF

    @property
    def device_id(self) -> int:
        return int(self._data.pci_device_id) >> 16

    @property
    def subsystem_id(self) -> int:
        return int(self._data.pci_sub_system_id)

    @property
    def base_class(self) -> int:
        return int(self._data.base_class)

    @property
    def sub_class(self) -> int:
        return int(self._data.sub_class)

    @property
    def link_generation(self) -> int:
        """The highest PCIe generation the device and the system allow together."""
        return int(nvml.device_get_max_pcie_link_generation(self._handle))

    @property
    def max_link_generation(self) -> int:
        """The highest PCIe generation the device supports."""
        return int(nvml.device_get_gpu_max_pcie_link_generation(self._handle))

    @property
    def max_link_width(self) -> int:
        return int(nvml.device_get_max_pcie_link_width(self._handle))

    @property
    def current_link_generation(self) -> int:
        return int(nvml.device_get_curr_pcie_link_generation(self._handle))

    @property
    def current_link_width(self) -> int:
        return int(nvml.device_get_curr_pcie_link_width(self._handle))

    @property
    def rx_throughput(self) -> int:
        """PCIe reception over the last 20 ms, in KB/s."""
        return int(nvml.device_get_pcie_throughput(self._handle, int(nvml.PcieUtilCounter.PCIE_UTIL_RX_BYTES)))

    @property
    def tx_throughput(self) -> int:
        """PCIe transmission over the last 20 ms, in KB/s."""
        return int(nvml.device_get_pcie_throughput(self._handle, int(nvml.PcieUtilCounter.PCIE_UTIL_TX_BYTES)))

    @property
    def replay_counter(self) -> int:
        return int(nvml.device_get_pcie_replay_counter(self._handle))

    def __repr__(self):
        return f"<PciInfo {self.bus_id}>"


class InforomInfo:
    """The InfoROM: the board's non-volatile configuration and error records."""

    __slots__ = ("_device",)

    def __init__(self, device: Device):
        self._device = device

    def get_version(self, inforom: InforomObject | str) -> str:
        kind = _choose(_INFOROM, inforom, "inforom")
        return nvml.device_get_inforom_version(self._device._handle, kind)

    @property
    def image_version(self) -> str:
        return nvml.device_get_inforom_image_version(self._device._handle)

    @property
    def configuration_checksum(self) -> int:
        return int(nvml.device_get_inforom_configuration_checksum(self._device._handle))

    def validate(self) -> None:
        """Raise CorruptedInforomError when the InfoROM fails its checks."""
        nvml.device_validate_inforom(self._device._handle)

    @property
    def bbx_flush_time(self) -> tuple[int, int]:
        """(when the black box was last flushed, in microseconds since 1970; how long it took, in us)."""
        timestamp, duration = nvml.device_get_last_bbx_flush_time(self._device._handle)
        return int(timestamp), int(duration)

    @property
    def board_part_number(self) -> str:
        return nvml.device_get_board_part_number(self._device._handle)


class MigInfo:
    """Multi-Instance GPU: the mode of a physical GPU, and its MIG devices."""

    __slots__ = ("_device",)

    def __init__(self, device: Device):
        self._device = device

    @property
    def is_mig_device(self) -> bool:
        """Whether this Device is a MIG device (a slice of a physical GPU)."""
        return bool(nvml.device_is_mig_device_handle(self._device._handle))

    @property
    def mode(self) -> bool:
        """Whether MIG is on; setting it needs root and takes effect after a reset."""
        current, _ = nvml.device_get_mig_mode(self._device._handle)
        return int(current) == _ENABLED

    @mode.setter
    def mode(self, mode: bool) -> None:
        nvml.device_set_mig_mode(self._device._handle, _ENABLED if mode else 0)

    @property
    def pending_mode(self) -> bool:
        """The mode after the next reset."""
        _, pending = nvml.device_get_mig_mode(self._device._handle)
        return int(pending) == _ENABLED

    @property
    def device_count(self) -> int:
        """How many MIG devices this GPU can hold."""
        return int(nvml.device_get_max_mig_device_count(self._device._handle))

    @property
    def parent(self) -> Device:
        """The physical GPU of a MIG device."""
        return Device._from_handle(nvml.device_get_device_handle_from_mig_device_handle(self._device._handle))

    def get_device_by_index(self, index: int) -> Device:
        return Device._from_handle(nvml.device_get_mig_device_handle_by_index(self._device._handle, index))

    def get_all_devices(self) -> Iterable[Device]:
        """The MIG devices that exist (slots without one are left out)."""
        for index in range(self.device_count):
            try:
                yield self.get_device_by_index(index)
            except nvml.NotFoundError:
                continue


class _NvlinkInfoMeta(type):
    @property
    def max_links(cls) -> int:
        """The most NVLink links a device can have (NVML's NVML_NVLINK_MAX_LINKS)."""
        return int(nvml.NVLINK_MAX_LINKS)


class NvlinkInfo(metaclass=_NvlinkInfoMeta):
    """One NVLink link of a device."""

    __slots__ = ("_device", "_link")

    def __init__(self, device: Device, link: int):
        self._device, self._link = device, link

    @property
    def version(self) -> tuple[int, int]:
        """The link's NVLink version, e.g. (4, 0)."""
        raw = int(nvml.device_get_nvlink_version(self._device._handle, self._link))
        return _NVLINK_VERSIONS.get(raw, (raw, 0))

    @property
    def state(self) -> bool:
        """Whether the link is active."""
        return int(nvml.device_get_nvlink_state(self._device._handle, self._link)) == _ENABLED

    def __repr__(self):
        return f"<NvlinkInfo link={self._link}>"


# ---------------------------------------------------------------------------- events


class EventData:
    """One event delivered by DeviceEvents.wait."""

    __slots__ = ("_data",)

    def __init__(self, event_data):
        self._data = event_data

    @property
    def device(self) -> Device:
        return Device._from_handle(int(self._data.device_))

    @property
    def event_type(self) -> EventType:
        value = int(self._data.event_type)
        return next((member for member, bit in _EVENT_BITS.items() if bit == value), EventType.NONE)

    @property
    def event_data(self) -> int:
        """The event's detail (the Xid of an XID_CRITICAL_ERROR)."""
        return int(self._data.event_data)

    @property
    def gpu_instance_id(self) -> int:
        return int(self._data.gpu_instance_id)

    @property
    def compute_instance_id(self) -> int:
        return int(self._data.compute_instance_id)

    def __repr__(self):
        return f"<EventData {self.event_type.name} data={self.event_data}>"


def _event_mask(events, bits: dict, enum) -> int:
    if isinstance(events, (str, enum)):
        events = [events]
    elif not isinstance(events, (list, tuple, set, frozenset)):
        raise TypeError(f"events must be a {enum.__name__}, a str or a list of them, got {type(events).__name__}")
    mask = 0
    for event in events:
        if not isinstance(event, str):
            raise TypeError(f"each event must be a {enum.__name__} or a str, got {type(event).__name__}")
        mask |= _choose(bits, event, "event")
    return mask


class DeviceEvents:
    """Events recorded on one device since Device.register_events; ``wait`` delivers them."""

    def __init__(self, device_handle: int, events):
        mask = _event_mask(events, _EVENT_BITS, EventType)
        self._handle = device_handle
        self._set = nvml.event_set_create()
        try:
            nvml.device_register_events(device_handle, mask, self._set)
        except BaseException:
            self.close()
            raise

    def wait(self, timeout_ms: int = 0) -> EventData:
        """The next event, waiting up to ``timeout_ms`` (0: no limit); TimeoutError when none came."""
        return EventData(nvml.event_set_wait_v2(self._set, timeout_ms))

    def close(self) -> None:
        event_set, self._set = getattr(self, "_set", 0), 0
        if event_set:
            nvml.event_set_free(event_set)

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass


# ---------------------------------------------------------------------------- Device


_PREFIXED_UUID = re.compile(r"^[A-Za-z]+-(?=[0-9A-Fa-f]{8}-)")


class Device:
    """A GPU as NVML sees it: its identity, memory, clocks, temperatures, links and processes.

    Give exactly one of ``index`` (NVML's order, which may differ from CUDA's), ``uuid`` or
    ``pci_bus_id``. For CUDA work on the same GPU, use ``to_cuda_device()``.
    """

    __slots__ = ("__weakref__", "_handle")

    def __init__(
        self, *, index: int | None = None, uuid: bytes | str | None = None, pci_bus_id: bytes | str | None = None
    ):
        given = [
            name for name, value in (("index", index), ("uuid", uuid), ("pci_bus_id", pci_bus_id)) if value is not None
        ]
        if len(given) != 1:
            raise ValueError(f"give exactly one of index, uuid or pci_bus_id (got {', '.join(given) or 'none'})")
        _nvml_context._initialize()
        if index is not None:
            if isinstance(index, bool) or not isinstance(index, int):
                raise TypeError(f"index must be an int, got {type(index).__name__}")
            self._handle = nvml.device_get_handle_by_index_v2(index)
        elif uuid is not None:
            self._handle = nvml.device_get_handle_by_uuid(_text(uuid, "uuid"))
        else:
            self._handle = nvml.device_get_handle_by_pci_bus_id_v2(_text(pci_bus_id, "pci_bus_id"))

    @classmethod
    def _from_handle(cls, handle: int) -> Device:
        self = cls.__new__(cls)
        self._handle = int(handle)
        return self

    def __eq__(self, other):
        return isinstance(other, Device) and _handle_of(self) == _handle_of(other)

    def __hash__(self):
        return hash((Device, _handle_of(self)))

    def __repr__(self):
        try:
            return f"<cuda.core.system.Device {self.index}: {self.name}>"
        except Exception:
            return f"<cuda.core.system.Device handle={_handle_of(self):#x}>"

    # identity

    @property
    def index(self) -> int:
        """NVML's index of the device (not always CUDA's)."""
        return int(nvml.device_get_index(_handle_of(self)))

    @property
    def uuid(self) -> str:
        """The device's UUID as NVML spells it, with its "GPU-" or "MIG-" prefix."""
        return nvml.device_get_uuid(_handle_of(self))

    @property
    def uuid_without_prefix(self) -> str:
        """The UUID without NVML's prefix, as CUDA spells it (cuda.core.Device.uuid)."""
        return _PREFIXED_UUID.sub("", self.uuid)

    @property
    def pci_bus_id(self) -> str:
        return self.pci_info.bus_id

    @property
    def numa_node_id(self) -> int:
        """The NUMA node of the GPU where GPUs are NUMA nodes (-1 elsewhere)."""
        return int(nvml.device_get_numa_node_id(_handle_of(self)))

    @property
    def arch(self) -> DeviceArch:
        value = int(nvml.device_get_architecture(_handle_of(self)))
        try:
            return DeviceArch(value)
        except ValueError:
            return DeviceArch.UNKNOWN

    @property
    def name(self) -> str:
        return nvml.device_get_name(_handle_of(self))

    @property
    def brand(self) -> str:
        return _BRAND_NAMES.get(int(nvml.device_get_brand(_handle_of(self))), "Unknown")

    @property
    def serial(self) -> str:
        return nvml.device_get_serial(_handle_of(self))

    @property
    def module_id(self) -> int:
        return int(nvml.device_get_module_id(_handle_of(self)))

    @property
    def minor_number(self) -> int:
        """The N of /dev/nvidiaN."""
        return int(nvml.device_get_minor_number(_handle_of(self)))

    @property
    def is_c2c_enabled(self) -> bool:
        return bool(nvml.device_get_c2c_mode_info_v(_handle_of(self)).is_c2c_enabled)

    @property
    def is_persistence_mode_enabled(self) -> bool:
        return int(nvml.device_get_persistence_mode(_handle_of(self))) == _ENABLED

    @is_persistence_mode_enabled.setter
    def is_persistence_mode_enabled(self, enabled: bool) -> None:
        nvml.device_set_persistence_mode(_handle_of(self), _ENABLED if enabled else 0)

    @property
    def cuda_compute_capability(self) -> tuple[int, int]:
        major, minor = nvml.device_get_cuda_compute_capability(_handle_of(self))
        return int(major), int(minor)

    def to_cuda_device(self):
        """The cuda.core.Device of this GPU (matched by UUID); RuntimeError when CUDA has none
        (a MIG-enabled physical GPU, say)."""
        from cuda.core import Device as CudaDevice
        from cuda.core import system

        wanted = self.uuid_without_prefix
        for ordinal in range(system.get_num_devices()):
            try:
                device = CudaDevice(ordinal)
            except Exception:
                break
            if device.uuid == wanted:
                return device
        raise RuntimeError(f"no CUDA device has the UUID {wanted} of this NVML device")

    @classmethod
    def get_device_count(cls) -> int:
        _nvml_context._initialize()
        return int(nvml.device_get_count_v2())

    @classmethod
    def get_all_devices(cls) -> Iterable[Device]:
        for index in range(cls.get_device_count()):
            yield cls(index=index)

    @classmethod
    def get_all_devices_with_cpu_affinity(cls, cpu_index: int) -> Iterable[Device]:
        """The GPUs with an affinity to CPU ``cpu_index``."""
        _nvml_context._initialize()
        for handle in nvml.system_get_topology_gpu_set(cpu_index):
            yield cls._from_handle(handle)

    @property
    def addressing_mode(self) -> AddressingMode | None:
        return _ADDRESSING.get(int(nvml.device_get_addressing_mode(_handle_of(self))))

    @property
    def mig(self) -> MigInfo:
        return MigInfo(self)

    # affinity

    def get_memory_affinity(self, scope: AffinityScope | str = AffinityScope.NODE) -> list[int]:
        """The NUMA nodes (or sockets) nearest the device's memory."""
        words = nvml.device_get_memory_affinity(
            _handle_of(self), _cpu_words(), _choose(_AFFINITY_SCOPE, scope, "scope")
        )
        return unpack_bitmask(words)

    def get_cpu_affinity(self, scope: AffinityScope | str = AffinityScope.NODE) -> list[int]:
        """The CPUs nearest the device, within a NUMA node (or a socket)."""
        words = nvml.device_get_cpu_affinity_within_scope(
            _handle_of(self), _cpu_words(), _choose(_AFFINITY_SCOPE, scope, "scope")
        )
        return unpack_bitmask(words)

    def set_cpu_affinity(self) -> None:
        """Bind the calling thread to the CPUs nearest the device."""
        nvml.device_set_cpu_affinity(_handle_of(self))

    def clear_cpu_affinity(self) -> None:
        nvml.device_clear_cpu_affinity(_handle_of(self))

    # clocks and performance

    def get_clock(self, clock_type: ClockType | str) -> ClockInfo:
        return ClockInfo(_handle_of(self), clock_type)

    @property
    def is_auto_boosted_clocks_enabled(self) -> tuple[bool, bool]:
        """(auto boost on now, on by default)."""
        current, default = nvml.device_get_auto_boosted_clocks_enabled(_handle_of(self))
        return int(current) == _ENABLED, int(default) == _ENABLED

    @property
    def current_clock_event_reasons(self) -> list[ClocksEventReasons]:
        return _bits(int(nvml.device_get_current_clocks_event_reasons(_handle_of(self))), _CLOCK_REASON_BITS)

    @property
    def supported_clock_event_reasons(self) -> list[ClocksEventReasons]:
        return _bits(int(nvml.device_get_supported_clocks_event_reasons(_handle_of(self))), _CLOCK_REASON_BITS)

    @property
    def performance_state(self) -> int | None:
        """The current P-state, 0 (fastest) to 15; None when unknown."""
        value = int(nvml.device_get_performance_state(_handle_of(self)))
        return None if value == _PSTATE_UNKNOWN else value

    @property
    def supported_pstates(self) -> list[int]:
        return [
            int(p) for p in nvml.device_get_supported_performance_states(_handle_of(self)) if int(p) != _PSTATE_UNKNOWN
        ]

    @property
    def dynamic_pstates_info(self) -> GpuDynamicPstatesInfo:
        return GpuDynamicPstatesInfo(nvml.device_get_dynamic_pstates_info(_handle_of(self)))

    @property
    def utilization(self) -> Utilization:
        return Utilization(nvml.device_get_utilization_rates(_handle_of(self)))

    # cooling

    @property
    def cooler(self) -> CoolerInfo:
        return CoolerInfo(nvml.device_get_cooler_info(_handle_of(self)))

    def get_fan(self, fan: int = 0) -> FanInfo:
        return FanInfo(_handle_of(self), fan)

    @property
    def num_fans(self) -> int:
        return int(nvml.device_get_num_fans(_handle_of(self)))

    @property
    def temperature(self) -> Temperature:
        return Temperature(_handle_of(self))

    # memory, PCI, display

    @property
    def memory_info(self) -> MemoryInfo:
        return MemoryInfo(nvml.device_get_memory_info_v2(_handle_of(self)))

    @property
    def bar1_memory_info(self) -> BAR1MemoryInfo:
        return BAR1MemoryInfo(nvml.device_get_bar1_memory_info(_handle_of(self)))

    @property
    def pci_info(self) -> PciInfo:
        return PciInfo(nvml.device_get_pci_info_ext(_handle_of(self)), _handle_of(self))

    @property
    def attributes(self) -> DeviceAttributes:
        return DeviceAttributes(nvml.device_get_attributes_v2(_handle_of(self)))

    @property
    def is_display_connected(self) -> bool:
        return int(nvml.device_get_display_mode(_handle_of(self))) == _ENABLED

    @property
    def is_display_active(self) -> bool:
        return int(nvml.device_get_display_active(_handle_of(self))) == _ENABLED

    @property
    def inforom(self) -> InforomInfo:
        return InforomInfo(self)

    @property
    def repair_status(self) -> RepairStatus:
        return RepairStatus(_handle_of(self))

    @property
    def compute_running_processes(self) -> list[ProcessInfo]:
        processes = nvml.device_get_compute_running_processes_v3(_handle_of(self))  # a ProcessInfo array
        return [ProcessInfo(self, processes[i]) for i in range(len(processes))]

    # events and fields

    def register_events(self, events) -> DeviceEvents:
        """Start recording ``events`` (EventType members or their strings) on this device."""
        return DeviceEvents(_handle_of(self), events)

    def get_supported_event_types(self) -> list[EventType]:
        return _bits(int(nvml.device_get_supported_event_types(_handle_of(self))), _EVENT_BITS)

    def get_field_values(self, field_ids) -> FieldValues:
        """Read several fields at once; each FieldId (or (FieldId, scope id) pair) answers alone."""
        request = _field_request(field_ids)
        if not request:
            return FieldValues(nvml.FieldValue(1), 0)
        return FieldValues(nvml.device_get_field_values(_handle_of(self), request), len(request))

    def clear_field_values(self, field_ids) -> None:
        request = _field_request(field_ids)
        if request:
            nvml.device_clear_field_values(_handle_of(self), request)

    # NVLink

    def get_nvlink_count(self) -> int:
        """How many NVLink links the device has (0 without NVLink)."""
        answer = nvml.device_get_field_values(_handle_of(self), _field_request([FieldId.DEV_NVLINK_LINK_COUNT]))
        return int(FieldValues(answer, 1)[0].value)

    def get_nvlink(self, link: int) -> NvlinkInfo:
        count = self.get_nvlink_count()
        if isinstance(link, bool) or not isinstance(link, int):
            raise TypeError(f"link must be an int, got {type(link).__name__}")
        if not 0 <= link < count:
            raise ValueError(f"link must be between 0 and {count - 1} for this device, got {link}")
        return NvlinkInfo(self, link)

    def get_nvlinks(self) -> Iterable[NvlinkInfo]:
        return (NvlinkInfo(self, link) for link in range(self.get_nvlink_count()))

    # topology

    def get_topology_nearest_gpus(self, level: GpuTopologyLevel | str) -> Iterable[Device]:
        """The GPUs at topology distance ``level`` from this one."""
        handles = nvml.device_get_topology_nearest_gpus(_handle_of(self), _choose(_TOPOLOGY, level, "level"))
        return (Device._from_handle(h) for h in handles)


def _handle_of(device: Device) -> int:
    return getattr(device, "_handle", 0)  # 0: a Device made without __init__ (tests stand in for NVML)


def _text(value, what: str) -> str:
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, str):
        return value
    raise TypeError(f"{what} must be a str or bytes, got {type(value).__name__}")


def _field_request(field_ids):
    """NVML's FieldValue array asking for ``field_ids`` (FieldIds, or (FieldId, scope id) pairs)."""
    if isinstance(field_ids, (int, tuple)) and not isinstance(field_ids, bool):
        field_ids = [field_ids]
    items = list(field_ids)
    if not items:
        return None
    request = nvml.FieldValue(len(items))
    for i, item in enumerate(items):
        field, scope = item if isinstance(item, tuple) else (item, 0)
        target = request[i] if len(items) > 1 else request
        target.field_id = int(field)
        target.scope_id = int(scope)
    return request


def get_topology_common_ancestor(device1: Device, device2: Device) -> GpuTopologyLevel:
    """The closest level of the topology that both GPUs hang from."""
    value = int(nvml.device_get_topology_common_ancestor(_handle_of(device1), _handle_of(device2)))
    return next(member for member, v in _TOPOLOGY.items() if v == value)


def get_p2p_status(device1: Device, device2: Device, index: GpuP2PCapsIndex | str) -> GpuP2PStatus:
    """Whether the peer-to-peer capability ``index`` holds from ``device1`` to ``device2``."""
    caps = _choose(_P2P_INDEX, index, "index")
    value = int(nvml.device_get_p2p_status(_handle_of(device1), _handle_of(device2), caps))
    return _P2P_STATUS.get(value, GpuP2PStatus.UNKNOWN)
