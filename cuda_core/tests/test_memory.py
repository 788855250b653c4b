# SPDX-License-Identifier: Apache-2.0
"""Buffers and memory resources without a GPU: argument checks, host views, DLPack export,
frees through a Python MemoryResource, options."""

from __future__ import annotations

import gc

import numpy as np
import pytest

from cuda.core import (
    Buffer,
    DeviceMemoryResource,
    DeviceMemoryResourceOptions,
    ManagedBuffer,
    ManagedMemoryResourceOptions,
    MemoryResource,
    PinnedMemoryResource,
    PinnedMemoryResourceOptions,
)
from cuda.core.utils import StridedMemoryView


def host_buffer(arr: np.ndarray) -> Buffer:
    return Buffer.from_handle(arr.ctypes.data, arr.nbytes, owner=arr)


class RecordingResource(MemoryResource):
    """A Python resource whose deallocate calls are recorded."""

    def __init__(self):
        self.freed = []

    def allocate(self, size, stream=None):
        raise NotImplementedError

    def deallocate(self, ptr, size, stream=None):
        self.freed.append((ptr, size, stream))

    @property
    def device_id(self):
        return -1

    @property
    def is_device_accessible(self):
        return False

    @property
    def is_host_accessible(self):
        return True


def test_buffer_cannot_be_constructed():
    with pytest.raises(RuntimeError):
        Buffer()


def test_from_handle_host_view():
    arr = np.random.default_rng(1).integers(0, 255, 64, dtype=np.uint8)
    buf = host_buffer(arr)
    assert buf.handle == arr.ctypes.data
    assert buf.size == 64
    assert buf.owner is arr
    assert buf.memory_resource is None
    assert buf.is_host_accessible is True
    assert buf.is_device_accessible is False
    assert buf.is_managed is False
    assert buf.is_mapped is False
    assert buf.device_id == -1
    assert not buf.is_closed
    assert "size=64" in repr(buf)


def test_from_handle_bad_input():
    arr = np.zeros(8, np.uint8)
    with pytest.raises(ValueError):
        Buffer.from_handle(arr.ctypes.data, 8, mr=RecordingResource(), owner=arr)
    with pytest.raises(TypeError):
        Buffer.from_handle(1.5, 8)
    with pytest.raises(TypeError):
        Buffer.from_handle("0x10", 8)
    with pytest.raises(TypeError):
        Buffer.from_handle(None, 8)
    with pytest.raises(ValueError):
        Buffer.from_handle(-1, 8)
    with pytest.raises(OverflowError):
        Buffer.from_handle(arr.ctypes.data, -1)
    with pytest.raises(TypeError):
        Buffer.from_handle(arr.ctypes.data, 8, mr=object())


def test_dlpack_export_is_zero_copy():
    arr = np.arange(32, dtype=np.uint8)
    buf = host_buffer(arr)
    assert buf.__dlpack_device__() == (1, 0)  # kDLCPU
    out = np.from_dlpack(buf)
    assert out.dtype == np.uint8
    assert out.shape == (32,)
    assert out.ctypes.data == arr.ctypes.data
    arr[5] = 200
    assert out[5] == 200
    np.testing.assert_array_equal(out, arr)


def test_dlpack_export_keeps_buffer_alive():
    arr = np.arange(16, dtype=np.uint8)
    buf = host_buffer(arr)
    out = np.from_dlpack(buf)
    del buf
    gc.collect()
    np.testing.assert_array_equal(out, np.arange(16, dtype=np.uint8))


@pytest.mark.parametrize("max_version", [None, (1, 0), (1, 3)])
def test_dlpack_capsules_consumed_by_view(max_version):
    arr = np.arange(10, dtype=np.uint8)
    buf = host_buffer(arr)
    capsule = buf.__dlpack__(max_version=max_version)
    expected = "dltensor_versioned" if max_version else "dltensor"
    assert expected in repr(capsule)
    del capsule  # an unconsumed capsule frees its tensor
    view = StridedMemoryView.from_dlpack(buf, -1)
    assert view.shape == (10,)
    assert view.strides in ((1,), None)
    assert view.dtype == np.uint8
    assert view.ptr == arr.ctypes.data
    assert view.exporting_obj is buf
    assert view.device_id == -1
    assert view.is_device_accessible is False


def test_dlpack_export_rejects_copy_and_wrong_device():
    buf = host_buffer(np.zeros(4, np.uint8))
    with pytest.raises(BufferError):
        buf.__dlpack__(copy=True)
    with pytest.raises(BufferError):
        buf.__dlpack__(dl_device=(2, 0))
    assert buf.__dlpack__(dl_device=(1, 0)) is not None


def test_close_is_idempotent_and_closed_buffer_refuses_work():
    buf = host_buffer(np.zeros(16, np.uint8))
    with buf as same:
        assert same is buf
    assert buf.is_closed
    assert buf.handle == 0
    assert buf.size == 0
    assert buf.owner is None
    buf.close()
    with pytest.raises(RuntimeError):
        buf.copy_to(host_buffer(np.zeros(16, np.uint8)), stream=object())
    with pytest.raises(RuntimeError):
        buf.__dlpack__()


def test_fill_argument_checks():
    buf = host_buffer(np.zeros(6, np.uint8))
    stream = object()  # never reached: the value is checked first
    with pytest.raises(ValueError):
        buf.fill(1, stream=None)
    with pytest.raises(OverflowError):
        buf.fill(256, stream=stream)
    with pytest.raises(OverflowError):
        buf.fill(-1, stream=stream)
    with pytest.raises(TypeError):
        buf.fill("ab", stream=stream)
    with pytest.raises(TypeError):
        buf.fill(1.0, stream=stream)
    with pytest.raises(ValueError):
        buf.fill(b"abc", stream=stream)
    with pytest.raises(ValueError):
        buf.fill(np.uint32(7).tobytes(), stream=stream)  # 6 bytes are not a multiple of 4


def test_copy_argument_checks():
    a = host_buffer(np.zeros(8, np.uint8))
    b = host_buffer(np.zeros(4, np.uint8))
    with pytest.raises(ValueError):
        a.copy_from(b, stream=None)
    with pytest.raises(TypeError):
        a.copy_from(bytearray(8), stream=object())
    with pytest.raises(ValueError):
        a.copy_from(b, stream=object())
    with pytest.raises(ValueError):
        a.copy_to(b, stream=object())
    with pytest.raises(ValueError):  # no resource to allocate dst from
        a.copy_to(stream=object())


def test_python_resource_deallocates_once_on_close():
    mr = RecordingResource()
    arr = np.zeros(8, np.uint8)
    buf = Buffer.from_handle(arr.ctypes.data, 8, mr=mr)
    assert buf.memory_resource is mr
    assert buf.is_host_accessible and not buf.is_device_accessible
    assert buf.device_id == -1
    buf.close()
    buf.close()
    assert len(mr.freed) == 1
    ptr, size, stream = mr.freed[0]
    assert (ptr, size) == (arr.ctypes.data, 8)
    from cuda.core import LEGACY_DEFAULT_STREAM

    assert stream is LEGACY_DEFAULT_STREAM


def test_python_resource_deallocates_on_garbage_collection():
    mr = RecordingResource()
    arr = np.zeros(8, np.uint8)
    Buffer.from_handle(arr.ctypes.data, 8, mr=mr)  # dropped at once
    gc.collect()
    assert [(p, s) for p, s, _ in mr.freed] == [(arr.ctypes.data, 8)]


def test_python_resource_errors_in_finalizer_are_swallowed(capfd):
    class Failing(RecordingResource):
        def deallocate(self, ptr, size, stream=None):
            raise RuntimeError("boom")

    arr = np.zeros(8, np.uint8)
    Buffer.from_handle(arr.ctypes.data, 8, mr=Failing())
    gc.collect()
    assert "boom" not in capfd.readouterr().err


def test_managed_buffer_from_handle_is_a_buffer():
    arr = np.zeros(8, np.uint8)
    buf = ManagedBuffer.from_handle(arr.ctypes.data, 8, owner=arr)
    assert isinstance(buf, ManagedBuffer)
    assert isinstance(buf, Buffer)
    assert buf.size == 8
    with pytest.raises(TypeError):
        buf.prefetch(1.5, stream=object())


def test_memory_resource_base_is_abstract():
    mr = MemoryResource()
    with pytest.raises(NotImplementedError):
        mr.allocate(8)
    with pytest.raises(NotImplementedError):
        mr.deallocate(0, 8)
    with pytest.raises(NotImplementedError):
        mr.device_id  # noqa: B018
    assert mr.is_managed is False


def test_device_memory_resource_bad_device():
    with pytest.raises(TypeError):
        DeviceMemoryResource("0")
    with pytest.raises(TypeError):
        DeviceMemoryResource(0.0)
    with pytest.raises(ValueError):
        DeviceMemoryResource(-1)


def test_allocation_handle_of_the_wrong_kind_is_a_value_error_too():
    for cls, args in ((DeviceMemoryResource, (0,)), (PinnedMemoryResource, ())):
        with pytest.raises(TypeError, match="alloc_handle must be an IPCAllocationHandle or an int") as info:
            cls.from_allocation_handle(*args, "7")
        assert isinstance(info.value, ValueError)  # what NVIDIA's raise (int("7") of a str)


def test_device_options():
    opts = DeviceMemoryResourceOptions()
    assert (opts.ipc_enabled, opts.max_size) == (False, 0)
    opts = DeviceMemoryResourceOptions(ipc_enabled=True, max_size=1 << 30)
    assert (opts.ipc_enabled, opts.max_size) == (True, 1 << 30)
    # as NVIDIA's fields take them: ipc_enabled any truth value, max_size a number, not text
    assert DeviceMemoryResourceOptions(ipc_enabled=1).ipc_enabled is True
    assert DeviceMemoryResourceOptions(ipc_enabled=None).ipc_enabled is False
    assert DeviceMemoryResourceOptions(max_size=4096.0).max_size == 4096
    assert DeviceMemoryResourceOptions(True, 1 << 20) == DeviceMemoryResourceOptions(ipc_enabled=True, max_size=1 << 20)
    with pytest.raises(TypeError, match="Expected int, got str"):
        DeviceMemoryResourceOptions(max_size="4096")
    with pytest.raises(ValueError):
        DeviceMemoryResourceOptions(max_size=-1)


def test_pinned_options():
    opts = PinnedMemoryResourceOptions(numa_id=0)
    assert (opts.ipc_enabled, opts.max_size, opts.numa_id) == (False, 0, 0)
    assert PinnedMemoryResourceOptions().numa_id is None
    with pytest.raises(ValueError):
        PinnedMemoryResourceOptions(numa_id=-1)
    with pytest.raises(TypeError):
        PinnedMemoryResourceOptions(numa_id="0")
    assert PinnedMemoryResourceOptions(numa_id=1.0).numa_id == 1


@pytest.mark.parametrize(
    ("loc", "kind"),
    [(None, None), (0, None), (-1, None), (1, "device"), (None, "host"), (None, "host_numa"), (2, "host_numa")],
)
def test_managed_options_valid(loc, kind):
    opts = ManagedMemoryResourceOptions(preferred_location=loc, preferred_location_type=kind)
    assert (opts.preferred_location, opts.preferred_location_type) == (loc, kind)


@pytest.mark.parametrize(
    ("loc", "kind", "error"),
    [
        (-2, None, ValueError),
        (None, "device", ValueError),
        (-1, "device", ValueError),
        (0, "host", ValueError),
        (-1, "host_numa", ValueError),
        (None, "gpu", ValueError),
        (None, 3, TypeError),
        ("0", None, TypeError),
        (True, None, TypeError),
    ],
)
def test_managed_options_invalid(loc, kind, error):
    with pytest.raises(error):
        ManagedMemoryResourceOptions(preferred_location=loc, preferred_location_type=kind)


def test_python_resources_get_the_stream_by_keyword():
    """NVIDIA's cuda.core calls deallocate(ptr, size, stream=...): a resource may declare stream
    keyword-only (their test helpers do)."""
    from cuda.core import Buffer, MemoryResource

    calls = []

    class KeywordOnly(MemoryResource):
        def allocate(self, size, stream=None):
            return Buffer.from_handle(0x1000, size, mr=self)

        def deallocate(self, ptr, size, *, stream=None):
            calls.append((int(ptr), size))

        device_id = -1
        is_device_accessible = False
        is_host_accessible = True

    KeywordOnly().allocate(32).close()
    assert calls == [(0x1000, 32)]


def test_stream_accept_is_where_nvidia_keeps_it():
    from cuda.core import LEGACY_DEFAULT_STREAM, Stream
    from cuda.core._stream import Stream_accept

    assert Stream_accept(None) is LEGACY_DEFAULT_STREAM
    assert Stream_accept(LEGACY_DEFAULT_STREAM) is LEGACY_DEFAULT_STREAM
    with pytest.raises(TypeError, match="expected a Stream"):
        Stream_accept("stream")
    assert isinstance(Stream, type)


def test_copy_batch_checks_its_arguments_before_any_call():
    """The messages NVIDIA's copy_batch gives (their tests match them), checked without a GPU."""
    from cuda.core import LEGACY_DEFAULT_STREAM, Stream
    from cuda.core.utils import CopyOptions, copy_batch

    a, b, c = (host_buffer(np.zeros(n, np.uint8)) for n in (16, 16, 32))
    stream = Stream.from_handle(0x40)
    cases = [
        ((stream, a, [b]), TypeError, "sequence of Buffers"),
        ((stream, [], []), ValueError, "empty buffers sequence"),
        ((stream, [a], []), ValueError, "empty buffers sequence"),
        ((stream, [a, 42], [b, b]), TypeError, "expected Buffer, got int"),
        ((stream, [a, a], [b]), ValueError, "does not match dsts length"),
        ((stream, [a], [c]), ValueError, "size mismatch at index 0"),
        ((LEGACY_DEFAULT_STREAM, [a], [b]), TypeError, "LEGACY_DEFAULT_STREAM"),
        ((object(), [a], [b]), TypeError, "Argument 'stream' has incorrect type"),
    ]
    for args, error, match in cases:
        with pytest.raises(error, match=match):
            copy_batch(*args)
    with pytest.raises(ValueError, match="options length"):
        copy_batch(stream, [a], [b], options=[CopyOptions()] * 2)
    with pytest.raises(TypeError, match="options must be CopyOptions"):
        copy_batch(stream, [a], [b], options=42)
    with pytest.raises(TypeError, match="each options element must be CopyOptions"):
        copy_batch(stream, [a], [b], options=["nope"])
    with pytest.raises(ValueError, match="invalid src_access_order"):
        CopyOptions(src_access_order="sometime")
    with pytest.raises(ValueError, match="invalid overlap_mode"):
        CopyOptions(overlap_mode="sideways")
    with pytest.raises(TypeError, match="options must be CopyOptions"):
        a.copy_to(b, stream=stream, options=42)
    with pytest.raises(TypeError, match="options must be CopyOptions"):
        b.copy_from(a, stream=stream, options="fast")
