# SPDX-License-Identifier: Apache-2.0
"""The calls wrapped for the reference's names, on a real GPU: option lists, arrays, typed outputs."""

from __future__ import annotations

import os

import numpy as np
import pytest
from _toolkit import MAJOR, as_in_13

from conftest import unpack
from cuda.bindings import driver as cu
from cuda.bindings import nvrtc
from cuda.bindings import runtime as rt

pytestmark = pytest.mark.gpu

SRC = rb'extern "C" __global__ void add_one(int* x) { x[threadIdx.x] += 1; }'


def ok(result):
    """A driver or runtime result's outputs (unpack)."""
    return unpack(result, cu.CUresult.CUDA_SUCCESS, rt.cudaError_t.cudaSuccess)


def ptx_for(dev) -> bytes:
    attr = cu.CUdevice_attribute
    major = ok(cu.cuDeviceGetAttribute(attr.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev))
    minor = ok(cu.cuDeviceGetAttribute(attr.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev))
    err, prog = nvrtc.nvrtcCreateProgram(SRC, b"k.cu", 0, [], [])
    assert nvrtc.nvrtcCompileProgram(prog, 1, [f"-arch=compute_{major}{minor}".encode()])[0] == 0
    size = nvrtc.nvrtcGetPTXSize(prog)[1]
    ptx = bytearray(size)
    nvrtc.nvrtcGetPTX(prog, ptx)
    return bytes(ptx)


def run_add_one(module):
    fn = ok(cu.cuModuleGetFunction(module, b"add_one"))
    data = np.random.default_rng(3).integers(0, 1000, 32).astype(np.int32)
    dptr = ok(cu.cuMemAlloc(data.nbytes))
    ok(cu.cuMemcpyHtoD(dptr, data, data.nbytes))
    ok(cu.cuLaunchKernel(fn, 1, 1, 1, 32, 1, 1, 0, 0, ((dptr,), (None,)), 0))
    out = np.full_like(data, -1)
    ok(cu.cuMemcpyDtoH(out, dptr, data.nbytes))
    ok(cu.cuMemFree(dptr))
    np.testing.assert_array_equal(out, data + 1)


def test_link_with_options_and_load_with_options(context):
    dev, _ = context
    opt = cu.CUjit_option
    info = bytearray(4096)
    state = ok(cu.cuLinkCreate(3, [opt.CU_JIT_INFO_LOG_BUFFER, opt.CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES,
                                   opt.CU_JIT_LOG_VERBOSE], [info, len(info), 1]))  # fmt: skip
    assert isinstance(state, cu.CUlinkState) and int(state)
    ptx = ptx_for(dev)
    ok(cu.cuLinkAddData(state, cu.CUjitInputType.CU_JIT_INPUT_PTX, ptx, len(ptx), b"k.ptx", 1,
                        [opt.CU_JIT_MAX_REGISTERS], [32]))  # fmt: skip
    cubin_ptr, size = ok(cu.cuLinkComplete(state))
    assert size > 0 and cubin_ptr
    assert info.rstrip(b"\0"), "the verbose log went to our buffer"
    errors = bytearray(1024)
    module = ok(cu.cuModuleLoadDataEx(ptx, 2, [opt.CU_JIT_ERROR_LOG_BUFFER, opt.CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES],
                                      [errors, len(errors)]))  # fmt: skip
    run_add_one(module)
    ok(cu.cuModuleUnload(module))
    ok(cu.cuLinkDestroy(state))
    library = ok(cu.cuLibraryLoadData(ptx, [opt.CU_JIT_MAX_REGISTERS], [32], 1, None, None, 0))
    assert int(library)
    ok(cu.cuLibraryUnload(library))


def test_pointer_and_range_attributes(context):
    dev, ctx = context
    dptr = ok(cu.cuMemAlloc(1 << 20))
    pa = cu.CUpointer_attribute
    values = ok(cu.cuPointerGetAttributes(3, [pa.CU_POINTER_ATTRIBUTE_CONTEXT, pa.CU_POINTER_ATTRIBUTE_MEMORY_TYPE,
                                              pa.CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL], dptr))  # fmt: skip
    assert values == [ctx, cu.CUmemorytype.CU_MEMORYTYPE_DEVICE, 0]
    ok(cu.cuMemFree(dptr))
    if not ok(cu.cuDeviceGetAttribute(cu.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_CONCURRENT_MANAGED_ACCESS, dev)):
        return
    managed = ok(cu.cuMemAllocManaged(1 << 20, cu.CUmemAttach_flags.CU_MEM_ATTACH_GLOBAL))
    loc = cu.CUmemLocation()
    loc.type = cu.CUmemLocationType.CU_MEM_LOCATION_TYPE_DEVICE
    loc.id = 0
    ok(as_in_13(cu, "cuMemAdvise")(managed, 1 << 20, cu.CUmem_advise.CU_MEM_ADVISE_SET_READ_MOSTLY, loc))
    ra = cu.CUmem_range_attribute
    attrs = [ra.CU_MEM_RANGE_ATTRIBUTE_READ_MOSTLY, ra.CU_MEM_RANGE_ATTRIBUTE_ACCESSED_BY]
    read_mostly, accessed_by = ok(cu.cuMemRangeGetAttributes([4, 16], attrs, 2, managed, 1 << 20))
    assert read_mostly == 1 and accessed_by == [cu.CU_DEVICE_INVALID] * 4
    rra = rt.cudaMemRangeAttribute
    assert ok(rt.cudaMemRangeGetAttributes([4], [rra.cudaMemRangeAttributeReadMostly], 1, int(managed), 1 << 20)) == [1]
    ok(cu.cuMemFree(managed))


def test_capture_info(context):
    stream = ok(cu.cuStreamCreate(0))
    dptr = ok(cu.cuMemAlloc(256))
    ok(cu.cuStreamBeginCapture(stream, cu.CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL))
    try:  # a capture left open would make this thread's later allocations fail (capture unsupported)
        ok(cu.cuMemsetD8Async(dptr, 7, 256, stream))
        status, capture_id, graph, deps, edges, count = ok(as_in_13(cu, "cuStreamGetCaptureInfo")(stream))
        # dependencies is an input (the header does not mark it const); no edge data means default edges
        flag = cu.CUstreamUpdateCaptureDependencies_flags.CU_STREAM_SET_CAPTURE_DEPENDENCIES
        ok(as_in_13(cu, "cuStreamUpdateCaptureDependencies")(stream, deps, None, 1, flag))
        ok(cu.cuMemsetD8Async(dptr, 9, 128, stream))
        assert ok(as_in_13(cu, "cuStreamGetCaptureInfo")(stream))[-1] == 1
    finally:
        graph2 = ok(cu.cuStreamEndCapture(stream))
    assert status == cu.CUstreamCaptureStatus.CU_STREAM_CAPTURE_STATUS_ACTIVE
    assert isinstance(capture_id, cu.cuuint64_t) and int(capture_id) > 0
    assert isinstance(graph, cu.CUgraph) and int(graph) and count == 1
    assert len(deps) == 1 and isinstance(deps[0], cu.CUgraphNode) and int(deps[0])
    assert len(edges) in (0, 1)
    assert graph2 == graph
    status = ok(cu.cuStreamGetCaptureInfo(stream))[0]
    assert status == cu.CUstreamCaptureStatus.CU_STREAM_CAPTURE_STATUS_NONE
    ok(cu.cuGraphDestroy(graph2))
    ok(cu.cuMemFree(dptr))
    ok(cu.cuStreamDestroy(stream))


def test_tensor_map_tiled(context):
    dev, _ = context
    if ok(cu.cuDeviceGetAttribute(cu.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev)) < 9:
        pytest.skip("tensor maps need sm_90")
    rows, cols = 64, 128
    dptr = ok(cu.cuMemAlloc(rows * cols * 4))
    tmap = ok(cu.cuTensorMapEncodeTiled(
        cu.CUtensorMapDataType.CU_TENSOR_MAP_DATA_TYPE_FLOAT32, 2, dptr, [cols, rows], [cols * 4], [32, 16], [1, 1],
        cu.CUtensorMapInterleave.CU_TENSOR_MAP_INTERLEAVE_NONE, cu.CUtensorMapSwizzle.CU_TENSOR_MAP_SWIZZLE_NONE,
        cu.CUtensorMapL2promotion.CU_TENSOR_MAP_L2_PROMOTION_NONE,
        cu.CUtensorMapFloatOOBfill.CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE))  # fmt: skip
    assert isinstance(tmap, cu.CUtensorMap) and any(tmap.opaque)
    err = cu.cuTensorMapEncodeTiled(
        cu.CUtensorMapDataType.CU_TENSOR_MAP_DATA_TYPE_FLOAT32, 2, dptr, [cols, rows], [3], [32, 16], [1, 1], 0, 0, 0, 0
    )[0]
    assert err == cu.CUresult.CUDA_ERROR_INVALID_VALUE  # a stride that is not a multiple of 16
    ok(cu.cuMemFree(dptr))


def test_memcpy_batch(context):
    if ok(cu.cuDriverGetVersion()) < 13000:
        pytest.skip("the 13.0 cuMemcpyBatchAsync (no failIdx) needs a CUDA 13 driver")
    n = 4096
    rng = np.random.default_rng(5)
    host = [rng.integers(0, 255, n).astype(np.uint8) for _ in range(2)]
    src = [ok(cu.cuMemAlloc(n)) for _ in range(2)]
    dst = [ok(cu.cuMemAlloc(n)) for _ in range(2)]
    for s, h in zip(src, host):
        ok(cu.cuMemcpyHtoD(s, h, n))
    stream = ok(cu.cuStreamCreate(0))
    attrs = cu.CUmemcpyAttributes()
    attrs.srcAccessOrder = cu.CUmemcpySrcAccessOrder.CU_MEMCPY_SRC_ACCESS_ORDER_STREAM
    ok(cu.cuMemcpyBatchAsync(dst, src, [n, n], 2, [attrs], [0], 1, stream))
    ok(cu.cuStreamSynchronize(stream))
    for d, h in zip(dst, host):
        out = np.zeros(n, np.uint8)
        ok(cu.cuMemcpyDtoH(out, d, n))
        np.testing.assert_array_equal(out, h)
    rattrs = rt.cudaMemcpyAttributes()
    rattrs.srcAccessOrder = rt.cudaMemcpySrcAccessOrder.cudaMemcpySrcAccessOrderStream
    ok(rt.cudaMemcpyBatchAsync([int(dst[0])], [int(src[1])], [n], 1, [rattrs], [0], 1, int(stream)))
    ok(cu.cuStreamSynchronize(stream))
    out = np.zeros(n, np.uint8)
    ok(cu.cuMemcpyDtoH(out, dst[0], n))
    np.testing.assert_array_equal(out, host[1])
    for p in src + dst:
        ok(cu.cuMemFree(p))
    ok(cu.cuStreamDestroy(stream))


def test_export_shareable_handle(context):
    dev, _ = context
    prop = cu.CUmemAllocationProp()
    prop.type = cu.CUmemAllocationType.CU_MEM_ALLOCATION_TYPE_PINNED
    prop.location.type = cu.CUmemLocationType.CU_MEM_LOCATION_TYPE_DEVICE
    prop.location.id = int(dev)
    prop.requestedHandleTypes = cu.CUmemAllocationHandleType.CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR
    gran = ok(
        cu.cuMemGetAllocationGranularity(prop, cu.CUmemAllocationGranularity_flags.CU_MEM_ALLOC_GRANULARITY_MINIMUM)
    )
    handle = ok(cu.cuMemCreate(gran, prop, 0))
    fd = ok(
        cu.cuMemExportToShareableHandle(
            handle, cu.CUmemAllocationHandleType.CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR, 0
        )
    )
    assert isinstance(fd, int) and fd >= 0
    os.close(fd)
    ok(cu.cuMemRelease(handle))
    props = rt.cudaMemPoolProps()
    props.allocType = rt.cudaMemAllocationType.cudaMemAllocationTypePinned
    props.handleTypes = rt.cudaMemAllocationHandleType.cudaMemHandleTypePosixFileDescriptor
    props.location.type = rt.cudaMemLocationType.cudaMemLocationTypeDevice
    props.location.id = int(dev)
    pool = ok(rt.cudaMemPoolCreate(props))
    fd = ok(
        rt.cudaMemPoolExportToShareableHandle(
            pool, rt.cudaMemAllocationHandleType.cudaMemHandleTypePosixFileDescriptor, 0
        )
    )
    assert isinstance(fd, int) and fd >= 0
    os.close(fd)
    ok(rt.cudaMemPoolDestroy(pool))


def test_runtime_helpers_on_a_device(context):
    dev, _ = context
    assert ok(rt.cudaDeviceGetPCIBusId(32, 0)) == ok(cu.cuDeviceGetPCIBusId(32, dev))
    assert ok(rt.getLocalRuntimeVersion()) >= MAJOR * 1000
    pitched = ok(rt.cudaMalloc3D(rt.make_cudaExtent(100, 8, 2)))
    assert pitched.pitch >= 100 and pitched.xsize == 100 and pitched.ysize == 8 and pitched.ptr
    ok(rt.cudaFree(pitched.ptr))
    desc = ok(rt.cudaCreateChannelDesc(32, 0, 0, 0, rt.cudaChannelFormatKind.cudaChannelFormatKindFloat))
    array = ok(rt.cudaMallocArray(desc, 16, 16, 0))
    got = ok(rt.cudaGetChannelDesc(array))
    assert (got.x, got.f) == (32, rt.cudaChannelFormatKind.cudaChannelFormatKindFloat)
    ok(rt.cudaFreeArray(array))
    assert rt.cudaProfilerStart()[0] == rt.cudaError_t.cudaSuccess
    assert rt.cudaProfilerStop()[0] == rt.cudaError_t.cudaSuccess
    err, luid, mask = cu.cuDeviceGetLuid(dev)
    assert err != cu.CUresult.CUDA_SUCCESS or (len(luid) == 8 and isinstance(mask, int))
