# SPDX-License-Identifier: Apache-2.0
"""cuda.core.system, and the python -m cuda.core demo: clear errors without a driver, values with one."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from cuda.core import system


def driver_present():
    try:
        from cuda.pathfinder import load_nvidia_dynamic_lib

        load_nvidia_dynamic_lib("cuda")
        return True
    except Exception:
        return False


def nvml_present():
    try:
        from cuda.pathfinder import load_nvidia_dynamic_lib

        load_nvidia_dynamic_lib("nvml")
        return True
    except Exception:
        return False


def test_public_names():
    assert system.CUDA_BINDINGS_NVML_IS_COMPATIBLE is True  # this cuda.bindings has cuda.bindings.nvml
    assert system.TYPE_CHECKING is False
    for name in system.__all__:
        assert hasattr(system, name)


def test_import_loads_no_library():
    code = "import sys, cuda.core.system; print('ctypes' in sys.modules, 'cuda.bindings.driver' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


@pytest.mark.parametrize("bad", ["1", 1.0, None, True])
def test_get_process_name_type(bad):
    with pytest.raises(TypeError, match="pid"):
        system.get_process_name(bad)


@pytest.mark.parametrize("bad", [-1, 2**32])
def test_get_process_name_range(bad):
    with pytest.raises(ValueError, match="pid"):
        system.get_process_name(bad)


@pytest.mark.skipif(driver_present(), reason="a driver is installed")
def test_driver_version_without_driver_is_clear():
    with pytest.raises(RuntimeError, match=r"CUDA driver \(libcuda.so.1\) is not available"):
        system.get_user_mode_driver_version()


@pytest.mark.skipif(nvml_present(), reason="NVML is installed")
@pytest.mark.parametrize(
    "call",
    [
        system.get_kernel_mode_driver_version,
        system.get_nvml_version,
        system.get_driver_branch,
        lambda: system.get_process_name(os.getpid()),
    ],
)
def test_nvml_functions_without_nvml_are_clear(call):
    with pytest.raises(RuntimeError, match=r"libnvidia-ml.so.1"):  # the loader's error lists where it looked
        call()


@pytest.mark.skipif(driver_present() or nvml_present(), reason="a driver is installed")
def test_num_devices_without_driver_names_both_libraries():
    with pytest.raises(RuntimeError) as info:
        system.get_num_devices()
    assert "libnvidia-ml.so.1" in str(info.value) and "libcuda.so.1" in str(info.value)


@pytest.mark.gpu
def test_values_with_a_driver():
    major, minor = system.get_user_mode_driver_version()
    assert major >= 12 and 0 <= minor < 100
    from cuda.bindings import driver

    err, version = driver.cuDriverGetVersion()
    assert (major, minor) == (version // 1000, (version % 1000) // 10)
    assert system.get_num_devices() >= 1


@pytest.mark.gpu
@pytest.mark.skipif(not nvml_present(), reason="NVML is not installed")
def test_nvml_values():
    kmd = system.get_kernel_mode_driver_version()
    assert len(kmd) >= 2 and kmd[0] >= 450
    nvml = system.get_nvml_version()
    assert len(nvml) >= 3 and nvml[1] == kmd[0]  # e.g. (13, 580, 65, 6) beside (580, 65, 6)
    branch = system.get_driver_branch()
    assert isinstance(branch, str) and branch
    assert system.get_num_devices() >= 1
    name = system.get_process_name(os.getpid())
    assert isinstance(name, str)  # NVML may know only processes using a GPU


def test_demo_runs_and_exits_zero():
    out = subprocess.run([sys.executable, "-m", "cuda.core"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].startswith("cuda.core ")
    assert lines[1].startswith("compiled saxpy<float> for sm_90 with NVRTC")
    assert "cubin" in lines[1] and "_Z5saxpyIfEvT_PKS0_S2_PS0_m" in lines[1]
    from conftest import gpu_unavailable_reason

    if gpu_unavailable_reason() is None:
        assert "result matches numpy" in lines[2], out.stdout
    else:
        assert lines[2].startswith("no GPU found (") and "nothing launched" in lines[2]
    assert out.stderr == ""
