# SPDX-License-Identifier: Apache-2.0
"""How far each binding's driver calls are from C, and from the least any Python binding can cost.

    python -m benchmarks.driver_floor --ours-path SITE [--theirs-path DIR] [--rounds 3] [--json FILE]

driver_calls.py compares each stack with a C twin in another process. Here everything runs in one
process per stack (ours with SITE first on PYTHONPATH, NVIDIA's without it), in interleaved
batches: the calls from a C loop, the same calls through the floor (benchmarks/_driver_floor.pyx:
a Cython function of the binding's shape that takes ints, converts and checks nothing, keeps or
releases the GIL as DESIGN.md asks, and returns the binding's tuple) and through the stack's
binding. Calls: those of driver_calls.py (cuCtxGetCurrent, cuDeviceGetAttribute, cuStreamQuery,
cuEventRecord, cuMemAllocAsync + cuMemFreeAsync of 1 MiB, cuPointerGetAttribute) and
cuLaunchKernel with 0, 4 and 16 arguments (queued behind a spin kernel; the floor is of 0 arguments
only), each call written out with its arguments named (_common.call_loop). In each round every
figure is the median of 25 interleaved batches; the table shows the median over rounds of the
differences within a round. Floor above C is what any Python binding pays on this machine; above
the floor is the binding's own work.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import sys
import tempfile

from benchmarks._common import add_theirs_args, build_pyx, machine, make_cubin, run_child, theirs_path

HERE = pathlib.Path(__file__).resolve().parent

CHILD = r"""
import ctypes, json, statistics, sys, time
from cuda.bindings import driver as cu
import _driver_floor as floor
from _common import call_loop, kernel_params

def ok(result):
    assert result[0] == 0, result
    return result[1] if len(result) == 2 else None

ok(cu.cuInit(0))
dev = ok(cu.cuDeviceGet(0))
ok(cu.cuCtxSetCurrent(ok(cu.cuDevicePrimaryCtxRetain(dev))))
stream = ok(cu.cuStreamCreate(cu.CUstream_flags.CU_STREAM_NON_BLOCKING))
# the pool keeps its memory across the synchronizations between batches: with the default release
# threshold (0) each batch's first allocation maps memory again, which all ways pay alike but which
# varies by hundreds of ns per call, more than the differences measured
pool = ok(cu.cuDeviceGetDefaultMemPool(dev))
ok(cu.cuMemPoolSetAttribute(pool, cu.CUmemPool_attribute.CU_MEMPOOL_ATTR_RELEASE_THRESHOLD, cu.cuuint64_t(2**64 - 1)))
event = ok(cu.cuEventCreate(cu.CUevent_flags.CU_EVENT_DISABLE_TIMING))
dptr = ok(cu.cuMemAlloc(1 << 20))
with open(sys.argv[1], "rb") as f:
    mod = ok(cu.cuModuleLoadData(f.read()))
spin = ok(cu.cuModuleGetFunction(mod, b"spin"))
kernels = {n: ok(cu.cuModuleGetFunction(mod, f"k{n}".encode())) for n in (0, 4, 16)}
floor.prepare()
attr = cu.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT
ptr_attr = cu.CUpointer_attribute.CU_POINTER_ATTRIBUTE_MEMORY_TYPE
a, d, h, e, p, pa = int(attr), int(dev), int(stream), int(event), int(dptr), int(ptr_attr)
size = 1 << 20
spin_args = ((20_000_000,), (ctypes.c_uint64,))

# the kernels' arguments as the binding takes them, (values, ctypes types), and packed for the C loop
params = kernel_params(dptr)
packed = {0: 0}
keep = []
for n in (4, 16):
    values = [t(int(v) if t is ctypes.c_void_p else v) for v, t in zip(*params[n])]
    array = (ctypes.c_void_p * n)(*[ctypes.addressof(v) for v in values])
    keep += [values, array]
    packed[n] = ctypes.addressof(array)

def alloc_binding(n):
    al, fr = cu.cuMemAllocAsync, cu.cuMemFreeAsync
    for _ in range(n):
        err, ptr = al(size, stream)
        fr(ptr, stream)

def alloc_floor(n):
    al, fr = floor.alloc, floor.free
    for _ in range(n):
        err, ptr = al(size, h)
        fr(ptr, h)

def launch_ways(k):
    f = kernels[k]
    ways = {
        "C": lambda n: floor.c_launch(int(f), h, packed[k], n),
        "binding": call_loop(cu.cuLaunchKernel, f, 1, 1, 1, 32, 1, 1, 0, stream, params[k], 0),
    }
    if k == 0:  # the floor passes no arguments: it is the floor of a 0-argument launch only
        ways["floor"] = call_loop(floor.launch, int(f), 1, 1, 1, 32, 1, 1, 0, h, None, 0)
    return ways

callers = {
    "ctx": {"C": floor.c_ctx, "floor": call_loop(floor.ctx), "binding": call_loop(cu.cuCtxGetCurrent)},
    "attr": {"C": lambda n: floor.c_attr(a, d, n), "floor": call_loop(floor.attr, a, d),
             "binding": call_loop(cu.cuDeviceGetAttribute, attr, dev)},
    "query": {"C": lambda n: floor.c_query(h, n), "floor": call_loop(floor.query, h),
              "binding": call_loop(cu.cuStreamQuery, stream)},
    "record": {"C": lambda n: floor.c_record(e, h, n), "floor": call_loop(floor.record, e, h),
               "binding": call_loop(cu.cuEventRecord, event, stream)},
    "alloc": {"C": lambda n: floor.c_alloc_free(size, h, n), "floor": alloc_floor, "binding": alloc_binding},
    "ptr_attr": {"C": lambda n: floor.c_ptr_attr(pa, p, n), "floor": call_loop(floor.ptr_attr, pa, p),
                 "binding": call_loop(cu.cuPointerGetAttribute, ptr_attr, dptr)},
    "launch_0": launch_ways(0),
    "launch_4": launch_ways(4),
    "launch_16": launch_ways(16),
}
N = {"ctx": 4000, "attr": 4000, "query": 2000, "record": 2000, "alloc": 400, "ptr_attr": 2000}
samples = {f"{c}/{w}": [] for c in callers for w in callers[c]}
for _ in range(25):
    for call, ways in callers.items():
        launching = call.startswith("launch")
        n = 400 if launching else N[call]
        for way, run in ways.items():
            if launching:  # queued behind a spin kernel: the launches are timed, not the GPU
                cu.cuLaunchKernel(spin, 1, 1, 1, 1, 1, 1, 0, stream, spin_args, 0)
            t = time.perf_counter()
            run(n)
            samples[f"{call}/{way}"].append((time.perf_counter() - t) / n * 1e9)
            ok(cu.cuStreamSynchronize(stream))
out = {k: statistics.median(v) for k, v in samples.items()}
out["module"] = cu.__file__
print(json.dumps(out))
"""

CALLS = {
    "ctx": "cuCtxGetCurrent",
    "attr": "cuDeviceGetAttribute",
    "query": "cuStreamQuery",
    "record": "cuEventRecord",
    "alloc": "cuMemAllocAsync + cuMemFreeAsync (GIL released)",
    "ptr_attr": "cuPointerGetAttribute",
    "launch_0": "cuLaunchKernel, 0 arguments (GIL released)",
    "launch_4": "cuLaunchKernel, 4 arguments (GIL released)",
    "launch_16": "cuLaunchKernel, 16 arguments (GIL released)",
}


def table(runs: dict) -> list[str]:
    """Per call, the medians over rounds of the differences within a round, in ns; calls a JSON of
    an older version of this script lacks are left out, and a call without a floor shows none."""

    def diffs(stack: str, key: str, base: str) -> list[float]:
        return [r[key] - r[base] for r in runs[stack]]

    def med(stack: str, key: str, base: str) -> float:
        return statistics.median(diffs(stack, key, base))

    lines = [
        "| call (ns) | floor above C | NVIDIA above C | ours above C | ours/NVIDIA above C | rounds with ours <= half "
        "| NVIDIA above floor | ours above floor | ours/NVIDIA above floor |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    first = runs["ours"][0]
    for call, label in CALLS.items():
        c, fl, b = f"{call}/C", f"{call}/floor", f"{call}/binding"
        if b not in first:
            continue
        t, o = med("NVIDIA", b, c), med("ours", b, c)
        half = sum(ours <= theirs / 2 for ours, theirs in zip(diffs("ours", b, c), diffs("NVIDIA", b, c)))
        row = f"| {label} | {{floor}} | {t:.0f} | {o:.0f} | {o / t:.2f} | {half} of {len(runs['ours'])} | {{rest}} |"
        if fl in first:
            floor_c = statistics.median([med("ours", fl, c), med("NVIDIA", fl, c)])
            tf, of = med("NVIDIA", b, fl), med("ours", b, fl)
            lines.append(row.format(floor=f"{floor_c:.0f}", rest=f"{tf:.0f} | {of:.0f} | {of / tf:.2f}"))
        else:
            lines.append(row.format(floor="", rest=" | | "))
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ours-path")
    add_theirs_args(ap, python=False)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json")
    ap.add_argument("--report", help="print the table again from a JSON this script wrote")
    args = ap.parse_args()
    if args.report:
        with open(args.report) as f:
            print("\n".join(table(json.load(f)["runs"])))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        build_pyx("_driver_floor", tmp)
        cubin = os.path.join(tmp, "bench.cubin")
        make_cubin(cubin)
        # the child imports _driver_floor (built in tmp) and _common (here)
        helpers = os.pathsep.join([tmp, str(HERE)])
        stacks = {"ours": os.pathsep.join([args.ours_path, helpers]), "NVIDIA": theirs_path(args, helpers)}
        runs = {name: [] for name in stacks}
        for _ in range(args.rounds):
            for name, path in stacks.items():
                runs[name].append(run_child(CHILD, path, cubin))
    print(f"# driver calls beside C loops and the floor of a Python binding, in the same process, {machine()}")
    print(f"# ours: {runs['ours'][0]['module']}; NVIDIA: {runs['NVIDIA'][0]['module']}")
    print(f"# {args.rounds} alternating rounds; in each, every figure is the median of 25 interleaved batches;")
    print("# shown: the median over rounds of the difference within a round (ns per call)")
    print("\n".join(table(runs)))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"runs": runs}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
