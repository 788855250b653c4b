# SPDX-License-Identifier: Apache-2.0
"""Bad Python input gives TypeError, ValueError or OverflowError before any C call: never a crash."""

from __future__ import annotations

import pytest

from conftest import SAXPY, check, compile_program
from cuda.bindings import nvfatbin, nvjitlink, nvrtc, nvvm

R = nvrtc.nvrtcResult


@pytest.fixture
def prog():
    err, p = compile_program(SAXPY, [b"-arch=sm_90"])
    yield p
    nvrtc.nvrtcDestroyProgram(p)


@pytest.mark.parametrize("src", ["a str", None, 42, ["list"]])
def test_nvrtc_source_must_be_bytes(src):
    with pytest.raises(TypeError, match="src must be bytes"):
        nvrtc.nvrtcCreateProgram(src, b"k.cu", 0, [], [])


def test_nvrtc_options():
    p = check(nvrtc.nvrtcCreateProgram(SAXPY, b"k.cu", 0, [], []))
    with pytest.raises(TypeError, match=r"options\[0\] must be bytes, not str"):
        nvrtc.nvrtcCompileProgram(p, 1, ["-arch=sm_90"])
    with pytest.raises(ValueError, match="options has 1 entries, fewer than the count given"):
        nvrtc.nvrtcCompileProgram(p, 3, [b"-arch=sm_90"])
    with pytest.raises(TypeError, match="options must be a list of bytes"):
        nvrtc.nvrtcCompileProgram(p, 1, b"-arch=sm_90")
    with pytest.raises(ValueError, match="must not be negative"):
        nvrtc.nvrtcCompileProgram(p, -1, [])
    with pytest.raises(RuntimeError, match="options has 1 entries, fewer than the count given"):
        nvrtc.nvrtcCompileProgram(p, 3, [b"-arch=sm_90"])  # NVIDIA's type: RuntimeError (and ValueError)
    with pytest.raises(TypeError, match="numOptions must be an int"):
        nvrtc.nvrtcCompileProgram(p, "1", [b"-arch=sm_90"])
    assert nvrtc.nvrtcCompileProgram(p, 1.0, [b"-arch=sm_90"]) == (R.NVRTC_SUCCESS,)  # a float is truncated
    with pytest.raises(OverflowError):
        nvrtc.nvrtcCompileProgram(p, 2**40, [b"-arch=sm_90"])
    assert nvrtc.nvrtcCompileProgram(p, 0, None) == (R.NVRTC_SUCCESS,)  # None: no options


def test_nvrtc_handles(prog):
    for bad in ("prog", 1.5, [prog]):
        with pytest.raises(TypeError, match="prog must be a nvrtcProgram"):
            nvrtc.nvrtcGetPTXSize(bad)
    with pytest.raises(OverflowError):
        nvrtc.nvrtcGetPTXSize(-1)
    with pytest.raises(TypeError):
        nvrtc.nvrtcDestroyProgram("prog")
    with pytest.raises(TypeError):
        nvrtc.nvrtcProgram("0x10")
    with pytest.raises(OverflowError):
        nvrtc.nvrtcProgram(-5)


def test_nvrtc_output_buffers_are_checked(prog):
    size = check(nvrtc.nvrtcGetPTXSize(prog))
    with pytest.raises(ValueError, match=rf"ptx holds 10 bytes, but the call needs {size}"):
        nvrtc.nvrtcGetPTX(prog, bytearray(10))
    with pytest.raises(TypeError, match="ptx must be a buffer"):
        nvrtc.nvrtcGetPTX(prog, "x" * size)
    with pytest.raises(TypeError):
        nvrtc.nvrtcGetPTX(prog, None)
    with pytest.raises(TypeError):
        nvrtc.nvrtcGetLoweredName(prog, "saxpy")  # str where bytes are needed
    with pytest.raises(TypeError):
        nvrtc.nvrtcGetErrorString("NVRTC_SUCCESS")


def test_nvjitlink_bad_input():
    with pytest.raises(TypeError, match=r"options\[0\] must be str or bytes"):
        nvjitlink.create(1, [90])
    with pytest.raises(TypeError, match="handle must be an int address"):
        nvjitlink.complete("handle")
    handle = nvjitlink.create(1, ["-arch=sm_90"])
    with pytest.raises(ValueError, match="data holds 3 bytes, but the call needs 100"):
        nvjitlink.add_data(handle, nvjitlink.InputType.PTX, b"abc", 100, "x")
    with pytest.raises(TypeError, match="data must be a buffer"):
        nvjitlink.add_data(handle, nvjitlink.InputType.PTX, None, 3, "x")
    with pytest.raises(ValueError, match="data must be a buffer"):  # NVIDIA's type for None: ValueError
        nvjitlink.add_data(handle, nvjitlink.InputType.PTX, None, 3, "x")
    with pytest.raises(TypeError, match="name must be str or bytes"):
        nvjitlink.add_data(handle, nvjitlink.InputType.PTX, b"abc", 3, None)
    with pytest.raises(TypeError, match="input_type must be an int"):
        nvjitlink.add_data(handle, "PTX", b"abc", 3, "x")
    with pytest.raises(OverflowError):
        nvjitlink.add_data(handle, nvjitlink.InputType.PTX, b"abc", -3, "x")
    with pytest.raises(nvjitlink.nvJitLinkError):
        nvjitlink.get_linked_cubin_size(handle)  # nothing linked yet
    nvjitlink.destroy(handle)


def test_writable_outputs_reject_bytes_in_exception_style():
    prog = nvvm.create_program()
    with pytest.raises(ValueError, match="buffer must be a writable buffer"):
        nvvm.get_program_log(prog, b"\0" * 100)
    nvvm.destroy_program(prog)
    handle = nvfatbin.create([], 0)
    with pytest.raises(ValueError, match="holds 1 bytes"):
        nvfatbin.get(handle, bytearray(1))
    nvfatbin.destroy(handle)


def test_null_handles_raise_library_errors_not_crashes():
    with pytest.raises(nvjitlink.nvJitLinkError):
        nvjitlink.destroy(0)
    with pytest.raises(nvvm.nvvmError):
        nvvm.destroy_program(0)
    with pytest.raises(nvvm.nvvmError):
        nvvm.compile_program(0, 0, [])
