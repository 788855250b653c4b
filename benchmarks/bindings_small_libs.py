# SPDX-License-Identifier: Apache-2.0
"""nvrtc, nvJitLink, NVVM bindings: ours beside NVIDIA's cuda-bindings and a C twin, in one run.

    .venv/bin/python -m benchmarks.bindings_small_libs [--repeat 15]

- import time of each module (median over fresh processes, timed inside the child);
- the per-call cost of nvrtcVersion (best of 5 loops of 200k calls);
- a full small compile: create, compile saxpy to an sm_90 cubin, fetch it, destroy (median of 21).
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import subprocess
import sys

from benchmarks._common import build_c_twin, machine, median_of_processes, now, reference_python, run_json

IMPORT = """
import json, sys, time
t0 = time.perf_counter()
__import__(sys.argv[1])
print(json.dumps({"ms": (time.perf_counter() - t0) * 1e3}))
"""

CALLS = """
import json, statistics, time
from cuda.bindings import nvrtc
f = nvrtc.nvrtcVersion
f()
best = 1e9
for _ in range(5):
    n = 200000
    t0 = time.perf_counter()
    for _ in range(n):
        f()
    best = min(best, (time.perf_counter() - t0) / n)
src = (b'extern "C" __global__ void saxpy(float a, const float* x, float* y, unsigned long long n) {'
       b' unsigned long long i = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x;'
       b' if (i < n) y[i] = a * x[i] + y[i]; }')
times = []
for _ in range(21):
    t0 = time.perf_counter()
    err, prog = nvrtc.nvrtcCreateProgram(src, b"saxpy.cu", 0, [], [])
    err, = nvrtc.nvrtcCompileProgram(prog, 1, [b"-arch=sm_90"])
    err, size = nvrtc.nvrtcGetCUBINSize(prog)
    cubin = b" " * size
    err, = nvrtc.nvrtcGetCUBIN(prog, cubin)
    err, = nvrtc.nvrtcDestroyProgram(prog)
    times.append(time.perf_counter() - t0)
from cuda.pathfinder import load_nvidia_dynamic_lib
print(json.dumps({"version_ns": best * 1e9, "compile_ms": statistics.median(times) * 1e3,
                  "lib": load_nvidia_dynamic_lib("nvrtc").abs_path, "origin": nvrtc.__file__}))
"""

MODULES = ["cuda.bindings.nvrtc", "cuda.bindings.nvjitlink", "cuda.bindings.nvvm"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    stacks = {"ours": sys.executable, "NVIDIA 13.0.3": reference_python(["cuda-pathfinder", "cuda-bindings"])}

    print(f"# cuda.bindings nvrtc/nvjitlink/nvvm, {now()}, {machine()}")
    calls = {name: run_json(py, CALLS) for name, py in stacks.items()}
    for name, r in calls.items():
        print(f"# {name}: {r['origin']}")
    lib = calls["ours"]["lib"]
    builtins = sorted(glob.glob(os.path.join(os.path.dirname(lib), "libnvrtc-builtins.so.*")))[-1]
    twin = json.loads(subprocess.check_output([build_c_twin("nvrtc_twin.c"), lib, builtins], text=True))
    print(f"# C twin: benchmarks/c/nvrtc_twin.c with {calls['ours']['lib']}\n")

    print("| measure | C | ours | NVIDIA | ours / NVIDIA |")
    print("| --- | --- | --- | --- | --- |")
    for module in MODULES:
        ms = {n: median_of_processes(py, IMPORT, "ms", args.repeat, module) for n, py in stacks.items()}
        o, t = ms["ours"], ms["NVIDIA 13.0.3"]
        print(f"| import {module} (ms) | | {o:.2f} | {t:.2f} | {o / t:.2f} |")
    o, t = calls["ours"]["version_ns"], calls["NVIDIA 13.0.3"]["version_ns"]
    c = twin["version_ns"]
    print(
        f"| nvrtcVersion per call (ns) | {c:.1f} | {o:.1f} | {t:.1f} | {o / t:.2f} (above C: {(o - c) / (t - c):.2f}) |"
    )
    o, t, c = calls["ours"]["compile_ms"], calls["NVIDIA 13.0.3"]["compile_ms"], twin["compile_ms"]
    print(f"| compile saxpy to sm_90 cubin (ms) | {c:.2f} | {o:.2f} | {t:.2f} | {o / t:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
