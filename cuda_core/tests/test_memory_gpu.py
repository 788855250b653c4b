# SPDX-License-Identifier: Apache-2.0
"""Buffers and memory resources on a GPU: allocations, copies, fills, each resource, pool
attributes, managed memory advice, DLPack export, leaks, IPC and frees at interpreter exit."""

from __future__ import annotations

import ctypes
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from cuda.core import (
    Buffer,
    Device,
    DeviceMemoryResource,
    DeviceMemoryResourceOptions,
    GraphMemoryResource,
    Host,
    LegacyPinnedMemoryResource,
    ManagedBuffer,
    ManagedMemoryResource,
    ManagedMemoryResourceOptions,
    PinnedMemoryResource,
    PinnedMemoryResourceOptions,
)
from cuda.core._utils.version import binding_version
from cuda.core.utils import StridedMemoryView

pytestmark = pytest.mark.gpu

MiB = 1 << 20
RNG = np.random.default_rng(2024)


def host_buffer(arr: np.ndarray) -> Buffer:
    return Buffer.from_handle(arr.ctypes.data, arr.nbytes, owner=arr)


def host_array(buf: Buffer, dtype=np.uint8) -> np.ndarray:
    """A numpy view of host-accessible memory (pinned or managed)."""
    raw = (ctypes.c_uint8 * buf.size).from_address(buf.handle)
    return np.frombuffer(raw, dtype=dtype)


# attributes the 12.9 line's enum lacks, by their 13.x numbers (a 13.x driver answers them)
ATTRIBUTES_13 = {"CU_DEVICE_ATTRIBUTE_HOST_MEMORY_POOLS_SUPPORTED": 144}


def device_attr(dev, name):
    from cuda.bindings import driver

    attr = getattr(driver.CUdevice_attribute, name, None) or ATTRIBUTES_13[name]  # an int is taken too
    err, value = driver.cuDeviceGetAttribute(attr, dev.device_id)
    assert err == driver.CUresult.CUDA_SUCCESS
    return value


def mem_info():
    from cuda.bindings import driver

    err, free, total = driver.cuMemGetInfo()
    assert err == driver.CUresult.CUDA_SUCCESS
    return free, total


@pytest.fixture
def stream(device):
    s = device.create_stream()
    yield s
    s.close()


def roundtrip(buf: Buffer, stream) -> np.ndarray:
    """Copy random bytes into buf and back; return what came back."""
    n = buf.size
    src = RNG.integers(0, 256, n, dtype=np.uint8)
    out = np.full(n, 0xCD, np.uint8)
    buf.copy_from(host_buffer(src), stream=stream)
    buf.copy_to(host_buffer(out), stream=stream)
    stream.sync()
    np.testing.assert_array_equal(out, src)
    return out


def test_device_allocate_and_copy(device, stream):
    buf = device.allocate(MiB, stream)
    assert isinstance(buf, Buffer)
    assert buf.size == MiB
    assert buf.handle != 0
    assert buf.device_id == device.device_id
    assert buf.is_device_accessible is True
    assert buf.is_host_accessible is False
    assert buf.is_managed is False
    assert isinstance(buf.memory_resource, DeviceMemoryResource)
    roundtrip(buf, stream)
    buf.close(stream)
    assert buf.is_closed and buf.handle == 0 and buf.size == 0


def test_copy_to_allocates_destination(device, stream):
    src = device.allocate(4096, stream)
    data = RNG.integers(0, 256, 4096, dtype=np.uint8)
    src.copy_from(host_buffer(data), stream=stream)
    dst = src.copy_to(stream=stream)
    assert dst is not src and dst.size == 4096 and dst.handle != src.handle
    out = np.zeros(4096, np.uint8)
    dst.copy_to(host_buffer(out), stream=stream)
    stream.sync()
    np.testing.assert_array_equal(out, data)


def test_device_to_device_copy(device, stream):
    a = device.allocate(1000, stream)
    b = device.allocate(1000, stream)
    data = RNG.integers(0, 256, 1000, dtype=np.uint8)
    a.copy_from(host_buffer(data), stream=stream)
    b.fill(0xEE, stream=stream)
    b.copy_from(a, stream=stream)
    out = np.zeros(1000, np.uint8)
    b.copy_to(host_buffer(out), stream=stream)
    stream.sync()
    np.testing.assert_array_equal(out, data)


@pytest.mark.parametrize(
    ("value", "dtype", "expected"),
    [
        (0x5A, np.uint8, 0x5A),
        (np.uint8(7), np.uint8, 7),
        (np.uint16(0xBEEF), np.uint16, 0xBEEF),
        (np.float32(1.5), np.float32, 1.5),
        (np.int32(-3).tobytes(), np.int32, -3),
    ],
)
def test_fill(device, stream, value, dtype, expected):
    buf = device.allocate(4096, stream)
    buf.fill(0, stream=stream)
    buf.fill(value, stream=stream)
    out = np.full(4096 // np.dtype(dtype).itemsize, 99, dtype)
    buf.copy_to(host_buffer(out), stream=stream)
    stream.sync()
    assert (out == expected).all()


def test_fill_rejects_uneven_sizes(device, stream):
    buf = device.allocate(6, stream)
    with pytest.raises(ValueError):
        buf.fill(np.uint32(1), stream=stream)
    buf.fill(np.uint16(1), stream=stream)
    stream.sync()


def test_context_manager_and_deallocation_stream(device, stream):
    other = device.create_stream()
    with device.allocate(MiB, stream) as buf:
        buf.set_deallocation_stream(other)
        roundtrip(buf, stream)
    assert buf.is_closed
    other.sync()
    other.close()


def buffer_of_closed_stream(device):
    """A stream, closed, and a buffer allocated on it (to be freed after the stream's handle is gone)."""
    s = device.create_stream()
    buf = device.allocate(MiB, s)
    s.sync()
    s.close()
    return s, buf


def test_free_after_stream_closed_is_safe(device):
    s, buf = buffer_of_closed_stream(device)
    del buf  # the finalizer falls back to the NULL stream, never to the destroyed handle
    device.sync()


def test_free_in_cycle_with_closed_stream(device):
    import gc

    s, buf = buffer_of_closed_stream(device)
    cycle = [buf, s]
    cycle.append(cycle)
    del buf, s, cycle
    gc.collect()  # the stream's object fields may be cleared first: its destroyed handle must not be used
    device.sync()


def test_default_pool_resource(device, stream):
    mr = DeviceMemoryResource(device)
    assert mr.device_id == device.device_id
    assert mr.is_handle_owned is False
    assert mr.is_device_accessible and not mr.is_host_accessible and not mr.is_managed
    assert mr.is_ipc_enabled is False and mr.is_mapped is False
    assert mr.handle != 0
    assert DeviceMemoryResource(device.device_id).handle == mr.handle  # the same current pool
    buf = mr.allocate(MiB, stream)
    assert buf.memory_resource is mr
    roundtrip(buf, stream)
    buf.close()
    mr.close()  # not owned: nothing is destroyed
    stream.sync()


def test_own_pool_attributes(device, stream):
    mr = DeviceMemoryResource(device, DeviceMemoryResourceOptions(max_size=64 * MiB))
    assert mr.is_handle_owned is True
    attrs = mr.attributes
    assert attrs.used_mem_current == 0
    bufs = [mr.allocate(MiB, stream) for _ in range(4)]
    stream.sync()
    assert attrs.used_mem_current >= 4 * MiB
    assert attrs.used_mem_high >= 4 * MiB
    assert attrs.reserved_mem_current >= attrs.used_mem_current
    for b in bufs:
        b.close()
    stream.sync()
    assert attrs.used_mem_current == 0
    attrs.release_threshold = 8 * MiB
    assert attrs.release_threshold == 8 * MiB
    attrs.reuse_allow_opportunistic = False
    assert attrs.reuse_allow_opportunistic is False
    attrs.used_mem_high = 0
    assert attrs.used_mem_high == 0
    with pytest.raises(ValueError):
        attrs.used_mem_high = 5
    with pytest.raises(AttributeError):
        attrs.used_mem_current = 0
    assert "release_threshold" in repr(attrs)
    mr.close()
    assert mr.is_closed
    with pytest.raises(RuntimeError):
        mr.allocate(16, stream)


def test_dict_options(device, stream):
    mr = DeviceMemoryResource(device.device_id, {"max_size": 16 * MiB})
    assert mr.is_handle_owned
    roundtrip(mr.allocate(4096, stream), stream)
    with pytest.raises(TypeError):
        DeviceMemoryResource(device, options=42)


def test_peer_accessible_by(device):
    mr = DeviceMemoryResource(device, DeviceMemoryResourceOptions())
    assert set(mr.peer_accessible_by) == set()
    assert len(mr.peer_accessible_by) == 0
    mr.peer_accessible_by = [device]  # the owning device is always implied
    assert len(mr.peer_accessible_by) == 0
    assert device not in mr.peer_accessible_by
    count = len(Device.get_all_devices())
    if count > 1:
        other = 1 if device.device_id == 0 else 0
        if device.can_access_peer(other):
            mr.peer_accessible_by = {other}
            assert other in mr.peer_accessible_by
            assert [d.device_id for d in mr.peer_accessible_by] == [other]
            mr.peer_accessible_by = []
            assert len(mr.peer_accessible_by) == 0
    mr.close()


def test_pinned_resource(device, stream):
    if not device_attr(device, "CU_DEVICE_ATTRIBUTE_HOST_MEMORY_POOLS_SUPPORTED"):
        pytest.skip("the device has no host memory pools")
    resources = [PinnedMemoryResource(PinnedMemoryResourceOptions(max_size=64 * MiB))]
    if binding_version()[0] < 13:  # the current host pool is CUDA 13.0's cuMemGetMemPool: the 12.9 line says so
        with pytest.raises(NotImplementedError, match=r"13\.0"):
            PinnedMemoryResource()
    else:
        resources.append(PinnedMemoryResource())
    for mr in resources:
        assert mr.device_id == -1
        assert mr.is_device_accessible and mr.is_host_accessible
        buf = mr.allocate(8192, stream)
        stream.sync()
        assert buf.is_host_accessible and buf.is_device_accessible
        assert buf.__dlpack_device__() == (3, 0)  # kDLCUDAHost
        view = host_array(buf)
        view[:] = RNG.integers(0, 256, 8192, dtype=np.uint8)
        dev_buf = device.allocate(8192, stream)
        dev_buf.fill(0, stream=stream)
        dev_buf.copy_from(buf, stream=stream)
        out = np.zeros(8192, np.uint8)
        dev_buf.copy_to(host_buffer(out), stream=stream)
        stream.sync()
        np.testing.assert_array_equal(out, view)
        buf.close(stream)
        stream.sync()
    assert resources[-1].numa_id == -1  # the default resource where the line has it


def test_legacy_pinned_resource(device, stream):
    mr = LegacyPinnedMemoryResource()
    assert (mr.device_id, mr.is_device_accessible, mr.is_host_accessible, mr.is_managed) == (-1, True, True, False)
    buf = mr.allocate(4096, stream)
    host = host_array(buf, np.uint32)
    host[:] = 0
    buf.fill(np.uint32(0xA5A5A5A5), stream=stream)
    stream.sync()
    assert (host == 0xA5A5A5A5).all()
    buf.close()
    assert buf.is_closed


def managed_pools_supported(device):
    return device_attr(device, "CU_DEVICE_ATTRIBUTE_CONCURRENT_MANAGED_ACCESS") and device_attr(
        device, "CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED"
    )


def managed_resource(device, *args):
    """ManagedMemoryResource(*args), or a skip where managed pools are unavailable."""
    if not managed_pools_supported(device):
        pytest.skip("no concurrent managed access")
    try:
        return ManagedMemoryResource(*args)
    except Exception as exc:  # managed pools need a CUDA 13 driver
        pytest.skip(f"managed memory pools unavailable: {exc}")


@pytest.fixture
def managed_mr(device):
    mr = managed_resource(device, ManagedMemoryResourceOptions(preferred_location=device.device_id))
    yield mr
    mr.close()


def test_managed_resource(device, stream, managed_mr):
    mr = managed_mr
    assert mr.is_managed and mr.is_host_accessible and mr.is_device_accessible
    assert mr.device_id == device.device_id
    assert mr.preferred_location == ("device", device.device_id)
    assert mr.is_handle_owned
    buf = mr.allocate(2 * MiB, stream)
    assert isinstance(buf, ManagedBuffer)
    assert buf.is_managed and buf.is_host_accessible and buf.is_device_accessible
    assert buf.__dlpack_device__() == (13, 0)  # kDLCUDAManaged
    stream.sync()
    host = host_array(buf, np.uint32)
    host[:] = np.arange(host.size, dtype=np.uint32)
    out = np.zeros(host.size, np.uint32)
    buf.copy_to(host_buffer(out), stream=stream)
    stream.sync()
    np.testing.assert_array_equal(out, np.arange(host.size, dtype=np.uint32))
    buf.close(stream)
    stream.sync()


def test_managed_prefetch(device, stream, managed_mr):
    buf = managed_mr.allocate(2 * MiB, stream)
    stream.sync()
    host = host_array(buf, np.uint32)
    host[:] = 1
    buf.prefetch(device, stream=stream)
    buf.fill(np.uint32(3), stream=stream)
    buf.prefetch(Host(), stream=stream)
    stream.sync()
    assert (host == 3).all()
    buf.close(stream)
    stream.sync()


@pytest.fixture
def external_managed(device):
    """A ManagedBuffer viewing cuMemAllocManaged memory (freed afterwards). Advice is tested on
    it rather than on pool memory: pool-allocated managed memory answers some cuMemAdvise
    values with CUDA_ERROR_NOT_SUPPORTED on some driver/device combinations."""
    from cuda.bindings import driver

    if not device_attr(device, "CU_DEVICE_ATTRIBUTE_CONCURRENT_MANAGED_ACCESS"):
        pytest.skip("no concurrent managed access")
    err, ptr = driver.cuMemAllocManaged(2 * MiB, driver.CUmemAttach_flags.CU_MEM_ATTACH_GLOBAL)
    assert err == driver.CUresult.CUDA_SUCCESS
    buf = ManagedBuffer.from_handle(int(ptr), 2 * MiB)
    yield buf
    buf.close()
    device.sync()
    (err,) = driver.cuMemFree(ptr)
    assert err == driver.CUresult.CUDA_SUCCESS


def test_managed_advice(device, external_managed):
    buf = external_managed
    assert isinstance(buf, ManagedBuffer) and buf.is_managed
    assert buf.read_mostly is False
    buf.read_mostly = True
    assert buf.read_mostly is True
    buf.read_mostly = False
    assert buf.read_mostly is False
    buf.preferred_location = device
    assert buf.preferred_location == device
    buf.preferred_location = Host()
    assert isinstance(buf.preferred_location, Host)  # Host(), or Host(numa_id=n) on NUMA hosts
    buf.preferred_location = None
    assert buf.preferred_location is None
    buf.accessed_by.add(device)
    assert device in buf.accessed_by
    assert list(buf.accessed_by) == [device]
    buf.accessed_by = []
    assert len(buf.accessed_by) == 0


def test_managed_discard(device, stream, managed_mr):
    buf = managed_mr.allocate(2 * MiB, stream)
    buf.fill(7, stream=stream)
    if binding_version()[0] < 13:  # the batched discards are CUDA 13.0's: the 12.9 line says so
        with pytest.raises(NotImplementedError, match=r"13\.0"):
            buf.discard_prefetch(device, stream=stream)
        buf.close(stream)
        return
    buf.discard_prefetch(device, stream=stream)
    buf.fill(9, stream=stream)
    stream.sync()
    assert (host_array(buf) == 9).all()
    buf.discard(stream=stream)
    # The driver documents discards for cuMemAllocManaged memory; with this pool-allocated range a
    # memset queued right behind the discard read back partly zero (driver 580.159, 2026-11-25), so
    # the test lets the discard finish before writing again.
    stream.sync()
    buf.fill(5, stream=stream)
    stream.sync()
    assert (host_array(buf) == 5).all()
    buf.close(stream)
    stream.sync()


def test_managed_default_pool(device, stream):
    mr = managed_resource(device)
    assert mr.is_handle_owned is False
    assert mr.preferred_location is None
    buf = mr.allocate(4096, stream)
    buf.fill(0x11, stream=stream)
    stream.sync()
    assert (host_array(buf) == 0x11).all()
    buf.close(stream)


def test_buffer_from_handle_queries_driver(device, stream):
    owned = device.allocate(4096, stream)
    view = Buffer.from_handle(owned.handle, 4096)
    assert view.memory_resource is None
    assert view.device_id == device.device_id
    assert view.is_device_accessible and not view.is_host_accessible
    view.close()  # not owned: the memory stays
    roundtrip(owned, stream)


def test_dlpack_export_consumed_by_view(device, stream):
    buf = device.allocate(256, stream)
    buf.fill(9, stream=stream)
    stream.sync()
    assert buf.__dlpack_device__() == (2, device.device_id)
    view = StridedMemoryView.from_dlpack(buf, stream_ptr=-1)
    assert view.ptr == buf.handle
    assert view.shape == (256,)
    assert view.dtype == np.uint8
    assert view.device_id == device.device_id
    assert view.is_device_accessible is True
    out = np.zeros(256, np.uint8)
    StridedMemoryView.from_dlpack(out, -1).copy_from(view, stream)
    assert (out == 9).all()


def test_dlpack_export_to_cupy(device, stream):
    cp = pytest.importorskip("cupy")
    buf = device.allocate(1024, stream)
    buf.fill(0x42, stream=stream)
    stream.sync()
    arr = cp.from_dlpack(buf)
    assert arr.shape == (1024,)
    assert arr.data.ptr == buf.handle
    assert int((arr == 0x42).sum()) == 1024
    del buf  # the array keeps the buffer alive
    assert int(arr.sum()) == 0x42 * 1024


def test_dlpack_export_to_torch(device, stream):
    torch = pytest.importorskip("torch")
    buf = device.allocate(512, stream)
    buf.fill(7, stream=stream)
    stream.sync()
    t = torch.from_dlpack(buf)
    assert t.shape == (512,)
    assert t.data_ptr() == buf.handle
    assert t.device.type == "cuda"
    assert int(t.sum()) == 7 * 512


def test_no_leak_after_many_allocations(device, stream):
    mr = DeviceMemoryResource(device)
    stream.sync()
    used = mr.attributes.used_mem_current
    free_before, _ = mem_info()
    for _ in range(10_000):
        buf = mr.allocate(MiB, stream)
        buf.close()
    for _ in range(1_000):
        mr.allocate(MiB, stream)  # freed by the finalizer
    stream.sync()
    device.sync()
    assert mr.attributes.used_mem_current == used
    free_after, _ = mem_info()
    assert free_after >= free_before - 64 * MiB  # the pool may keep a little reserved


def test_python_subclass_deallocate_is_called(device, stream):
    calls = []

    class Counting(DeviceMemoryResource):
        def deallocate(self, ptr, size, stream=None):
            calls.append(size)
            super().deallocate(ptr, size, stream)

    mr = Counting(device)
    buf = mr.allocate(4096, stream)
    buf.close()
    mr.allocate(512, stream)
    import gc

    gc.collect()
    stream.sync()
    assert calls == [4096, 512]


def test_graph_memory_resource(device, stream):
    from cuda.bindings import driver

    gmr = GraphMemoryResource(device)
    # one object per device, whichever way the device is named (NVIDIA's intern them too)
    assert GraphMemoryResource(device.device_id) is gmr and GraphMemoryResource(device) is gmr
    assert gmr.device_id == device.device_id
    assert gmr.is_device_accessible and not gmr.is_host_accessible
    with pytest.raises(RuntimeError):
        gmr.allocate(1024, stream)  # not capturing
    handle = driver.CUstream(int(stream.__cuda_stream__()[1]))
    (err,) = driver.cuStreamBeginCapture(handle, driver.CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL)
    assert err == driver.CUresult.CUDA_SUCCESS
    try:  # a capture left open would make this thread's later allocations fail
        buf = gmr.allocate(MiB, stream)
        buf.fill(1, stream=stream)
        buf.close(stream)
    finally:
        err, graph = driver.cuStreamEndCapture(handle)
    assert err == driver.CUresult.CUDA_SUCCESS
    err, exe = driver.cuGraphInstantiate(graph, 0)
    assert err == driver.CUresult.CUDA_SUCCESS
    (err,) = driver.cuGraphLaunch(exe, handle)
    assert err == driver.CUresult.CUDA_SUCCESS
    stream.sync()
    attrs = gmr.attributes
    assert attrs.reserved_mem_high >= MiB
    # the driver keeps the physical memory mapped for graphs after the launch (and, on driver 580,
    # after the graph is destroyed too): what it reports is the attribute's value, not ours to decide
    assert attrs.used_mem_current >= MiB and attrs.used_mem_high >= attrs.used_mem_current
    driver.cuGraphExecDestroy(exe)
    driver.cuGraphDestroy(graph)
    device.sync()
    gmr.trim()
    after = gmr.attributes
    assert after.used_mem_current <= attrs.used_mem_current
    assert after.reserved_mem_current <= attrs.reserved_mem_current
    attrs.reserved_mem_high = 0
    assert "used_mem_current" in repr(attrs)


_IPC_CHILD = textwrap.dedent(
    """
    import pickle, sys
    import numpy as np
    from cuda.core import Buffer, Device, DeviceMemoryResource
    fd = int(sys.argv[1])
    desc = pickle.loads(sys.stdin.buffer.read())
    dev = Device(0)
    dev.set_current()
    s = dev.create_stream()
    mr = DeviceMemoryResource.from_allocation_handle(dev, fd)
    assert mr.is_mapped
    buf = Buffer.from_ipc_descriptor(mr, desc, stream=s)
    assert buf.is_mapped
    out = np.zeros(buf.size, np.uint8)
    buf.copy_to(Buffer.from_handle(out.ctypes.data, out.nbytes, owner=out), stream=s)
    s.sync()
    print(int(out.astype(np.int64).sum()))
    buf.close(s)
    s.sync()
    """
)


def test_ipc_share_with_child_process(device, stream):
    try:
        mr = DeviceMemoryResource(device, DeviceMemoryResourceOptions(ipc_enabled=True))
    except Exception as exc:
        pytest.skip(f"IPC pools unavailable: {exc}")
    assert mr.is_ipc_enabled and mr.uuid is not None
    handle = mr.allocation_handle
    assert handle is mr.allocation_handle
    assert handle.handle >= 0
    buf = mr.allocate(4096, stream)
    data = RNG.integers(0, 256, 4096, dtype=np.uint8)
    buf.copy_from(host_buffer(data), stream=stream)
    stream.sync()
    desc = buf.ipc_descriptor
    assert desc.size == 4096
    proc = subprocess.run(
        [sys.executable, "-c", _IPC_CHILD, str(handle.handle)],
        input=pickle.dumps(desc),
        capture_output=True,
        pass_fds=[handle.handle],
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert int(proc.stdout) == int(data.astype(np.int64).sum())
    with pytest.raises(RuntimeError):
        _ = device.allocate(16, stream).ipc_descriptor  # the default pool is not IPC-enabled
    assert mr.register(mr.uuid) is mr
    assert DeviceMemoryResource.from_registry(mr.uuid) is mr
    with pytest.raises(RuntimeError):
        DeviceMemoryResource.from_registry("no such uuid")
    buf.close(stream)
    stream.sync()
    mr.close()


_EXIT_SCRIPT = textwrap.dedent(
    """
    import numpy as np
    from cuda.core import (Device, DeviceMemoryResource, DeviceMemoryResourceOptions,
                           LegacyPinnedMemoryResource, PinnedMemoryResource)
    from cuda.core.utils import StridedMemoryView
    dev = Device(0)
    dev.set_current()
    s = dev.create_stream()
    keep = [dev.allocate(1 << 20, s) for _ in range(8)]
    own = DeviceMemoryResource(dev, DeviceMemoryResourceOptions())
    keep += [own.allocate(4096, s), LegacyPinnedMemoryResource().allocate(4096, s)]
    try:
        keep.append(PinnedMemoryResource().allocate(4096, s))
    except Exception:
        pass
    keep.append(StridedMemoryView.from_dlpack(keep[0], -1))
    keep.append(dev.allocate(64, dev.default_stream))
    s.sync()
    cycle = [dev.allocate(64, s)]
    cycle.append(cycle)  # freed by the garbage collector at exit
    print("ok")
    """
)


def test_frees_at_interpreter_exit(device):
    proc = subprocess.run([sys.executable, "-c", _EXIT_SCRIPT], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
    assert proc.stderr == ""


# ---- virtual memory ------------------------------------------------------------------------


def vmm_supported(device):
    return device_attr(device, "CU_DEVICE_ATTRIBUTE_VIRTUAL_MEMORY_MANAGEMENT_SUPPORTED")


def test_virtual_memory_allocate_and_grow(device, stream):
    from cuda.core import VirtualMemoryResource, VirtualMemoryResourceOptions

    if not vmm_supported(device):
        pytest.skip("no virtual memory management")
    mr = VirtualMemoryResource(device, VirtualMemoryResourceOptions(handle_type=None))
    assert mr.device_id == device.device_id
    assert mr.is_device_accessible and not mr.is_host_accessible
    buf = mr.allocate(3000, stream)
    assert buf.size >= 3000 and buf.size % 4096 == 0  # rounded up to the granularity
    assert buf.device_id == device.device_id
    first = roundtrip(buf, stream)
    grown = mr.modify_allocation(buf, buf.size * 4)
    assert grown.size >= 4 * len(first)
    assert buf.is_closed  # ownership moved to the grown buffer
    out = np.zeros(len(first), np.uint8)
    Buffer.from_handle(grown.handle, len(first)).copy_to(host_buffer(out), stream=stream)
    stream.sync()
    np.testing.assert_array_equal(out, first)  # the old contents survive the growth
    roundtrip(grown, stream)
    size = grown.size
    same = mr.modify_allocation(grown, 16)  # already large enough: the same Buffer, still open
    assert same is grown and same.size == size and not grown.is_closed
    same.close(stream)
    stream.sync()
    assert "allocations=0" in repr(mr)


def test_virtual_memory_bad_input(device):
    from cuda.core import VirtualMemoryResource, VirtualMemoryResourceOptions

    with pytest.raises(TypeError):
        VirtualMemoryResource(device, config=42)
    with pytest.raises(ValueError):
        VirtualMemoryResourceOptions(granularity="huge")
    mr = VirtualMemoryResource(device, VirtualMemoryResourceOptions(handle_type=None))
    other = device.allocate(64, device.default_stream)
    with pytest.raises(TypeError):
        mr.modify_allocation(other, 1 << 20)


# ---- batches -------------------------------------------------------------------------------


def test_copy_batch(device, stream):
    from cuda.core.utils import CopyOptions, copy_batch

    sizes = [100, 4096, 12345]
    data = [RNG.integers(0, 256, n, dtype=np.uint8) for n in sizes]
    srcs = [device.allocate(n, stream) for n in sizes]
    dsts = [device.allocate(n, stream) for n in sizes]
    for src, d in zip(srcs, data):
        src.copy_from(host_buffer(d), stream=stream)
    for dst in dsts:
        dst.fill(0xCD, stream=stream)
    copy_batch(stream, srcs, dsts)
    copy_batch(stream, srcs[:1], dsts[:1], options=CopyOptions(src_access_order="stream"))
    copy_batch(stream, srcs, dsts, options=[CopyOptions(dst_location_hint=device)] * 3)
    for dst, d in zip(dsts, data):
        out = np.zeros(len(d), np.uint8)
        dst.copy_to(host_buffer(out), stream=stream)
        stream.sync()
        np.testing.assert_array_equal(out, d)
    with pytest.raises(ValueError):
        copy_batch(stream, srcs, dsts[:2])
    with pytest.raises(ValueError):
        copy_batch(stream, srcs, dsts[::-1])
    with pytest.raises(TypeError):
        copy_batch(stream, srcs[0], dsts[0])
    from cuda.core import LEGACY_DEFAULT_STREAM

    with pytest.raises(TypeError):
        copy_batch(LEGACY_DEFAULT_STREAM, srcs, dsts)


def test_copy_with_options(device, stream):
    """copy_to/copy_from(options=CopyOptions(...)): a one-copy batch with those attributes;
    refused under graph capture, where a plain copy still works."""
    from cuda.core.utils import CopyOptions

    data = RNG.integers(0, 256, 4096, dtype=np.uint8)
    staging = device.allocate(4096, stream)
    staging.copy_from(host_buffer(data), stream=stream)
    src = device.allocate(4096, stream)
    src.copy_from(staging, stream=stream, options=CopyOptions(src_access_order="any"))
    dst = src.copy_to(stream=stream, options=CopyOptions(overlap_mode="prefer_overlap_with_compute"))
    out = np.zeros(4096, np.uint8)
    dst.copy_to(host_buffer(out), stream=stream)
    stream.sync()
    np.testing.assert_array_equal(out, data)
    builder = device.create_graph_builder().begin_building()
    try:
        with pytest.raises(TypeError, match="graph capture"):
            src.copy_to(dst, stream=builder, options=CopyOptions())
        with pytest.raises(TypeError, match="graph capture"):
            src.copy_to(dst, stream=builder.stream, options=CopyOptions())
        src.copy_to(dst, stream=builder)  # without options: a captured cuMemcpyAsync
    finally:
        builder.end_building()
        builder.close()
    for b in (staging, src, dst):
        b.close(stream)
    stream.sync()


def test_managed_batches(device, stream):
    from cuda.core.utils import discard_batch, discard_prefetch_batch, prefetch_batch

    mr = managed_resource(device)
    bufs = [mr.allocate(MiB, stream) for _ in range(3)]
    for b in bufs:
        b.fill(5, stream=stream)
    prefetch_batch(stream, bufs, device)
    prefetch_batch(stream, bufs, [Host(), device, Host()])
    stream.sync()
    assert all((host_array(b) == 5).all() for b in bufs)
    discard_prefetch_batch(stream, bufs, device)
    discard_batch(stream, bufs)
    stream.sync()
    with pytest.raises(ValueError):
        prefetch_batch(stream, bufs, [device])
    with pytest.raises(ValueError):
        discard_batch(stream, [])
    for b in bufs:
        b.close(stream)
    stream.sync()


def test_ipc_objects_travel_through_multiprocessing(device, stream):
    """Resource, buffer, descriptor and event go through a spawn Queue, as with NVIDIA's cuda.core;
    importing one buffer twice in the child shares one mapping."""
    import multiprocessing

    import _ipc_child

    from cuda.core import EventOptions

    try:
        mr = DeviceMemoryResource(device, DeviceMemoryResourceOptions(ipc_enabled=True))
    except Exception as exc:
        pytest.skip(f"IPC pools unavailable: {exc}")
    buf = mr.allocate(4096, stream)
    data = RNG.integers(0, 256, 4096, dtype=np.uint8)
    buf.copy_from(host_buffer(data), stream=stream)
    stream.sync()  # the allocation must have happened before its pointer can be exported
    try:
        desc = buf.ipc_descriptor
    except Exception:  # say which pool the driver thinks the pointer is from
        from cuda.bindings import driver

        attr = driver.CUpointer_attribute.CU_POINTER_ATTRIBUTE_MEMPOOL_HANDLE
        raise AssertionError(f"export failed: pool of ptr {driver.cuPointerGetAttribute(attr, int(buf.handle))}, "
                             f"mr {mr!r} handle {mr.handle}, buf {buf!r}") from None  # fmt: skip
    event = stream.record(options=EventOptions(ipc_enabled=True))
    ctx = multiprocessing.get_context("spawn")
    inbox, outbox = ctx.Queue(), ctx.Queue()
    child = ctx.Process(target=_ipc_child.receive_and_read, args=(inbox, outbox))
    child.start()
    for item in (mr, buf, desc, event):
        inbox.put(item)
    result = outbox.get(timeout=180)
    child.join(timeout=60)
    assert child.exitcode == 0, result
    assert result == (str(mr.uuid), int(data.astype(np.int64).sum()), True, True)
    with pytest.raises(TypeError, match="IPC-enabled"):
        pickle.dumps(device.allocate(16, stream))  # the default pool cannot be shared
    with pytest.raises(RuntimeError, match="registered"):
        pickle.loads(pickle.dumps(mr))  # plain pickle finds a resource in the receiver's registry only
    buf.close(stream)


def test_ipc_exports_from_a_thread_without_a_context(device, stream):
    """A Queue pickles on its feeder thread, where no context is current: exports still work."""
    import threading

    from cuda.core import EventOptions

    mr = DeviceMemoryResource(device, DeviceMemoryResourceOptions(ipc_enabled=True))
    buf = mr.allocate(256, stream)
    stream.sync()
    event = stream.record(options=EventOptions(ipc_enabled=True))
    out = {}

    def worker():
        try:
            out["descriptors"] = (event.ipc_descriptor, buf.ipc_descriptor, mr.allocation_handle)
        except Exception as exc:  # reported by the assertion below
            out["error"] = exc

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert "error" not in out, out
    assert all(d is not None for d in out["descriptors"])
    buf.close(stream)
    stream.sync()
    mr.close()


def test_buffers_over_the_same_memory_are_equal(device, stream):
    buf = device.allocate(256, stream)
    view = Buffer.from_handle(buf.handle, buf.size)
    other = device.allocate(256, stream)
    assert view == buf and hash(view) == hash(buf) and view is not buf
    assert other != buf and Buffer.from_handle(buf.handle, 128) != buf
    assert len({buf, view, other}) == 2
    other.close(stream)
    buf.close(stream)
