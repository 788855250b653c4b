# SPDX-License-Identifier: Apache-2.0
"""nvJitLink, NVVM and nvfatbin: exception style, real inputs made by our nvrtc."""

from __future__ import annotations

import enum
import pickle
import struct

import pytest
from _toolkit import library_release

from conftest import SAXPY, check, compile_program, output
from cuda.bindings import nvfatbin, nvjitlink, nvrtc, nvvm

CALLER = rb"""
extern __device__ float scale(float);
extern "C" __global__ void apply(float* x) { x[threadIdx.x] = scale(x[threadIdx.x]); }
"""
CALLEE = rb"""__device__ float scale(float v) { return 3.0f * v; }"""


# ---------------------------------------------------------------- nvJitLink


def test_link_two_ltoir_modules_into_a_cubin(lto_module):
    caller, callee = lto_module(CALLER), lto_module(CALLEE)
    handle = nvjitlink.create(2, ["-arch=sm_90", "-lto"])
    try:
        nvjitlink.add_data(handle, nvjitlink.InputType.LTOIR, caller, len(caller), "caller")
        nvjitlink.add_data(handle, nvjitlink.InputType.LTOIR, callee, len(callee), b"callee")
        nvjitlink.complete(handle)
        size = nvjitlink.get_linked_cubin_size(handle)
        cubin = bytearray(size)
        assert nvjitlink.get_linked_cubin(handle, cubin) is None
        assert cubin[:4] == b"\x7fELF" and b"apply" in cubin
        info = bytearray(nvjitlink.get_info_log_size(handle))
        nvjitlink.get_info_log(handle, info)
    finally:
        nvjitlink.destroy(handle)


def test_link_to_ptx(lto_module):
    module = lto_module(SAXPY)
    handle = nvjitlink.create(3, ["-arch=sm_90", "-lto", "-ptx"])
    nvjitlink.add_data(handle, nvjitlink.InputType.LTOIR, module, len(module), "saxpy")
    nvjitlink.complete(handle)
    ptx = bytearray(nvjitlink.get_linked_ptx_size(handle))
    nvjitlink.get_linked_ptx(handle, ptx)
    assert b".entry saxpy" in ptx
    nvjitlink.destroy(handle)


def test_bad_input_raises_with_the_error_log():
    handle = nvjitlink.create(1, ["-arch=sm_90"])
    bad = b".version 8.0\n.target sm_90\n.address_size 64\nthis is not ptx;\n"
    with pytest.raises(nvjitlink.nvJitLinkError) as info:
        nvjitlink.add_data(handle, nvjitlink.InputType.PTX, bad, len(bad), "bad.ptx")
        nvjitlink.complete(handle)
    err = info.value
    assert err.status == nvjitlink.Result.ERROR_PTX_COMPILE
    assert str(err) == "ERROR_PTX_COMPILE (4)"  # exactly NVIDIA's message: callers match it
    assert err.error_log and "bad.ptx" in err.error_log
    assert not getattr(err, "__notes__", None)  # pytest.raises(match=) reads notes too: none
    log = bytearray(nvjitlink.get_error_log_size(handle))
    nvjitlink.get_error_log(handle, log)
    assert err.error_log in log.decode()
    again = pickle.loads(pickle.dumps(err))
    assert type(again) is nvjitlink.nvJitLinkError and again.status == err.status and str(again) == str(err)
    nvjitlink.destroy(handle)


def test_missing_arch_and_versions():
    with pytest.raises(nvjitlink.nvJitLinkError) as info:
        nvjitlink.create(1, ["-lto"])
    assert info.value.status == nvjitlink.Result.ERROR_MISSING_ARCH
    assert nvjitlink.version() == library_release("nvJitLink")
    assert nvjitlink.InputType.ANY == 10 and nvjitlink.InputType.LTOIR == 3
    assert issubclass(nvjitlink.Result, enum.IntEnum)


# --------------------------------------------------------------------- NVVM

NVVM_IR = b"""
target datalayout = "e-p:64:64:64-i1:8:8-i8:8:8-i16:16:16-i32:32:32-i64:64:64-i128:128:128-f32:32:32-f64:64:64-v16:16:16-v32:32:32-v64:64:64-v128:128:128-n16:32:64"
target triple = "nvptx64-nvidia-cuda"

define void @twice(float* %x) {
entry:
  %v = load float, float* %x, align 4
  %d = fmul float %v, 2.0
  store float %d, float* %x, align 4
  ret void
}

!nvvm.annotations = !{!0}
!0 = !{void (float*)* @twice, !"kernel", i32 1}
!nvvmir.version = !{!1}
!1 = !{i32 2, i32 0, i32 3, i32 2}
"""


def test_nvvm_ir_to_ptx():
    assert nvvm.version() == (2, 0)
    assert len(nvvm.ir_version()) == 4
    prog = nvvm.create_program()
    try:
        nvvm.add_module_to_program(prog, NVVM_IR, len(NVVM_IR), "twice.ll")
        nvvm.verify_program(prog, 1, ["-arch=compute_90"])
        nvvm.compile_program(prog, 1, ["-arch=compute_90"])
        ptx = bytearray(nvvm.get_compiled_result_size(prog))
        nvvm.get_compiled_result(prog, ptx)
        assert b".entry twice" in ptx and b"add.f32" in ptx  # 2*x as x+x
    finally:
        nvvm.destroy_program(prog)


def test_nvvm_errors():
    prog = nvvm.create_program()
    garbage = b"this is not NVVM IR"
    nvvm.add_module_to_program(prog, garbage, len(garbage), "bad.ll")
    with pytest.raises(nvvm.nvvmError) as info:
        nvvm.compile_program(prog, 0, [])
    assert info.value.status in (nvvm.Result.ERROR_INVALID_IR, nvvm.Result.ERROR_COMPILATION)
    log = bytearray(nvvm.get_program_log_size(prog))
    nvvm.get_program_log(prog, log)
    assert b"bad.ll" in log  # the log says where
    assert info.value.error_log and "bad.ll" in info.value.error_log  # and the exception carries it
    nvvm.destroy_program(prog)
    assert nvvm.get_error_string(nvvm.Result.ERROR_COMPILATION) == "NVVM_ERROR_COMPILATION"


# ----------------------------------------------------------------- nvfatbin


def test_build_a_fatbin_from_ptx_and_cubin():
    err, prog = compile_program(SAXPY, [b"-arch=sm_90"])
    ptx, cubin = output(prog, "PTX"), output(prog, "CUBIN")
    handle = nvfatbin.create([], 0)
    try:
        nvfatbin.add_ptx(handle, ptx, len(ptx), "90", "saxpy", "")
        nvfatbin.add_cubin(handle, cubin, len(cubin), "90", "saxpy")
        size = nvfatbin.size(handle)
        fatbin = bytearray(size)
        nvfatbin.get(handle, fatbin)
    finally:
        nvfatbin.destroy(handle)
    magic, version = struct.unpack_from("<IH", fatbin)
    assert magic == 0xBA55ED50 and version == 1 and size > len(cubin)
    assert nvfatbin.version() == library_release("nvfatbin")


def test_fatbin_arch_mismatch():
    err, prog = compile_program(SAXPY, [b"-arch=sm_90"])
    cubin = output(prog, "CUBIN")
    handle = nvfatbin.create([], 0)
    with pytest.raises(nvfatbin.nvFatbinError) as info:
        nvfatbin.add_cubin(handle, cubin, len(cubin), "80", "saxpy")
    assert info.value.status == nvfatbin.Result.ERROR_ELF_ARCH_MISMATCH
    nvfatbin.destroy(handle)
    check(nvrtc.nvrtcDestroyProgram(prog))
