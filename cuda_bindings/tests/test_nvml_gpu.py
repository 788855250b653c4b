# SPDX-License-Identifier: Apache-2.0
"""cuda.bindings.nvml against the driver's own libnvidia-ml: its answers agree with the CUDA
driver's and with nvidia-smi's. Marked gpu: skips with a reason where there is no driver."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from conftest import driver_ok as ok
from cuda.bindings import driver as cu
from cuda.bindings import nvml

pytestmark = pytest.mark.gpu


@pytest.fixture(scope="module")
def handles(context):
    from cuda.pathfinder import DynamicLibNotFoundError

    try:
        nvml.init_v2()
    except DynamicLibNotFoundError as e:
        pytest.skip(f"no libnvidia-ml: {str(e).splitlines()[0]}")
    try:
        yield [nvml.device_get_handle_by_index_v2(i) for i in range(nvml.device_get_count_v2())]
    finally:
        nvml.shutdown()


def test_devices_agree_with_the_cuda_driver(handles):
    assert len(handles) == ok(cu.cuDeviceGetCount())
    names = {nvml.device_get_name(h) for h in handles}
    devices = [ok(cu.cuDeviceGet(i)) for i in range(len(handles))]
    cuda_names = {ok(cu.cuDeviceGetName(256, d)).split(b"\0")[0].decode() for d in devices}
    assert names == cuda_names
    buses = sorted(nvml.device_get_pci_info_v3(h).bus for h in handles)
    attr = cu.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_PCI_BUS_ID
    assert buses == sorted(ok(cu.cuDeviceGetAttribute(attr, ok(cu.cuDeviceGet(i)))) for i in range(len(handles)))


def test_versions_memory_and_structs(handles):
    major = ok(cu.cuDriverGetVersion()) // 1000
    assert nvml.system_get_cuda_driver_version() // 1000 == major
    assert int(nvml.system_get_driver_version().split(".")[0]) > 0
    h = handles[0]
    memory = nvml.device_get_memory_info_v2(h)  # a versioned struct: NVML checks the version we set
    assert isinstance(memory, nvml.Memory_v2) and 0 < memory.used <= memory.total
    assert memory.total >= ok(cu.cuDeviceTotalMem(ok(cu.cuDeviceGet(0))))
    rates = nvml.device_get_utilization_rates(h)
    assert 0 <= rates.gpu <= 100 and 0 <= rates.memory <= 100
    uuid = nvml.device_get_uuid(h)
    assert uuid.startswith("GPU-") and nvml.device_get_handle_by_uuid(uuid) == h
    assert nvml.device_get_handle_by_uuidv(nvml.UUIDType.ASCII, uuid.encode()) == h
    pci = nvml.device_get_pci_info_v3(h)
    assert nvml.device_get_handle_by_pci_bus_id_v2(pci.bus_id) == h
    current, pending = nvml.device_get_ecc_mode(h) if _supported(nvml.device_get_ecc_mode, h) else (0, 0)
    assert current in (0, 1) and pending in (0, 1)
    processes = nvml.device_get_compute_running_processes_v3(h)  # a count_array: asked, then filled
    assert len(processes) >= 0
    cpus = nvml.device_get_cpu_affinity(h, 4)
    assert len(cpus) == 4


def _supported(fn, *args):
    try:
        fn(*args)
    except nvml.NotSupportedError:
        return False
    return True


def test_field_values_and_errors(handles):
    values = nvml.device_get_field_values(handles[0], [nvml.FieldId.DEV_NVLINK_LINK_COUNT])
    assert values[0].nvml_return in (nvml.Return.SUCCESS, nvml.Return.ERROR_NOT_SUPPORTED)
    with pytest.raises(nvml.InvalidArgumentError):
        nvml.device_get_handle_by_index_v2(10_000)


@pytest.mark.skipif(shutil.which("nvidia-smi") is None, reason="no nvidia-smi here")
def test_agrees_with_nvidia_smi(handles):
    out = (
        subprocess.check_output(
            ["nvidia-smi", "--query-gpu=name,uuid,driver_version,memory.total", "--format=csv,noheader,nounits"],
            text=True,
        )
        .strip()
        .splitlines()
    )
    assert len(out) == len(handles)
    for line, h in zip(out, handles):
        name, uuid, driver_version, total_mib = (x.strip() for x in line.split(","))
        assert nvml.device_get_name(h) == name and nvml.device_get_uuid(h) == uuid
        assert nvml.system_get_driver_version() == driver_version
        assert nvml.device_get_memory_info_v2(h).total // (1 << 20) == int(total_mib)
