# SPDX-License-Identifier: Apache-2.0
"""Device, Context and green-context resources on a GPU, checked against cuda.bindings.driver."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from _gpu_helpers import POISON32, DeviceMemory, kernels, ok

import cuda.core as core
from cuda.core._utils.version import binding_version

pytestmark = pytest.mark.gpu


def _drv():
    from cuda.bindings import driver

    return driver


def test_identity_matches_driver(device):
    driver = _drv()
    dev = ok(driver.cuDeviceGet(0))
    assert device.device_id == 0
    name = ok(driver.cuDeviceGetName(256, dev))
    assert device.name == name.split(b"\0")[0].decode()
    major = ok(driver.cuDeviceGetAttribute(driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev))
    minor = ok(driver.cuDeviceGetAttribute(driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev))
    assert device.compute_capability == (major, minor)
    assert device.compute_capability.major == major and device.compute_capability.minor == minor
    assert device.arch == f"{major}{minor}"
    uuid = ok(driver.cuDeviceGetUuid(dev))
    raw = bytes(uuid.bytes) if hasattr(uuid, "bytes") else bytes(uuid)
    assert device.uuid.replace("-", "") == raw[:16].hex()
    assert [len(p) for p in device.uuid.split("-")] == [8, 4, 4, 4, 12]
    bus = ok(driver.cuDeviceGetPCIBusId(32, dev)).split(b"\0")[0].decode()
    assert device.pci_bus_id == bus


@pytest.mark.parametrize(
    "name",
    [
        "max_threads_per_block",
        "multiprocessor_count",
        "warp_size",
        "max_shared_memory_per_block",
        "l2_cache_size",
        "unified_addressing",
        "memory_pools_supported",
        "cluster_launch",
    ],
)
def test_properties_match_driver(device, name):
    driver = _drv()
    attr = getattr(driver.CUdevice_attribute, f"CU_DEVICE_ATTRIBUTE_{name.upper()}")
    expected = ok(driver.cuDeviceGetAttribute(attr, ok(driver.cuDeviceGet(0))))
    assert getattr(device.properties, name) == expected
    assert device.properties is device.properties
    assert getattr(device.properties, name) == expected  # cached value


def test_every_property_readable(device):
    from cuda.core._device import _ATTRIBUTES, _BOOL_ATTRIBUTES

    for name in _ATTRIBUTES:
        try:
            value = getattr(device.properties, name)
        except core.CUDAError:
            continue  # attributes this driver does not know
        if name in _BOOL_ATTRIBUTES:  # yes/no attributes are bools, as in NVIDIA's cuda.core
            assert type(value) is bool, name
        else:
            assert type(value) is int, name


def test_singletons_per_thread(device):
    assert core.Device(0) is device
    assert core.Device() is device  # the current context's device
    assert core.Device(device_id=0) is device
    assert core.Device(device) is device
    other = []
    t = threading.Thread(target=lambda: other.append((core.Device(0), core.Device(0))))
    t.start()
    t.join()
    assert other[0][0] is other[0][1]
    assert other[0][0] is not device
    assert other[0][0].device_id == 0


def test_bad_ordinals(device):
    n = len(core.Device.get_all_devices())
    assert n == ok(_drv().cuDeviceGetCount())
    with pytest.raises(ValueError):
        core.Device(n)
    with pytest.raises(ValueError):
        core.Device(-1)


def test_context_and_set_current(device):
    driver = _drv()
    ctx = device.context
    assert isinstance(ctx, core.Context)
    assert int(ctx.handle) == int(ok(driver.cuCtxGetCurrent()))
    assert not ctx.is_green
    assert device.set_current() is None
    # another thread has no current context until set_current()
    seen = []

    def worker():
        d = core.Device(0)
        with pytest.raises(core.CUDAError, match="set_current"):
            d.create_stream()
        d.set_current()
        seen.append(int(d.context.handle))

    t = threading.Thread(target=worker)
    t.start()
    t.join()
    assert seen == [int(ctx.handle)]  # the same primary context


def test_set_current_with_context_returns_previous(device):
    primary = device.context
    prev = device.set_current(primary)
    assert isinstance(prev, core.Context) and prev == primary
    assert device.context == primary


def test_sync_and_allocate_default(device):
    device.sync()
    buf = device.allocate(1 << 20)
    try:
        assert buf.size == 1 << 20
        assert int(buf.handle) != 0
    finally:
        buf.close()


def test_can_access_peer(device):
    assert device.can_access_peer(device) is True
    assert device.can_access_peer(0) is True
    devices = core.Device.get_all_devices()
    for other in devices[1:]:
        expected = ok(_drv().cuDeviceCanAccessPeer(ok(_drv().cuDeviceGet(0)), ok(_drv().cuDeviceGet(other.device_id))))
        assert device.can_access_peer(other) == bool(expected)


def test_default_stream_follows_environment():
    import subprocess
    import sys

    code = "import cuda.core as c; print(c.Device(0).default_stream is c.PER_THREAD_DEFAULT_STREAM)"
    for value, expected in (("1", "True"), ("0", "False"), (None, "False")):
        env = {k: v for k, v in __import__("os").environ.items() if k != "CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM"}
        if value is not None:
            env["CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM"] = value
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        assert out.stdout.strip() == expected


def test_graph_builder_capture_and_replay(device):
    k = kernels(device)
    mem = DeviceMemory(4 * 64)
    try:
        builder = device.create_graph_builder()
        builder.begin_building()
        assert builder.is_building
        core.launch(builder, core.LaunchConfig(grid=2, block=32), k["fill"], mem.ptr, 64, 77)
        builder.end_building()
        graph = builder.complete()
        assert (mem.read(np.int32, 64) == POISON32).all()  # captured, not run
        graph.launch(builder.stream)
        builder.stream.sync()
        assert (mem.read(np.int32, 64) == 77).all()
        graph.close()
        builder.close()
    finally:
        mem.free()


def test_graph_update_gives_new_parameters(device):
    """Graph.update(builder): the executable graph runs with the new arguments; a graph of another
    shape is refused with a CUDAError naming the reason."""
    k = kernels(device)
    a, b = DeviceMemory(4 * 64), DeviceMemory(4 * 64)
    cfg = core.LaunchConfig(grid=2, block=32)

    def captured(mem, value, launches=1):
        builder = device.create_graph_builder().begin_building()
        for _ in range(launches):
            core.launch(builder, cfg, k["fill"], mem.ptr, 64, value)
        return builder.end_building()

    first, second, other_shape = captured(a, 1), captured(b, 2), captured(b, 3, launches=2)
    try:
        graph = first.complete()
        graph.update(second)
        graph.launch(second.stream)
        second.stream.sync()
        assert (b.read(np.int32, 64) == 2).all() and (a.read(np.int32, 64) == POISON32).all()
        with pytest.raises(core.CUDAError, match="CU_GRAPH_EXEC_UPDATE_ERROR"):
            graph.update(other_shape)
        with pytest.raises(TypeError):
            graph.update(object())
        graph.close()
        with pytest.raises(RuntimeError, match="closed"):
            graph.update(second)
    finally:
        for builder in (first, second, other_shape):
            builder.close()
        a.free()
        b.free()


def test_green_context(device):
    sm = device.resources.sm
    assert sm.sm_count == device.properties.multiprocessor_count
    assert sm.min_partition_size >= 1
    groups, rest = sm.split(core.SMResourceOptions(count=sm.min_partition_size * 2))
    assert len(groups) == 1
    assert groups[0].sm_count >= sm.min_partition_size * 2
    assert groups[0].sm_count + rest.sm_count <= sm.sm_count
    ctx = device.create_context(core.ContextOptions(resources=[groups[0]]))
    try:
        assert ctx.is_green
        assert ctx.resources.sm.sm_count == groups[0].sm_count
        stream = ctx.create_stream()
        mem = DeviceMemory(4 * 256)
        try:
            core.launch(stream, core.LaunchConfig(grid=8, block=32), kernels(device)["fill"], mem.ptr, 256, 5)
            stream.sync()
            assert (mem.read(np.int32, 256) == 5).all()
        finally:
            mem.free()
        stream.close()
    finally:
        ctx.close()
    assert ctx.is_closed


def test_green_context_split_checks_and_discovery(device):
    sm = device.resources.sm
    groups, _ = sm.split(core.SMResourceOptions(count=None))  # the driver picks the size
    assert len(groups) == 1 and groups[0].sm_count >= sm.min_partition_size
    assert groups[0].sm_count % sm.coscheduled_alignment == 0
    dry, _ = sm.split(core.SMResourceOptions(count=None), dry_run=True)
    assert [g.sm_count for g in dry] == [g.sm_count for g in groups]
    with pytest.raises(ValueError, match="dry-run SMResource"):
        device.create_context(core.ContextOptions(resources=[dry[0]]))
    with pytest.raises(ValueError, match="non-negative"):
        sm.split(core.SMResourceOptions(count=-1))
    n = sm.min_partition_size
    with pytest.raises(ValueError, match="count is scalar"):
        sm.split(core.SMResourceOptions(count=n, coscheduled_sm_count=(n, n)))
    with pytest.raises(ValueError, match="expected 2"):
        sm.split(core.SMResourceOptions(count=(n, n), coscheduled_sm_count=(n, n, n)))
    for missing in (None, core.ContextOptions(resources=None)):
        with pytest.raises(ValueError, match="resources must be provided"):
            device.create_context(missing)


def test_green_context_identity_and_lifetime(device):
    groups, _ = device.resources.sm.split(core.SMResourceOptions(count=None))
    ctx = device.create_context(core.ContextOptions(resources=[groups[0]]))
    try:
        with pytest.raises(RuntimeError, match="only supported on green contexts"):
            device.context.create_stream()  # the primary context makes streams through Device
        with pytest.raises(ValueError, match="non-blocking"):
            ctx.create_stream(core.StreamOptions(nonblocking=False))
        stream = ctx.create_stream()
        event = stream.record()
        assert stream.context == ctx and stream.context.is_green and event.context == ctx
        stream.sync()
        prev = device.set_current(ctx)
        try:
            with pytest.raises(RuntimeError, match="while it is current"):
                ctx.close()
        finally:
            restored = device.set_current(prev)
        assert restored is ctx  # the same object, not a second one for the same handle
        stream.close()
    finally:
        ctx.close()


def test_checkpoint_lock_and_unlock_another_process(device):
    """A child process with a CUDA context: running, locked, running again (skipped where the
    driver or the container cannot checkpoint)."""
    import subprocess
    import sys

    from cuda.core import checkpoint

    code = "import sys, cuda.core as c; c.Device(0).set_current(); print('ready', flush=True); sys.stdin.read()"
    child = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "ready"
        proc = checkpoint.Process(child.pid)
        try:
            state = proc.state
        except (RuntimeError, core.CUDAError) as exc:
            pytest.skip(f"checkpointing unavailable here: {exc}")
        assert state == "running" and proc.restore_thread_id > 0
        proc.lock(timeout_ms=10000)
        assert proc.state == "locked"
        proc.unlock()
        assert proc.state == "running"
    finally:
        child.stdin.close()
        child.wait(timeout=60)


def test_to_system_device(device):
    from cuda.core import system

    if not hasattr(system, "Device"):
        with pytest.raises(RuntimeError, match="NVML"):
            device.to_system_device()
    else:
        assert device.to_system_device() is not None


def test_workqueue_and_general_split_need_a_13_1_driver(device):
    """Built from the 13.5 headers, both work on a CUDA 13.1+ driver; on an older one they raise a
    clear error (a CUDAError from the driver, or FunctionNotFoundError naming the CUDA version)."""
    from cuda.bindings import driver
    from cuda.bindings._lib.loader import FunctionNotFoundError

    new_driver = ok(driver.cuDriverGetVersion()) >= 13010
    sm = device.resources.sm
    n = sm.min_partition_size
    if binding_version()[0] < 13:  # the 12.9 line names the CUDA version they need
        with pytest.raises(NotImplementedError, match=r"13\.1"):
            sm.split(core.SMResourceOptions(count=(n, 2 * n)))
        with pytest.raises((NotImplementedError, core.CUDAError)):  # the driver may refuse first
            device.resources.workqueue.concurrency_limit  # noqa: B018
        return
    try:
        groups, _ = sm.split(core.SMResourceOptions(count=(n, 2 * n)))  # groups of different sizes
    except FunctionNotFoundError as exc:
        assert not new_driver and "cuDevSmResourceSplit" in str(exc)
    else:
        assert [g.sm_count for g in groups] == [n, 2 * n]
    try:
        wq = device.resources.workqueue
    except core.CUDAError:
        assert not new_driver
    else:
        assert wq.handle and wq.concurrency_limit >= 1 and wq.device.device_id == device.device_id
        wq.configure(core.WorkqueueResourceOptions(concurrency_limit=4, sharing_scope="green_ctx_balanced"))
        assert wq.concurrency_limit == 4 and wq.sharing_scope == "green_ctx_balanced"
