# SPDX-License-Identifier: Apache-2.0
"""cuda.bindings.runtime on a real GPU (marked gpu; skips with a reason elsewhere)."""

from __future__ import annotations

import numpy as np
import pytest
from _toolkit import as_in_13

from conftest import runtime_ok as ok
from cuda.bindings import runtime as rt

pytestmark = pytest.mark.gpu


@pytest.fixture(scope="module")
def device():
    err, count = rt.cudaGetDeviceCount()
    if err == rt.cudaError_t.cudaErrorInsufficientDriver or err == rt.cudaError_t.cudaErrorNoDevice or not count:
        pytest.skip(f"no CUDA device: {err!r}")
    ok(rt.cudaSetDevice(0))
    return 0


def test_device_properties(device):
    prop = ok(rt.cudaGetDeviceProperties(device))
    assert prop.name.rstrip(b"\0") and prop.major >= 7 and prop.multiProcessorCount > 0


def test_memory_round_trip_and_streams(device):
    n = 4096
    host = np.random.default_rng(3).standard_normal(n).astype(np.float32)
    dptr = ok(rt.cudaMalloc(host.nbytes))
    stream = ok(rt.cudaStreamCreate())
    ok(rt.cudaMemcpyAsync(dptr, host, host.nbytes, rt.cudaMemcpyKind.cudaMemcpyHostToDevice, stream))
    ok(rt.cudaMemsetAsync(dptr, 0, 16, stream))
    out = np.full(n, np.nan, dtype=np.float32)
    ok(rt.cudaMemcpyAsync(out, dptr, host.nbytes, rt.cudaMemcpyKind.cudaMemcpyDeviceToHost, stream))
    ok(rt.cudaStreamSynchronize(stream))
    expected = host.copy()
    expected[:4] = 0
    np.testing.assert_array_equal(out, expected)
    ok(rt.cudaFree(dptr))
    ok(rt.cudaStreamDestroy(stream))


def test_events_time_a_copy(device):
    start, end = ok(rt.cudaEventCreate()), ok(rt.cudaEventCreate())
    dptr = ok(rt.cudaMalloc(1 << 24))
    ok(rt.cudaEventRecord(start, 0))
    ok(rt.cudaMemset(dptr, 1, 1 << 24))
    ok(rt.cudaEventRecord(end, 0))
    ok(rt.cudaEventSynchronize(end))
    assert ok(rt.cudaEventElapsedTime(start, end)) >= 0
    ok(rt.cudaFree(dptr))


def test_python_stream_callback_and_graph_host_node(device):
    import gc
    import time
    import weakref

    seen = []
    stream = ok(rt.cudaStreamCreate())

    def enqueue():
        ok(rt.cudaStreamAddCallback(stream, lambda s, status, data: seen.append((s, status, data)), "cb", 0))

    enqueue()
    gc.collect()
    ok(rt.cudaStreamSynchronize(stream))
    assert seen == [(stream, rt.cudaError_t.cudaSuccess, "cb")]

    calls = []

    def host(data):
        calls.append(sum(data))

    params = rt.cudaHostNodeParams()
    params.fn = host
    values = np.random.default_rng(5).integers(0, 100, 8).tolist()
    params.userData = values
    graph = ok(rt.cudaGraphCreate(0))
    ok(rt.cudaGraphAddHostNode(graph, None, 0, params))
    wr = weakref.ref(host)
    del host, params
    gc.collect()
    exec_ = ok(rt.cudaGraphInstantiate(graph, 0))
    ok(rt.cudaGraphDestroy(graph))
    ok(rt.cudaGraphLaunch(exec_, stream))
    ok(rt.cudaGraphLaunch(exec_, stream))
    ok(rt.cudaStreamSynchronize(stream))
    assert calls == [sum(values)] * 2
    ok(rt.cudaGraphExecDestroy(exec_))
    deadline = time.monotonic() + 5
    while wr() is not None and time.monotonic() < deadline:
        gc.collect()
        time.sleep(0.01)
    assert wr() is None
    ok(rt.cudaStreamDestroy(stream))


def test_graph_nodes_and_edges(device):
    graph = ok(rt.cudaGraphCreate(0))
    a = ok(rt.cudaGraphAddEmptyNode(graph, None, 0))
    b = ok(rt.cudaGraphAddEmptyNode(graph, [a], 1))
    assert rt.cudaGraphGetNodes(graph) == (rt.cudaError_t.cudaSuccess, [], 2)
    nodes, count = ok(rt.cudaGraphGetNodes(graph, 2))
    assert count == 2 and set(nodes) == {a, b}
    frm, to, edge_data, count = ok(as_in_13(rt, "cudaGraphGetEdges")(graph, 1))
    assert (frm, to, count) == ([a], [b], 1) and len(edge_data) == 1
    assert ok(rt.cudaGraphGetRootNodes(graph, 1)) == ([a], 1)
    ok(rt.cudaGraphDestroy(graph))
