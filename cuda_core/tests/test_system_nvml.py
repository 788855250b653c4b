# SPDX-License-Identifier: Apache-2.0
"""cuda.core.system's NVML devices and events on the CPU, over a stand-in for NVML's calls.

cuda.core.system calls cuda.bindings.nvml's functions through the module, so the tests replace
those functions with a small model of two Hopper GPUs: what is checked is our side (argument
checks, enum and bit-mask decoding, error propagation, lifetimes), not NVML's.
"""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

from cuda.bindings import nvml
from cuda.core import system
from cuda.core.system import _nvml_context, typing

REFERENCE = pathlib.Path(__file__).resolve().parents[2] / "ci" / "reference" / "api-names-13.5.json"
UUIDS = ["GPU-11111111-2222-3333-4444-555555555555", "GPU-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"]
BUS_IDS = ["00000000:19:00.0", "00000000:3B:00.0"]


class FakeNvml:
    """Two GPUs: handles 0x100 and 0x200. Records every call of the functions it models."""

    def __init__(self):
        self.calls = []
        self.event_sets = set()
        self.field_status = {}  # field id -> nvmlReturn_t of that field

    def index(self, handle):
        return {0x100: 0, 0x200: 1}[handle]

    def install(self, monkeypatch):
        fake = self

        def f(name, fn):
            def recorded(*args):
                fake.calls.append((name, args))
                return fn(*args)

            monkeypatch.setattr(nvml, name, recorded)

        f("init_v2", lambda: None)
        f("device_get_count_v2", lambda: 2)
        f("device_get_handle_by_index_v2", lambda i: [0x100, 0x200][i])
        f("device_get_handle_by_uuid", lambda u: 0x100 + 0x100 * UUIDS.index(u))
        f("device_get_handle_by_pci_bus_id_v2", lambda b: 0x100 + 0x100 * BUS_IDS.index(b))
        f("device_get_index", self.index)
        f("device_get_uuid", lambda h: UUIDS[self.index(h)])
        f("device_get_name", lambda h: "NVIDIA H200")
        f("device_get_brand", lambda h: int(nvml.BrandType.BRAND_NVIDIA))
        f("device_get_architecture", lambda h: int(nvml.DeviceArch.HOPPER))
        f("device_get_cuda_compute_capability", lambda h: (9, 0))
        f("device_get_performance_state", lambda h: int(nvml.Pstates.PSTATE_UNKNOWN))
        f("device_get_supported_performance_states", lambda h: [0, 2, 32, 32])
        f("device_get_current_clocks_event_reasons", lambda h: 0x1 | 0x4)
        f("device_get_supported_event_types", lambda h: 0x8 | 0x2)
        f("device_get_cpu_affinity_within_scope", lambda h, n, scope: [0b1011, 1])
        f("device_get_p2p_status", lambda a, b, i: int(nvml.GpuP2PStatus.P2P_STATUS_OK))
        f("device_get_topology_common_ancestor", lambda a, b: int(nvml.GpuTopologyLevel.TOPOLOGY_SINGLE))
        f("device_get_topology_nearest_gpus", lambda h, level: [0x200])
        f("device_get_temperature_threshold", lambda h, kind: 90 + kind)
        f("device_get_persistence_mode", lambda h: int(nvml.EnableState.FEATURE_ENABLED))
        f("device_get_display_mode", lambda h: int(nvml.EnableState.FEATURE_DISABLED))
        f("device_get_field_values", self.field_values)
        f("device_get_memory_info_v2", self.memory)
        f("device_get_pci_info_ext", self.pci)
        f("event_set_create", self.create_set)
        f("event_set_free", self.free_set)
        f("device_register_events", self.register)
        f("event_set_wait_v2", self.wait)
        f("system_event_set_create", self.create_set)
        f("system_event_set_free", self.free_set)
        f("system_register_events", lambda mask, s: None)
        f("system_event_set_wait", self.wait_system)
        monkeypatch.setattr(_nvml_context, "_NVML_STATE", _nvml_context.UNINITIALIZED)
        return self

    def memory(self, handle):
        record = nvml.Memory_v2()
        record.total, record.free, record.used, record.reserved = 1000, 600, 300, 100
        return record

    def pci(self, handle):
        record = nvml.PciInfoExt_v1()
        record.bus_id = BUS_IDS[self.index(handle)]
        record.pci_device_id = (0x2335 << 16) | 0x10DE
        record.bus = 0x19
        return record

    def field_values(self, handle, request):
        for i in range(len(request)):
            item = request[i] if len(request) > 1 else request
            item.nvml_return = self.field_status.get(int(item.field_id), int(nvml.Return.SUCCESS))
            item.value_type = int(nvml.ValueType.UNSIGNED_LONG_LONG)
            item.value.ull_val = 1000 + int(item.field_id)
        return request

    def create_set(self):
        handle = 0xE000 + len(self.event_sets) + 1
        self.event_sets.add(handle)
        return handle

    def free_set(self, handle):
        self.event_sets.remove(handle)

    def register(self, handle, mask, event_set):
        if mask & ~0x8:
            raise nvml.NotSupportedError(nvml.Return.ERROR_NOT_SUPPORTED)

    def wait(self, event_set, timeout_ms):
        raise nvml.TimeoutError(nvml.Return.ERROR_TIMEOUT)

    def wait_system(self, event_set, timeout_ms, buffer_size):
        raise nvml.TimeoutError(nvml.Return.ERROR_TIMEOUT)


@pytest.fixture
def fake(monkeypatch):
    return FakeNvml().install(monkeypatch)


def test_public_names_match_nvidia_13_5():
    reference = json.loads(REFERENCE.read_text())["cuda.core.system"]
    top = {name for name in reference if "." not in name}
    assert system.CUDA_BINDINGS_NVML_IS_COMPATIBLE is True
    assert top <= set(dir(system))
    for name in reference:
        obj = system
        for part in name.split("."):
            obj = getattr(obj, part)
    assert set(system.__all__) == top - {"TYPE_CHECKING"}


def test_import_loads_no_library_and_no_nvml_module():
    heavy = ("ctypes", "cuda.bindings.nvml", "cuda.bindings.driver")
    code = f"import sys, cuda.core.system; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_typing_enums_compare_as_strings_and_nvml_types():
    assert typing.ClockType.SM == "sm" and typing.GpuP2PStatus.OK == "ok"
    assert typing.DeviceArch.HOPPER > typing.DeviceArch.AMPERE
    assert int(typing.DeviceArch.HOPPER) == int(nvml.DeviceArch.HOPPER)
    assert typing.FieldId is nvml.FieldId


def test_exceptions_are_nvml_classes():
    assert system.NotSupportedError is nvml.NotSupportedError
    assert issubclass(system.TimeoutError, system.NvmlError)


@pytest.mark.parametrize("kwargs", [{}, {"index": 0, "uuid": UUIDS[0]}, {"uuid": None, "pci_bus_id": None}])
def test_device_needs_exactly_one_key(kwargs):
    with pytest.raises(ValueError, match="exactly one of index, uuid or pci_bus_id"):
        system.Device(**kwargs)


def test_device_key_types(fake):
    with pytest.raises(TypeError, match="index must be an int"):
        system.Device(index="0")
    with pytest.raises(TypeError, match="uuid must be a str or bytes"):
        system.Device(uuid=5)
    assert system.Device(uuid=UUIDS[1].encode()) == system.Device(index=1)
    assert system.Device(pci_bus_id=BUS_IDS[1]).index == 1


def test_devices_and_identity(fake):
    devices = list(system.Device.get_all_devices())
    assert [d.index for d in devices] == [0, 1] and system.Device.get_device_count() == 2
    d = devices[0]
    assert d.uuid == UUIDS[0] and d.uuid_without_prefix == UUIDS[0][4:]
    assert d.name == "NVIDIA H200" and d.brand == "NVIDIA"
    assert d.arch is typing.DeviceArch.HOPPER
    assert d.cuda_compute_capability == (9, 0)
    assert d.is_persistence_mode_enabled is True and d.is_display_connected is False
    assert len({d, system.Device(index=0), devices[1]}) == 2
    assert "NVIDIA H200" in repr(d)
    assert _nvml_context.is_initialized()


@pytest.mark.parametrize("prefix", ["GPU-", "MIG-", ""])
def test_uuid_without_prefix(monkeypatch, prefix):
    monkeypatch.setattr(nvml, "device_get_uuid", lambda h: prefix + "abcdef12-abcd-0123-4567-1234567890ab")
    device = system.Device.__new__(system.Device)  # no NVML handle: the stand-in answers
    assert device.uuid_without_prefix == "abcdef12-abcd-0123-4567-1234567890ab"


def test_memory_and_pci(fake):
    d = system.Device(index=0)
    memory = d.memory_info
    assert (memory.free, memory.used, memory.reserved, memory.total) == (600, 300, 100, 1000)
    pci = d.pci_info
    assert pci.bus_id == BUS_IDS[0] and d.pci_bus_id == BUS_IDS[0]
    assert (pci.vendor_id, pci.device_id, pci.bus) == (0x10DE, 0x2335, 0x19)


def test_pstates_and_bit_masks(fake):
    d = system.Device(index=0)
    assert d.performance_state is None  # NVML's PSTATE_UNKNOWN
    assert d.supported_pstates == [0, 2]
    assert d.current_clock_event_reasons == [typing.ClocksEventReasons.GPU_IDLE, typing.ClocksEventReasons.SW_POWER_CAP]
    assert d.get_supported_event_types() == [typing.EventType.DOUBLE_BIT_ECC_ERROR, typing.EventType.XID_CRITICAL_ERROR]


def test_cpu_affinity_unpacks_the_words(fake):
    assert system.Device(index=0).get_cpu_affinity("socket") == [0, 1, 3, 64]
    scope = next(args[2] for name, args in fake.calls if name == "device_get_cpu_affinity_within_scope")
    assert scope == int(nvml.AffinityScope.SOCKET)
    with pytest.raises(ValueError, match="scope must be one of 'node', 'socket'"):
        system.Device(index=0).get_cpu_affinity("core")


def test_enum_arguments_take_members_or_strings(fake):
    d0, d1 = system.Device(index=0), system.Device(index=1)
    assert system.get_p2p_status(d0, d1, "read") is typing.GpuP2PStatus.OK
    assert system.get_p2p_status(d0, d1, typing.GpuP2PCapsIndex.NVLINK) is typing.GpuP2PStatus.OK
    assert system.get_topology_common_ancestor(d0, d1) is typing.GpuTopologyLevel.SINGLE
    assert list(d0.get_topology_nearest_gpus("single")) == [d1]
    shutdown = d0.temperature.get_threshold(typing.TemperatureThresholds.SHUTDOWN)
    assert shutdown == 90 + int(nvml.TemperatureThresholds.TEMPERATURE_THRESHOLD_SHUTDOWN)
    with pytest.raises(ValueError, match="index must be one of"):
        system.get_p2p_status(d0, d1, "teleport")


def test_field_values(fake):
    d = system.Device(index=0)
    ids = [typing.FieldId.DEV_TOTAL_ENERGY_CONSUMPTION, (typing.FieldId.DEV_PCIE_COUNT_TX_BYTES, 0)]
    values = d.get_field_values(ids)
    assert len(values) == 2 and values.get_all_values() == [1000 + int(i if isinstance(i, int) else i[0]) for i in ids]
    assert values[0].field_id is typing.FieldId.DEV_TOTAL_ENERGY_CONSUMPTION
    assert type(values[1].value) is int
    values.validate()
    with pytest.raises(TypeError, match="indexed by int"):
        values["first"]
    with pytest.raises(IndexError):
        values[2]
    assert len(d.get_field_values([])) == 0
    fake.field_status[int(typing.FieldId.DEV_TOTAL_ENERGY_CONSUMPTION)] = int(nvml.Return.ERROR_NOT_SUPPORTED)
    values = d.get_field_values(ids)
    assert values[1].value == 1000 + int(typing.FieldId.DEV_PCIE_COUNT_TX_BYTES)  # the other field still answers
    with pytest.raises(system.NotSupportedError):
        values.validate()
    with pytest.raises(system.NotSupportedError):
        values[0].value  # noqa: B018


def test_nvlink_count_and_links(fake):
    d = system.Device(index=0)
    assert d.get_nvlink_count() == 1000 + int(typing.FieldId.DEV_NVLINK_LINK_COUNT)
    with pytest.raises(ValueError, match="link must be between 0 and"):
        d.get_nvlink(10_000)
    fake.field_status[int(typing.FieldId.DEV_NVLINK_LINK_COUNT)] = int(nvml.Return.ERROR_UNKNOWN)
    with pytest.raises(system.UnknownError):
        d.get_nvlink_count()
    assert system.NvlinkInfo.max_links == nvml.NVLINK_MAX_LINKS


def test_device_events(fake):
    d = system.Device(index=0)
    for events in ("xid_critical_error", [typing.EventType.XID_CRITICAL_ERROR], []):
        registered = d.register_events(events)
        with pytest.raises(system.TimeoutError):
            registered.wait(timeout_ms=1)
        registered.close()
    assert fake.event_sets == set()
    with pytest.raises(TypeError, match="events must be"):
        d.register_events(0)
    with pytest.raises(ValueError, match="event must be one of"):
        d.register_events(["meteor_strike"])
    with pytest.raises(system.NotSupportedError):
        d.register_events(["pstate"])
    assert fake.event_sets == set()  # the set made for a refused registration is freed


def test_system_events(fake):
    events = system.register_events([typing.SystemEventType.UNBIND, "bind"])
    with pytest.raises(system.TimeoutError):
        events.wait(timeout_ms=1, buffer_size=4)
    with pytest.raises(ValueError, match="buffer_size must be at least 1"):
        events.wait(buffer_size=0)
    del events
    assert fake.event_sets == set()


def test_to_cuda_device_without_a_match(fake, monkeypatch):
    monkeypatch.setattr(system, "get_num_devices", lambda: 0)
    with pytest.raises(RuntimeError, match="no CUDA device has the UUID"):
        system.Device(index=0).to_cuda_device()


def test_nvml_context_states(fake, monkeypatch):
    _nvml_context._initialize()
    assert _nvml_context.is_initialized()
    _nvml_context.validate()
    monkeypatch.setattr(_nvml_context, "_NVML_OWNER_PID", 0)  # as a forked child sees it
    assert not _nvml_context.is_initialized()
    with pytest.raises(nvml.UninitializedError):
        _nvml_context.validate()
    _nvml_context._initialize()  # the child initialises its own
    assert _nvml_context.is_initialized()


def test_nvml_is_initialised_on_first_query_not_at_import():
    # a fresh process: importing the module touches no library; initialize() never raises, and
    # where NVML is missing (no driver here, or no libnvidia-ml) the state says so
    code = (
        "from cuda.core.system import _nvml_context as c\n"
        "before = c._get_nvml_state()\n"
        "c.initialize(); c.initialize()\n"
        "print(before, c._get_nvml_state(), c.is_initialized())\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    before, after, initialised = proc.stdout.split()
    assert int(before) == _nvml_context.UNINITIALIZED
    assert (int(after), initialised) in (
        (_nvml_context.INITIALIZED, "True"),
        (_nvml_context.DISABLED_LIBRARY_NOT_FOUND, "False"),
    )


def test_unpack_bitmask():
    from cuda.core.system.utils import unpack_bitmask

    assert unpack_bitmask([0, 0]) == []
    assert unpack_bitmask([(1 << 63) | 1, 2]) == [0, 63, 65]
    with pytest.raises(TypeError, match="sequence of 64-bit words"):
        unpack_bitmask(1)


def test_exception_names_are_listed_once_for_the_lazy_package():
    """cuda.core.system lists NVML's error names without importing NVML; the list is exceptions.__all__."""
    from cuda.core.system import _system, exceptions

    assert list(_system.NVML_EXCEPTION_NAMES) == exceptions.__all__
    assert typing.DeviceArch.__module__ == "cuda.core.system.typing"
