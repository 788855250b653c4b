# SPDX-License-Identifier: Apache-2.0
"""cuda.bindings.driver on a real GPU: results checked against numpy.

Marked gpu: they skip with a reason where there is no driver or no device, and
run on the GPU machine (also under CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM=1).
"""

from __future__ import annotations

import ctypes

import numpy as np
import pytest
from _toolkit import as_in_13

from conftest import driver_ok as ok
from cuda.bindings import driver as cu
from cuda.bindings import nvrtc

pytestmark = pytest.mark.gpu

KERNELS = rb"""
extern "C" __global__ void saxpy(float a, const float* x, float* y, unsigned long long n) {
    unsigned long long i = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x;
    if (i < n) y[i] = a * x[i] + y[i];
}
extern "C" __global__ void fill_ones(int* out) { out[threadIdx.x] = 1; }
extern "C" __global__ void mixed(const double* a, int* b, float c, long long d, double e, unsigned char f, float* out) {
    out[0] = (float)(a[0] + b[0] + c + d + e + f);
}
"""


@pytest.fixture(scope="module")
def module(context):
    dev, _ = context
    major = ok(cu.cuDeviceGetAttribute(cu.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev))
    minor = ok(cu.cuDeviceGetAttribute(cu.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev))
    err, prog = nvrtc.nvrtcCreateProgram(KERNELS, b"k.cu", 0, [], [])
    arch = f"-arch=sm_{major}{minor}".encode()
    assert nvrtc.nvrtcCompileProgram(prog, 1, [arch])[0] == nvrtc.nvrtcResult.NVRTC_SUCCESS
    err, size = nvrtc.nvrtcGetCUBINSize(prog)
    cubin = bytearray(size)
    nvrtc.nvrtcGetCUBIN(prog, cubin)
    err, size = nvrtc.nvrtcGetPTXSize(prog)
    ptx = bytearray(size)
    nvrtc.nvrtcGetPTX(prog, ptx)
    mod = ok(cu.cuModuleLoadData(bytes(cubin)))
    yield mod, bytes(ptx)
    ok(cu.cuModuleUnload(mod))


def test_device_queries(context):
    dev, _ = context
    assert isinstance(dev, cu.CUdevice) and int(dev) == 0
    name = ok(cu.cuDeviceGetName(256, dev))
    assert isinstance(name, bytes) and name.rstrip(b"\0") and b"\0" not in name.rstrip(b"\0")
    assert ok(cu.cuDeviceTotalMem(dev)) > 1 << 30
    cc = ok(cu.cuDeviceGetAttribute(cu.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev))
    assert cc >= 7
    version = ok(cu.cuDriverGetVersion())
    assert version >= 12000
    uuid = ok(cu.cuDeviceGetUuid(dev))
    assert len(uuid.bytes) == 16 and any(uuid.bytes)


def test_context_current(context):
    dev, ctx = context
    current = ok(cu.cuCtxGetCurrent())
    assert current == ctx and int(current) != 0 and hash(current) == hash(ctx)
    assert int(ok(cu.cuCtxGetDevice())) == int(dev)
    assert ok(cu.cuCtxGetApiVersion(ctx)) >= 3020


def test_memory_sync_copies_and_memset(context):
    n = 1 << 16
    host = np.random.default_rng(1).standard_normal(n).astype(np.float32)
    dptr = ok(cu.cuMemAlloc(host.nbytes))
    try:
        ok(cu.cuMemcpyHtoD(dptr, host, host.nbytes))
        back = np.full_like(host, np.nan)
        ok(cu.cuMemcpyDtoH(back, dptr, host.nbytes))
        np.testing.assert_array_equal(back, host)
        ok(cu.cuMemsetD32(dptr, 0x3F800000, n // 2))  # 1.0f in the first half
        ok(cu.cuMemcpyDtoH(back, dptr, host.nbytes))
        np.testing.assert_array_equal(back[: n // 2], 1.0)
        np.testing.assert_array_equal(back[n // 2 :], host[n // 2 :])
        free, total = ok(cu.cuMemGetInfo())
        assert 0 < free <= total
        assert ok(cu.cuPointerGetAttribute(cu.CUpointer_attribute.CU_POINTER_ATTRIBUTE_MEMORY_TYPE, dptr)) == (
            cu.CUmemorytype.CU_MEMORYTYPE_DEVICE
        )
        assert int(
            ok(cu.cuPointerGetAttribute(cu.CUpointer_attribute.CU_POINTER_ATTRIBUTE_DEVICE_POINTER, dptr))
        ) == int(dptr)
    finally:
        ok(cu.cuMemFree(dptr))


def test_memory_async_pinned_and_pool(context):
    dev, _ = context
    stream = ok(cu.cuStreamCreate(cu.CUstream_flags.CU_STREAM_NON_BLOCKING))
    n = 4096
    pinned = ok(cu.cuMemAllocHost(n * 4))
    host = np.ctypeslib.as_array(ctypes.cast(pinned, ctypes.POINTER(ctypes.c_int32)), (n,))
    host[:] = np.arange(n, dtype=np.int32) * 3
    pool = ok(cu.cuDeviceGetDefaultMemPool(dev))
    dptr = ok(cu.cuMemAllocFromPoolAsync(n * 4, pool, stream))
    ok(cu.cuMemcpyHtoDAsync(dptr, pinned, n * 4, stream))
    ok(cu.cuMemsetD32Async(dptr, 7, 16, stream))
    out = np.full(n, -1, dtype=np.int32)
    ok(cu.cuMemcpyDtoHAsync(out, dptr, n * 4, stream))
    ok(cu.cuMemFreeAsync(dptr, stream))
    ok(cu.cuStreamSynchronize(stream))
    expected = np.arange(n, dtype=np.int32) * 3
    expected[:16] = 7
    np.testing.assert_array_equal(out, expected)
    assert ok(cu.cuStreamQuery(stream)) is None
    ok(cu.cuMemFreeHost(pinned))
    ok(cu.cuStreamDestroy(stream))
    attr = cu.CUmemPool_attribute.CU_MEMPOOL_ATTR_RELEASE_THRESHOLD
    ok(cu.cuMemPoolSetAttribute(pool, attr, 1 << 20))
    assert ok(cu.cuMemPoolGetAttribute(pool, attr)) == 1 << 20


def test_managed_memory(context):
    n = 1024
    dptr = ok(cu.cuMemAllocManaged(n * 4, cu.CUmemAttach_flags.CU_MEM_ATTACH_GLOBAL))
    ok(cu.cuMemsetD32(dptr, 5, n))
    ok(cu.cuCtxSynchronize())
    view = np.ctypeslib.as_array(ctypes.cast(int(dptr), ctypes.POINTER(ctypes.c_int32)), (n,))
    np.testing.assert_array_equal(view, 5)
    ok(cu.cuMemFree(dptr))


def _saxpy_args(n):
    rng = np.random.default_rng(2)
    x, y = rng.standard_normal(n).astype(np.float32), rng.standard_normal(n).astype(np.float32)
    dx, dy = ok(cu.cuMemAlloc(x.nbytes)), ok(cu.cuMemAlloc(y.nbytes))
    ok(cu.cuMemcpyHtoD(dx, x, x.nbytes))
    ok(cu.cuMemcpyHtoD(dy, y, y.nbytes))
    return x, y, dx, dy


@pytest.mark.parametrize("form", ["ctypes_types", "none_types", "address"])
def test_launch_kernel_params_forms(module, form):
    mod, _ = module
    fn = ok(cu.cuModuleGetFunction(mod, b"saxpy"))
    n = 10000
    x, y, dx, dy = _saxpy_args(n)
    a = np.float32(2.5)
    if form == "ctypes_types":
        params = ((2.5, dx, dy, n), (ctypes.c_float, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_ulonglong))
    elif form == "none_types":
        params = ((2.5, dx, dy, n), (ctypes.c_float, None, None, ctypes.c_ulonglong))
    else:  # a ready void*[] built with ctypes
        values = [ctypes.c_float(2.5), ctypes.c_void_p(int(dx)), ctypes.c_void_p(int(dy)), ctypes.c_ulonglong(n)]
        array = (ctypes.c_void_p * 4)(*[ctypes.addressof(v) for v in values])
        params = ctypes.addressof(array)
    ok(cu.cuLaunchKernel(fn, (n + 255) // 256, 1, 1, 256, 1, 1, 0, 0, params, 0))
    ok(cu.cuCtxSynchronize())
    out = np.full(n, np.nan, dtype=np.float32)
    ok(cu.cuMemcpyDtoH(out, dy, out.nbytes))
    np.testing.assert_allclose(out, a * x + y, rtol=1e-5, atol=1e-6)  # the GPU fuses a*x+y
    cu.cuMemFree(dx)
    cu.cuMemFree(dy)


def test_launch_many_argument_types(module):
    mod, _ = module
    fn = ok(cu.cuModuleGetFunction(mod, b"mixed"))
    da, db, dout = ok(cu.cuMemAlloc(8)), ok(cu.cuMemAlloc(4)), ok(cu.cuMemAlloc(4))
    ok(cu.cuMemcpyHtoD(da, np.array([1.5]), 8))
    ok(cu.cuMemcpyHtoD(db, np.array([2], dtype=np.int32), 4))
    types = (None, None, ctypes.c_float, ctypes.c_longlong, ctypes.c_double, ctypes.c_ubyte, None)
    ok(cu.cuLaunchKernel(fn, 1, 1, 1, 1, 1, 1, 0, None, ((da, db, 0.25, -4, 10.0, 200, dout), types), None))
    out = np.zeros(1, dtype=np.float32)
    ok(cu.cuMemcpyDtoH(out, dout, 4))
    assert out[0] == pytest.approx(1.5 + 2 + 0.25 - 4 + 10.0 + 200)
    for d in (da, db, dout):
        cu.cuMemFree(d)


def test_module_from_ptx_and_no_argument_kernel_params(context, module):
    _, ptx = module
    mod = ok(cu.cuModuleLoadData(ptx))
    fn = ok(cu.cuModuleGetFunction(mod, b"fill_ones"))
    out = ok(cu.cuMemAlloc(32 * 4))
    ok(cu.cuMemsetD32(out, 0, 32))
    ok(cu.cuLaunchKernel(fn, 1, 1, 1, 32, 1, 1, 0, cu.CU_STREAM_LEGACY, ((out,), (None,)), None))
    host = np.zeros(32, dtype=np.int32)
    ok(cu.cuMemcpyDtoH(host, out, host.nbytes))
    np.testing.assert_array_equal(host, 1)
    assert ok(cu.cuFuncGetAttribute(cu.CUfunction_attribute.CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, fn)) >= 32
    blocks = ok(cu.cuOccupancyMaxActiveBlocksPerMultiprocessor(fn, 128, 0))
    assert blocks >= 1
    cu.cuMemFree(out)
    ok(cu.cuModuleUnload(mod))


def test_events_and_timing(module):
    mod, _ = module
    fn = ok(cu.cuModuleGetFunction(mod, b"saxpy"))
    n = 1 << 20
    x, y, dx, dy = _saxpy_args(n)
    stream = ok(cu.cuStreamCreate(0))
    start, end = ok(cu.cuEventCreate(0)), ok(cu.cuEventCreate(0))
    ok(cu.cuEventRecord(start, stream))
    for _ in range(10):
        ok(cu.cuLaunchKernel(fn, n // 256, 1, 1, 256, 1, 1, 0, stream,
                             ((1.0, dx, dy, n), (ctypes.c_float, None, None, ctypes.c_uint64)), None))  # fmt: skip
    ok(cu.cuEventRecord(end, stream))
    ok(cu.cuEventSynchronize(end))
    ms = ok(cu.cuEventElapsedTime(start, end))
    assert 0 < ms < 10_000
    out = np.empty(n, dtype=np.float32)
    ok(cu.cuMemcpyDtoH(out, dy, out.nbytes))
    np.testing.assert_allclose(out, y + 10 * x, rtol=1e-5, atol=1e-5)
    for e in (start, end):
        ok(cu.cuEventDestroy(e))
    ok(cu.cuStreamDestroy(stream))


def test_stream_capture_and_graph(module):
    mod, _ = module
    fn = ok(cu.cuModuleGetFunction(mod, b"saxpy"))
    n = 4096
    x, y, dx, dy = _saxpy_args(n)
    stream = ok(cu.cuStreamCreate(cu.CUstream_flags.CU_STREAM_NON_BLOCKING))
    ok(cu.cuStreamBeginCapture(stream, cu.CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_GLOBAL))
    params = ((2.0, dx, dy, n), (ctypes.c_float, None, None, ctypes.c_uint64))
    ok(cu.cuLaunchKernel(fn, n // 256, 1, 1, 256, 1, 1, 0, stream, params, None))
    graph = ok(cu.cuStreamEndCapture(stream))
    exec_ = ok(cu.cuGraphInstantiate(graph, 0))
    for _ in range(3):
        ok(cu.cuGraphLaunch(exec_, stream))
    ok(cu.cuStreamSynchronize(stream))
    out = np.empty(n, dtype=np.float32)
    ok(cu.cuMemcpyDtoH(out, dy, out.nbytes))
    np.testing.assert_allclose(out, y + 6 * x, rtol=1e-5, atol=1e-5)
    ok(cu.cuGraphExecDestroy(exec_))
    ok(cu.cuGraphDestroy(graph))
    ok(cu.cuStreamDestroy(stream))


def test_host_function_with_a_ctypes_callback(context):
    calls = []

    @ctypes.CFUNCTYPE(None, ctypes.c_void_p)
    def host_fn(user_data):
        calls.append(user_data)

    stream = ok(cu.cuStreamCreate(0))
    ok(cu.cuLaunchHostFunc(stream, ctypes.cast(host_fn, ctypes.c_void_p).value, 42))
    ok(cu.cuStreamSynchronize(stream))
    assert calls == [42]
    ok(cu.cuStreamDestroy(stream))


def test_peer_access(context):
    count = ok(cu.cuDeviceGetCount())
    if count < 2:
        pytest.skip(f"peer access needs two GPUs; this machine has {count}")
    d0, d1 = ok(cu.cuDeviceGet(0)), ok(cu.cuDeviceGet(1))
    assert ok(cu.cuDeviceCanAccessPeer(d0, d1)) in (0, 1)


def test_errors_carry_names(context):
    err, dev = cu.cuDeviceGet(10**6)  # (a bogus context handle would be undefined behaviour, in C too)
    assert err == cu.CUresult.CUDA_ERROR_INVALID_DEVICE and dev is None
    assert cu.cuGetErrorName(cu.CUresult.CUDA_ERROR_INVALID_VALUE) == (
        cu.CUresult.CUDA_SUCCESS,
        b"CUDA_ERROR_INVALID_VALUE",
    )
    err, text = cu.cuGetErrorString(cu.CUresult.CUDA_ERROR_OUT_OF_MEMORY)
    assert b"out of memory" in text
    ok(cu.cuCtxSetCurrent(context[1]))


PTDS_CHILD = r"""
import ctypes, sys, threading
from cuda.bindings import driver as cu, nvrtc
cu.cuInit(0)
err, dev = cu.cuDeviceGet(0)
err, ctx = cu.cuDevicePrimaryCtxRetain(dev)
cu.cuCtxSetCurrent(ctx)
major = cu.cuDeviceGetAttribute(cu.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev)[1]
minor = cu.cuDeviceGetAttribute(cu.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev)[1]
src = (b'extern "C" __global__ void spin(unsigned long long n) '
       b'{ unsigned long long t = clock64(); while (clock64() - t < n) { } }')
err, prog = nvrtc.nvrtcCreateProgram(src, b"spin.cu", 0, [], [])
nvrtc.nvrtcCompileProgram(prog, 1, [f"-arch=sm_{major}{minor}".encode()])
err, size = nvrtc.nvrtcGetCUBINSize(prog)
cubin = bytearray(size)
nvrtc.nvrtcGetCUBIN(prog, cubin)
err, mod = cu.cuModuleLoadData(bytes(cubin))
err, spin = cu.cuModuleGetFunction(mod, b"spin")
cu.cuLaunchKernel(spin, 1, 1, 1, 1, 1, 1, 0, 0, ((2_000_000_000,), (ctypes.c_uint64,)), 0)  # the default stream
seen = []
def other():
    cu.cuCtxSetCurrent(ctx)
    seen.append(cu.cuStreamQuery(0)[0])
t = threading.Thread(target=other)
t.start(); t.join()
cu.cuCtxSynchronize()
print(int(seen[0]))
"""


@pytest.mark.parametrize("ptds", ["0", "1"])
def test_per_thread_default_stream_flag(context, ptds):
    """With the flag, another thread's default stream is its own: idle while this thread's spins."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM=ptds)
    out = subprocess.run([sys.executable, "-c", PTDS_CHILD], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    status = int(out.stdout.strip().splitlines()[-1])
    if ptds == "1":
        assert status == cu.CUresult.CUDA_SUCCESS
    else:
        assert status == cu.CUresult.CUDA_ERROR_NOT_READY  # the legacy stream is shared by all threads


def test_graph_built_node_by_node(module):
    """Two kernel nodes, the second depending on the first, through the array arguments."""
    mod, _ = module
    fn = ok(cu.cuModuleGetFunction(mod, b"saxpy"))
    n = 2048
    x, y, dx, dy = _saxpy_args(n)
    a, count = ctypes.c_float(1.0), ctypes.c_uint64(n)
    px, py = ctypes.c_void_p(int(dx)), ctypes.c_void_p(int(dy))
    args = (ctypes.c_void_p * 4)(*[ctypes.addressof(v) for v in (a, px, py, count)])
    params = cu.CUDA_KERNEL_NODE_PARAMS()
    params.func = fn
    params.gridDimX, params.gridDimY, params.gridDimZ = n // 256, 1, 1
    params.blockDimX, params.blockDimY, params.blockDimZ = 256, 1, 1
    params.kernelParams = ctypes.addressof(args)
    graph = ok(cu.cuGraphCreate(0))
    first = ok(cu.cuGraphAddKernelNode(graph, None, 0, params))
    second = ok(cu.cuGraphAddKernelNode(graph, [first], 1, params))
    third = ok(cu.cuGraphAddEmptyNode(graph, [first, second], 2))
    assert int(third) != 0
    exec_ = ok(cu.cuGraphInstantiate(graph, 0))
    ok(cu.cuGraphLaunch(exec_, 0))
    ok(cu.cuCtxSynchronize())
    out = np.empty(n, dtype=np.float32)
    ok(cu.cuMemcpyDtoH(out, dy, out.nbytes))
    np.testing.assert_allclose(out, y + 2 * x, rtol=1e-5, atol=1e-6)
    ok(cu.cuGraphExecDestroy(exec_))
    ok(cu.cuGraphDestroy(graph))


def _wait_until(predicate, seconds=5.0):
    import time

    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.01)
    return predicate()


def test_python_stream_callback_and_host_function(context):
    """Python callables enqueued behind a blocked stream run after the caller dropped them."""
    import gc
    import threading

    rng = np.random.default_rng(11)
    src = rng.standard_normal(4096).astype(np.float32)
    out = np.full_like(src, np.nan)  # poisoned: the callback must see the copied values
    stream = ok(cu.cuStreamCreate(0))
    dptr = ok(cu.cuMemAlloc(src.nbytes))
    gate, seen = threading.Event(), []

    def enqueue():  # every reference to the callables lives in this frame only
        # (copies from and to pageable memory wait for the stream: before the gate)
        ok(cu.cuMemcpyHtoDAsync(dptr, src, src.nbytes, stream))
        ok(cu.cuMemcpyDtoHAsync(out, dptr, src.nbytes, stream))
        ok(cu.cuLaunchHostFunc(stream, lambda ev: ev.wait(10), gate))  # holds the stream until set
        ok(cu.cuStreamAddCallback(stream, lambda s, status, arr: seen.append((s, status, float(arr.sum()))), out, 0))
        ok(cu.cuLaunchHostFunc(stream, lambda data: seen.append(data), ("done", 7)))

    enqueue()
    gc.collect()
    assert seen == []
    gate.set()
    ok(cu.cuStreamSynchronize(stream))
    assert len(seen) == 2 and seen[1] == ("done", 7)
    s, status, total = seen[0]
    assert s == stream and status == cu.CUresult.CUDA_SUCCESS
    assert total == pytest.approx(float(src.sum()), rel=1e-5)
    np.testing.assert_array_equal(out, src)
    ok(cu.cuMemFree(dptr))
    ok(cu.cuStreamDestroy(stream))


def test_graph_host_node_runs_a_python_callable(context):
    """The graph, then its instantiation, keep the callable; it is freed after both are destroyed."""
    import gc
    import weakref

    calls = []

    class Counter:
        def __call__(self, data):
            calls.append(data["value"] * 2)

    stream = ok(cu.cuStreamCreate(0))
    graph = ok(cu.cuGraphCreate(0))
    fn = Counter()
    params = cu.CUDA_HOST_NODE_PARAMS()
    params.fn = fn
    params.userData = {"value": 21}
    first = ok(cu.cuGraphAddHostNode(graph, None, 0, params))
    np_ = cu.CUgraphNodeParams()
    np_.type = cu.CUgraphNodeType.CU_GRAPH_NODE_TYPE_HOST
    np_.host.fn = fn
    np_.host.userData = {"value": 50}
    ok(as_in_13(cu, "cuGraphAddNode")(graph, [first], None, 1, np_))
    wr = weakref.ref(fn)
    del fn, params, np_
    gc.collect()
    exec_ = ok(cu.cuGraphInstantiate(graph, 0))
    ok(cu.cuGraphDestroy(graph))
    gc.collect()
    assert wr() is not None
    for _ in range(3):
        ok(cu.cuGraphLaunch(exec_, stream))
    ok(cu.cuStreamSynchronize(stream))
    assert calls == [42, 100] * 3
    ok(cu.cuGraphExecDestroy(exec_))
    assert _wait_until(lambda: gc.collect() is not None and wr() is None), "the user object's destructor ran"
    ok(cu.cuStreamDestroy(stream))


def test_graph_queries_return_lists(context):
    """a -> b, a -> c: nodes, roots, edges, dependencies and dependents, with the count as input."""
    graph = ok(cu.cuGraphCreate(0))
    a = ok(cu.cuGraphAddEmptyNode(graph, None, 0))
    b = ok(cu.cuGraphAddEmptyNode(graph, [a], 1))
    c = ok(cu.cuGraphAddEmptyNode(graph, [a], 1))
    assert cu.cuGraphGetNodes(graph) == (cu.CUresult.CUDA_SUCCESS, [], 3)  # the count only
    nodes, count = ok(cu.cuGraphGetNodes(graph, 3))
    assert count == 3 and set(nodes) == {a, b, c} and all(type(n) is cu.CUgraphNode for n in nodes)
    nodes, count = ok(cu.cuGraphGetNodes(graph, 5))  # more than there are: NULL entries after them
    assert count == 3 and len(nodes) == 5 and set(nodes[:3]) == {a, b, c} and [int(n) for n in nodes[3:]] == [0, 0]
    assert ok(cu.cuGraphGetRootNodes(graph, 1)) == ([a], 1)
    frm, to, edge_data, count = ok(as_in_13(cu, "cuGraphGetEdges")(graph, 2))
    assert count == 2 and frm == [a, a] and set(to) == {b, c}
    assert len(edge_data) == 2 and all(type(e) is cu.CUgraphEdgeData_st and e.type == 0 for e in edge_data)
    deps, edge_data, count = ok(as_in_13(cu, "cuGraphNodeGetDependencies")(b, 1))
    assert deps == [a] and count == 1 and len(edge_data) == 1
    dependents, _, count = ok(as_in_13(cu, "cuGraphNodeGetDependentNodes")(a, 2))
    assert count == 2 and set(dependents) == {b, c}
    assert ok(as_in_13(cu, "cuGraphNodeGetDependentNodes")(b)) == ([], [], 0)
    ok(cu.cuGraphDestroy(graph))


def test_launch_kernel_ex_with_attribute_list(module):
    mod, _ = module
    fn = ok(cu.cuModuleGetFunction(mod, b"fill_ones"))
    out = ok(cu.cuMemAlloc(64 * 4))
    ok(cu.cuMemsetD32(out, 0, 64))
    stream = ok(cu.cuStreamCreate(0))
    config = cu.CUlaunchConfig()
    config.gridDimX = config.gridDimY = config.gridDimZ = 1
    config.blockDimX, config.blockDimY, config.blockDimZ = 64, 1, 1
    config.hStream = stream
    attr = cu.CUlaunchAttribute()
    attr.id = cu.CUlaunchAttributeID.CU_LAUNCH_ATTRIBUTE_PRIORITY
    attr.value.priority = 0
    config.attrs = [attr]
    assert config.numAttrs == 1
    ok(cu.cuLaunchKernelEx(config, fn, ((out,), (None,)), None))
    host = np.full(64, -7, dtype=np.int32)
    ok(cu.cuStreamSynchronize(stream))
    ok(cu.cuMemcpyDtoH(host, out, host.nbytes))
    np.testing.assert_array_equal(host, 1)
    ok(cu.cuMemFree(out))
    ok(cu.cuStreamDestroy(stream))


def test_enumerate_module_functions_and_library_kernels(module):
    mod, ptx = module
    count = ok(cu.cuModuleGetFunctionCount(mod))
    assert count == 3  # saxpy, fill_ones, mixed
    functions = ok(cu.cuModuleEnumerateFunctions(count, mod))
    assert len(functions) == 3 and all(isinstance(f, cu.CUfunction) and int(f) for f in functions)
    names = {ok(cu.cuFuncGetName(f)) for f in functions}
    assert names == {b"saxpy", b"fill_ones", b"mixed"}
    lib = ok(cu.cuLibraryLoadData(ptx, [], [], 0, [], [], 0))
    try:
        n = ok(cu.cuLibraryGetKernelCount(lib))
        kernels = ok(cu.cuLibraryEnumerateKernels(n, lib))
        assert n == 3 and len(kernels) == 3 and all(isinstance(k, cu.CUkernel) and int(k) for k in kernels)
        assert {ok(cu.cuKernelGetName(k)) for k in kernels} == {b"saxpy", b"fill_ones", b"mixed"}
    finally:
        ok(cu.cuLibraryUnload(lib))
