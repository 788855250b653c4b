# SPDX-License-Identifier: Apache-2.0
"""cuda.bindings.nvml on the CPU: against a stand-in libnvidia-ml built here from nvml.h (NVML
itself comes with the driver), run in a child process that finds it on LD_LIBRARY_PATH.

What is checked is our side of each convention: versioned structs sent with their version,
text returned as str, arrays sized by a first call or by an argument, handles as ints, each
error code raised as its own NvmlError subclass. The GPU run checks the real library.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap

import pytest
from _toolkit import header_wheels_differ

from cuda.bindings import nvml

FAKE_NVML = r"""
#include <string.h>
#include <nvml.h>

static int initialised = 0;

nvmlReturn_t nvmlInit_v2(void) { initialised = 1; return NVML_SUCCESS; }
nvmlReturn_t nvmlShutdown(void) { initialised = 0; return NVML_SUCCESS; }
const char* nvmlErrorString(nvmlReturn_t r) { return r == NVML_ERROR_NOT_SUPPORTED ? "Not Supported" : "Error"; }

nvmlReturn_t nvmlSystemGetDriverVersion(char* version, unsigned int length) {
    if (length < 11) return NVML_ERROR_INSUFFICIENT_SIZE;
    strcpy(version, "580.159.01");
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int* count) {
    if (!initialised) return NVML_ERROR_UNINITIALIZED;
    *count = 2;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t* device) {
    if (index >= 2) return NVML_ERROR_INVALID_ARGUMENT;
    *device = (nvmlDevice_t)(0x1000 + index);
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char* name, unsigned int length) {
    if (length < 9) return NVML_ERROR_INSUFFICIENT_SIZE;
    strcpy(name, device == (nvmlDevice_t)0x1000 ? "Fake GPU" : "Fake 2");
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, nvmlMemory_v2_t* memory) {
    if (memory->version != nvmlMemory_v2) return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
    memory->total = 1000; memory->reserved = 10; memory->free = 600; memory->used = 390;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetPdi(nvmlDevice_t device, nvmlPdi_t* pdi) {
    if (pdi->version != nvmlPdi_v1) return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
    pdi->value = 0x4242;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetComputeRunningProcesses_v3(nvmlDevice_t d, unsigned int* count, nvmlProcessInfo_t* infos) {
    unsigned int have = *count;
    *count = 3;
    if (have < 3) return NVML_ERROR_INSUFFICIENT_SIZE;
    for (unsigned int i = 0; i < 3; i++) { infos[i].pid = 100 + i; infos[i].usedGpuMemory = 4096 * i; }
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetCpuAffinity(nvmlDevice_t device, unsigned int size, unsigned long* cpuSet) {
    for (unsigned int i = 0; i < size; i++) cpuSet[i] = i + 1;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetRetiredPagesPendingStatus(nvmlDevice_t device, nvmlEnableState_t* pending) {
    return NVML_ERROR_NOT_SUPPORTED;
}

nvmlReturn_t nvmlDeviceGetHandleByUUIDV(const nvmlUUID_t* uuid, nvmlDevice_t* device) {
    if (uuid->version != nvmlUUID_v1 || uuid->type != NVML_UUID_TYPE_ASCII) return NVML_ERROR_INVALID_ARGUMENT;
    if (strcmp(uuid->value.str, "GPU-1234") != 0) return NVML_ERROR_NOT_FOUND;
    *device = (nvmlDevice_t)0x1001;
    return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetFieldValues(nvmlDevice_t device, int count, nvmlFieldValue_t* values) {
    for (int i = 0; i < count; i++) {
        int known = values[i].fieldId == NVML_FI_DEV_NVLINK_LINK_COUNT;
        values[i].nvmlReturn = known ? NVML_SUCCESS : NVML_ERROR_NOT_SUPPORTED;
        values[i].value.uiVal = 4;
    }
    return NVML_SUCCESS;
}

/* request structs that point at an array: NULL (or too small) first, as NVML answers */
nvmlReturn_t nvmlDeviceGetProcessesUtilizationInfo(nvmlDevice_t d, nvmlProcessesUtilizationInfo_t* info) {
    if (info->version != nvmlProcessesUtilizationInfo_v1) return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
    if (info->procUtilArray == NULL || info->processSamplesCount < 2) {
        info->processSamplesCount = 2;
        return NVML_ERROR_INSUFFICIENT_SIZE;
    }
    for (unsigned int i = 0; i < 2; i++) {
        info->procUtilArray[i].pid = 200 + i;
        info->procUtilArray[i].timeStamp = info->lastSeenTimeStamp + 1;
        info->procUtilArray[i].smUtil = 10 * (i + 1);
    }
    info->processSamplesCount = 2;
    return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetVgpuTypeSupportedPlacements(nvmlDevice_t d, nvmlVgpuTypeId_t t,
                                                      nvmlVgpuPlacementList_t* list) {
    if (list->mode != NVML_VGPU_PGPU_HOMOGENEOUS_MODE) return NVML_ERROR_INVALID_ARGUMENT;
    if (list->placementIds == NULL || list->count < 3) { list->count = 3; return NVML_ERROR_INSUFFICIENT_SIZE; }
    for (unsigned int i = 0; i < 3; i++) list->placementIds[i] = t + 10 * i;
    list->count = 3;
    list->placementSize = 2;
    return NVML_SUCCESS;
}
nvmlReturn_t nvmlDeviceGetRunningProcessDetailList(nvmlDevice_t d, nvmlProcessDetailList_t* plist) {
    plist->numProcArrayEntries = 0;  /* no process: the first call's answer stands */
    return NVML_SUCCESS;
}
nvmlReturn_t nvmlEventSetGetContextData_v1(nvmlEventSet_t set, nvmlEventSetGetContextData_v1_t* p) {
    static const char payload[] = "xid=79";
    if (p->index > 1) return NVML_ERROR_INVALID_ARGUMENT;
    unsigned int n = p->index == 0 ? sizeof(payload) - 1 : 0;
    if (n == 0) { p->dataSize = 0; return NVML_SUCCESS; }
    if (p->data == NULL || p->dataSize < n) { p->dataSize = n; return NVML_ERROR_INSUFFICIENT_SIZE; }
    memcpy(p->data, payload, n);
    p->dataSize = n;
    return NVML_SUCCESS;
}
"""

CHILD = r"""
from cuda.bindings import nvml

nvml.init_v2()
assert nvml.system_get_driver_version() == "580.159.01"
handles = [nvml.device_get_handle_by_index_v2(i) for i in range(nvml.device_get_count_v2())]
assert handles == [0x1000, 0x1001], handles
assert nvml.device_get_name(handles[0]) == "Fake GPU"
try:
    nvml.device_get_handle_by_index_v2(7)
except nvml.InvalidArgumentError as e:
    assert e.status == nvml.Return.ERROR_INVALID_ARGUMENT and isinstance(e, nvml.NvmlError), e
else:
    raise AssertionError("no error")

memory = nvml.device_get_memory_info_v2(handles[0])  # sent with its version, else the stand-in refuses it
assert isinstance(memory, nvml.Memory_v2) and (memory.total, memory.free, memory.used) == (1000, 600, 390)
assert nvml.device_get_pdi(handles[0]) == 0x4242  # a versioned struct of one value: the value

procs = nvml.device_get_compute_running_processes_v3(handles[0])  # asked for its length first
assert len(procs) == 3 and [int(p.pid) for p in procs] == [100, 101, 102], list(procs.pid)
assert list(nvml.device_get_cpu_affinity(handles[0], 4)) == [1, 2, 3, 4]

try:
    nvml.device_get_retired_pages_pending_status(handles[0])
except nvml.NotSupportedError:
    pass
else:
    raise AssertionError("no error")

values = nvml.device_get_field_values(handles[0], [nvml.FieldId.DEV_NVLINK_LINK_COUNT, nvml.FI.DEV_ECC_CURRENT])
assert values[0].nvml_return == nvml.Return.SUCCESS and values[0].value.ui_val == 4
assert values[1].nvml_return == nvml.Return.ERROR_NOT_SUPPORTED
fields = nvml.FieldValue(1)
fields[0].field_id = nvml.FieldId.DEV_NVLINK_LINK_COUNT
assert nvml.device_get_field_values(handles[0], fields) is fields and fields[0].value.ui_val == 4

# request structs that point at an array: sized by a first call, returned holding the array
info = nvml.device_get_processes_utilization_info(handles[0], 41)
assert isinstance(info, nvml.ProcessesUtilizationInfo_v1) and info.last_seen_time_stamp == 41
assert [int(p.pid) for p in info.proc_util_array] == [200, 201], info.proc_util_array
assert [int(p.sm_util) for p in info.proc_util_array] == [10, 20] and int(info.proc_util_array[0].time_stamp) == 42
places = nvml.device_get_vgpu_type_supported_placements(handles[0], 5, nvml.VgpuPgpu.HOMOGENEOUS_MODE)
assert list(places.placement_ids) == [5, 15, 25] and places.placement_size == 2
details = nvml.device_get_running_process_detail_list(handles[0], 0)
assert list(details.proc_array) == [] and details.mode == 0
assert nvml.event_set_get_context_data_v1(0x77, 0) == b"xid=79"
assert nvml.event_set_get_context_data_v1(0x77, 1) == b""
try:
    nvml.event_set_get_context_data_v1(0x77, 2)
except nvml.InvalidArgumentError:
    pass
else:
    raise AssertionError("no error")

assert nvml.device_get_handle_by_uuidv(nvml.UUIDType.ASCII, b"GPU-1234") == 0x1001
try:
    nvml.device_get_handle_by_uuidv(nvml.UUIDType.ASCII, "GPU-9")
except nvml.NotFoundError:
    pass
else:
    raise AssertionError("no error")

try:
    nvml.device_get_uuid(handles[0])  # a function the stand-in lacks
except nvml.FunctionNotFoundError as e:
    pass
except Exception as e:  # our loader's error for a symbol the library lacks
    assert "nvmlDeviceGetUUID" in str(e), e
nvml.shutdown()
print("ok")
"""


@pytest.fixture(scope="module")
def fake_nvml(tmp_path_factory):
    from cuda.pathfinder import find_nvidia_header_directory

    cc, include = shutil.which("cc") or shutil.which("gcc"), find_nvidia_header_directory("nvml")
    if cc is None or include is None:
        pytest.skip("needs a C compiler and nvml.h (the pinned nvidia-nvml-dev wheel)")
    reason = header_wheels_differ("nvidia-nvml-dev")  # another nvml.h may lack what is bound
    if reason:
        pytest.skip(f"the stand-in compiles against the nvml.h bound: {reason}")
    folder = tmp_path_factory.mktemp("fake_nvml")
    (folder / "fake_nvml.c").write_text(FAKE_NVML)
    lib = folder / "libnvidia-ml.so.1"
    subprocess.run([cc, "-shared", "-fPIC", f"-I{include}", "-o", str(lib), str(folder / "fake_nvml.c")], check=True)
    return folder


def test_conventions_against_a_stand_in_library(fake_nvml):
    env = {"LD_LIBRARY_PATH": str(fake_nvml), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(CHILD)], env=env, capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-3000:]


def test_names_and_values_in_nvidia_spelling():
    assert nvml.Return.SUCCESS == 0 and nvml.Return.ERROR_NOT_SUPPORTED == 3
    assert nvml.EnableState.FEATURE_DISABLED == 0 and nvml.UUIDType.ASCII == 1
    assert nvml.GpuP2PCapsIndex.P2P_CAPS_INDEX_WRITE == 1 and nvml.GpuP2PStatus.P2P_STATUS_OK == 0
    assert nvml.AffinityScope.SOCKET == 1 and nvml.DeviceArch.KEPLER == 2 and nvml.FI is nvml.FieldId
    assert nvml.NVLINK_MAX_LINKS >= 18 and nvml.NvlinkVersion.VERSION_2_0 == 2  # 18 in 13.0, 36 in 13.5
    assert issubclass(nvml.NotSupportedError, nvml.NvmlError) and nvml.MemoryError is nvml.NvmlMemoryError
    assert callable(nvml.device_get_p2p_status) and callable(nvml.device_get_nvlink_state)


def test_structs():
    status = nvml.ClkMonStatus()
    assert len(status.clk_mon_list) == 0 and not hasattr(status, "clk_mon_list_size")
    report = nvml.ConfComputeGpuAttestationReport()
    assert len(report.attestation_report) == 0 and len(report.nonce) == 32 and str(report.nonce.dtype) == "uint8"
    hierarchy = nvml.BridgeChipHierarchy()
    assert isinstance(hierarchy.bridge_chip_info, nvml.BridgeChipInfo) and len(hierarchy.bridge_chip_info) == 0
    info = nvml.BridgeChipInfo(2)
    info[1].fw_version = 7
    hierarchy.bridge_chip_info = info
    assert len(hierarchy.bridge_chip_info) == 2 and hierarchy.bridge_chip_info[1].fw_version == 7
    pci = nvml.PciInfo()
    pci.bus_id = "0000:01:00.0"
    assert pci.bus_id == "0000:01:00.0"
    # a struct inside a struct reads as a view whose numbers are writable one-item arrays (NVIDIA's
    # records are NumPy record arrays): field.value.ui_val[0] = 4 reaches the struct
    field = nvml.FieldValue()
    field.value.ui_val[0] = 4
    assert field.value.ui_val.shape == (1,) and int(field.value.ui_val[0]) == 4
    assert field.field_id == 0 and isinstance(field.field_id, int)  # its own numbers stay ints
    fields = nvml.FieldValue(2)
    fields[1].value.ull_val[0] = 9
    assert list(fields.value.ull_val) == [0, 9] and int(fields[1].value.ull_val[0]) == 9


def test_calls_without_nvml_raise_not_found():

    import ctypes

    try:  # wherever the loader finds it (a GPU machine keeps the driver's in /usr/local/nvidia/lib64)
        ctypes.CDLL("libnvidia-ml.so.1")
    except OSError:
        pass
    else:
        pytest.skip("a driver's libnvidia-ml is installed here")
    from cuda.pathfinder import DynamicLibNotFoundError

    with pytest.raises(DynamicLibNotFoundError, match="nvml"):
        nvml.init_v2()


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: nvml.device_get_name("0x1000"), TypeError),  # a handle is an int
        (lambda: nvml.device_get_name(1.5), TypeError),
        (lambda: nvml.device_get_cpu_affinity(0x1000, -1), OverflowError),  # an unsigned size
        (lambda: nvml.device_get_p2p_status(0x1000, 0x1001, "WRITE"), TypeError),
        (lambda: nvml.device_get_field_values(0x1000, []), ValueError),
        (lambda: nvml.device_get_field_values(0x1000, ["DEV_ECC_CURRENT"]), TypeError),
        (lambda: nvml.check_status("3"), TypeError),
    ],
)
def test_bad_input_raises_before_any_call(call, error):
    with pytest.raises(error):
        call()


# Parameters of NVIDIA's cuda.bindings.nvml 13.5 for functions whose C struct is partly input:
# the input fields are Python arguments, and buffer lengths are the binding's own choice.
NVIDIA_PARAMETERS = {
    "device_get_clock_offsets": ["device", "clock_type", "pstate"],
    "device_set_clock_offsets": ["device", "info"],
    "device_get_fan_speed_rpm": ["device", "fan"],
    "device_get_temperature_v": ["device", "sensorType"],
    "device_get_supported_performance_states": ["device"],
    "system_get_driver_branch": [],
    "system_register_events": ["event_types", "event_set"],
    "system_event_set_free": ["event_set"],
    "system_event_set_wait": ["event_set", "timeout_ms", "buffer_size"],
    "device_set_power_management_limit_v2": ["device", "power_scope", "power_value_mw"],
    "device_set_nvlink_device_low_power_threshold": ["device", "threshold"],
    "vgpu_type_get_max_instances_per_gpu_instance": ["vgpu_type_id"],
    "device_set_vgpu_heterogeneous_mode": ["device", "mode"],
    "device_discover_gpus": ["pci_info"],
    "device_remove_gpu_v2": ["pci_info", "gpu_state", "link_state"],
    "device_set_memory_limits_v1": ["device", "limits"],
    "get_vgpu_compatibility": ["vgpu_metadata", "pgpu_metadata"],
    "device_read_prm_counters_v1": ["device", "counters"],
    "device_read_write_prm_v1": ["device", "in_data"],
    "device_set_hostname_v1": ["device", "hostname"],
    "device_get_conf_compute_gpu_attestation_report": ["device", "nonce"],
    "device_get_processes_utilization_info": ["device", "last_seen_time_stamp"],
    "device_get_vgpu_processes_utilization_info": ["device", "last_seen_time_stamp"],
    "device_get_running_process_detail_list": ["device", "mode"],
    "device_get_vgpu_type_creatable_placements": ["device", "vgpu_type_id", "mode"],
    "device_get_vgpu_type_supported_placements": ["device", "vgpu_type_id", "mode"],
    "gpu_instance_get_vgpu_type_creatable_placements": ["gpu_instance", "vgpu_type_id"],
    "event_set_get_context_data_v1": ["set", "index"],
}


@pytest.mark.parametrize("name", sorted(NVIDIA_PARAMETERS))
def test_parameters_as_nvidia_names_them(name):
    import inspect

    assert list(inspect.signature(getattr(nvml, name)).parameters) == NVIDIA_PARAMETERS[name]


def test_request_inputs_are_checked_before_any_call():
    with pytest.raises(TypeError):
        nvml.system_event_set_wait(0x1000, 10, "4")
    with pytest.raises(ValueError, match="buffer_size must be at least 1"):
        nvml.system_event_set_wait(0x1000, 10, 0)
    with pytest.raises(TypeError):
        nvml.device_set_clock_offsets(0x1000, "not a record")
    with pytest.raises(TypeError, match="PRMCounter_v1"):
        nvml.device_read_prm_counters_v1(0x1000, [1, 2])
    with pytest.raises(TypeError, match="in_data must be bytes"):
        nvml.device_read_write_prm_v1(0x1000, "012345678")
    with pytest.raises(ValueError, match="at most 496"):
        nvml.device_read_write_prm_v1(0x1000, bytes(497))
