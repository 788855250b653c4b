# SPDX-License-Identifier: Apache-2.0
"""Streams and events on a GPU: creation options, ordering, timing, foreign streams, IPC descriptors."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from _gpu_helpers import POISON32, DeviceMemory, kernels, ok

import cuda.core as core

pytestmark = pytest.mark.gpu

SPIN = 50_000_000  # clock cycles: tens of milliseconds


def _drv():
    from cuda.bindings import driver

    return driver


def test_stream_options(device):
    driver = _drv()
    s = device.create_stream()
    assert s.is_nonblocking
    flags = ok(driver.cuStreamGetFlags(int(s.handle)))
    assert int(flags) & int(driver.CUstream_flags.CU_STREAM_NON_BLOCKING)
    least, greatest = ok(driver.cuCtxGetStreamPriorityRange())
    hi = device.create_stream(options=core.StreamOptions(nonblocking=False, priority=greatest))
    assert not hi.is_nonblocking
    assert hi.priority == greatest
    assert s.priority == least
    assert device.create_stream(options={"priority": greatest}).priority == greatest
    assert s.device is device
    assert s.context == device.context
    with pytest.raises(TypeError):
        device.create_stream(options=3)
    s.close()
    assert s.is_closed
    s.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        s.sync()


def test_record_wait_and_order(device):
    k = kernels(device)
    src, dst = DeviceMemory(4), DeviceMemory(4)
    try:
        src.write(np.array([123], dtype=np.int32))
        s1, s2 = device.create_stream(), device.create_stream()
        cfg = core.LaunchConfig(grid=1, block=1)
        # s1: spin, then store 456 into src; s2 waits for s1 then copies src to dst
        core.launch(s1, cfg, k["spin"], np.uint64(SPIN))
        core.launch(s1, cfg, k["store"], src.ptr, 456)
        ev = s1.record()
        assert isinstance(ev, core.Event)
        assert not ev.is_done  # the spin is still running
        s2.wait(ev)
        core.launch(s2, cfg, k["copy_after_spin"], dst.ptr, src.ptr, np.uint64(0))
        s2.sync()
        assert ev.is_done
        assert dst.read(np.int32, 1)[0] == 456
        # waiting on a stream directly
        dst.write(np.array([0], dtype=np.int32))
        core.launch(s1, cfg, k["spin"], np.uint64(SPIN))
        core.launch(s1, cfg, k["store"], src.ptr, 789)
        s2.wait(s1)
        core.launch(s2, cfg, k["copy_after_spin"], dst.ptr, src.ptr, np.uint64(0))
        s2.sync()
        assert dst.read(np.int32, 1)[0] == 789
    finally:
        src.free()
        dst.free()


def test_event_timing(device):
    k = kernels(device)
    s = device.create_stream()
    opts = core.EventOptions(timing_enabled=True)
    start = s.record(options=opts)
    core.launch(s, core.LaunchConfig(grid=1, block=1), k["spin"], np.uint64(SPIN))
    end = s.record(options=opts)
    end.sync()
    ms = end - start
    assert isinstance(ms, float)
    assert 0.1 < ms < 10_000
    assert start.is_timing_enabled and not start.is_ipc_enabled
    # reusing events
    s.record(start)
    s.record(end)
    end.sync()
    assert 0 <= end - start < ms
    untimed = device.create_event()
    s.record(untimed)
    untimed.sync()
    with pytest.raises(RuntimeError, match="timing"):
        end - untimed
    assert untimed.device is device
    assert untimed.context == device.context


def test_event_not_ready(device):
    k = kernels(device)
    s = device.create_stream()
    opts = core.EventOptions(timing_enabled=True)
    start = s.record(options=opts)
    core.launch(s, core.LaunchConfig(grid=1, block=1), k["spin"], np.uint64(SPIN * 4))
    end = s.record(options=opts)
    with pytest.raises(RuntimeError):
        end - start  # not complete yet
    s.sync()
    assert end - start > 0


def test_event_close_and_flags(device):
    driver = _drv()
    ev = device.create_event(core.EventOptions(blocking_sync=True))
    assert ev.is_blocking_sync
    assert int(ev.handle) != 0
    ok(driver.cuEventQuery(int(ev.handle)))
    ev.close()
    assert ev.is_closed
    with pytest.raises(RuntimeError):
        ev.sync()
    with pytest.raises(ValueError):
        device.create_event(core.EventOptions(timing_enabled=True, ipc_enabled=True))


def test_ipc_descriptor(device):
    if not device.properties.ipc_event_supported:
        pytest.skip("the device does not support IPC events")
    ev = device.create_event(core.EventOptions(ipc_enabled=True))
    desc = ev.ipc_descriptor
    again = pickle.loads(pickle.dumps(desc))
    assert again == desc
    assert len(desc._reserved) == 64
    with pytest.raises(RuntimeError, match="ipc_enabled"):
        _ = device.create_event().ipc_descriptor


class _TorchLikeStream:
    """A foreign stream object: owns a CUstream made with the driver bindings."""

    def __init__(self):
        driver = _drv()
        self.handle = ok(driver.cuStreamCreate(driver.CUstream_flags.CU_STREAM_NON_BLOCKING))

    def __cuda_stream__(self):
        return (0, int(self.handle))

    def destroy(self):
        ok(_drv().cuStreamDestroy(self.handle))


def test_foreign_stream(device):
    foreign = _TorchLikeStream()
    mem = DeviceMemory(4 * 32)
    try:
        s = device.create_stream(foreign)
        assert int(s.handle) == int(foreign.handle)
        assert core.Stream(foreign) == s
        assert s.is_nonblocking
        core.launch(s, core.LaunchConfig(grid=1, block=32), kernels(device)["fill"], mem.ptr, 32, 9)
        s.sync()
        assert (mem.read(np.int32, 32) == 9).all()
        # launch() also takes the foreign object itself, deprecated as in NVIDIA's: Stream(obj) is the way
        with pytest.warns(DeprecationWarning, match="foreign stream objects"):
            core.launch(foreign, core.LaunchConfig(grid=1, block=32), kernels(device)["fill"], mem.ptr, 32, 10)
        s.sync()
        assert (mem.read(np.int32, 32) == 10).all()
        s.close()  # borrowed: the foreign stream stays valid
        ok(_drv().cuStreamQuery(foreign.handle))
        wrapped = core.Stream.from_handle(int(foreign.handle))
        wrapped.sync()
        with pytest.raises(ValueError):
            device.create_stream(foreign, options=core.StreamOptions())
    finally:
        mem.free()
        foreign.destroy()


def test_default_streams(device):
    mem = DeviceMemory(4 * 32)
    k = kernels(device)["fill"]
    try:
        for stream, value in ((core.LEGACY_DEFAULT_STREAM, 3), (core.PER_THREAD_DEFAULT_STREAM, 4)):
            assert (mem.read(np.int32, 32) != value).all()
            core.launch(stream, core.LaunchConfig(grid=1, block=32), k, mem.ptr, 32, value)
            stream.sync()
            assert (mem.read(np.int32, 32) == value).all()
            assert stream.device is device
    finally:
        mem.free()


def test_poison_helper_sanity(device):
    mem = DeviceMemory(16)
    try:
        assert (mem.read(np.int32, 4) == POISON32).all()
    finally:
        mem.free()


def test_reprs_follow_nvidias_formats(device):
    import re

    s = device.create_stream()
    ctx = int(ok(_drv().cuStreamGetCtx(s.handle)))
    assert repr(s) == f"<Stream handle={int(s.handle):#x} context={ctx:#x}>" and ctx != 0
    assert re.fullmatch(r"<Event handle=0x[0-9a-f]+>", repr(s.record()))
    s.close()


def test_launch_config_takes_weak_references():
    import weakref

    cfg = core.LaunchConfig(grid=1, block=1)
    ref = weakref.ref(cfg)
    assert ref() is cfg
    assert weakref.WeakSet([cfg]) and cfg in weakref.WeakKeyDictionary({cfg: 1})


def test_priority_outside_the_driver_range_is_refused(device):
    least, greatest = ok(_drv().cuCtxGetStreamPriorityRange())
    assert device.create_stream(options=core.StreamOptions(priority=greatest)).priority == greatest
    with pytest.raises(ValueError, match="priority must be between"):
        device.create_stream(options=core.StreamOptions(priority=least + 1))
    with pytest.raises(ValueError, match="priority must be between"):
        device.create_stream(options=core.StreamOptions(priority=greatest - 1))


def test_wait_on_a_non_stream_is_both_type_and_value_error(device):
    s = device.create_stream()
    with pytest.raises(ValueError, match="event_or_stream must be an Event or a stream"):
        s.wait("not an event")
    with pytest.raises(TypeError):
        s.wait(3.5)


def test_closed_stream_stays_safe_to_inspect(device):
    s = device.create_stream()
    s.close()
    assert s.is_closed and int(s.handle) == 0  # a NULL handle, not an error
    assert "handle=0x0" in repr(s)
    s.close()  # idempotent
