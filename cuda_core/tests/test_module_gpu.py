# SPDX-License-Identifier: Apache-2.0
"""ObjectCode loading and Kernel queries on a GPU (skipped with a reason where there is none)."""

from __future__ import annotations

import pickle

import pytest

from cuda.core import Kernel, Linker, LinkerOptions, ObjectCode, Program, ProgramOptions
from cuda.core._errors import CUDAError

pytestmark = pytest.mark.gpu

SRC = r"""
template <typename T>
__global__ void saxpy(T a, const T* x, const T* y, T* out, size_t n) {
    size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
    if (i < n) out[i] = a * x[i] + y[i];
}

extern "C" __global__ void with_shared(float* p) {
    __shared__ float tile[256];
    tile[threadIdx.x] = p[threadIdx.x];
    __syncthreads();
    p[threadIdx.x] = tile[255 - threadIdx.x];
}

extern "C" __global__ void no_args() {}

extern "C" __global__ void __launch_bounds__(128) bounded(int* p) { p[threadIdx.x] = 1; }

struct Big { double v[5]; };
extern "C" __global__ void by_value(char c, Big b, short s, int* out) { *out = c + (int)b.v[4] + s; }
"""
SAXPY = "saxpy<float>"


@pytest.fixture(scope="module")
def dev():
    from cuda.core import Device

    d = Device(0)
    d.set_current()
    return d


@pytest.fixture(scope="module")
def arch(dev):
    return dev.arch  # e.g. "90"


@pytest.fixture(scope="module")
def program(arch):
    return Program(SRC, "c++", ProgramOptions(arch=f"sm_{arch}", name="gpu_test.cu"))


@pytest.fixture(scope="module")
def cubin(program):
    return program.compile("cubin", name_expressions=(SAXPY,))


@pytest.fixture(scope="module")
def ptx(program):
    return program.compile("ptx", name_expressions=(SAXPY,))


def test_get_kernel_by_name_expression_and_by_symbol(cubin):
    k = cubin.get_kernel(SAXPY)
    assert isinstance(k, Kernel)
    mangled = cubin.symbol_mapping[SAXPY]
    assert cubin.get_kernel(mangled) == k  # the mangled name (bytes) finds the same kernel
    assert cubin.get_kernel(mangled.decode()) == k
    assert int(k.handle) != 0


def test_library_and_module_handles(cubin):
    from cuda.bindings import driver

    lib = cubin.handle
    assert isinstance(lib, driver.CUlibrary) and int(lib) != 0
    assert int(cubin.handle) == int(lib)  # loaded once
    mod = cubin.get_module()
    assert isinstance(mod, driver.CUmodule) and int(mod) != 0


def test_load_ptx_from_bytes_and_file(ptx, tmp_path):
    k = ObjectCode.from_ptx(ptx.code, symbol_mapping=ptx.symbol_mapping).get_kernel(SAXPY)
    assert k.num_arguments == 5
    path = tmp_path / "saxpy.ptx"
    path.write_bytes(ptx.code)
    k2 = ObjectCode.from_ptx(str(path), symbol_mapping=ptx.symbol_mapping).get_kernel(SAXPY)
    assert k2.num_arguments == 5


def test_load_cubin_from_file(cubin, tmp_path):
    path = tmp_path / "k.cubin"
    path.write_bytes(cubin.code)
    k = ObjectCode.from_cubin(path).get_kernel("no_args")
    assert k.num_arguments == 0 and k.arguments_info == []


def test_unpickled_object_code_loads(cubin):
    again = pickle.loads(pickle.dumps(cubin))
    assert again.get_kernel(SAXPY).num_arguments == 5


def test_kernel_from_handle_keeps_its_library_loaded(program):
    # as NVIDIA's: a kernel rebuilt from the handle of one of ours keeps the library it came from
    import gc
    import weakref

    obj = program.compile("cubin")  # its own ObjectCode: collected below
    kernel = obj.get_kernel("no_args")
    rebuilt = Kernel.from_handle(int(kernel.handle))
    alive = weakref.ref(obj)
    del kernel, obj
    gc.collect()
    assert alive() is not None  # held by the rebuilt kernel
    assert rebuilt.attributes.max_threads_per_block > 0
    del rebuilt
    gc.collect()
    assert alive() is None


def test_unknown_kernel_is_cuda_error(cubin):
    with pytest.raises(CUDAError) as info:
        cubin.get_kernel("does_not_exist")
    assert info.value.name == "CUDA_ERROR_NOT_FOUND"


def test_garbage_cubin_is_cuda_error():
    with pytest.raises(CUDAError):
        ObjectCode.from_cubin(b"\x00" * 64).get_kernel("k")


def test_arguments_info(cubin):
    k = cubin.get_kernel(SAXPY)
    assert k.num_arguments == 5
    info = k.arguments_info
    assert [(p.offset, p.size) for p in info] == [(0, 4), (8, 8), (16, 8), (24, 8), (32, 8)]
    assert info[1].offset == 8 and info[1].size == 8  # named fields
    info.append(None)
    assert len(k.arguments_info) == 5  # a copy each time


def test_arguments_info_by_value_struct(cubin):
    k = cubin.get_kernel("by_value")
    assert [(p.offset, p.size) for p in k.arguments_info] == [(0, 1), (8, 40), (48, 2), (56, 8)]


def test_attributes(cubin, arch, dev):
    k = cubin.get_kernel("with_shared")
    a = k.attributes
    assert a.shared_size_bytes == 256 * 4
    assert 0 < a.max_threads_per_block <= 1024
    assert 0 < a.num_regs <= 255
    assert a.const_size_bytes >= 0 and a.local_size_bytes == 0
    assert a.ptx_version == int(arch) or a.ptx_version >= 50
    assert a.binary_version == int(arch)
    assert a.cache_mode_ca is False
    assert a.max_dynamic_shared_size_bytes >= 0
    assert -1 <= a.preferred_shared_memory_carveout <= 100
    assert isinstance(a.cluster_size_must_be_set, bool)
    assert a.required_cluster_width == a.required_cluster_height == a.required_cluster_depth == 0
    assert isinstance(a.non_portable_cluster_size_allowed, bool)
    assert a.cluster_scheduling_policy_preference >= 0
    # the same values through a view bound to the device, by ordinal and by Device
    assert a[0].shared_size_bytes == a.shared_size_bytes
    assert a[dev].num_regs == a.num_regs
    assert k.attributes is a


def test_launch_bounds_show_in_attributes(cubin):
    assert cubin.get_kernel("bounded").attributes.max_threads_per_block == 128


def test_occupancy(cubin, dev):
    k = cubin.get_kernel(SAXPY)
    occ = k.occupancy
    blocks = occ.max_active_blocks_per_multiprocessor(128, 0)
    assert 1 <= blocks <= 64
    assert occ.max_active_blocks_per_multiprocessor(1024, 0) <= blocks
    result = occ.max_potential_block_size(0, 0)
    assert result.min_grid_size >= 1
    assert 32 <= result.max_block_size <= 1024 and result.max_block_size % 32 == 0
    assert result == (result.min_grid_size, result.max_block_size)
    limited = occ.max_potential_block_size(0, 64)
    assert limited.max_block_size <= 64
    smem = occ.available_dynamic_shared_memory_per_block(1, 128)
    assert smem >= 48 * 1024
    assert occ.available_dynamic_shared_memory_per_block(blocks, 128) <= smem
    with pytest.raises(TypeError):
        occ.max_potential_block_size("0", 0)


def test_occupancy_with_shared_memory_lowers_blocks(cubin):
    occ = cubin.get_kernel(SAXPY).occupancy
    free = occ.max_active_blocks_per_multiprocessor(64, 0)
    heavy = occ.max_active_blocks_per_multiprocessor(64, 40 * 1024)
    assert 1 <= heavy < free


def test_occupancy_with_a_c_function_of_the_block_size(cubin):
    """CUoccupancyB2DSize(_ptr=<function address>), as NVIDIA documents it: the driver calls it."""
    import ctypes

    from cuda.bindings import driver

    seen = []

    def needed(block_size):
        seen.append(block_size)
        return 1024 * (block_size // 32)

    c_fn = ctypes.CFUNCTYPE(ctypes.c_size_t, ctypes.c_int)(needed)
    b2d = driver.CUoccupancyB2DSize(_ptr=ctypes.cast(c_fn, ctypes.c_void_p).value)
    occ = cubin.get_kernel(SAXPY).occupancy
    grid, block = occ.max_potential_block_size(b2d, 128)
    assert isinstance(grid, int) and isinstance(block, int)
    assert 0 < block <= 128 and block % 32 == 0 and grid > 0
    assert seen and all(isinstance(b, int) and b > 0 for b in seen)  # the driver asked for block sizes


def test_cluster_occupancy(cubin, arch, dev):
    if int(arch) < 90:
        pytest.skip("thread block clusters need sm_90 or later")
    try:
        from cuda.core import LaunchConfig
    except ImportError as exc:
        pytest.skip(f"LaunchConfig not available yet: {exc}")
    occ = cubin.get_kernel(SAXPY).occupancy
    stream = dev.default_stream
    size = occ.max_potential_cluster_size(LaunchConfig(grid=16, block=128), stream=stream)
    assert 1 <= size <= 16
    clusters = occ.max_active_clusters(LaunchConfig(grid=8, cluster=2, block=128), stream=stream)
    assert clusters >= 1
    with pytest.raises(TypeError):
        occ.max_potential_cluster_size(LaunchConfig(grid=16, block=128))  # stream is keyword-only
    with pytest.raises(TypeError, match="stream"):
        occ.max_potential_cluster_size(LaunchConfig(grid=16, block=128), stream=None)


def test_from_handle_round_trip(cubin):
    k = cubin.get_kernel(SAXPY)
    again = Kernel.from_handle(int(k.handle), cubin)
    assert again == k and hash(again) == hash(k)
    assert again.num_arguments == 5
    assert Kernel.from_handle(k.handle).attributes.num_regs == k.attributes.num_regs


def test_kernel_keeps_library_loaded(arch):
    import gc

    obj = Program(SRC, "c++", ProgramOptions(arch=f"sm_{arch}")).compile("cubin")
    k = obj.get_kernel("no_args")
    del obj
    gc.collect()
    assert k.num_arguments == 0  # still usable: the kernel holds its ObjectCode
    assert k.attributes.max_threads_per_block > 0


def test_linked_cubin_loads(arch):
    o = ProgramOptions(arch=f"sm_{arch}", relocatable_device_code=True, link_time_optimization=True)
    a = Program(
        'extern "C" __device__ int helper(int);\nextern "C" __global__ void entry(int* p) { *p = helper(*p); }',
        "c++",
        o,
    ).compile("ltoir")
    b = Program('extern "C" __device__ int helper(int x) { return x + 1; }', "c++", o).compile("ltoir")
    cubin = Linker(a, b, options=LinkerOptions(arch=f"sm_{arch}", link_time_optimization=True)).link("cubin")
    assert cubin.get_kernel("entry").num_arguments == 1


def test_demo_runs_saxpy_and_matches_numpy():
    pytest.importorskip("numpy")
    from cuda.core.__main__ import _run_on_gpu

    dev, arch, ok, err = _run_on_gpu(n=100_003)
    assert ok, f"max abs error {err}"
    assert err < 1e-5
