# SPDX-License-Identifier: Apache-2.0
"""Names the headers give by macro or typedef, the runtime's inline helpers, and NVIDIA's numbering of
unnamed nested records: no GPU needed. Values are those of the headers of this line (_toolkit)."""

from __future__ import annotations

import json

import pytest
from _toolkit import MAJOR, REFERENCE

from cuda.bindings import driver as cu
from cuda.bindings import runtime as rt


def test_macro_aliases_of_launch_attribute_members():
    # cuda.h: #define CU_STREAM_ATTRIBUTE_PRIORITY CU_LAUNCH_ATTRIBUTE_PRIORITY (= 8)
    assert cu.CU_STREAM_ATTRIBUTE_PRIORITY is cu.CUlaunchAttributeID.CU_LAUNCH_ATTRIBUTE_PRIORITY
    assert cu.CU_STREAM_ATTRIBUTE_PRIORITY == 8
    assert cu.CU_KERNEL_NODE_ATTRIBUTE_COOPERATIVE is cu.CUlaunchAttributeID.CU_LAUNCH_ATTRIBUTE_COOPERATIVE
    assert cu.CU_KERNEL_NODE_ATTRIBUTE_ACCESS_POLICY_WINDOW == 1
    assert rt.cudaStreamAttributePriority is rt.cudaLaunchAttributeID.cudaLaunchAttributePriority
    assert rt.cudaKernelNodeAttributeClusterDimension is rt.cudaLaunchAttributeID.cudaLaunchAttributeClusterDimension
    assert "CU_STREAM_ATTRIBUTE_PRIORITY" in dir(cu)


def test_type_aliases():
    assert cu.CUkernelNodeAttrID is cu.CUlaunchAttributeID and cu.CUstreamAttrID is cu.CUlaunchAttributeID
    assert rt.cudaKernelNodeAttrID is rt.cudaLaunchAttributeID and rt.cudaStreamAttrID is rt.cudaLaunchAttributeID
    assert rt.cudaKernelNodeAttrValue is rt.cudaLaunchAttributeValue
    assert rt.cudaStreamAttrValue is rt.cudaLaunchAttributeValue
    value = rt.cudaStreamAttrValue()
    value.priority = -3
    assert value.priority == -3


def test_device_id_constants():
    # ((CUdevice)-1), ((CUdevice)-2); ((int)-1), ((int)-2)
    assert (cu.CU_DEVICE_CPU, cu.CU_DEVICE_INVALID) == (-1, -2)
    assert (rt.cudaCpuDeviceId, rt.cudaInvalidDeviceId) == (-1, -2)


def test_library_types_enums():
    assert rt.cudaDataType.CUDA_R_16BF == 14 and rt.cudaDataType_t is rt.cudaDataType
    assert rt.libraryPropertyType.MAJOR_VERSION == 0 and rt.libraryPropertyType.PATCH_LEVEL == 2
    assert rt.cudaRoundMode.cudaRoundZero == 1 and rt.cudaRoundMode.cudaRoundMinInf == 3
    if MAJOR >= 13:  # the emulation enums came with CUDA 13.0
        assert rt.cudaEmulationStrategy.__members__ and rt.cudaEmulationMantissaControl.__members__
        assert rt.cudaEmulationSpecialValuesSupport.__members__


def test_make_helpers():
    e = rt.make_cudaExtent(64, 32, 2)
    assert isinstance(e, rt.cudaExtent) and (e.width, e.height, e.depth) == (64, 32, 2)
    p = rt.make_cudaPos(1, 2, 3)
    assert (p.x, p.y, p.z) == (1, 2, 3)
    pp = rt.make_cudaPitchedPtr(0x1000, 512, 100, 7)
    assert (pp.ptr, pp.pitch, pp.xsize, pp.ysize) == (0x1000, 512, 100, 7)
    err, desc = rt.cudaCreateChannelDesc(32, 0, 0, 0, rt.cudaChannelFormatKind.cudaChannelFormatKindFloat)
    assert err == rt.cudaError_t.cudaSuccess and isinstance(desc, rt.cudaChannelFormatDesc)
    assert (desc.x, desc.y, desc.z, desc.w) == (32, 0, 0, 0)
    assert desc.f == rt.cudaChannelFormatKind.cudaChannelFormatKindFloat
    with pytest.raises(TypeError):
        rt.make_cudaExtent("1", 2, 3)
    with pytest.raises(OverflowError):
        rt.make_cudaPos(-1, 0, 0)


def test_local_runtime_version_and_profiler():
    assert rt.getLocalRuntimeVersion() == rt.cudaRuntimeGetVersion()
    assert callable(rt.cudaProfilerStart) and callable(rt.cudaProfilerStop)


def test_simple_outputs_are_wrapped():
    assert callable(cu.cuDeviceGetLuid) and callable(rt.cudaDeviceGetPCIBusId)
    assert callable(rt.cudaGraphAddMemcpyNode1D)
    with pytest.raises(TypeError):
        rt.cudaGraphAddMemcpyNode1D(None, ["not a node"], 1, 0, 0, 0, 0)


@pytest.mark.parametrize("module,lib", [(cu, "driver"), (rt, "runtime")])
def test_anon_records_numbered_as_the_reference(module, lib):
    """Each anon_structN / anon_unionN of the reference has the same fields here (EGL's aside)."""
    names = json.loads(REFERENCE.read_text())[f"cuda.bindings.{lib}"]
    fields: dict[str, set] = {}
    for name in names:
        cls, _, member = name.partition(".")
        if cls.startswith("anon_"):
            fields.setdefault(cls, set()).add(member)
    checked = 0
    for cls, members in fields.items():
        if {"pArray", "pPitch"} <= members:
            continue  # CUeglFrame's union: the EGL header is not parsed here
        ours = getattr(module, cls)
        assert {m for m in members if m} <= set(dir(ours)), cls
        checked += 1
    assert checked >= 30
    assert module.anon_struct1 is not None


# ---------------------------------------------------------------- arrays, option lists, typed outputs


def driver_error():
    """What a driver call raises or returns here: the loader's error where no driver is installed."""
    from cuda.pathfinder import DynamicLibNotFoundError

    return DynamicLibNotFoundError


def test_jit_option_lists_are_checked_before_the_call():
    opt = cu.CUjit_option
    with pytest.raises(ValueError, match="fewer"):
        cu.cuLinkCreate(2, [opt.CU_JIT_MAX_REGISTERS], [32, 1])
    with pytest.raises(ValueError, match="fewer"):
        cu.cuLinkCreate(2, [opt.CU_JIT_MAX_REGISTERS, opt.CU_JIT_LOG_VERBOSE], [32])
    with pytest.raises(TypeError):
        cu.cuLinkCreate(1, [opt.CU_JIT_INFO_LOG_BUFFER], ["a str is not a buffer"])
    with pytest.raises(TypeError):
        cu.cuModuleLoadDataEx(b"\0", 1, [opt.CU_JIT_MAX_REGISTERS], 32)
    with pytest.raises(TypeError):
        cu.cuLibraryLoadData(b"\0", ["x"], [1], 1, None, None, 0)


def test_none_for_a_counted_list_is_refused():
    """None where a nonzero count asks for entries would hand the library a NULL array: refused."""
    opt = cu.CUjit_option
    with pytest.raises(ValueError, match="optionValues is None"):
        cu.cuLinkCreate(1, [opt.CU_JIT_MAX_REGISTERS], None)
    with pytest.raises(ValueError, match="options is None"):
        cu.cuLinkCreate(1, None, [32])
    with pytest.raises(ValueError, match="dsts is None"):
        cu.cuMemcpyBatchAsync(None, [1], [8], 1, None, None, 0, 0)
    with pytest.raises(ValueError, match="device_arr is None"):
        rt.cudaSetValidDevices(None, 2)
    with pytest.raises(TypeError):
        rt.cudaSetValidDevices(["0"], 1)


def test_jit_options_reach_the_driver():
    """Good option lists (ints, enums, a log buffer) convert; the call then needs a driver."""
    opt = cu.CUjit_option
    log = bytearray(1024)
    args = ([opt.CU_JIT_INFO_LOG_BUFFER, opt.CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES, opt.CU_JIT_TARGET],
            [log, len(log), cu.CUjit_target.CU_TARGET_COMPUTE_90])  # fmt: skip
    try:
        result = cu.cuLinkCreate(3, *args)
    except driver_error():
        return  # no driver on this machine
    assert isinstance(result[0], cu.CUresult) and result[0] != cu.CUresult.CUDA_ERROR_INVALID_VALUE


def test_batch_and_semaphore_arrays_are_checked():
    with pytest.raises(ValueError, match="fewer"):
        cu.cuMemcpyBatchAsync([1, 2], [3], [8, 8], 2, None, None, 0, 0)
    if MAJOR >= 13:  # the batched discard and prefetch came with CUDA 13.0
        with pytest.raises(TypeError):
            cu.cuMemDiscardBatchAsync(["x"], [8], 1, 0, 0)
        with pytest.raises(TypeError):
            cu.cuMemPrefetchBatchAsync([1], [8], 1, [object()], [0], 1, 0, 0)
    with pytest.raises(ValueError, match="fewer"):
        cu.cuSignalExternalSemaphoresAsync([cu.CUexternalSemaphore(1)], [], 1, 0)
    with pytest.raises(TypeError):
        cu.cuWaitExternalSemaphoresAsync([cu.CUexternalSemaphore(1)], [object()], 1, 0)


def test_tensor_map_lists_follow_the_rank():
    t = cu.CUtensorMapDataType.CU_TENSOR_MAP_DATA_TYPE_FLOAT32
    rest = (0, 0, 0, 0)
    # globalStrides holds rank - 1 entries: two for rank 3 is enough, one is not
    with pytest.raises(ValueError, match="globalStrides"):
        cu.cuTensorMapEncodeTiled(t, 3, 0, [4, 4, 4], [64], [2, 2, 2], [1, 1, 1], *rest)
    with pytest.raises(ValueError, match="boxDim"):
        cu.cuTensorMapEncodeTiled(t, 3, 0, [4, 4, 4], [64, 256], [2, 2], [1, 1, 1], *rest)
    with pytest.raises(ValueError, match="pixelBoxLowerCorner"):
        cu.cuTensorMapEncodeIm2col(t, 4, 0, [4] * 4, [64] * 3, [], [0, 0], 8, 8, [1] * 4, *rest)


def test_attribute_lists_are_checked():
    attr = cu.CUpointer_attribute.CU_POINTER_ATTRIBUTE_CONTEXT
    with pytest.raises(ValueError, match="fewer"):
        cu.cuPointerGetAttributes(2, [attr], 0)
    with pytest.raises(ValueError, match="fewer"):
        cu.cuMemRangeGetAttributes([4], [], 1, 0, 1024)
    # None where the count asks for entries: refused, never a NULL read
    with pytest.raises(ValueError):
        cu.cuPointerGetAttributes(1, None, 0)
    with pytest.raises(ValueError):
        cu.cuMemRangeGetAttributes(None, [1], 1, 0, 1024)
    with pytest.raises(ValueError):
        rt.cudaMemRangeGetAttributes(None, [1], 1, 0, 1024)
    with pytest.raises(OverflowError):
        rt.cudaMemRangeGetAttributes([-4], [1], 1, 0, 1024)


def test_runtime_calls_without_a_driver():
    if rt.cudaGetDeviceCount()[0] != rt.cudaError_t.cudaErrorInsufficientDriver:
        pytest.skip("this machine has an NVIDIA driver")
    no = rt.cudaError_t.cudaErrorInsufficientDriver
    attrs = [rt.cudaMemRangeAttribute.cudaMemRangeAttributeReadMostly]
    assert rt.cudaMemRangeGetAttributes([4], attrs, 1, 0, 1024) == (no, None)
    # 13.x returns the edge data too (cudaStreamGetCaptureInfo_v3's outputs)
    assert rt.cudaStreamGetCaptureInfo(0) == (no, *[None] * (6 if MAJOR >= 13 else 5))
    assert rt.cudaDeviceGetPCIBusId(16, 0) == (no, None)
    assert rt.cudaMemcpyBatchAsync([0x1000], [0x2000], [8], 1, None, None, 0, 0)[0] == no
    if MAJOR >= 13:  # the batched discard came with CUDA 13.0
        assert rt.cudaMemDiscardBatchAsync([0x1000], [8], 1, 0, 0)[0] == no
    assert rt.cudaSetValidDevices([0], 1)[0] == no
    handle_type = rt.cudaMemAllocationHandleType.cudaMemHandleTypePosixFileDescriptor
    assert rt.cudaMemPoolExportToShareableHandle(0, handle_type, 0)[0] != rt.cudaError_t.cudaSuccess
    with pytest.raises(ValueError, match="fewer"):
        rt.cudaMemcpyBatchAsync([0x1000], [], [8], 1, None, None, 0, 0)
    with pytest.raises(TypeError):
        rt.cudaSignalExternalSemaphoresAsync(["x"], [rt.cudaExternalSemaphoreSignalParams()], 1, 0)


def test_module_attribute_cuda():
    import cuda

    assert cu.cuda is cuda and rt.cuda is cuda
