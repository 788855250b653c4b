# SPDX-License-Identifier: Apache-2.0
"""Shared helpers: compiling small kernels with our nvrtc; finding the CUDA headers for C checks."""

from __future__ import annotations

import functools
import os
import shutil
import tempfile

import pytest

from cuda.bindings import driver as cu
from cuda.bindings import nvrtc
from cuda.bindings import runtime as rt

SAXPY = rb"""
extern "C" __global__ void saxpy(float a, const float* x, float* y, unsigned long long n) {
    unsigned long long i = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x;
    if (i < n) y[i] = a * x[i] + y[i];
}
"""


def unpack(result, *success):
    """A tuple-style result's outputs (None, the one output, or a tuple of them), failing the test
    unless its code is one of ``success``."""
    err, *rest = result
    assert err in success, repr(err)
    return rest[0] if len(rest) == 1 else tuple(rest) if rest else None


def check(result):
    """An nvrtc result's outputs (unpack)."""
    return unpack(result, nvrtc.nvrtcResult.NVRTC_SUCCESS)


def compile_program(src: bytes, options: list[bytes], name: bytes = b"k.cu", expressions=()):
    prog = check(nvrtc.nvrtcCreateProgram(src, name, 0, [], []))
    for expr in expressions:
        check(nvrtc.nvrtcAddNameExpression(prog, expr))
    (err,) = nvrtc.nvrtcCompileProgram(prog, len(options), options)
    return err, prog


def program_log(prog) -> str:
    size = check(nvrtc.nvrtcGetProgramLogSize(prog))
    log = bytearray(size)
    check(nvrtc.nvrtcGetProgramLog(prog, log))
    return bytes(log).rstrip(b"\0").decode()


def output(prog, kind: str) -> bytes:
    size = check(getattr(nvrtc, f"nvrtcGet{kind}Size")(prog))
    buf = bytearray(size)
    check(getattr(nvrtc, f"nvrtcGet{kind}")(prog, buf))
    return bytes(buf)


@pytest.fixture
def lto_module():
    """LTO-IR for sm_90 from CUDA C++ source."""

    def make(src: bytes) -> bytes:
        err, prog = compile_program(src, [b"-arch=sm_90", b"-dlto", b"-rdc=true"])
        assert err == nvrtc.nvrtcResult.NVRTC_SUCCESS, program_log(prog)
        ltoir = output(prog, "LTOIR")
        check(nvrtc.nvrtcDestroyProgram(prog))
        return ltoir

    return make


def driver_ok(result):
    """A driver result's outputs (unpack)."""
    return unpack(result, cu.CUresult.CUDA_SUCCESS)


def runtime_ok(result):
    """A runtime result's outputs (unpack)."""
    return unpack(result, rt.cudaError_t.cudaSuccess)


@pytest.fixture(scope="module")
def context():
    """(device 0, its primary context), current for the module's tests; skips without a GPU."""
    try:
        (err,) = cu.cuInit(0)
    except RuntimeError as exc:  # no driver library at all
        pytest.skip(f"no NVIDIA driver: {str(exc).splitlines()[0]}")
    if err != cu.CUresult.CUDA_SUCCESS:
        pytest.skip(f"cuInit failed: {err!r}")
    count = driver_ok(cu.cuDeviceGetCount())
    if count == 0:
        pytest.skip("no CUDA device")
    dev = driver_ok(cu.cuDeviceGet(0))
    ctx = driver_ok(cu.cuDevicePrimaryCtxRetain(dev))
    driver_ok(cu.cuCtxSetCurrent(ctx))
    yield dev, ctx
    cu.cuCtxSetCurrent(cu.CUcontext(0))  # later modules' tests must not find a released context current
    cu.cuDevicePrimaryCtxRelease(dev)


@functools.cache
def _pip_headers() -> str | None:
    """The pip wheels' CUDA headers as one include folder: nvidia/cu13/include of the 13.x wheels,
    or, for the 12.x ones (nvidia/<component>/include: cuda.h, crt/, cudaProfiler.h apart), a
    folder of links to each component's headers."""
    from cuda.pathfinder import find_nvidia_header_directory

    dirs = list(dict.fromkeys(d for d in map(find_nvidia_header_directory, ("cudart", "nvcc", "profiler")) if d))
    if len(dirs) <= 1:
        return dirs[0] if dirs else None
    merged = tempfile.mkdtemp(prefix="cuda-include-")
    for d in dirs:
        for name in os.listdir(d):
            if not os.path.exists(os.path.join(merged, name)):
                os.symlink(os.path.join(d, name), os.path.join(merged, name))
    return merged


def c_compiler_and_headers(*needed: str) -> tuple[str, str]:
    """(C compiler, include directory holding every one of ``needed``), or skip saying what is missing.

    The runtime headers need crt/host_defines.h, which some installs keep apart (pip nvidia-cuda-crt,
    CUDA_HOME): the pip headers are looked at first, then CUDA_HOME and /usr/local/cuda.
    """

    cc = shutil.which("cc") or shutil.which("gcc")
    cuda_home = os.environ.get("CUDA_HOME", "/usr/local/cuda")
    found = [_pip_headers(), f"{cuda_home}/include", "/usr/local/cuda/include"]
    complete = [d for d in found if d and all(os.path.exists(f"{d}/{h}") for h in needed)]
    if cc is None or not complete:
        pytest.skip(f"needs a C compiler and CUDA headers with {', '.join(needed)} (looked in {found})")
    # the headers must be this build's release: a 12.9 build beside 13.x headers has other values
    from _toolkit import CUDA_VERSION, RELEASE, headers_release

    same = [d for d in complete if headers_release(d) in (None, CUDA_VERSION)]
    if not same:
        pytest.skip(f"the CUDA headers here ({complete[0]}: CUDA_VERSION {headers_release(complete[0])}) are "
                    f"not the CUDA {RELEASE} this build is made from")  # fmt: skip
    return cc, same[0]
