# SPDX-License-Identifier: Apache-2.0
"""cuda.core.system on a real driver: what NVML reports agrees with nvidia-smi and with the
CUDA driver's view of the same GPUs. Marked gpu: skips with a reason where there is no driver."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from cuda.core import Device as CudaDevice
from cuda.core import system

pytestmark = pytest.mark.gpu

needs_smi = pytest.mark.skipif(shutil.which("nvidia-smi") is None, reason="no nvidia-smi here")
needs_nvml = pytest.mark.skipif(not system.CUDA_BINDINGS_NVML_IS_COMPATIBLE, reason="these bindings have no NVML")

SMI_FIELDS = ("name", "uuid", "pci.bus_id", "driver_version", "memory.total", "compute_cap", "persistence_mode")


def smi_rows() -> list[dict[str, str]]:
    out = subprocess.check_output(
        ["nvidia-smi", f"--query-gpu={','.join(SMI_FIELDS)}", "--format=csv,noheader,nounits"], text=True
    )
    return [dict(zip(SMI_FIELDS, (x.strip() for x in line.split(",")))) for line in out.strip().splitlines()]


@needs_smi
@needs_nvml
def test_devices_agree_with_nvidia_smi():
    rows = smi_rows()
    assert system.get_num_devices() == len(rows)
    for index, row in enumerate(rows):
        dev = system.Device(index=index)
        assert dev.name == row["name"]
        assert dev.uuid == row["uuid"]
        # nvidia-smi prints an 8-digit PCI domain, NVML's bus id string too (upper case on both)
        assert dev.pci_bus_id.upper() == row["pci.bus_id"].upper()
        assert dev.memory_info.total // (1 << 20) == int(row["memory.total"])
        assert dev.cuda_compute_capability == tuple(int(x) for x in row["compute_cap"].split("."))
        assert dev.is_persistence_mode_enabled == (row["persistence_mode"] == "Enabled")
    # numbers, not text: nvidia-smi prints 580.159.04, the version is (580, 159, 4)
    assert system.get_kernel_mode_driver_version() == tuple(int(x) for x in rows[0]["driver_version"].split("."))


@needs_nvml
def test_devices_agree_with_the_cuda_driver():
    from cuda.bindings import driver

    driver.cuInit(0)
    err, count = driver.cuDeviceGetCount()
    assert err == driver.CUresult.CUDA_SUCCESS and system.get_num_devices() == count
    for index in range(system.get_num_devices()):
        dev = system.Device(index=index)
        cuda_dev = dev.to_cuda_device()
        assert cuda_dev.uuid == dev.uuid_without_prefix
        assert cuda_dev.name == dev.name
        assert cuda_dev.compute_capability == dev.cuda_compute_capability
        assert cuda_dev.to_system_device().uuid == dev.uuid
    major, minor = system.get_user_mode_driver_version()
    assert major >= 12 and minor >= 0
    assert system.get_nvml_version()[0] == major


@needs_nvml
def test_live_queries_are_in_range():
    dev = system.Device(index=0)
    mem = dev.memory_info
    assert 0 < mem.used <= mem.total and mem.free <= mem.total
    util = dev.utilization
    assert 0 <= util.gpu <= 100 and 0 <= util.memory <= 100
    temperature = dev.temperature.get_sensor()
    assert 0 < temperature < 120
    assert dev.performance_state is not None
    assert system.get_process_name(os.getpid())


@needs_nvml
def test_a_context_shows_up_among_the_running_processes():
    dev = CudaDevice(0)
    dev.set_current()
    buf = dev.allocate(1 << 20)
    try:
        pids = {p.pid for p in dev.to_system_device().compute_running_processes}
        # inside a container NVML may report host pids; the count still includes this process
        assert os.getpid() in pids or len(pids) >= 1
    finally:
        buf.close()


@needs_nvml
def test_bad_index_raises_a_clear_error():
    with pytest.raises((ValueError, system.InvalidArgumentError)):
        system.Device(index=system.get_num_devices() + 7)
