# SPDX-License-Identifier: Apache-2.0
"""ci/cpu_driver: the host-emulated libcuda that lets device tests run without a GPU.

Built once per session into a temporary folder; each check runs Python in a child process whose
LD_LIBRARY_PATH puts the emulated libcuda first, through this checkout's packages."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def driver_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cpu_driver")
    subprocess.run([sys.executable, str(REPO / "ci" / "cpu_driver" / "build.py"), str(out)], check=True)
    return out


def run(driver_dir: Path, code: str, **env: str) -> subprocess.CompletedProcess:
    paths = os.pathsep.join(str(REPO / p) for p in ("cuda_pathfinder", "cuda_bindings", "cuda_core"))
    environ = {**os.environ, "LD_LIBRARY_PATH": str(driver_dir), "PYTHONPATH": paths, **env}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=environ, capture_output=True, text=True,
                          timeout=120)  # fmt: skip


def check(driver_dir: Path, code: str, **env: str) -> str:
    done = run(driver_dir, code, **env)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_device_and_errors(driver_dir):
    out = check(
        driver_dir,
        """
        from cuda.bindings import driver as d
        assert d.cuDeviceGetCount()[0] == d.CUresult.CUDA_ERROR_NOT_INITIALIZED
        assert d.cuInit(0) == (d.CUresult.CUDA_SUCCESS,)
        assert d.cuDeviceGetCount() == (d.CUresult.CUDA_SUCCESS, 1)
        err, dev = d.cuDeviceGet(0)
        assert d.cuDeviceGet(1)[0] == d.CUresult.CUDA_ERROR_INVALID_DEVICE
        A = d.CUdevice_attribute
        assert d.cuDeviceGetAttribute(A.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev)[1] == 9
        assert d.cuDeviceGetAttribute(A.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev)[1] == 132
        R = d.CUresult
        assert d.cuGetErrorName(R.CUDA_ERROR_INVALID_VALUE) == (R.CUDA_SUCCESS, b"CUDA_ERROR_INVALID_VALUE")
        from cuda.core._utils.version import driver_version
        assert driver_version() == (13, 0, 0)
        print(d.cuDeviceGetName(64, dev)[1].rstrip(b"\\0").decode())
        # a function it does not emulate says so, and names itself when traced
        print(d.cuGraphicsResourceSetMapFlags(d.CUgraphicsResource(0), 0)[0].name)
        """,
        CPU_DRIVER_TRACE="1",
    )
    assert out.split() == ["CPU-emulated", "CUDA", "device", "CUDA_ERROR_NOT_SUPPORTED"]


def test_memory_round_trip_and_pointer_queries(driver_dir):
    check(
        driver_dir,
        """
        import numpy as np
        from cuda.core import Device
        from cuda.bindings import driver as d
        dev = Device(); dev.set_current()
        s = dev.create_stream()
        buf = dev.allocate(64, stream=s)
        host = np.arange(16, dtype=np.int32)
        (err,) = d.cuMemcpyHtoDAsync(buf.handle, host, 64, s.handle); assert err == 0
        (err,) = d.cuMemsetD32Async(int(buf.handle) + 32, 7, 8, s.handle); assert err == 0
        out = np.zeros(16, dtype=np.int32)
        (err,) = d.cuMemcpyDtoH(out, buf.handle, 64); assert err == 0
        assert out.tolist() == list(range(8)) + [7] * 8, out
        P = d.CUpointer_attribute
        err, kind = d.cuPointerGetAttribute(P.CU_POINTER_ATTRIBUTE_MEMORY_TYPE, int(buf.handle) + 8)
        assert kind == d.CUmemorytype.CU_MEMORYTYPE_DEVICE
        err, size = d.cuPointerGetAttribute(P.CU_POINTER_ATTRIBUTE_RANGE_SIZE, int(buf.handle) + 8)
        assert size == 64
        err, _ = d.cuPointerGetAttribute(P.CU_POINTER_ATTRIBUTE_MEMORY_TYPE, out.ctypes.data)
        assert err == d.CUresult.CUDA_ERROR_INVALID_VALUE  # host memory the driver never saw
        address = int(buf.handle)
        buf.close(s)
        assert d.cuMemFree(address)[0] == d.CUresult.CUDA_ERROR_INVALID_VALUE  # already gone
        # writing through a freed device pointer is refused, not done into the host heap
        assert d.cuMemsetD8(address, 1, 64)[0] == d.CUresult.CUDA_ERROR_INVALID_VALUE
        """,
    )


def test_kernels_are_read_from_the_image(driver_dir):
    out = check(
        driver_dir,
        """
        from cuda.core import Device, LaunchConfig, Program, ProgramOptions, launch
        import numpy as np
        dev = Device(); dev.set_current()
        code = 'struct S { double a, b, c; };\\n' \\
               'extern "C" __global__ void k(int a, double b, char c, S s, float* p) {}\\n' \\
               'extern "C" __global__ void k2(int a, float* p) {}'
        for target in ("cubin", "ptx"):
            code_object = Program(code, "c++", ProgramOptions(arch="sm_90")).compile(target)
            kernel = code_object.get_kernel("k")
            print(target, [(p.offset, p.size) for p in kernel.arguments_info])
        kernel = code_object.get_kernel("k2")
        s = dev.create_stream()
        buf = dev.allocate(64, stream=s)
        launch(s, LaunchConfig(grid=1, block=1024), kernel, 1, buf)
        try:
            launch(s, LaunchConfig(grid=1, block=1025), kernel, 1, buf)
        except Exception as e:
            print(type(e).__name__, "CUDA_ERROR_INVALID_VALUE" in str(e))
        """,
    )
    assert out.splitlines() == [
        "cubin [(0, 4), (8, 8), (16, 1), (24, 24), (48, 8)]",
        "ptx [(0, 4), (8, 8), (16, 1), (24, 24), (48, 8)]",
        "CUDAError True",
    ]


def test_stream_capture_and_graph_launch(driver_dir):
    out = check(
        driver_dir,
        """
        import numpy as np
        from cuda.bindings import driver as d
        from cuda.core import Device
        dev = Device(); dev.set_current()
        s = dev.create_stream()
        src, dst = dev.allocate(64, stream=s), dev.allocate(64, stream=s)
        src.fill(7, stream=s)
        dst.fill(0, stream=s)
        builder = dev.create_graph_builder().begin_building()
        dst.copy_from(src, stream=builder)
        calls = []
        builder.callback(lambda: calls.append(1))
        graph = builder.end_building().complete()
        out = np.zeros(64, np.uint8)
        d.cuMemcpyDtoH(out, dst.handle, 64)
        print(out.sum(), calls)  # captured, not run
        graph.launch(s); graph.launch(s); s.sync()
        d.cuMemcpyDtoH(out, dst.handle, 64)
        print(out.sum(), calls)
        """,
    )
    assert out.splitlines() == ["0 []", "448 [1, 1]"]


def test_graph_nodes_keep_closed_buffers_allocated(driver_dir):
    out = check(
        driver_dir,
        """
        import ctypes
        from cuda.bindings import driver as d
        from cuda.core import Device
        from cuda.core.graph import GraphDefinition
        dev = Device(); dev.set_current()
        s = dev.create_stream()
        src, dst = dev.allocate(4, stream=s), dev.allocate(4, stream=s)
        src.fill(0xCD, stream=s)
        address = int(dst.handle)
        g = GraphDefinition()
        g.memcpy(dst, src, 4)
        src.close(); dst.close()
        print(src.is_closed, int(dst.handle))
        g.instantiate().launch(s); s.sync()
        out = (ctypes.c_uint8 * 4)()
        print(d.cuMemcpyDtoH(out, address, 4)[0].name, list(out))
        del g
        import gc; gc.collect()
        print(d.cuMemcpyDtoH(out, address, 4)[0].name)  # the graph let go: freed
        # not closed: freed when the last of the buffer and the graph goes
        buf = dev.allocate(4, stream=s)
        address = int(buf.handle)
        g = GraphDefinition()
        g.memset(buf, 1, 4)
        del buf
        print(d.cuMemcpyDtoH(out, address, 4)[0].name)
        del g
        gc.collect()  # a definition and its root node refer to each other
        print(d.cuMemcpyDtoH(out, address, 4)[0].name)
        """,
    )
    assert out.splitlines() == [
        "True 0",
        "CUDA_SUCCESS [205, 205, 205, 205]",
        "CUDA_ERROR_INVALID_VALUE",
        "CUDA_SUCCESS",
        "CUDA_ERROR_INVALID_VALUE",
    ]


def test_pool_allocations_refuse_a_capturing_stream(driver_dir):
    out = check(
        driver_dir,
        """
        from cuda.core import Device, DeviceMemoryResource, GraphMemoryResource
        dev = Device(); dev.set_current()
        s = dev.create_stream()
        dmr, gmr = DeviceMemoryResource(dev), GraphMemoryResource(dev)
        dmr.allocate(1, stream=s).close()
        for mr, stream in ((gmr, s), (dmr, None)):
            builder = dev.create_graph_builder().begin_building()
            try:
                mr.allocate(1, stream=stream or builder)
            except RuntimeError as e:
                print(e)
            builder.end_building().complete()
        """,
    )
    assert out.splitlines() == [
        "GraphMemoryResource cannot perform memory operations on a non-capturing stream.",
        "cannot perform memory operations on a capturing stream (consider using GraphMemoryResource).",
    ]


def test_ipc_registry_holds_resources_while_the_program_does(driver_dir):
    """register() takes an IPC-enabled resource under its own uuid only, and the registry does not
    keep the resource (and its pool) alive by itself, as NVIDIA's."""
    out = check(
        driver_dir,
        """
        import gc, uuid
        from cuda.core import Device, DeviceMemoryResource, DeviceMemoryResourceOptions
        dev = Device(); dev.set_current()
        for key in (uuid.uuid4(), "x"):
            try:
                dev.memory_resource.register(key)
            except RuntimeError as e:
                print(e)
        mr = DeviceMemoryResource(dev, DeviceMemoryResourceOptions(ipc_enabled=True, max_size=1 << 20))
        own = mr.uuid
        try:
            mr.register(uuid.uuid4())
        except ValueError as e:
            print("ValueError", "registered under that uuid only" in str(e))
        assert mr.register(own) is mr and DeviceMemoryResource.from_registry(own) is mr
        del mr
        gc.collect()
        try:
            DeviceMemoryResource.from_registry(own)
        except RuntimeError as e:
            print(str(e).replace(str(own), "UUID").split(":")[0])
        """,
    )
    assert out.splitlines() == [
        "Memory resource is not IPC-enabled",
        "Memory resource is not IPC-enabled",
        "ValueError True",
        "Memory resource UUID was not found",
    ]


def test_graphics_resources_map_to_buffers_and_give_the_mapping_back(driver_dir):
    """GraphicsResource over the emulated GL interop (any nonzero GL name registers; a buffer maps
    to 4096 bytes, an image not as a pointer): the mapped Buffer's close() unmaps, and the rules
    of map/unmap/close hold."""
    out = check(
        driver_dir,
        """
        import gc
        from cuda.core import Buffer, Device, GraphicsResource
        dev = Device(); dev.set_current()
        s = dev.create_stream()
        r = GraphicsResource.from_gl_buffer(5, flags="write_discard")
        assert r.handle != 0 and r.resource_handle == r.handle and not r.is_mapped and not r.is_closed
        buf = r.map(stream=s)
        assert isinstance(buf, Buffer) and buf.size == 4096 and r.is_mapped and "mapped" in repr(r)
        for call in (lambda: r.map(stream=s), lambda: r.map()):
            try:
                call()
            except RuntimeError as e:
                print(e)
        buf.close()  # the Buffer's close gives the mapping back
        assert not r.is_mapped
        with r.map(stream=s) as mapped:
            assert r.is_mapped and mapped.size == 4096
        assert not r.is_mapped
        try:
            r.unmap()
        except RuntimeError as e:
            print(e)
        r.map(stream=s)
        r.unmap(stream=s)
        r.map()  # the default stream
        r.close()  # unmaps first
        assert r.is_closed and r.handle == 0 and "closed" in repr(r)
        r.close()
        try:
            r.map(stream=s)
        except RuntimeError as e:
            print(e)
        with GraphicsResource.from_gl_buffer(7, stream=s) as entered:
            print(type(entered).__name__, entered.size)
        with GraphicsResource.from_gl_buffer(8) as res:
            assert isinstance(res, GraphicsResource)
        assert res.is_closed
        img = GraphicsResource.from_gl_image(3, 0x0DE1, flags=("surface_load_store", "read_only"))
        try:
            img.map(stream=s)
        except Exception as e:
            print(type(e).__name__, str(e).split(":")[0])
        print(img.is_mapped)
        img.close()
        try:
            GraphicsResource.from_gl_buffer(0)
        except Exception as e:
            print(type(e).__name__, str(e).split(":")[0])
        dropped = GraphicsResource.from_gl_buffer(9)
        dropped.map(stream=s)
        del dropped
        gc.collect()  # unmapped and unregistered by the finalizer, no error
        """,
    )
    assert out.splitlines() == [
        "GraphicsResource is already mapped",
        "GraphicsResource is already mapped",
        "GraphicsResource is not mapped",
        "GraphicsResource has been closed",
        "Buffer 4096",
        "CUDAError CUDA_ERROR_NOT_MAPPED_AS_POINTER",
        "False",
        "CUDAError CUDA_ERROR_INVALID_GRAPHICS_CONTEXT",
    ]


def test_modify_allocation_takes_the_new_policy(driver_dir):
    out = check(
        driver_dir,
        """
        from cuda.core import Device, VirtualMemoryResource, VirtualMemoryResourceOptions
        dev = Device(); dev.set_current()
        mr = VirtualMemoryResource(dev, config=VirtualMemoryResourceOptions(self_access="rw"))
        buf = mr.allocate(8192)
        bigger = mr.modify_allocation(buf, 1 << 22, config=VirtualMemoryResourceOptions(self_access="r"))
        print(bigger.size >= 1 << 22, buf.is_closed, mr.config.self_access)
        """,
    )
    assert out.split() == ["True", "True", "r"]


def test_managed_memory_pools(driver_dir):
    check(
        driver_dir,
        """
        from cuda.core import Device, ManagedMemoryResource
        from cuda.bindings import driver as d

        dev = Device(0)
        dev.set_current()
        stream = dev.create_stream()
        mr = ManagedMemoryResource()  # the default managed pool, no preferred location
        buf = mr.allocate(4096, stream)
        assert mr.is_managed
        err, managed = d.cuPointerGetAttribute(d.CUpointer_attribute.CU_POINTER_ATTRIBUTE_IS_MANAGED, int(buf.handle))
        assert err == d.CUresult.CUDA_SUCCESS and managed
        buf.close(stream)
        # the driver's rules for managed pools: no IPC handle types, no size limit
        props = d.CUmemPoolProps()
        props.allocType = d.CUmemAllocationType.CU_MEM_ALLOCATION_TYPE_MANAGED
        props.location.type = d.CUmemLocationType.CU_MEM_LOCATION_TYPE_DEVICE
        props.location.id = 0
        err, pool = d.cuMemPoolCreate(props)
        assert err == d.CUresult.CUDA_SUCCESS
        assert d.cuDeviceSetMemPool(0, pool)[0] == d.CUresult.CUDA_ERROR_INVALID_VALUE  # not a device pool
        props.maxSize = 1 << 20
        assert d.cuMemPoolCreate(props)[0] == d.CUresult.CUDA_ERROR_INVALID_VALUE
        assert d.cuMemPoolDestroy(pool) == (d.CUresult.CUDA_SUCCESS,)
        """,
    )
