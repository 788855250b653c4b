# SPDX-License-Identifier: Apache-2.0
"""cuda.bindings.utils: PTX versions (with PTX made by our nvrtc) and native handles."""

from __future__ import annotations

import pytest

from conftest import SAXPY, compile_program, output
from cuda.bindings import driver, nvrtc, utils


def test_ptx_version_of_real_ptx():
    err, prog = compile_program(SAXPY, [b"-arch=compute_90"])
    ptx = output(prog, "PTX")
    version = utils.get_ptx_ver(ptx.decode())
    assert version == "9.0"  # CUDA 13.0's nvrtc writes PTX ISA 9.0
    assert utils.get_ptx_ver(ptx) == version
    assert utils.get_minimal_required_cuda_ver_from_ptx_ver(version) == 13000


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
