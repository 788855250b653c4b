"""How far cuda.core's launch() is from the least any Python launch function can cost, per stack.

    python benchmarks/launch_floor.py --ours-path SITE [--rounds 3]

Builds benchmarks/_launch_floor.pyx (Cython and a C compiler; cuda.h from the CUDA headers), then
runs, in one process per stack (ours with SITE first on PYTHONPATH, NVIDIA's without it), batches
of 400 zero-argument launches queued behind a spin kernel, interleaving three callers of the same
shape, launch(stream, config, kernel): the stack's launch(); the floor with the GIL released around
cuLaunchKernelEx (what DESIGN.md asks of launches); the floor holding the GIL. The floor checks and
packs nothing. Each figure is the median of 25 batches, best of the rounds. "above floor" is what
the stack's own work costs; the floor's distance to the C twin (core_calls.py) is Python's.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from _common import machine, make_cubin, pinned, pythonpath_env  # noqa: E402

CHILD = r"""
import json, statistics, sys, time
import numpy as np
import cuda.core
try:
    from cuda.core import Device, LaunchConfig, ObjectCode, launch
except ImportError:
    from cuda.core.experimental import Device, LaunchConfig, ObjectCode, launch
import _launch_floor as floor

dev = Device(0)
dev.set_current()
stream = dev.create_stream()
with open(sys.argv[1], "rb") as f:
    code = ObjectCode.from_cubin(f.read())
spin, k0 = code.get_kernel("spin"), code.get_kernel("k0")
cfg, spin_cfg = LaunchConfig(grid=1, block=32), LaunchConfig(grid=1, block=1)
floor.prepare(int(stream.handle), int(k0.handle), 32)
callers = {"launch": launch, "floor, GIL released": floor.launch_gil_released,
           "floor, GIL held": floor.launch_gil_held}
batches = {name: [] for name in callers}
for _ in range(25):
    for name, call in callers.items():
        launch(stream, spin_cfg, spin, np.uint64(20_000_000))
        t = time.perf_counter()
        for _ in range(400):
            call(stream, cfg, k0)
        batches[name].append((time.perf_counter() - t) / 400 * 1e6)
        stream.sync()
out = {name: statistics.median(v) for name, v in batches.items()}
out["module"] = cuda.core.__file__
print(json.dumps(out))
"""


def build(workdir: str) -> None:
    from cuda.pathfinder import find_nvidia_header_directory

    cuda_home = os.environ.get("CUDA_HOME", "/usr/local/cuda")
    found = [find_nvidia_header_directory("cudart"), os.path.join(cuda_home, "include")]
    include = next(d for d in found if d and os.path.exists(os.path.join(d, "cuda.h")))
    src = pathlib.Path(workdir) / "_launch_floor.pyx"
    src.write_text((HERE / "_launch_floor.pyx").read_text())
    env = dict(os.environ, CFLAGS=f"-O2 -I{include}")
    subprocess.run([sys.executable, "-m", "Cython.Build.Cythonize", "-i", "-3", "-q", str(src)], cwd=workdir, env=env,
                   check=True, capture_output=True)  # fmt: skip


def run(pythonpath: str, cubin: str) -> dict:
    out = subprocess.run(pinned([sys.executable, "-c", CHILD, cubin]), capture_output=True, text=True,
                         env=pythonpath_env(pythonpath))  # fmt: skip
    if out.returncode:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ours-path", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--json")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        build(tmp)
        cubin = os.path.join(tmp, "bench.cubin")
        make_cubin(cubin)
        stacks = {"ours": f"{args.ours_path}{os.pathsep}{tmp}", "NVIDIA": tmp}
        runs = {name: [] for name in stacks}
        for _ in range(args.rounds):
            for name, path in stacks.items():
                runs[name].append(run(path, cubin))
    print(f"# launch() beside the floor of a Python launch function, 0 arguments, {machine()}")
    print(f"# best of {args.rounds} rounds, each the median of 25 batches of 400; us per launch")
    print("| stack | launch() | floor, GIL released | floor, GIL held | launch() above floor (GIL released) |")
    print("| --- | --- | --- | --- | --- |")
    best = {}
    for name, rs in runs.items():
        b = {k: min(r[k] for r in rs) for k in rs[0] if k != "module"}
        best[name] = b
        row = (b["launch"], b["floor, GIL released"], b["floor, GIL held"], b["launch"] - b["floor, GIL released"])
        print(f"| {name} ({rs[0]['module']}) | " + " | ".join(f"{v:.2f}" for v in row) + " |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"best": best, "runs": runs}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
