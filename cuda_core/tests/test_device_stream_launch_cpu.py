# SPDX-License-Identifier: Apache-2.0
"""Devices, streams, events and launches without a GPU: imports, option checks, protocol parsing,
argument packing, and the errors a missing driver gives."""

from __future__ import annotations

import ctypes
import pickle
import subprocess
import sys

import numpy as np
import pytest

import cuda.core as core
from cuda.core._launch import _packed_arguments


def _driver_present() -> bool:
    from cuda.bindings import driver

    try:
        driver.cuDriverGetVersion()
    except Exception:
        return False
    return True


# ---- imports and public names ----------------------------------------------------------------


def test_public_names_resolve():
    for name in ("Device", "Context", "ContextOptions", "Host", "Stream", "StreamOptions", "Event",
                 "EventOptions", "LaunchConfig", "launch", "LEGACY_DEFAULT_STREAM", "PER_THREAD_DEFAULT_STREAM",
                 "DeviceResources", "SMResource", "SMResourceOptions", "WorkqueueResource",
                 "WorkqueueResourceOptions", "GraphicsResource"):  # fmt: skip
        assert getattr(core, name) is not None, name


def test_default_stream_handles():
    assert core.LEGACY_DEFAULT_STREAM.__cuda_stream__() == (0, 1)  # CU_STREAM_LEGACY
    assert core.PER_THREAD_DEFAULT_STREAM.__cuda_stream__() == (0, 2)  # CU_STREAM_PER_THREAD
    assert isinstance(core.LEGACY_DEFAULT_STREAM, core.Stream)
    core.LEGACY_DEFAULT_STREAM.close()  # the built-in streams cannot be closed
    assert not core.LEGACY_DEFAULT_STREAM.is_closed


# ---- LaunchConfig ----------------------------------------------------------------------------


def test_launch_config_values():
    cfg = core.LaunchConfig(grid=(4, 2), block=128, shmem_size=256)
    assert cfg.grid == (4, 2, 1)
    assert cfg.block == (128, 1, 1)
    assert cfg.cluster is None
    assert cfg.shmem_size == 256
    assert cfg.is_cooperative is False
    assert cfg.programmatic_stream_serialization is False
    cfg.block = (8, 8, 2)
    assert cfg.block == (8, 8, 2)
    cfg2 = core.LaunchConfig(grid=3, cluster=(2,), block=1, is_cooperative=True, programmatic_stream_serialization=True)
    assert cfg2.cluster == (2, 1, 1)
    assert cfg2.is_cooperative and cfg2.programmatic_stream_serialization
    assert pickle.loads(pickle.dumps(cfg2)).cluster == (2, 1, 1)
    assert core.LaunchConfig(grid=1, block=1, shmem_size=None).shmem_size == 0


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(grid=0, block=1),
        dict(grid=1, block=(1, 0)),
        dict(grid=(1, 1, 1, 1), block=1),
        dict(grid=(), block=1),
        dict(grid=1, block=-3),
        dict(grid=2**32, block=1),
        dict(grid=1, block=1, cluster=0),
        dict(grid=1, block=1, shmem_size=-1),
    ],
)
def test_launch_config_bad_values(kwargs):
    with pytest.raises(ValueError):
        core.LaunchConfig(**kwargs)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(grid="4", block=1),
        dict(grid=1.0, block=1),
        dict(grid=None, block=1),
        dict(grid=1, block=[32]),
        dict(grid=(1, 2.0), block=1),
        dict(grid=1, block=1, shmem_size=1.5),
        dict(grid=1, block=1, is_cooperative="yes"),
    ],
)
def test_launch_config_bad_types(kwargs):
    # a TypeError, which is also a ValueError for code written against NVIDIA's ValueError
    with pytest.raises(TypeError) as info:
        core.LaunchConfig(**kwargs)
    assert isinstance(info.value, ValueError)


def test_launch_checks_its_arguments_before_the_driver():
    cfg = core.LaunchConfig(grid=1, block=1)
    with pytest.raises(TypeError, match="__cuda_stream__"):
        core.launch(None, cfg, None)
    with pytest.raises(TypeError, match="LaunchConfig"):
        core.launch(core.LEGACY_DEFAULT_STREAM, (1, 1), None)
    with pytest.raises(TypeError, match="Kernel"):
        core.launch(core.LEGACY_DEFAULT_STREAM, cfg, "kernel")


# ---- argument packing ------------------------------------------------------------------------


class _CAI:
    def __init__(self, ptr):
        self.__cuda_array_interface__ = {"data": (ptr, False), "shape": (4,), "typestr": "<f4", "version": 3}


class _DLTensor(ctypes.Structure):
    _fields_ = [
        ("data", ctypes.c_void_p),
        ("device_type", ctypes.c_int32),
        ("device_id", ctypes.c_int32),
        ("ndim", ctypes.c_int32),
        ("code", ctypes.c_uint8),
        ("bits", ctypes.c_uint8),
        ("lanes", ctypes.c_uint16),
        ("shape", ctypes.POINTER(ctypes.c_int64)),
        ("strides", ctypes.POINTER(ctypes.c_int64)),
        ("byte_offset", ctypes.c_uint64),
    ]


class _DLManagedTensor(ctypes.Structure):
    _fields_ = [("dl_tensor", _DLTensor), ("manager_ctx", ctypes.c_void_p), ("deleter", ctypes.c_void_p)]


class _DLPackExporter:
    """A device array exported through DLPack (unversioned capsule, no deleter)."""

    def __init__(self, ptr, byte_offset=0):
        self._shape = (ctypes.c_int64 * 1)(4)
        self._managed = _DLManagedTensor()
        t = self._managed.dl_tensor
        t.data, t.device_type, t.device_id, t.ndim = ptr, 2, 0, 1
        t.code, t.bits, t.lanes = 2, 32, 1
        t.shape = self._shape
        t.byte_offset = byte_offset

    def __dlpack_device__(self):
        return (2, 0)

    def __dlpack__(self, stream=None):
        new = ctypes.pythonapi.PyCapsule_New
        new.restype = ctypes.py_object
        new.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
        return new(ctypes.addressof(self._managed), b"dltensor", None)


class _Pair(ctypes.Structure):
    _fields_ = [("a", ctypes.c_int32), ("b", ctypes.c_double)]


def test_pack_python_scalars():
    assert _packed_arguments(-5, 2**63 + 1, 2.5, True, False) == [
        (-5).to_bytes(8, "little", signed=True),
        (2**63 + 1).to_bytes(8, "little"),
        np.float64(2.5).tobytes(),
        b"\x01",
        b"\x00",
    ]
    with pytest.raises(OverflowError):
        _packed_arguments(2**64)
    with pytest.raises(OverflowError):
        _packed_arguments(-(2**63) - 1)


def test_pack_complex_as_two_doubles():
    """A Python complex (and a subclass) is a cuda::std::complex<double>: real then imaginary part;
    numpy's complex scalars keep their own size."""

    class MyComplex(complex):
        pass

    assert _packed_arguments(5 - 7j, MyComplex(1.5, 2)) == [
        np.complex128(5 - 7j).tobytes(),
        np.complex128(1.5 + 2j).tobytes(),
    ]
    assert _packed_arguments(np.complex64(1 + 2j)) == [np.complex64(1 + 2j).tobytes()]


@pytest.mark.parametrize(
    "value",
    [
        np.float32(1.25),
        np.float64(-3.5),
        np.int8(-7),
        np.uint8(200),
        np.int16(-300),
        np.uint16(60000),
        np.int32(-(2**31)),
        np.uint32(2**32 - 1),
        np.int64(-(2**40)),
        np.uint64(2**64 - 1),
        np.float16(0.5),
        np.bool_(True),
        np.complex64(1 - 2j),
        np.complex128(3 + 4j),
    ],
)
def test_pack_numpy_scalars_by_exact_size(value):
    for _ in range(2):  # the second time through the cached type table
        assert _packed_arguments(value) == [value.tobytes()]


def test_pack_ctypes_values_and_structures():
    pair = _Pair(11, 4.25)
    out = _packed_arguments(ctypes.c_int(-9), ctypes.c_double(3.5), ctypes.c_uint16(7), pair, ctypes.c_void_p(0x10))
    assert out == [
        (-9).to_bytes(4, "little", signed=True),
        np.float64(3.5).tobytes(),
        (7).to_bytes(2, "little"),
        bytes(pair),
        (0x10).to_bytes(8, "little"),
    ]
    assert len(out[3]) == ctypes.sizeof(_Pair)


def test_pack_pointers_from_interfaces():
    from cuda.bindings import driver

    out = _packed_arguments(_CAI(0x7000), _DLPackExporter(0x9000, 16), driver.CUdeviceptr(0xABC0), None)
    assert out == [
        (0x7000).to_bytes(8, "little"),
        (0x9010).to_bytes(8, "little"),
        (0xABC0).to_bytes(8, "little"),
        bytes(8),
    ]


@pytest.mark.parametrize("bad", ["text", b"bytes", [1, 2], {"a": 1}, object(), np.zeros(3)])
def test_pack_rejects_unsupported(bad):
    with pytest.raises(TypeError, match="unsupported kernel argument"):
        _packed_arguments(bad)


# ---- streams and the __cuda_stream__ protocol ------------------------------------------------


class _Foreign:
    def __init__(self, result):
        self.result = result

    def __cuda_stream__(self):
        return self.result


def test_wrap_foreign_stream():
    owner = _Foreign((0, 0x1234))
    s = core.Stream(owner)
    assert s.__cuda_stream__() == (0, 0x1234)
    assert s == core.Stream.from_handle(0x1234)
    assert hash(s) == hash(core.Stream.from_handle(0x1234))
    s.close()
    assert s.is_closed
    with pytest.raises(RuntimeError, match="closed"):
        s.__cuda_stream__()


def test_foreign_stream_objects_are_deprecated_where_nvidia_deprecates_them():
    """Stream_accept (and launch) warn for another library's stream object, as NVIDIA's do;
    Stream(obj) itself, a Stream and None do not."""
    import warnings

    from cuda.core._stream import Stream_accept

    with pytest.warns(DeprecationWarning, match=r"Convert the object explicitly using Stream\(obj\)"):
        wrapped = Stream_accept(_Foreign((0, 0x1234)))
    assert wrapped == core.Stream.from_handle(0x1234)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        core.Stream(_Foreign((0, 0x1234)))
        Stream_accept(None)
        Stream_accept(core.LEGACY_DEFAULT_STREAM)


def test_stream_protocol_errors():
    with pytest.raises(TypeError, match="__cuda_stream__"):
        core.Stream(object())
    with pytest.raises(RuntimeError, match="version"):
        core.Stream(_Foreign((1, 0x10)))
    with pytest.raises(TypeError, match="tuple"):
        core.Stream(_Foreign([0, 0x10]))
    with pytest.raises(TypeError, match="int"):
        core.Stream(_Foreign((0, "0x10")))
    with pytest.raises(ValueError):
        core.Stream(_Foreign((0, -1)))


def test_stream_and_event_not_constructed_directly():
    with pytest.raises(RuntimeError, match="create_stream"):
        core.Stream()
    with pytest.raises(RuntimeError, match="create_event"):
        core.Event()
    with pytest.raises(RuntimeError):
        core.Context()


def test_from_handle_checks_type():
    with pytest.raises(TypeError):
        core.Stream.from_handle(1.5)
    with pytest.raises(TypeError):
        core.Stream.from_handle(None)
    with pytest.raises(ValueError):
        core.Stream.from_handle(-4)
    assert core.Stream.from_handle(0x40).__cuda_stream__() == (0, 0x40)


def test_options():
    assert core.StreamOptions() == core.StreamOptions(nonblocking=True, priority=None)
    assert core.EventOptions() == core.EventOptions(timing_enabled=False, blocking_sync=False, ipc_enabled=False)
    from cuda.core._options import coerce_options

    assert coerce_options(core.EventOptions, {"timing_enabled": True}, "o").timing_enabled is True
    with pytest.raises(TypeError):
        coerce_options(core.EventOptions, 3, "o")


# ---- Host --------------------------------------------------------------------------------------


def test_host_singletons():
    assert core.Host() is core.Host()
    assert core.Host(numa_id=1) is core.Host(1)
    assert core.Host(numa_id=1) is not core.Host()
    cur = core.Host.numa_current()
    assert cur is core.Host(is_numa_current=True) and cur is not core.Host()
    assert cur.is_numa_current and cur.numa_id is None
    assert core.Host(numa_id=3).numa_id == 3 and not core.Host(numa_id=3).is_numa_current
    assert pickle.loads(pickle.dumps(core.Host(numa_id=2))) is core.Host(numa_id=2)
    with pytest.raises(ValueError, match="mutually exclusive"):
        core.Host(numa_id=1, is_numa_current=True)
    # the wrong kind of id: a ValueError as NVIDIA's raise, and a TypeError as it is one
    for bad in ("0", 1.0, True, False):
        with pytest.raises(ValueError, match="numa_id must be a non-negative int") as info:
            core.Host(numa_id=bad)
        assert isinstance(info.value, TypeError)
    with pytest.raises(ValueError, match="numa_id must be a non-negative int"):
        core.Host(numa_id=-1)


# ---- out-of-scope features say so ----------------------------------------------------------------


def test_graphics_arguments_checked_before_the_driver_and_workqueue_not_made_directly():
    from cuda.core._graphics import _parse_register_flags

    assert _parse_register_flags(None) == 0
    assert _parse_register_flags("write_discard") == 2  # CU_GRAPHICS_REGISTER_FLAGS_*
    assert _parse_register_flags(["surface_load_store", "read_only"]) == 4 | 1
    with pytest.raises(ValueError, match="Unknown register flag 'bogus'"):
        core.GraphicsResource.from_gl_buffer(1, flags="bogus")
    with pytest.raises(ValueError, match="Unknown register flag 3"):
        core.GraphicsResource.from_gl_image(1, 0x0DE1, flags=[3])
    with pytest.raises(RuntimeError, match="cannot be instantiated directly"):
        core.GraphicsResource()
    with pytest.raises(RuntimeError, match=r"Device\.resources\.workqueue"):
        core.WorkqueueResource()
    assert core.WorkqueueResourceOptions(concurrency_limit=2).concurrency_limit == 2
    assert core.SMResourceOptions(count=8).count == 8


def test_workqueue_options_checked_when_made():
    from cuda.core.typing import WorkqueueSharingScopeType as Scope

    # the scope is kept as given (a str or the type), as NVIDIA's, once it is known to be valid
    assert core.WorkqueueResourceOptions(sharing_scope="green_ctx_balanced").sharing_scope == "green_ctx_balanced"
    assert core.WorkqueueResourceOptions(sharing_scope=Scope.DEVICE_CTX).sharing_scope is Scope.DEVICE_CTX
    with pytest.raises(ValueError, match=r"'bogus' is not a valid WorkqueueSharingScopeType\. Must be None, "
                                         r"'device_ctx' or 'green_ctx_balanced'"):  # fmt: skip
        core.WorkqueueResourceOptions(sharing_scope="bogus")
    for bad in (0, -3):
        with pytest.raises(ValueError, match="concurrency_limit must be >= 1"):
            core.WorkqueueResourceOptions(concurrency_limit=bad)
    with pytest.raises(TypeError):
        core.WorkqueueResourceOptions(concurrency_limit="4")


def test_options_are_dataclasses_whose_fields_take_what_nvidias_take():
    import dataclasses
    import pickle

    from cuda.core import DeviceMemoryResourceOptions, ManagedMemoryResourceOptions, PinnedMemoryResourceOptions

    for cls in (core.EventOptions, core.StreamOptions, core.ContextOptions, core.SMResourceOptions,
                core.WorkqueueResourceOptions, DeviceMemoryResourceOptions, PinnedMemoryResourceOptions,
                ManagedMemoryResourceOptions):  # fmt: skip
        assert dataclasses.is_dataclass(cls), cls
    # the fields in NVIDIA's order, so positional arguments mean the same
    assert [f.name for f in dataclasses.fields(core.WorkqueueResourceOptions)] == ["sharing_scope", "concurrency_limit"]
    assert core.WorkqueueResourceOptions("device_ctx", 4).concurrency_limit == 4
    assert dataclasses.replace(core.EventOptions(), timing_enabled=True) == core.EventOptions(timing_enabled=True)
    assert dataclasses.asdict(core.StreamOptions(priority=2)) == {"nonblocking": True, "priority": 2}
    with pytest.raises(TypeError, match="unhashable"):
        hash(core.StreamOptions())
    for proto in range(pickle.HIGHEST_PROTOCOL + 1):  # NVIDIA's pickle with every protocol
        opts = core.WorkqueueResourceOptions("device_ctx", 3)
        assert pickle.loads(pickle.dumps(opts, proto)) == opts
    # EventOptions: True, False or None, when made and when set
    assert core.EventOptions(timing_enabled=None).timing_enabled is None
    with pytest.raises(TypeError, match=r"Expected bool, got int: EventOptions\.timing_enabled"):
        core.EventOptions(timing_enabled=1)
    opts = core.EventOptions()
    with pytest.raises(TypeError, match="Expected bool, got str"):
        opts.blocking_sync = "yes"
    assert opts.blocking_sync is False
    # StreamOptions: nonblocking keeps a truth value, priority takes a number (truncated), not text
    assert core.StreamOptions(nonblocking=0).nonblocking is False
    assert core.StreamOptions(nonblocking=None).nonblocking is False
    s = core.StreamOptions()
    s.priority = -1.0
    assert s.priority == -1 and type(s.priority) is int
    with pytest.raises(TypeError, match=r"Expected int, got str: StreamOptions\.priority"):
        core.StreamOptions(priority="high")
    with pytest.raises(ValueError, match="concurrency_limit must be >= 1"):
        core.WorkqueueResourceOptions(concurrency_limit=0.5)


def test_typing_enums_are_the_strings_options_take():
    import enum

    from cuda.core import typing as t

    assert t.SourceCodeType.CXX == "c++" and str(t.ObjectCodeFormatType.CUBIN) == "cubin"
    assert t.CompilerBackendType("nvJitLink") is t.CompilerBackendType.NVJITLINK
    assert t.VirtualMemoryAccessType.READ_WRITE == "rw"
    assert [m.value for m in t.GraphConditionalType] == ["if", "while", "switch"]
    for name in t.__all__:
        obj = getattr(t, name)
        if isinstance(obj, type) and issubclass(obj, enum.Enum):
            assert issubclass(obj, str), name

    class HasStream:
        def __cuda_stream__(self):
            return (0, 0)

    assert callable(HasStream().__cuda_stream__) and t.IsStreamType.__name__ == "IsStreamType"


# ---- without a driver ----------------------------------------------------------------------------


@pytest.mark.skipif(_driver_present(), reason="a CUDA driver is installed here")
def test_device_without_driver_raises_clearly():
    code = (
        "import cuda.core as c\n"
        "for args in ((), (0,)):\n"
        "    try:\n"
        "        c.Device(*args)\n"
        "    except RuntimeError as e:\n"
        "        print(type(e).__name__, 'libcuda' in str(e))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["DynamicLibNotFoundError", "True"] * 2


def test_device_bad_ids_before_driver():
    with pytest.raises(TypeError):
        core.Device("0")
    with pytest.raises(TypeError):
        core.Device(1.0)
    with pytest.raises(TypeError):
        core.Device(0, 1)
    with pytest.raises(TypeError):
        core.Device(ordinal=0)


def test_texture_factories_take_nvidias_arguments():
    import inspect

    sig = {
        name: str(inspect.signature(getattr(core.Device, name)))
        for name in ("create_opaque_array", "create_mipmapped_array", "create_texture_object", "create_surface_object")
    }
    assert sig == {
        "create_opaque_array": "(self, options=None)",
        "create_mipmapped_array": "(self, options=None)",
        "create_texture_object": "(self, *, resource, options=None)",
        "create_surface_object": "(self, *, resource)",
    }


def test_device_with_a_driver_that_has_no_devices(tmp_path):
    """With benchmarks/c/null_driver.c as libcuda.so.1 (it reports no devices), Device() says so."""
    import os
    import pathlib
    import shutil

    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    src = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "c" / "null_driver.c"
    subprocess.run([cc, "-O2", "-shared", "-fPIC", "-o", str(tmp_path / "libcuda.so.1"), str(src)], check=True)
    code = (
        "import cuda.core as c\n"
        "for args in ((), (0,)):\n"
        "    try:\n"
        "        c.Device(*args)\n"
        "    except Exception as e:\n"
        "        print(type(e).__name__)\n"
        "print(c.Device.get_all_devices())\n"
    )
    env = dict(os.environ, LD_LIBRARY_PATH=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
    assert out.split() == ["CUDAError", "ValueError", "()"]


def test_pack_tensor_map_by_value():
    # a TensorMapDescriptor is passed as its 128-byte CUtensorMap (made empty here: no driver needed)
    from cuda.core import TensorMapDescriptor

    tmap = TensorMapDescriptor.__new__(TensorMapDescriptor)
    assert _packed_arguments(tmap, 7) == [bytes(128), (7).to_bytes(8, "little")]
    assert _packed_arguments(tmap) == [bytes(128)]  # the cached classification


@pytest.mark.parametrize("value", ["0", "1", "2", "yes"])
def test_default_stream_setting_follows_the_bindings(monkeypatch, value):
    """cuda.core and the driver entry points agree on CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM."""
    from cuda.bindings._lib.loader import per_thread_default_stream
    from cuda.core import _stream

    monkeypatch.setenv("CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM", value)
    assert _stream._ptds_enabled() is per_thread_default_stream() is (value in ("1", "2"))
