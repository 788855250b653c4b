# SPDX-License-Identifier: Apache-2.0
"""launch() on a GPU: every kind of argument, geometry, shared memory, clusters, many arguments."""

from __future__ import annotations

import ctypes

import numpy as np
import pytest
from _gpu_helpers import POISON32, DeviceMemory, kernels, ok

import cuda.core as core

pytestmark = pytest.mark.gpu


class _Pair(ctypes.Structure):
    _fields_ = [("a", ctypes.c_int32), ("b", ctypes.c_double)]


def _bits(x: float) -> int:
    return int(np.float64(x).view(np.uint64))


def test_argument_kinds(device):
    rng = np.random.default_rng()
    a = int(rng.integers(-(2**62), 2**62))
    b = float(rng.standard_normal())
    d = np.float32(rng.standard_normal())
    e = np.int16(rng.integers(-30000, 30000))
    f = np.uint8(rng.integers(0, 255))
    g = ctypes.c_double(float(rng.standard_normal()))
    h = ctypes.c_int(int(rng.integers(-(2**31), 2**31)))
    pair = _Pair(int(rng.integers(-1000, 1000)), float(rng.standard_normal()))
    big = 2**64 - int(rng.integers(1, 1000))  # only fits unsigned
    from cuda.bindings import driver

    out = DeviceMemory(8 * 12)
    try:
        s = device.create_stream()
        core.launch(s, core.LaunchConfig(grid=1, block=1), kernels(device)["kinds"],
                    out.ptr, a, b, True, d, e, f, g, h, pair, driver.CUdeviceptr(0xABCDEF0), big)  # fmt: skip
        s.sync()
        got = out.read(np.uint64, 12)
        assert int(got[0]) == a % 2**64
        assert int(got[1]) == _bits(b)
        assert int(got[2]) == 1
        assert int(got[3]) == int(d.view(np.uint32))
        assert int(got[4]) == int(e) % 2**64
        assert int(got[5]) == int(f)
        assert int(got[6]) == _bits(g.value)
        assert int(got[7]) == h.value % 2**64
        assert int(got[8]) == pair.a % 2**64
        assert int(got[9]) == _bits(pair.b)
        assert int(got[10]) == 0xABCDEF0
        assert int(got[11]) == big
    finally:
        out.free()


class _CAI:
    def __init__(self, ptr):
        self.__cuda_array_interface__ = {"data": (ptr, False), "shape": (1,), "typestr": "<i4", "version": 3}


def test_pointer_kinds(device):
    from test_device_stream_launch_cpu import _DLPackExporter

    from cuda.bindings import driver

    k = kernels(device)["store"]
    cfg = core.LaunchConfig(grid=1, block=1)
    s = device.create_stream()
    mem = DeviceMemory(4 * 8)
    try:
        values = np.random.default_rng().integers(1, 2**30, size=5).astype(np.int32)
        pointers = [
            mem.ptr,  # Python int
            _CAI(mem.ptr + 4),  # __cuda_array_interface__
            _DLPackExporter(mem.ptr, byte_offset=8),  # DLPack, with an offset
            driver.CUdeviceptr(mem.ptr + 12),  # a cuda.bindings handle
            ctypes.c_void_p(mem.ptr + 16),  # a ctypes pointer value
        ]
        for p, v in zip(pointers, values):
            core.launch(s, cfg, k, p, int(v))
        s.sync()
        got = mem.read(np.int32, 8)
        assert list(got[:5]) == list(values)
        assert (got[5:] == POISON32).all()
    finally:
        mem.free()


def test_buffer_argument(device):
    k = kernels(device)
    buf = device.allocate(4 * 256)
    try:
        s = device.create_stream()
        core.launch(s, core.LaunchConfig(grid=2, block=128), k["fill"], buf, 256, -17)
        s.sync()
        out = np.empty(256, dtype=np.int32)
        ok(__import__("cuda.bindings.driver", fromlist=["x"]).cuMemcpyDtoH(out, int(buf.handle), out.nbytes))
        assert (out == -17).all()
    finally:
        buf.close()


def test_complex_arguments(device):
    """Python and numpy complex values reach a kernel as their real and imaginary parts."""
    code = r"""
    struct C128 { double re, im; };
    struct C64 { float re, im; };
    extern "C" __global__ void store_complex(double* out, C128 a, C64 b) {
        out[0] = a.re; out[1] = a.im; out[2] = b.re; out[3] = b.im;
    }
    """
    kernel = (
        core.Program(code, "c++", core.ProgramOptions(arch=f"sm_{device.arch}"))
        .compile("cubin")
        .get_kernel("store_complex")
    )
    mem = DeviceMemory(8 * 4)
    try:
        s = device.create_stream()
        core.launch(s, core.LaunchConfig(grid=1, block=1), kernel, mem.ptr, 5 - 7j, np.complex64(1.5 + 2j))
        s.sync()
        assert mem.read(np.float64, 4).tolist() == [5.0, -7.0, 1.5, 2.0]
    finally:
        mem.free()


def test_sixteen_arguments(device):
    k = kernels(device)["sum16"]
    rng = np.random.default_rng()
    ints = DeviceMemory(4 * 4)
    out = DeviceMemory(8)
    try:
        pv = rng.integers(-100, 100, size=4).astype(np.int32)
        ints.write(pv)
        iv = [int(x) for x in rng.integers(-100, 100, size=4)]
        fv = [np.float32(x) for x in rng.integers(-8, 8, size=4) / 4]
        uv = [np.uint64(x) for x in rng.integers(0, 1000, size=2)]
        dv = [float(x) for x in rng.integers(-8, 8, size=2) / 8]
        s = device.create_stream()
        core.launch(s, core.LaunchConfig(grid=1, block=1), k, out.ptr,
                    ints.ptr, ints.ptr + 4, ints.ptr + 8, ints.ptr + 12, *iv, *fv, *uv, *dv)  # fmt: skip
        s.sync()
        expected = float(pv.sum()) + sum(iv) + sum(float(x) for x in fv) + sum(float(x) for x in uv) + sum(dv)
        assert out.read(np.float64, 1)[0] == pytest.approx(expected)
    finally:
        ints.free()
        out.free()


@pytest.mark.parametrize("grid,block", [(3, 4), ((2, 3), (4, 2)), ((2, 1, 2), (2, 2, 2))])
def test_geometry(device, grid, block):
    cfg = core.LaunchConfig(grid=grid, block=block)
    nb = int(np.prod(cfg.grid))
    nt = int(np.prod(cfg.block))
    mem = DeviceMemory(4 * nb * nt)
    try:
        s = device.create_stream()
        core.launch(s, cfg, kernels(device)["block_ids"], mem.ptr)
        s.sync()
        got = mem.read(np.int32, nb * nt).reshape(nb, nt)
        expected = np.arange(nb)[:, None] * 1000 + np.arange(nt)[None, :]
        assert (got == expected).all()
    finally:
        mem.free()


def test_dynamic_shared_memory(device):
    mem = DeviceMemory(4)
    try:
        s = device.create_stream()
        core.launch(
            s, core.LaunchConfig(grid=1, block=64, shmem_size=64 * 4), kernels(device)["shmem_sum"], mem.ptr, 64
        )
        s.sync()
        assert mem.read(np.int32, 1)[0] == sum(range(64))
    finally:
        mem.free()


def test_cluster_launch(device):
    if device.compute_capability < (9, 0):
        pytest.skip("thread block clusters need compute capability 9.0")
    cfg = core.LaunchConfig(grid=2, cluster=2, block=4)  # 2 clusters of 2 blocks
    mem = DeviceMemory(4 * 16)
    try:
        s = device.create_stream()
        core.launch(s, cfg, kernels(device)["block_ids"], mem.ptr)
        s.sync()
        got = mem.read(np.int32, 16).reshape(4, 4)
        assert (got == np.arange(4)[:, None] * 1000 + np.arange(4)[None, :]).all()
    finally:
        mem.free()


def test_cooperative_and_programmatic(device):
    mem = DeviceMemory(4 * 64)
    try:
        s = device.create_stream()
        k = kernels(device)["fill"]
        core.launch(s, core.LaunchConfig(grid=2, block=32, is_cooperative=True), k, mem.ptr, 64, 1)
        s.sync()
        assert (mem.read(np.int32, 64) == 1).all()
        if device.compute_capability >= (9, 0):
            core.launch(
                s, core.LaunchConfig(grid=2, block=32, programmatic_stream_serialization=True), k, mem.ptr, 64, 2
            )
            s.sync()
            assert (mem.read(np.int32, 64) == 2).all()
    finally:
        mem.free()


def test_many_arguments_past_the_stack(device):
    # 40 arguments: the heap path of launch(); the kernel reads only the first three
    mem = DeviceMemory(4 * 32)
    try:
        params = ", ".join(f"int a{i}" for i in range(37))
        src = (
            'extern "C" __global__ void many(int* out, int n, int v, ' + params + ") "
            "{ if (threadIdx.x < n) out[threadIdx.x] = v; }"
        )
        from _gpu_helpers import ok as _ok

        from cuda.bindings import nvrtc

        prog = _ok(nvrtc.nvrtcCreateProgram(src.encode(), b"many.cu", 0, [], []))
        opts = [f"-arch=sm_{device.arch}".encode()]
        assert int(nvrtc.nvrtcCompileProgram(prog, 1, opts)[0]) == 0
        cubin = bytearray(_ok(nvrtc.nvrtcGetCUBINSize(prog)))
        _ok(nvrtc.nvrtcGetCUBIN(prog, cubin))
        many = core.ObjectCode.from_cubin(bytes(cubin)).get_kernel("many")
        s = device.create_stream()
        core.launch(s, core.LaunchConfig(grid=1, block=32), many, mem.ptr, 32, 31, *range(37))
        s.sync()
        assert (mem.read(np.int32, 32) == 31).all()
    finally:
        mem.free()


def test_launch_errors(device):
    k = kernels(device)["fill"]
    s = device.create_stream()
    with pytest.raises(core.CUDAError):
        core.launch(s, core.LaunchConfig(grid=1, block=4096), k, 0, 0, 0)  # too many threads per block
    s.close()
    with pytest.raises(RuntimeError, match="closed"):
        core.launch(s, core.LaunchConfig(grid=1, block=1), k, 0, 0, 0)
