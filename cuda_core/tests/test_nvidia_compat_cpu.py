# SPDX-License-Identifier: Apache-2.0
"""Behaviours code written for NVIDIA's cuda.core relies on, checked without a GPU."""

from __future__ import annotations

import numpy as np
import pytest

from cuda.bindings import driver, nvrtc, runtime
from cuda.core import Linker, LinkerOptions, Program, ProgramOptions
from cuda.core._errors import CUDAError, NVRTCError

SAXPY = r'extern "C" __global__ void k(float* p) { p[threadIdx.x] *= 2.0f; }'


def test_program_and_linker_take_options_as_a_dict():
    prog = Program(SAXPY, "c++", {"arch": "sm_90", "name": "from_a_dict"})
    assert prog._options == ProgramOptions(arch="sm_90", name="from_a_dict")
    ptx = prog.compile("ptx")
    assert b".entry k" in ptx.code
    linker = Linker(Program(ptx.code.decode(), "ptx", {"arch": "sm_90"}).compile("cubin"), options={"arch": "sm_90"})
    assert linker._options == LinkerOptions(arch="sm_90")
    with pytest.raises(TypeError, match="unexpected keyword"):
        Program(SAXPY, "c++", {"no_such_option": 1})
    with pytest.raises(TypeError, match="options must be a ProgramOptions, a dict or None"):
        Program(SAXPY, "c++", ["arch", "sm_90"])


def test_cuda_utils_is_where_nvidia_keeps_errors():
    from cuda.core._utils import cuda_utils

    assert cuda_utils.CUDAError is CUDAError and cuda_utils.NVRTCError is NVRTCError
    assert cuda_utils.driver is driver and cuda_utils.runtime is runtime and cuda_utils.nvrtc is nvrtc
    cc = cuda_utils.ComputeCapability(9, 0)
    assert cc == (9, 0) and (cc.major, cc.minor) == (9, 0) and type(cc).__name__ == "ComputeCapability"
    handle_return = cuda_utils.handle_return
    assert handle_return((driver.CUresult.CUDA_SUCCESS,)) is None
    assert handle_return((driver.CUresult.CUDA_SUCCESS, 7)) == 7
    assert handle_return((runtime.cudaError_t.cudaSuccess, 1, 2)) == (1, 2)
    with pytest.raises(CUDAError, match="CUDA_ERROR_INVALID_VALUE"):
        handle_return((driver.CUresult.CUDA_ERROR_INVALID_VALUE, None))
    with pytest.raises(CUDAError, match="cudaErrorMemoryAllocation"):
        handle_return((runtime.cudaError_t.cudaErrorMemoryAllocation, None))
    with pytest.raises(NVRTCError, match="NVRTC_ERROR_INVALID_OPTION"):
        handle_return((nvrtc.nvrtcResult.NVRTC_ERROR_INVALID_OPTION,))
    with pytest.raises(TypeError, match="status code"):
        handle_return((0, 1))


def test_version_helpers_where_nvidia_keeps_them():
    import cuda.bindings
    from cuda.core import _linker
    from cuda.core._utils.version import binding_version

    assert binding_version()[:2] == tuple(int(p) for p in cuda.bindings.__version__.split(".")[:2])
    assert len(binding_version()) == 3
    assert _linker._decide_nvjitlink_or_driver() is False  # this Linker always links with nvJitLink


def test_graph_module_has_the_builder():
    import cuda.core.graph as graph
    from cuda.core.graph._graph_builder import Graph, GraphBuilder

    assert graph.GraphBuilder is GraphBuilder and graph.Graph is Graph
    assert set(dir(graph)) >= {"Graph", "GraphBuilder"}
    with pytest.raises(AttributeError):
        graph.NoSuchThing  # noqa: B018


class _CudaExporter:
    """A DLPack exporter on device 0 that records the stream it is asked to order on, then stops."""

    class Stop(Exception):
        pass

    def __init__(self):
        self.streams = []

    def __dlpack_device__(self):
        return (2, 0)  # kDLCUDA, device 0

    def __dlpack__(self, stream=None, max_version=None):
        self.streams.append(stream)
        raise self.Stop


class _StreamLike:
    def __cuda_stream__(self):
        return (0, 0x5150)


@pytest.mark.parametrize(
    ("stream", "expected"),
    [
        (-1, -1),
        (0x77, 0x77),
        (driver.CUstream(0x1234), 0x1234),
        (runtime.cudaStream_t(0x99), 0x99),
        (_StreamLike(), 0x5150),
    ],
)
def test_dlpack_consumer_stream_takes_handles_and_streams(stream, expected):
    from cuda.core.utils import StridedMemoryView

    exporter = _CudaExporter()
    with pytest.raises(_CudaExporter.Stop):
        StridedMemoryView.from_dlpack(exporter, stream_ptr=stream)
    assert exporter.streams == [expected]


def test_views_refuse_stream_none_as_ambiguous():
    # None could mean the default stream or no ordering: NVIDIA's refuse it, -1 says "no ordering"
    from cuda.core.utils import StridedMemoryView, args_viewable_as_strided_memory

    host = np.arange(4, dtype=np.float32)
    for make in (StridedMemoryView, StridedMemoryView.from_dlpack, StridedMemoryView.from_any_interface):
        with pytest.raises(BufferError, match="stream=None is ambiguous"):
            make(host, None)
    with pytest.raises(BufferError, match="stream=None is ambiguous"):
        StridedMemoryView.from_dlpack(_CudaExporter(), stream_ptr=None)

    @args_viewable_as_strided_memory((0,))
    def viewed(x):
        return x.view(), x.view(-1)

    with pytest.raises(BufferError, match="stream=None is ambiguous"):
        viewed(host)


def test_unsupported_dlpack_devices_and_dtypes_say_which():
    from cuda.core.utils import StridedMemoryView

    class Vulkan:
        def __dlpack_device__(self):
            return (7, 0)

        def __dlpack__(self, **kwargs):
            raise AssertionError("not reached")

    with pytest.raises(BufferError, match="device not supported"):
        StridedMemoryView.from_dlpack(Vulkan(), -1)


@pytest.mark.parametrize("bad", [1.5, "0", True])
def test_dlpack_consumer_stream_refuses_non_streams(bad):
    from cuda.core.utils import StridedMemoryView

    with pytest.raises(TypeError, match="stream_ptr must be an int, a stream or None"):
        StridedMemoryView.from_dlpack(_CudaExporter(), stream_ptr=bad)


@pytest.mark.parametrize("order", ["C", "F"])
def test_strided_layout_of_a_view(order):
    from cuda.core.utils import StridedMemoryView

    a = np.asfortranarray(np.zeros((3, 5), np.float32)) if order == "F" else np.zeros((3, 5), np.float32)
    layout = StridedMemoryView.from_dlpack(a, -1)._layout
    assert layout.strides_in_bytes == a.strides and layout.shape == (3, 5) and layout.itemsize == 4
    assert (layout.is_contiguous_c, layout.is_contiguous_f) == (order == "C", order == "F")
    assert layout.is_contiguous_any
    sliced = StridedMemoryView.from_dlpack(np.zeros((4, 6), np.int16)[:, ::2], -1)._layout
    assert sliced.strides_in_bytes == (12, 4) and not sliced.is_contiguous_any


def test_yes_no_device_attributes_are_bools():
    from cuda.core import _device

    assert _device._BOOL_ATTRIBUTES <= set(_device._ATTRIBUTES)  # no misspelt name
    assert {"integrated", "managed_memory", "cooperative_launch", "ipc_event_supported"} <= _device._BOOL_ATTRIBUTES
    assert not {"warp_size", "numa_id", "compute_mode", "mempool_supported_handle_types"} & _device._BOOL_ATTRIBUTES
    with pytest.raises(RuntimeError, match=r"^DeviceProperties cannot be instantiated directly\."):
        _device.DeviceProperties()


@pytest.mark.parametrize(
    "make",
    [
        lambda: __import__("cuda.core", fromlist=["Event"]).Event(),
        lambda: __import__("cuda.core", fromlist=["Stream"]).Stream(),
        lambda: __import__("cuda.core", fromlist=["Buffer"]).Buffer(),
        lambda: __import__("cuda.core", fromlist=["TensorMapDescriptor"]).TensorMapDescriptor(),
        lambda: __import__("cuda.core.graph", fromlist=["Graph"]).Graph(),
        lambda: __import__("cuda.core.graph", fromlist=["GraphBuilder"]).GraphBuilder(),
    ],
    ids=["Event", "Stream", "Buffer", "TensorMapDescriptor", "Graph", "GraphBuilder"],
)
def test_objects_made_by_factories_refuse_direct_construction(make):
    with pytest.raises(RuntimeError, match=r"^\w+ objects cannot be instantiated directly\. Use "):
        make()


def test_module_objects_refuse_direct_construction():
    from cuda.core import Kernel, ObjectCode
    from cuda.core._module import KernelAttributes, KernelOccupancy

    for cls, label in ((Kernel, "Kernel objects"), (ObjectCode, "ObjectCode objects"),
                       (KernelAttributes, "KernelAttributes"), (KernelOccupancy, "KernelOccupancy")):  # fmt: skip
        with pytest.raises(RuntimeError, match=rf"^{label} cannot be instantiated directly\. Use "):
            cls()


def test_wrong_kind_error_is_both_type_and_value_error():
    from cuda.core._errors import WrongKindError

    assert issubclass(WrongKindError, TypeError) and issubclass(WrongKindError, ValueError)


def test_fork_start_method_warns_once(monkeypatch):
    import multiprocessing
    import platform
    import warnings

    from cuda.core._utils import cuda_utils

    for method, system, expected in (("fork", "Linux", "'fork'"), (None, "Linux", "not set"), ("spawn", "Linux", None),
                                     (None, "Windows", None)):  # fmt: skip
        monkeypatch.setattr(multiprocessing, "get_start_method", lambda allow_none=False, m=method: m)
        monkeypatch.setattr(platform, "system", lambda s=system: s)
        cuda_utils.reset_fork_warning()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            cuda_utils.check_multiprocessing_start_method()
            cuda_utils.check_multiprocessing_start_method()  # once per process
        if expected is None:
            assert caught == [], method
        else:
            assert len(caught) == 1 and caught[0].category is UserWarning
            text = str(caught[0].message)
            assert expected in text and "spawn" in text and "undefined behavior" in text
    cuda_utils.reset_fork_warning()


def test_graph_memory_attributes_refuse_writes_as_nvidia_words_them():
    from cuda.core._memory_pools import _GraphMemoryAttributes

    attrs = _GraphMemoryAttributes(0)
    assert type(attrs).__name__ == "GraphMemoryResourceAttributes"
    with pytest.raises(AttributeError, match=r"attribute 'reserved_mem_current' .* is not writable"):
        attrs.reserved_mem_current = 0
    with pytest.raises(AttributeError, match=r"Attribute 'reserved_mem_high' may only be set to zero \(got 1\)\."):
        attrs.reserved_mem_high = 1
    with pytest.raises(ValueError):  # the same error, for code that catches ValueError
        attrs.used_mem_high = 1


def test_buffers_of_a_resource_that_reaches_no_memory_have_no_dlpack_device():
    from cuda.core import Buffer, MemoryResource

    class Nowhere(MemoryResource):
        is_device_accessible = is_host_accessible = False
        device_id = -1

        def allocate(self, size, stream=None):
            raise NotImplementedError

        def deallocate(self, ptr, size, stream=None):
            pass

    buf = Buffer.from_handle(0x1000, 8, mr=Nowhere())
    with pytest.raises(BufferError, match=r"^buffer is neither device-accessible nor host-accessible$"):
        buf.__dlpack_device__()
    with pytest.raises(ValueError, match="cannot be both specified together"):
        Buffer.from_handle(0x1000, 8, mr=Nowhere(), owner=object())


def test_can_load_generated_ptx_compares_the_driver_with_nvrtc(monkeypatch):
    # NVIDIA's tests skip PTX loading through this private name (a function and a Program method)
    from cuda.bindings import driver, nvrtc
    from cuda.core import Program
    from cuda.core._program import _can_load_generated_ptx

    ok_driver = driver.CUresult.CUDA_SUCCESS
    monkeypatch.setattr(nvrtc, "nvrtcVersion", lambda: (nvrtc.nvrtcResult.NVRTC_SUCCESS, 13, 5))
    monkeypatch.setattr(driver, "cuDriverGetVersion", lambda: (ok_driver, 13000))
    assert _can_load_generated_ptx() is False and Program._can_load_generated_ptx() is False
    monkeypatch.setattr(driver, "cuDriverGetVersion", lambda: (ok_driver, 13050))
    assert _can_load_generated_ptx() is True

    def no_driver():
        raise RuntimeError("libcuda.so.1 not found")

    monkeypatch.setattr(driver, "cuDriverGetVersion", no_driver)
    assert _can_load_generated_ptx() is False
