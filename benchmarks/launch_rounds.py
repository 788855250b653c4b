# SPDX-License-Identifier: Apache-2.0
"""Why some rounds of a launch benchmark are slow: the causes, measured apart, round by round.

    python -m benchmarks.launch_rounds --ours-path SITE [--theirs-path DIR] [--rounds 9] [--json FILE]

Each round runs, on the same CPU core (BENCH_CORE, default 2): the C twin in its own process
(benchmarks/c/core_twin.c, as benchmarks/core_calls.py compares against), then each stack (ours,
NVIDIA's) twice, in fresh processes (benchmarks/_launch_rounds_child.py): once with the whole
process pinned to the core (the driver's threads share it: how core_calls.py runs) and once with
only the launching thread pinned. Within a process, batches of the stack's launch() interleave
with a C loop of the same launches, so whatever slows that process slows both. Printed: per
pinning, the median over rounds (and the range) of each stack's cost above the C loop of its own
process and above the C twin of another process; then, per round, the figures and what moved
with them (involuntary context switches of the launching thread, CPU time of the process's other
threads, the speed of a pure-Python loop).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile

from benchmarks._common import (
    HERE,
    PIN_CORE,
    add_theirs_args,
    floor_workdir,
    machine,
    pinned,
    pythonpath_env,
    run_driver_twin,
    spread,
    theirs_path,
)

PINNINGS = ("process", "thread")
ARGS = (0, 4, 16)


def run_round(python: str, pythonpath: str, cubin: str, pinning: str) -> dict:
    import subprocess

    cmd = [python, str(HERE / "_launch_rounds_child.py"), cubin, pinning, PIN_CORE]
    out = subprocess.run(pinned(cmd) if pinning == "process" else cmd, capture_output=True, text=True,
                         env=pythonpath_env(pythonpath))  # fmt: skip
    if out.returncode:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ours-path", required=True)
    add_theirs_args(ap)
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--json")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cubin = floor_workdir(tmp)
        stacks = {"ours": (sys.executable, os.pathsep.join([args.ours_path, tmp, str(HERE)])),
                  "NVIDIA": (args.theirs_python, theirs_path(args, tmp, str(HERE)))}  # fmt: skip
        runs = {"twin": [], **{f"{s} {p}": [] for s in stacks for p in PINNINGS}}
        for _ in range(args.rounds):
            runs["twin"].append(run_driver_twin("core_twin.c", cubin))
            for s, (python, path) in stacks.items():
                for p in PINNINGS:
                    runs[f"{s} {p}"].append(run_round(python, path, cubin, p))

    print(f"# launch rounds, {machine()}; {args.rounds} rounds; core {PIN_CORE}")
    print(f"# ours: {runs['ours process'][0]['module']}; NVIDIA: {runs['NVIDIA process'][0]['module']}")
    print("# us per launch, median over rounds (min-max); 'own C': the C loop in the same process,")
    print("# 'twin': the C twin's process of the same round")
    head = ("pinning", "args", "NVIDIA above own C", "ours above own C", "ours/NVIDIA", "NVIDIA above twin",
            "ours above twin", "ours/NVIDIA")  # fmt: skip
    print("| " + " | ".join(head) + " |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    summary = {}
    for p in PINNINGS:
        for n in ARGS:
            key = f"launch_{n}"
            own = {s: [r[key] - r[f"C_{n}"] for r in runs[f"{s} {p}"]] for s in stacks}
            twin = {s: [r[key] - t[key] for r, t in zip(runs[f"{s} {p}"], runs["twin"])] for s in stacks}
            ro = statistics.median(own["ours"]) / statistics.median(own["NVIDIA"])
            rt = statistics.median(twin["ours"]) / statistics.median(twin["NVIDIA"])
            summary[f"{p} {key}"] = {"own": own, "twin": twin}
            print(f"| {p} | {n} | {spread(own['NVIDIA'])} | {spread(own['ours'])} | {ro:.2f} "
                  f"| {spread(twin['NVIDIA'])} | {spread(twin['ours'])} | {rt:.2f} |")  # fmt: skip
    print()
    print("# per round, 0 arguments: launch() and the C loop in the same process, the C twin's process,")
    print("# and per batch of 400: the launching thread's involuntary switches, the other threads' CPU (us),")
    print("# the pure-Python probe (ns per iteration); 'GIL': the do-nothing launcher released minus held")
    head = ("round", "stack, pinning", "twin", "own C", "launch()", "above own C", "invol. switches",
            "other threads us", "probe ns", "GIL")  # fmt: skip
    print("| " + " | ".join(head) + " |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for i in range(args.rounds):
        for s in stacks:
            for p in PINNINGS:
                r, twin = runs[f"{s} {p}"][i], runs["twin"][i]["launch_0"]
                print(f"| {i + 1} | {s}, {p} | {twin:.2f} | {r['C_0']:.2f} | {r['launch_0']:.2f} "
                      f"| {r['launch_0'] - r['C_0']:.2f} | {r['launch_0 nivcsw']:.1f} | {r['launch_0 other_us']:.0f} "
                      f"| {r['launch_0 probe_ns']:.1f} | {r['floor_released'] - r['floor_held']:.2f} |")  # fmt: skip
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"summary": summary, "runs": runs, "machine": machine()}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
