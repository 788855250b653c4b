# SPDX-License-Identifier: Apache-2.0
"""Measures the driver calls through whichever cuda.bindings.driver is importable; prints JSON.

Run by driver_calls.py once per stack (ours, NVIDIA's), each in its own process.
argv[1]: path of a cubin holding the kernels of _common.KERNELS (made by driver_calls.py).
"""

import ctypes
import json
import statistics
import sys
import time

t0 = time.perf_counter()
from cuda.bindings import driver as cu  # noqa: E402

IMPORT_MS = (time.perf_counter() - t0) * 1e3

from _common import call_loop, kernel_params  # noqa: E402


def ok(result):
    err, *rest = result
    if err != cu.CUresult.CUDA_SUCCESS:
        raise RuntimeError(repr(err))
    return rest[0] if len(rest) == 1 else rest


def per_call_ns(run, n=100_000, repeat=5):
    """The best of ``repeat`` timings of ``run(n)`` (n calls), in ns per call."""
    run(1)
    best = 1e30
    for _ in range(repeat):
        t = time.perf_counter()
        run(n)
        best = min(best, (time.perf_counter() - t) / n)
    return best * 1e9


def main():
    ok(cu.cuInit(0))
    dev = ok(cu.cuDeviceGet(0))
    ctx = ok(cu.cuDevicePrimaryCtxRetain(dev))
    ok(cu.cuCtxSetCurrent(ctx))
    stream = ok(cu.cuStreamCreate(cu.CUstream_flags.CU_STREAM_NON_BLOCKING))
    event = ok(cu.cuEventCreate(cu.CUevent_flags.CU_EVENT_DISABLE_TIMING))
    attr = cu.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT
    dptr = ok(cu.cuMemAlloc(1 << 20))
    ptr_attr = cu.CUpointer_attribute.CU_POINTER_ATTRIBUTE_MEMORY_TYPE

    def alloc_free(n):
        al, fr, size = cu.cuMemAllocAsync, cu.cuMemFreeAsync, 1 << 20
        for _ in range(n):
            err, p = al(size, stream)
            fr(p, stream)

    # each call written out in a loop with the function and its arguments as locals (call_loop): the
    # loop costs the same in both stacks, and no lambda or attribute lookup is timed with the call
    results = {
        "import_ms": IMPORT_MS,
        "cuCtxGetCurrent": per_call_ns(call_loop(cu.cuCtxGetCurrent)),
        "cuDeviceGetAttribute": per_call_ns(call_loop(cu.cuDeviceGetAttribute, attr, dev)),
        "cuStreamQuery": per_call_ns(call_loop(cu.cuStreamQuery, stream), n=20_000),
        "cuEventRecord": per_call_ns(call_loop(cu.cuEventRecord, event, stream), n=20_000),
        "cuMemAllocAsync+cuMemFreeAsync": per_call_ns(alloc_free, n=20_000),
        "cuPointerGetAttribute": per_call_ns(call_loop(cu.cuPointerGetAttribute, ptr_attr, dptr), n=50_000),
    }
    ok(cu.cuStreamSynchronize(stream))

    with open(sys.argv[1], "rb") as f:
        mod = ok(cu.cuModuleLoadData(f.read()))
    spin = ok(cu.cuModuleGetFunction(mod, b"spin"))
    params = kernel_params(dptr)
    launches = {}
    for n in (0, 4, 16):
        fn = ok(cu.cuModuleGetFunction(mod, f"k{n}".encode()))
        batches = []
        run = call_loop(cu.cuLaunchKernel, fn, 1, 1, 1, 32, 1, 1, 0, stream, params[n], 0)
        for _ in range(25):
            ok(cu.cuLaunchKernel(spin, 1, 1, 1, 1, 1, 1, 0, stream, ((20_000_000,), (ctypes.c_uint64,)), 0))
            t = time.perf_counter()
            run(400)
            batches.append((time.perf_counter() - t) / 400)
            ok(cu.cuStreamSynchronize(stream))
        launches[f"launch_{n}"] = statistics.median(batches) * 1e6
    results.update(launches)
    results["module"] = cu.__file__
    results["version"] = getattr(sys.modules["cuda.bindings"], "__version__", "?")
    print(json.dumps(results))


main()
