# SPDX-License-Identifier: Apache-2.0
"""cuda.bindings.utils: PTX versions (with PTX made by our nvrtc) and native handles."""

from __future__ import annotations

import pytest
from _toolkit import library_release, ptx_isa

from conftest import SAXPY, compile_program, output
from cuda.bindings import driver, nvrtc, utils


def test_ptx_version_of_real_ptx():
    err, prog = compile_program(SAXPY, [b"-arch=compute_90"])
    ptx = output(prog, "PTX")
    version = utils.get_ptx_ver(ptx.decode())
    major, minor = library_release("nvrtc")  # the nvrtc loaded here, which may be older than the build
    assert version == ptx_isa(major, minor)  # CUDA 13.x's nvrtc writes PTX ISA 9.x
    assert utils.get_ptx_ver(ptx) == version
    assert utils.get_minimal_required_cuda_ver_from_ptx_ver(version) == major * 1000 + minor * 10


def test_ptx_versions_table():
    assert utils.get_minimal_required_cuda_ver_from_ptx_ver("8.5") == 12050
    assert utils.get_minimal_required_cuda_ver_from_ptx_ver("7.0") == 11000
    with pytest.raises(ValueError, match=r"unknown PTX ISA version .1\.0."):
        utils.get_minimal_required_cuda_ver_from_ptx_ver("1.0")
    with pytest.raises(TypeError):
        utils.get_minimal_required_cuda_ver_from_ptx_ver(8.5)
    with pytest.raises(ValueError, match=r"no \.version"):
        utils.get_ptx_ver("not ptx")


def test_native_handles():
    assert utils.get_cuda_native_handle(driver.CUstream(0x42)) == 0x42
    assert utils.get_cuda_native_handle(nvrtc.nvrtcProgram(7)) == 7
    assert utils.get_cuda_native_handle(driver.CUdeviceptr(1 << 40)) == 1 << 40
    for bad in (5, None, "x", True):
        with pytest.raises(TypeError):
            utils.get_cuda_native_handle(bad)


@pytest.fixture
def version_check(monkeypatch):
    """The check module, with its once-per-process flag cleared for the test."""
    from cuda.bindings.utils import _version_check

    monkeypatch.setattr(_version_check, "_major_version_compatibility_checked", False)
    monkeypatch.delenv("CUDA_PYTHON_DISABLE_MAJOR_VERSION_WARNING", raising=False)
    return _version_check


def _driver_reports(monkeypatch, built, driver_version, err=driver.CUresult.CUDA_SUCCESS):
    monkeypatch.setattr(driver, "CUDA_VERSION", built)
    monkeypatch.setattr(driver, "cuDriverGetVersion", lambda: (err, driver_version))


def test_major_version_warning_once_when_the_driver_is_older(version_check, monkeypatch, recwarn):
    _driver_reports(monkeypatch, 13000, 12080)
    for _ in range(3):
        utils.warn_if_cuda_major_version_mismatch()
    assert len(recwarn) == 1 and recwarn[0].category is UserWarning
    assert "built for CUDA major version 13" in str(recwarn[0].message)
    assert "only supports up to CUDA 12" in str(recwarn[0].message)


@pytest.mark.parametrize("driver_version", [12080, 13000, 14010])
def test_no_major_version_warning_for_a_driver_as_new(version_check, monkeypatch, recwarn, driver_version):
    _driver_reports(monkeypatch, 12090 if driver_version == 12080 else 13000, driver_version)
    utils.warn_if_cuda_major_version_mismatch()
    assert len(recwarn) == 0


def test_major_version_warning_silenced_by_the_environment(version_check, monkeypatch, recwarn):
    _driver_reports(monkeypatch, 13000, 12080)
    monkeypatch.setenv("CUDA_PYTHON_DISABLE_MAJOR_VERSION_WARNING", "1")
    utils.warn_if_cuda_major_version_mismatch()
    assert len(recwarn) == 0


def test_major_version_check_raises_when_the_driver_cannot_say(version_check, monkeypatch):
    _driver_reports(monkeypatch, 13000, 0, err=driver.CUresult.CUDA_ERROR_NOT_INITIALIZED)
    with pytest.raises(RuntimeError, match=r"Failed to query CUDA driver version.*NOT_INITIALIZED"):
        utils.warn_if_cuda_major_version_mismatch()


def test_check_nvvm_compiler_options():
    """libNVVM (from the nvidia-nvvm wheel) compiles its probe with options it knows, not others."""
    assert utils.check_nvvm_compiler_options(["-arch=compute_90"]) is True
    assert utils.check_nvvm_compiler_options(["-arch=compute_90", "-g"]) is True
    assert utils.check_nvvm_compiler_options(["-no-such-option"]) is False
    assert utils.check_nvvm_compiler_options(["-arch=compute_9999"]) is False
    with pytest.raises(TypeError):
        utils.check_nvvm_compiler_options("-g")


@pytest.mark.parametrize(
    "text, default, expected",
    [
        (None, False, False),
        (None, True, True),
        ("", True, True),
        ("  ", False, False),
        (" YES ", False, True),
        ("Off", True, False),
        ("0", True, False),
        ("-0", True, False),
        ("7", False, True),
        ("0x0", True, False),
        ("0x10", False, True),
        ("maybe", False, True),  # set to something: true, never an error at import
    ],
)
def test_envvar_bool(monkeypatch, text, default, expected):
    from cuda.bindings.utils import envvar_bool

    name = "CUDA_PYTHON_TEST_SETTING"
    if text is None:
        monkeypatch.delenv(name, raising=False)
    else:
        monkeypatch.setenv(name, text)
    assert envvar_bool(name, default) is expected
