"""cuda.bindings.runtime on a real GPU (marked gpu; skips with a reason elsewhere)."""

from __future__ import annotations

import numpy as np
import pytest

from cuda.bindings import runtime as rt

pytestmark = pytest.mark.gpu


def ok(result):
    err, *rest = result
    assert err == rt.cudaError_t.cudaSuccess, repr(err)
    return rest[0] if len(rest) == 1 else tuple(rest) if rest else None


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
