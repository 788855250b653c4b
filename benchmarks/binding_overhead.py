# SPDX-License-Identifier: Apache-2.0
"""The bindings' own cost per driver call, on any machine (no GPU needed): ours and NVIDIA's
cuda.bindings.driver against a stand-in libcuda.so.1 (benchmarks/c/null_driver.c: every entry point
returns CUDA_SUCCESS at once, so what is measured is the binding and the interpreter, nothing else).

    python -m benchmarks.binding_overhead --theirs-python PYTHON [--ours-path SITE] [--rounds 5]

Runs benchmarks/_driver_child.py (the calls of driver_calls.py) once per stack and round, the
stand-in first on LD_LIBRARY_PATH, each process pinned to one core (BENCH_CORE); rounds alternate
between the stacks; each figure is the median over rounds, with their range. Ours is this
interpreter's cuda.bindings (or --ours-path first on PYTHONPATH); NVIDIA's is --theirs-python's.
On the GPU machine the driver's own work, and the slowdown it suffers when called between
interpreter steps, come on top for every stack alike: driver_calls.py measures that whole.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile

from benchmarks._common import machine, spread, stack

HERE = pathlib.Path(__file__).resolve().parent

ROWS = [
    "cuCtxGetCurrent",
    "cuDeviceGetAttribute",
    "cuStreamQuery",
    "cuEventRecord",
    "cuMemAllocAsync+cuMemFreeAsync",
    "cuPointerGetAttribute",
    "launch_0",
    "launch_4",
    "launch_16",
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--theirs-python", required=True)
    ap.add_argument("--ours-path")
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        stand_in = str(HERE / "c" / "null_driver.c")
        subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", f"{tmp}/libcuda.so.1", stand_in], check=True)
        os.environ["LD_LIBRARY_PATH"] = tmp + os.pathsep + os.environ.get("LD_LIBRARY_PATH", "")
        cubin = f"{tmp}/none.cubin"  # the stand-in loads nothing: any bytes do
        pathlib.Path(cubin).write_bytes(b"\0" * 16)
        runs = {"ours": [], "NVIDIA": []}
        for _ in range(args.rounds):
            runs["ours"].append(stack(sys.executable, "_driver_child.py", cubin, args.ours_path))
            runs["NVIDIA"].append(stack(args.theirs_python, "_driver_child.py", cubin, None))
    print(
        f"# binding cost per call with a do-nothing libcuda.so.1, {machine()}, median (range) of {args.rounds} rounds"
    )
    print(f"# ours: {runs['ours'][0]['module']}; NVIDIA: {runs['NVIDIA'][0]['module']}")
    print("| call (ns) | NVIDIA | ours | ours/NVIDIA |")
    print("| --- | --- | --- | --- |")
    for row in ROWS:
        scale = 1e3 if row.startswith("launch") else 1.0  # the child reports launches in us
        t, o = ([r[row] * scale for r in runs[k]] for k in ("NVIDIA", "ours"))
        ratio = statistics.median(o) / statistics.median(t)
        print(f"| {row} | {spread(t, 1)} | {spread(o, 1)} | {ratio:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
