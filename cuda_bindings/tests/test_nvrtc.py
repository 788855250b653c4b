# SPDX-License-Identifier: Apache-2.0
"""cuda.bindings.nvrtc: real compiles on the CPU (no GPU, no driver needed)."""

from __future__ import annotations

import ctypes

import pytest
from _toolkit import MAJOR, library_release

from conftest import SAXPY, check, compile_program, output, program_log
from cuda.bindings import nvrtc
from cuda.pathfinder import find_nvidia_header_directory

R = nvrtc.nvrtcResult


def test_version_and_archs():
    assert check(nvrtc.nvrtcVersion()) == library_release("nvrtc")
    archs = check(nvrtc.nvrtcGetSupportedArchs())
    assert isinstance(archs, list) and 90 in archs and archs == sorted(archs)
    assert check(nvrtc.nvrtcGetNumSupportedArchs()) == len(archs)


def test_small_integer_results_share_one_tuple_each():
    """A call that succeeds with one integer in [0, 1024) returns a tuple made once per value."""
    first = nvrtc.nvrtcGetNumSupportedArchs()
    assert first[0] == nvrtc.nvrtcResult.NVRTC_SUCCESS and type(first[1]) is int and 0 < first[1] < 1024
    assert nvrtc.nvrtcGetNumSupportedArchs() is first
    progs = [check(nvrtc.nvrtcCreateProgram(SAXPY, b"saxpy.cu", 0, [], [])) for _ in range(2)]
    first, second = (nvrtc.nvrtcDestroyProgram(p) for p in progs)  # no outputs: one shared tuple
    assert first == (nvrtc.nvrtcResult.NVRTC_SUCCESS,) and second is first


def test_compile_to_ptx_cubin_and_ltoir():
    err, prog = compile_program(SAXPY, [b"-arch=sm_90"])
    assert err == R.NVRTC_SUCCESS, program_log(prog)
    ptx = output(prog, "PTX")
    assert ptx.endswith(b"\0") and b".visible .entry saxpy(" in ptx and b".target sm_90" in ptx
    cubin = output(prog, "CUBIN")
    assert cubin[:4] == b"\x7fELF" and len(cubin) > 1000
    check(nvrtc.nvrtcDestroyProgram(prog))
    assert int(prog) == 0  # destroy clears the handle it was given

    err, prog = compile_program(SAXPY, [b"-arch=sm_90", b"-dlto"])
    assert err == R.NVRTC_SUCCESS
    ltoir = output(prog, "LTOIR")
    assert len(ltoir) > 100 and ltoir[:4] == b"\xedCN\x7f"  # NVVM LTO-IR container
    err, size = nvrtc.nvrtcGetCUBINSize(prog)
    assert err == R.NVRTC_SUCCESS and size == 0  # LTO-IR only, no SASS
    check(nvrtc.nvrtcDestroyProgram(prog))


def test_ptx_into_a_presized_bytes_object():
    """The reference's documented pattern: b" " * size filled in place."""
    err, prog = compile_program(SAXPY, [b"-arch=compute_90"])
    size = check(nvrtc.nvrtcGetPTXSize(prog))
    ptx = b" " * size
    assert nvrtc.nvrtcGetPTX(prog, ptx) == (R.NVRTC_SUCCESS,)
    assert b".entry saxpy" in ptx


def test_include_cuda_fp16_through_pathfinder():
    src = rb"""
    #include <cuda_fp16.h>
    extern "C" __global__ void half_add(__half* x, __half y) { x[threadIdx.x] = __hadd(x[threadIdx.x], y); }
    """
    includes = [find_nvidia_header_directory("cudart"), find_nvidia_header_directory("cccl")]
    assert all(includes), includes
    options = [b"-arch=sm_90", b"-std=c++17", *(f"-I{d}".encode() for d in includes)]
    err, prog = compile_program(src, options)
    assert err == R.NVRTC_SUCCESS, program_log(prog)
    assert b"half_add" in output(prog, "PTX")


def test_name_expressions_and_lowered_names():
    src = rb"""
    template <typename T> __global__ void scale(T* x, T a) { x[threadIdx.x] *= a; }
    namespace ns { __device__ int value; }
    """
    exprs = [b"scale<float>", b"scale<double>", b"&ns::value"]
    err, prog = compile_program(src, [b"-arch=sm_90"], expressions=exprs)
    assert err == R.NVRTC_SUCCESS, program_log(prog)
    lowered = {e: check(nvrtc.nvrtcGetLoweredName(prog, e)) for e in exprs}
    assert lowered[b"scale<float>"] == b"_Z5scaleIfEvPT_S0_"
    assert lowered[b"scale<double>"] == b"_Z5scaleIdEvPT_S0_"
    assert lowered[b"&ns::value"] == b"_ZN2ns5valueE"
    ptx = output(prog, "PTX")
    assert all(name in ptx for name in lowered.values())
    err, name = nvrtc.nvrtcGetLoweredName(prog, b"scale<int>")  # never added
    assert err == R.NVRTC_ERROR_NAME_EXPRESSION_NOT_VALID and name is None


def test_compile_error_names_the_bad_line():
    src = b'extern "C" __global__ void k(float* x) {\n  x[0] = 1.0f;\n  undefined_thing(x);\n}\n'
    err, prog = compile_program(src, [b"-arch=sm_90"], name=b"broken.cu")
    assert err == R.NVRTC_ERROR_COMPILATION
    log = program_log(prog)
    assert "broken.cu(3)" in log and "undefined_thing" in log
    err, size = nvrtc.nvrtcGetLoweredName(prog, b"k")
    assert err != R.NVRTC_SUCCESS and size is None  # outputs are None on error


def test_invalid_option():
    err, prog = compile_program(SAXPY, [b"--no-such-option"])
    assert err == R.NVRTC_ERROR_INVALID_OPTION


def test_headers_given_as_sources():
    src = b'#include "scale.h"\nextern "C" __global__ void k(float* x) { x[0] = SCALE * x[0]; }'
    prog = check(nvrtc.nvrtcCreateProgram(src, b"k.cu", 1, [b"#define SCALE 3.0f\n"], [b"scale.h"]))
    assert nvrtc.nvrtcCompileProgram(prog, 1, [b"-arch=sm_90"]) == (R.NVRTC_SUCCESS,)
    assert b"0f40400000" in output(prog, "PTX")  # 3.0f folded in


def test_error_strings_and_enum():
    assert nvrtc.nvrtcGetErrorString(R.NVRTC_ERROR_COMPILATION) == (R.NVRTC_SUCCESS, b"NVRTC_ERROR_COMPILATION")
    assert nvrtc.nvrtcGetErrorString(6)[1] == b"NVRTC_ERROR_COMPILATION"
    assert (
        issubclass(R, nvrtc.IntEnum) and R(0) is R.NVRTC_SUCCESS and len(R) >= (18 if MAJOR >= 13 else 17)
    )  # 17 in 12.9, 18 in 13.0, 19 in 13.5


def test_pch_functions():
    size = check(nvrtc.nvrtcGetPCHHeapSize())
    assert size > 0
    assert nvrtc.nvrtcSetPCHHeapSize(size) == (R.NVRTC_SUCCESS,)
    err, prog = compile_program(SAXPY, [b"-arch=sm_90"])
    assert nvrtc.nvrtcGetPCHCreateStatus(prog)[0] == R.NVRTC_ERROR_NO_PCH_CREATE_ATTEMPTED
    err, required = nvrtc.nvrtcGetPCHHeapSizeRequired(prog)
    assert err in (R.NVRTC_SUCCESS, R.NVRTC_ERROR_NO_PCH_CREATE_ATTEMPTED)


def test_flow_callback_cancels_compilation():
    calls = []

    @ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
    def cancel(payload, unused):
        calls.append(payload)  # NVRTC passes the payload first
        return 1

    prog = check(nvrtc.nvrtcCreateProgram(SAXPY, b"k.cu", 0, [], []))
    address = ctypes.cast(cancel, ctypes.c_void_p).value
    assert nvrtc.nvrtcSetFlowCallback(prog, address, 1234) == (R.NVRTC_SUCCESS,)
    assert nvrtc.nvrtcCompileProgram(prog, 1, [b"-arch=sm_90"]) == (R.NVRTC_ERROR_CANCELLED,)
    assert calls and calls[0] == 1234
    assert nvrtc.nvrtcSetFlowCallback(prog, cancel, None) == (R.NVRTC_SUCCESS,)  # a ctypes function works too


def test_program_handle_class():
    p = nvrtc.nvrtcProgram(0x1234)
    assert int(p) == 0x1234 and hex(p) == "0x1234" and repr(p) == "<nvrtcProgram 0x1234>"
    assert p == nvrtc.nvrtcProgram(0x1234) and hash(p) == hash(0x1234) and p != 0x1234
    alias = nvrtc.nvrtcProgram(_ptr=p.getPtr())
    assert int(alias) == 0x1234 and alias.getPtr() == p.getPtr()
    assert nvrtc.sizeof(nvrtc.nvrtcProgram) == 8
    with pytest.raises(TypeError, match="Unknown type"):
        nvrtc.sizeof(int)


def test_null_handles_give_the_library_error():
    assert nvrtc.nvrtcGetPTXSize(None) == (R.NVRTC_ERROR_INVALID_PROGRAM, None)
    assert nvrtc.nvrtcGetPTXSize(0) == (R.NVRTC_ERROR_INVALID_PROGRAM, None)
    assert nvrtc.nvrtcDestroyProgram(None) == (R.NVRTC_ERROR_INVALID_PROGRAM,)


def test_optix_ir():
    src = b'extern "C" __global__ void __raygen__rg() { }'
    err, prog = compile_program(src, [b"-arch=sm_90", b"-optix-ir"])
    assert err == R.NVRTC_SUCCESS, program_log(prog)
    optix = output(prog, "OptiXIR")
    assert len(optix) > 100 and optix[:4] == b"\xedCN\x7f"
