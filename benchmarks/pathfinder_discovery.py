# SPDX-License-Identifier: Apache-2.0
"""Cold discovery with cuda.pathfinder: ours beside NVIDIA's, measured in the same run.

Every sample is a fresh interpreter (nothing cached, nothing loaded), timed from
inside the child (import + work) and from outside (the whole process).

    .venv/bin/nox -s bench                      # makes .bench/nvidia-venv on first use (needs PyPI)
    .venv/bin/python -m benchmarks.pathfinder_discovery --repeat 30

The reference venv holds NVIDIA's cuda-pathfinder (the version we match) and the
same nvidia-* wheels as ours (toolkit-versions.yaml), so both search the same files.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

from benchmarks._common import clean_env, reference_python

CHILD = """
import json, sys, time
t0 = time.perf_counter()
import cuda.pathfinder as pf
t1 = time.perf_counter()
names = json.loads(sys.argv[1])
found = 0
for name in names:
    try:
        pf.load_nvidia_dynamic_lib(name)
        found += 1
    except Exception:
        pass
t2 = time.perf_counter()
print(json.dumps({"import_ms": (t1 - t0) * 1e3, "load_ms": (t2 - t1) * 1e3, "found": found,
                  "origin": pf.__file__}))
"""


def sample(python: str, names: list[str], repeat: int) -> dict:
    env = clean_env()
    rows = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = subprocess.run([python, "-c", CHILD, json.dumps(names)], capture_output=True, text=True, env=env)
        wall = (time.perf_counter() - start) * 1e3
        if out.returncode != 0:
            raise RuntimeError(out.stderr)
        row = json.loads(out.stdout)
        row["process_ms"] = wall
        rows.append(row)
    med = {k: statistics.median(r[k] for r in rows) for k in ("import_ms", "load_ms", "process_ms")}
    return {**med, "found": rows[0]["found"], "origin": rows[0]["origin"]}


def main() -> int:
    from cuda.pathfinder._catalog import LIBRARIES

    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    stacks = {"ours": sys.executable, "NVIDIA": reference_python(["cuda-pathfinder"])}
    cases = {"nvrtc": ["nvrtc"], f"all {len(LIBRARIES)} known libraries": list(LIBRARIES)}

    print(f"# cuda.pathfinder cold discovery; median of {args.repeat} fresh processes")
    print(f"# {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, Python {platform.python_version()}")
    for stack, python in stacks.items():
        origin = sample(python, [], 1)["origin"]
        print(f"# {stack}: {origin}")
    print()
    print("| case | stack | import (ms) | import + loads (ms) | whole process (ms) | found |")
    print("| --- | --- | --- | --- | --- | --- |")
    results = {}
    for case, names in cases.items():
        for stack, python in stacks.items():
            r = results[case, stack] = sample(python, names, args.repeat)
            total = r["import_ms"] + r["load_ms"]
            print(f"| {case} | {stack} | {r['import_ms']:.1f} | {total:.1f} | {r['process_ms']:.1f} | {r['found']} |")
    print()
    for case in cases:
        ours, theirs = results[case, "ours"], results[case, "NVIDIA"]
        ratio = (ours["import_ms"] + ours["load_ms"]) / (theirs["import_ms"] + theirs["load_ms"])
        print(f"{case}: ours / NVIDIA (import + loads) = {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
