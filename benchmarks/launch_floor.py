# SPDX-License-Identifier: Apache-2.0
"""How far cuda.core's launch() is from the least any Python launch function can cost, per stack.

    python -m benchmarks.launch_floor --ours-path SITE [--theirs-path DIR] [--rounds 3]

Builds benchmarks/_launch_floor.pyx (Cython and a C compiler; cuda.h from the CUDA headers), then
runs, in one process per stack (ours with SITE first on PYTHONPATH, NVIDIA's without it), batches
of 400 zero-argument launches queued behind a spin kernel, interleaving three callers of the same
shape, launch(stream, config, kernel): the stack's launch(); the floor with the GIL released around
cuLaunchKernelEx (what DESIGN.md asks of launches); the floor holding the GIL. The floor checks and
packs nothing; and the C floor: the same launches (0, 4, 16 arguments) from a C loop in the same
process. In each round every figure is the median of 25 interleaved batches; the table shows the
median over rounds of the differences within a round. Above C is what a launch from Python costs
beyond C; above the floor is what the stack's own work costs.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import sys
import tempfile

from benchmarks._common import add_theirs_args, floor_workdir, machine, run_child, theirs_path

HERE = pathlib.Path(__file__).resolve().parent

CHILD = r"""
import json, statistics, sys, time
import numpy as np
import cuda.core
try:
    from cuda.core import Device, LaunchConfig, ObjectCode, launch
except ImportError:
    from cuda.core.experimental import Device, LaunchConfig, ObjectCode, launch
import _launch_floor as floor
from _common import call_loop, launch_setup

dev = Device(0)
dev.set_current()
stream = dev.create_stream()
cfg, spin_cfg = LaunchConfig(grid=1, block=32), LaunchConfig(grid=1, block=1)
# the arguments of benchmarks/_core_child.py; for the C loop, each one's bytes
spin, args, raw, buf = launch_setup(dev, stream, sys.argv[1], ObjectCode)
k0 = args[0][0]
floor.prepare(int(stream.handle), int(k0.handle), 32)
h = int(stream.handle)
# every Python caller as a user writes it: launch(stream, cfg, k, a, b, ...), in a loop of locals
loops = {"floor, GIL released": call_loop(floor.launch_gil_released, stream, cfg, k0),
         "floor, GIL held": call_loop(floor.launch_gil_held, stream, cfg, k0)}
loops.update({f"launch_{n}": call_loop(launch, stream, cfg, k, *a) for n, (k, a) in args.items()})
names = ["floor, GIL released", "floor, GIL held"] + [f"{w}_{n}" for n in args for w in ("launch", "C")]
batches = {name: [] for name in names}
for _ in range(25):
    for name in names:
        launch(stream, spin_cfg, spin, np.uint64(20_000_000))
        if name.startswith("C_"):
            k = args[int(name[2:])][0]
            t = time.perf_counter()
            floor.c_loop(h, int(k.handle), 32, raw[int(name[2:])], 400)
        else:
            run = loops[name]
            t = time.perf_counter()
            run(400)
        batches[name].append((time.perf_counter() - t) / 400 * 1e6)
        stream.sync()
out = {name: statistics.median(v) for name, v in batches.items()}
out["module"] = cuda.core.__file__
print(json.dumps(out))
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ours-path", required=True)
    add_theirs_args(ap, python=False)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cubin = floor_workdir(tmp)
        # the child imports _launch_floor (built in tmp) and _common (here)
        stacks = {"ours": os.pathsep.join([args.ours_path, tmp, str(HERE)]),
                  "NVIDIA": theirs_path(args, tmp, str(HERE))}  # fmt: skip
        runs = {name: [] for name in stacks}
        for _ in range(args.rounds):
            for name, path in stacks.items():
                runs[name].append(run_child(CHILD, path, cubin))

    # per round, the launch minus the C loop (and minus the floor) of that same round; then the median
    # over rounds: rounds drift by tenths of a microsecond together, differences within one do not
    def med(name: str, key: str, base: str) -> float:
        return statistics.median(r[key] - r[base] for r in runs[name])

    print(f"# launch() beside a C loop and the floor of a Python launch function, in the same process, {machine()}")
    print(f"# ours: {runs['ours'][0]['module']}; NVIDIA: {runs['NVIDIA'][0]['module']}")
    print(f"# {args.rounds} alternating rounds; in each, every figure is the median of 25 interleaved batches of")
    print("# 400 launches; shown: the median over rounds of the difference within a round (us per launch)")
    print("| args | NVIDIA above C | ours above C | ours/NVIDIA above C |")
    print("| --- | --- | --- | --- |")
    summary = {}
    for n in (0, 4, 16):
        t, o = med("NVIDIA", f"launch_{n}", f"C_{n}"), med("ours", f"launch_{n}", f"C_{n}")
        summary[f"launch_{n}"] = {"NVIDIA above C": t, "ours above C": o}
        print(f"| {n} | {t:.2f} | {o:.2f} | {o / t:.2f} |")
    print()
    print("| stack | floor (GIL released) above C | floor (GIL held) above C | launch() above floor (GIL released) |")
    print("| --- | --- | --- | --- |")
    for name in runs:
        row = (med(name, "floor, GIL released", "C_0"), med(name, "floor, GIL held", "C_0"),
               med(name, "launch_0", "floor, GIL released"))  # fmt: skip
        summary[f"floor {name}"] = row
        print(f"| {name} | " + " | ".join(f"{v:.2f}" for v in row) + " |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"summary": summary, "runs": runs}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
