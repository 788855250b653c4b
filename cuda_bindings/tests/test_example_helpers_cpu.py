# SPDX-License-Identifier: Apache-2.0
"""cuda.bindings._example_helpers (what NVIDIA's examples import): no GPU or driver needed.

Compiles are real (NVRTC and the pip headers); device calls are replaced by fakes that record
what they were asked.
"""

from __future__ import annotations

import re
import struct
import sys

import pytest

from cuda.bindings import _example_helpers as helpers
from cuda.bindings import driver, nvrtc, runtime
from cuda.bindings._example_helpers import (
    CudaCallError,
    KernelCompileError,
    KernelHelper,
    check_cmd_line_flag,
    check_compute_capability_too_low,
    check_cuda_errors,
    compile_kernel,
    find_cuda_device,
    find_cuda_device_drv,
    get_cmd_line_argument_int,
    requirement_not_met,
)
from cuda.bindings._example_helpers import common as helpers_common

COOPERATIVE = r"""
#include <cooperative_groups.h>
namespace cg = cooperative_groups;

extern "C" __global__ void block_sum(const int* in, int* out) {
    cg::thread_block block = cg::this_thread_block();
    __shared__ int total;
    if (block.thread_rank() == 0) total = 0;
    block.sync();
    atomicAdd(&total, in[block.thread_rank()]);
    block.sync();
    if (block.thread_rank() == 0) *out = total;
}
"""

BARRIER = r"""
#include <cuda/barrier>

extern "C" __global__ void wait_all(float* x) {
    __shared__ cuda::barrier<cuda::thread_scope_block> bar;
    if (threadIdx.x == 0) init(&bar, blockDim.x);
    __syncthreads();
    x[threadIdx.x] *= 2.0f;
    bar.arrive_and_wait();
}
"""

EM_CUDA = 190  # ELF e_machine of a cubin


def elf_machine(image: bytes) -> int:
    return struct.unpack_from("<H", image, 18)[0]


# --- the names NVIDIA's examples import ------------------------------------------------------


def test_every_name_the_examples_import_is_there():
    names = {
        "KernelHelper",
        "check_cmd_line_flag",
        "check_compute_capability_too_low",
        "check_cuda_errors",
        "find_cuda_device",
        "find_cuda_device_drv",
        "get_cmd_line_argument_int",
        "requirement_not_met",
    }
    assert names <= set(helpers.__all__)
    assert all(callable(getattr(helpers, name)) for name in names)
    from cuda.bindings._example_helpers.common import nvrtc_supports_cubin
    from cuda.bindings._example_helpers.helper_cuda import check_cuda_errors as from_submodule
    from cuda.bindings._example_helpers.helper_string import check_cmd_line_flag as flag_from_submodule

    assert nvrtc_supports_cubin is helpers.nvrtc_supports_cubin
    assert from_submodule is check_cuda_errors and flag_from_submodule is check_cmd_line_flag


# --- check_cuda_errors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        ((driver.CUresult.CUDA_SUCCESS,), None),
        ((driver.CUresult.CUDA_SUCCESS, 41), 41),
        ((runtime.cudaError_t.cudaSuccess, "one"), "one"),
        ((runtime.cudaError_t.cudaSuccess, 7, 9), (7, 9)),
        ((nvrtc.nvrtcResult.NVRTC_SUCCESS, 1, 2, 3), (1, 2, 3)),
    ],
)
def test_check_cuda_errors_returns_what_follows_success(result, expected):
    assert check_cuda_errors(result) == expected


def test_check_cuda_errors_on_real_nvrtc_results():
    major, minor = check_cuda_errors(nvrtc.nvrtcVersion())
    assert (major, minor) == tuple(nvrtc.nvrtcVersion()[1:]) and major >= 12
    prog = check_cuda_errors(nvrtc.nvrtcCreateProgram(b"this is not C++", b"bad.cu", 0, [], []))
    assert isinstance(prog, nvrtc.nvrtcProgram)
    with pytest.raises(CudaCallError, match=re.escape("CUDA error code=6(NVRTC_ERROR_COMPILATION)")) as info:
        check_cuda_errors(nvrtc.nvrtcCompileProgram(prog, 0, []))
    assert info.value.status is nvrtc.nvrtcResult.NVRTC_ERROR_COMPILATION
    assert check_cuda_errors(nvrtc.nvrtcDestroyProgram(prog)) is None


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (driver.CUresult.CUDA_ERROR_INVALID_VALUE, "CUDA error code=1(CUDA_ERROR_INVALID_VALUE)"),
        (driver.CUresult.CUDA_ERROR_NO_DEVICE, "CUDA error code=100(CUDA_ERROR_NO_DEVICE)"),
        (runtime.cudaError_t.cudaErrorMemoryAllocation, "CUDA error code=2(cudaErrorMemoryAllocation)"),
        (runtime.cudaError_t.cudaErrorInsufficientDriver, "CUDA error code=35(cudaErrorInsufficientDriver)"),
        (nvrtc.nvrtcResult.NVRTC_ERROR_INVALID_INPUT, "CUDA error code=3(NVRTC_ERROR_INVALID_INPUT)"),
    ],
)
def test_check_cuda_errors_raises_on_failure(status, message):
    for result in ((status,), (status, None), (status, None, None)):
        with pytest.raises(RuntimeError) as info:
            check_cuda_errors(result)
        assert str(info.value) == message
        assert type(info.value) is CudaCallError and info.value.status is status


# --- command line ----------------------------------------------------------------------------


@pytest.fixture
def argv(monkeypatch):
    def set_args(*args, prog="example.py"):
        monkeypatch.setattr(sys, "argv", [prog, *args])

    return set_args


@pytest.mark.parametrize(
    ("args", "flag", "present", "value"),
    [
        ((), "device=", False, 0),
        (("device=", "2"), "device=", True, 2),
        (("device=5",), "device=", True, 5),  # the joined form of the usage texts
        (("device=",), "device=", True, 0),  # nothing follows it
        (("wA=", "320", "hA=", "640"), "hA=", True, 640),
        (("wA=", "320", "hA=", "640"), "wA=", True, 320),
        (("wA=", "320"), "hA=", False, 0),
        (("kernel=", "-3"), "kernel=", True, -3),
        (("help",), "help", True, 0),
        (("helpme",), "help", False, 0),  # a plain flag must match the whole argument
        (("device=", "1", "use_generic_memory"), "use_generic_memory", True, 0),
    ],
)
def test_command_line_flags(argv, args, flag, present, value):
    argv(*args)
    assert check_cmd_line_flag(flag) is present
    got = get_cmd_line_argument_int(flag)
    assert got == value and type(got) is int


def test_program_name_is_not_a_flag(argv):
    argv("4", prog="device=")
    assert check_cmd_line_flag("device=") is False
    assert get_cmd_line_argument_int("device=") == 0
    argv(prog="help")
    assert check_cmd_line_flag("help") is False


def test_non_integer_value_is_a_value_error(argv):
    argv("device=", "gpu0")
    with pytest.raises(ValueError, match=r"'device=' needs an integer, got 'gpu0'"):
        get_cmd_line_argument_int("device=")


# --- requirement_not_met and the compute-capability check ------------------------------------


@pytest.mark.parametrize(("env", "code"), [(None, 1), ("100", 100), ("2", 2), ("waived", 1)])
def test_requirement_not_met_exits(monkeypatch, capsys, env, code):
    if env is None:
        monkeypatch.delenv("CUDA_BINDINGS_SKIP_EXAMPLE", raising=False)
    else:
        monkeypatch.setenv("CUDA_BINDINGS_SKIP_EXAMPLE", env)
    with pytest.raises(SystemExit) as info:
        requirement_not_met("needs two GPUs")
    assert info.value.code == code
    captured = capsys.readouterr()
    assert captured.err == "needs two GPUs\n" and captured.out == ""


@pytest.mark.parametrize(
    ("have", "required", "waived"),
    [((9, 0), (7, 0), False), ((7, 0), (7, 0), False), ((8, 6), (9, 0), True), ((7, 5), (8, 0), True)],
)
def test_check_compute_capability_too_low(monkeypatch, capsys, have, required, waived):
    asked = []
    monkeypatch.setattr(helpers_common, "_compute_capability", lambda dev: asked.append(dev) or have)
    monkeypatch.setenv("CUDA_BINDINGS_SKIP_EXAMPLE", "100")
    if waived:
        with pytest.raises(SystemExit) as info:
            check_compute_capability_too_low(3, required)
        assert info.value.code == 100
        assert f"have {have}, need {required}" in capsys.readouterr().err
    else:
        assert check_compute_capability_too_low(3, required) is None
        assert capsys.readouterr().err == ""
    assert asked == [3]


@pytest.mark.parametrize(
    ("version", "cubin"), [((11, 0), False), ((11, 1), True), ((12, 0), True), ((13, 0), True), ((13, 0, 0), True)]
)
def test_nvrtc_supports_cubin(version, cubin):
    assert helpers.nvrtc_supports_cubin(version) is cubin


# --- compiling -------------------------------------------------------------------------------


def test_include_dirs_hold_the_headers():
    found, missing = helpers.cuda_include_dirs()
    assert missing == []
    assert len(found) == 2
    import pathlib

    assert (pathlib.Path(found[0]) / "cooperative_groups.h").is_file()
    assert (pathlib.Path(found[1]) / "cuda" / "barrier").is_file()


@pytest.mark.parametrize(("source", "kernel"), [(COOPERATIVE, b"block_sum"), (BARRIER, b"wait_all")])
def test_compile_kernel_with_cuda_headers_to_cubin(source, kernel):
    image = compile_kernel(source, (9, 0))
    assert image[:4] == b"\x7fELF" and elf_machine(image) == EM_CUDA
    assert kernel in image and len(image) > 1000
    assert compile_kernel(source.encode(), (9, 0))[:4] == b"\x7fELF"  # bytes source too


def test_compile_kernel_for_an_unknown_architecture_gives_ptx_of_the_newest_known():
    newest = max(check_cuda_errors(nvrtc.nvrtcGetSupportedArchs()))
    image = compile_kernel(COOPERATIVE, (99, 9))
    assert image.endswith(b"\0") and image[:4] != b"\x7fELF"
    assert f".target sm_{newest}".encode() in image and b".entry block_sum(" in image


def test_compile_kernel_gives_ptx_when_nvrtc_has_no_cubin(monkeypatch):
    monkeypatch.setattr(nvrtc, "nvrtcVersion", lambda: (nvrtc.nvrtcResult.NVRTC_SUCCESS, 11, 0))
    image = compile_kernel(COOPERATIVE, (8, 6))
    assert image.endswith(b"\0") and b".target sm_86" in image and b".entry block_sum(" in image


def test_compile_failure_prints_the_log_and_raises(capsys):
    with pytest.raises(KernelCompileError) as info:
        compile_kernel('extern "C" __global__ void k(int* x) { *x = undeclared; }', (9, 0))
    err = info.value
    assert isinstance(err, RuntimeError) and err.status is nvrtc.nvrtcResult.NVRTC_ERROR_COMPILATION
    assert 'identifier "undeclared" is undefined' in err.log and err.missing_headers == []
    assert str(err).startswith("NVRTC compile failed (NVRTC_ERROR_COMPILATION):\n")
    assert 'identifier "undeclared" is undefined' in capsys.readouterr().err


def test_headers_are_needed_for_includes(capsys):
    with pytest.raises(KernelCompileError) as info:
        compile_kernel(COOPERATIVE, (9, 0), include_dirs=[])
    assert "cooperative_groups.h" in info.value.log
    assert "cooperative_groups.h" in capsys.readouterr().err


# --- KernelHelper and device selection, with fake device calls -------------------------------


class FakeDevice:
    """Stand-ins for the runtime and driver calls the helpers make; records the calls."""

    def __init__(self, monkeypatch, cc=(9, 0)):
        self.calls = []
        ok_rt, ok_drv = runtime.cudaError_t.cudaSuccess, driver.CUresult.CUDA_SUCCESS
        attr = runtime.cudaDeviceAttr
        values = {attr.cudaDevAttrComputeCapabilityMajor: cc[0], attr.cudaDevAttrComputeCapabilityMinor: cc[1]}

        def record(name, result):
            def call(*args):
                self.calls.append((name, *args))
                return result(*args) if callable(result) else result

            monkeypatch.setattr(runtime if name.startswith("cuda") else driver, name, call)

        record("cudaFree", (ok_rt,))
        record("cudaSetDevice", (ok_rt,))
        record("cudaDeviceGetAttribute", lambda a, dev: (ok_rt, values[a]))
        record("cuInit", (ok_drv,))
        record("cuDeviceGet", lambda ordinal: (ok_drv, driver.CUdevice(ordinal)))
        record("cuModuleLoadData", (ok_drv, driver.CUmodule(0x1000)))
        record("cuModuleGetFunction", (ok_drv, driver.CUfunction(0x2000)))

    def named(self, name):
        return [call[1:] for call in self.calls if call[0] == name]


def test_kernel_helper_compiles_for_the_device_and_loads(monkeypatch):
    fake = FakeDevice(monkeypatch, cc=(8, 0))
    helper = KernelHelper(COOPERATIVE, 2)
    assert fake.calls[0] == ("cudaFree", 0)  # the runtime is set up first
    assert sorted(fake.named("cudaDeviceGetAttribute"), key=str) == sorted(
        [
            (runtime.cudaDeviceAttr.cudaDevAttrComputeCapabilityMajor, 2),
            (runtime.cudaDeviceAttr.cudaDevAttrComputeCapabilityMinor, 2),
        ],
        key=str,
    )
    ((image,),) = fake.named("cuModuleLoadData")
    assert image[:4] == b"\x7fELF" and b"block_sum" in image
    assert image == compile_kernel(COOPERATIVE, (8, 0))
    assert int(helper.module) == 0x1000
    function = helper.get_function(b"block_sum")
    assert isinstance(function, driver.CUfunction) and int(function) == 0x2000
    helper.get_function("block_sum")  # str is taken too
    assert [name for _, name in fake.named("cuModuleGetFunction")] == [b"block_sum", b"block_sum"]
    assert all(int(module) == 0x1000 for module, _ in fake.named("cuModuleGetFunction"))


def test_kernel_helper_raises_on_a_failed_call(monkeypatch):
    FakeDevice(monkeypatch)
    monkeypatch.setattr(runtime, "cudaFree", lambda ptr: (runtime.cudaError_t.cudaErrorNoDevice,))
    with pytest.raises(CudaCallError, match=re.escape("CUDA error code=100(cudaErrorNoDevice)")):
        KernelHelper(COOPERATIVE, 0)


def test_kernel_helper_compile_error_raises(monkeypatch, capsys):
    fake = FakeDevice(monkeypatch)
    with pytest.raises(KernelCompileError, match="expected a"):
        KernelHelper('extern "C" __global__ void k(int* x) { *x = ; }', 0)
    assert fake.named("cuModuleLoadData") == []
    assert "error" in capsys.readouterr().err


def test_kernel_helper_waives_when_headers_are_missing(monkeypatch, capsys):
    FakeDevice(monkeypatch)
    real = helpers_common._header_dir
    monkeypatch.setattr(helpers_common, "_header_dir", lambda libname: None if libname == "cudart" else real(libname))
    monkeypatch.setenv("CUDA_BINDINGS_SKIP_EXAMPLE", "100")
    with pytest.raises(SystemExit) as info:
        KernelHelper(COOPERATIVE, 0)
    assert info.value.code == 100
    assert "headers not found by cuda.pathfinder: cudart" in capsys.readouterr().err


@pytest.mark.parametrize(("args", "dev_id"), [((), 0), (("device=", "3"), 3), (("device=1",), 1)])
def test_find_cuda_device(monkeypatch, argv, args, dev_id):
    fake = FakeDevice(monkeypatch)
    argv(*args)
    got = find_cuda_device()
    assert got == dev_id and type(got) is int
    assert fake.named("cudaSetDevice") == [(dev_id,)]


@pytest.mark.parametrize(("args", "dev_id"), [((), 0), (("device=", "2"), 2)])
def test_find_cuda_device_drv(monkeypatch, argv, args, dev_id):
    fake = FakeDevice(monkeypatch)
    argv(*args)
    device = find_cuda_device_drv()
    assert isinstance(device, driver.CUdevice) and int(device) == dev_id
    assert [call[0] for call in fake.calls] == ["cuInit", "cuDeviceGet"]
    assert fake.named("cuInit") == [(0,)] and fake.named("cuDeviceGet") == [(dev_id,)]


def test_find_cuda_device_raises_on_a_bad_device(monkeypatch, argv):
    argv("device=", "9")
    monkeypatch.setattr(runtime, "cudaSetDevice", lambda dev: (runtime.cudaError_t.cudaErrorInvalidDevice,))
    with pytest.raises(CudaCallError, match=re.escape("CUDA error code=101(cudaErrorInvalidDevice)")):
        find_cuda_device()
