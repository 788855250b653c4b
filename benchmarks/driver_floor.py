"""How far each binding's driver calls are from C, and from the least any Python binding can cost.

    python benchmarks/driver_floor.py --ours-path SITE [--rounds 3] [--json FILE]

driver_calls.py compares each stack with a C twin in another process. Here everything runs in one
process per stack (ours with SITE first on PYTHONPATH, NVIDIA's without it), in interleaved
batches: the calls from a C loop, the same calls through the floor (benchmarks/_driver_floor.pyx:
a Cython function of the binding's shape that takes ints, converts and checks nothing, keeps or
releases the GIL as DESIGN.md asks, and returns the binding's tuple) and through the stack's
binding. Calls: cuDeviceGetAttribute (GIL held), cuMemAllocAsync + cuMemFreeAsync of 1 MiB
(GIL released) and cuLaunchKernel with no arguments (GIL released, queued behind a spin kernel).
In each round every figure is the median of 25 interleaved batches; the table shows the median
over rounds of the differences within a round. Floor above C is what any Python binding pays on
this machine; above the floor is the binding's own work.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import build_pyx, machine, make_cubin, run_child  # noqa: E402

CHILD = r"""
import ctypes, json, statistics, sys, time
from cuda.bindings import driver as cu
import _driver_floor as floor

def ok(result):
    assert result[0] == 0, result
    return result[1] if len(result) == 2 else None

ok(cu.cuInit(0))
dev = ok(cu.cuDeviceGet(0))
ok(cu.cuCtxSetCurrent(ok(cu.cuDevicePrimaryCtxRetain(dev))))
stream = ok(cu.cuStreamCreate(cu.CUstream_flags.CU_STREAM_NON_BLOCKING))
with open(sys.argv[1], "rb") as f:
    mod = ok(cu.cuModuleLoadData(f.read()))
spin, k0 = ok(cu.cuModuleGetFunction(mod, b"spin")), ok(cu.cuModuleGetFunction(mod, b"k0"))
floor.prepare()
attr = cu.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT
a, d, h, f = int(attr), int(dev), int(stream), int(k0)
size = 1 << 20
spin_args = ((20_000_000,), (ctypes.c_uint64,))
N = {"attr": 4000, "alloc": 400, "launch": 400}

def attr_binding(n):
    fn = cu.cuDeviceGetAttribute
    for _ in range(n):
        fn(attr, dev)

def attr_floor(n):
    fn = floor.attr
    for _ in range(n):
        fn(a, d)

def alloc_binding(n):
    al, fr = cu.cuMemAllocAsync, cu.cuMemFreeAsync
    for _ in range(n):
        err, p = al(size, stream)
        fr(p, stream)

def alloc_floor(n):
    al, fr = floor.alloc, floor.free
    for _ in range(n):
        err, p = al(size, h)
        fr(p, h)

def launch_binding(n):
    fn = cu.cuLaunchKernel
    for _ in range(n):
        fn(k0, 1, 1, 1, 32, 1, 1, 0, stream, None, 0)

def launch_floor(n):
    fn = floor.launch
    for _ in range(n):
        fn(f, 1, 1, 1, 32, 1, 1, 0, h, None, 0)

callers = {
    "attr": {"C": lambda n: floor.c_attr(a, d, n), "floor": attr_floor, "binding": attr_binding},
    "alloc": {"C": lambda n: floor.c_alloc_free(size, h, n), "floor": alloc_floor, "binding": alloc_binding},
    "launch": {"C": lambda n: floor.c_launch(f, h, n), "floor": launch_floor, "binding": launch_binding},
}
samples = {f"{c}/{w}": [] for c in callers for w in callers[c]}
for _ in range(25):
    for call, ways in callers.items():
        for way, run in ways.items():
            if call == "launch":
                cu.cuLaunchKernel(spin, 1, 1, 1, 1, 1, 1, 0, stream, spin_args, 0)
            t = time.perf_counter()
            run(N[call])
            samples[f"{call}/{way}"].append((time.perf_counter() - t) / N[call] * 1e9)
            ok(cu.cuStreamSynchronize(stream))
out = {k: statistics.median(v) for k, v in samples.items()}
out["module"] = cu.__file__
print(json.dumps(out))
"""

CALLS = {
    "attr": "cuDeviceGetAttribute (GIL held)",
    "alloc": "cuMemAllocAsync + cuMemFreeAsync (GIL released)",
    "launch": "cuLaunchKernel, 0 arguments (GIL released)",
}


def table(runs: dict) -> list[str]:
    """Per call, the medians over rounds of the differences within a round, in ns."""

    def med(stack: str, key: str, base: str) -> float:
        return statistics.median(r[key] - r[base] for r in runs[stack])

    lines = [
        "| call (ns) | floor above C | NVIDIA above C | ours above C | ours/NVIDIA above C "
        "| NVIDIA above floor | ours above floor | ours/NVIDIA above floor |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for call, label in CALLS.items():
        c, fl, b = f"{call}/C", f"{call}/floor", f"{call}/binding"
        floor_c = statistics.median([med("ours", fl, c), med("NVIDIA", fl, c)])
        t, o = med("NVIDIA", b, c), med("ours", b, c)
        tf, of = med("NVIDIA", b, fl), med("ours", b, fl)
        lines.append(
            f"| {label} | {floor_c:.0f} | {t:.0f} | {o:.0f} | {o / t:.2f} | {tf:.0f} | {of:.0f} | {of / tf:.2f} |"
        )
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ours-path")
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
        stacks = {"ours": os.pathsep.join([args.ours_path, tmp]), "NVIDIA": tmp}
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
