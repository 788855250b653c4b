"""How far cuda.core's launch() is from the least any Python launch function can cost, per stack.

    python benchmarks/launch_floor.py --ours-path SITE [--rounds 3]

Builds benchmarks/_launch_floor.pyx (Cython and a C compiler; cuda.h from the CUDA headers), then
runs, in one process per stack (ours with SITE first on PYTHONPATH, NVIDIA's without it), batches
of 400 zero-argument launches queued behind a spin kernel, interleaving three callers of the same
shape, launch(stream, config, kernel): the stack's launch(); the floor with the GIL released around
cuLaunchKernelEx (what DESIGN.md asks of launches); the floor holding the GIL. The floor checks and
packs nothing; and the C floor: the same launches (0, 4, 16 arguments) from a C loop in the same
process. Each figure is the median of 25 interleaved batches, best of the rounds. Above C is what a
launch from Python costs beyond C; above the floor is what the stack's own work costs.
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
spin, k0, k4, k16 = (code.get_kernel(n) for n in ("spin", "k0", "k4", "k16"))
cfg, spin_cfg = LaunchConfig(grid=1, block=32), LaunchConfig(grid=1, block=1)
buf = dev.allocate(1 << 20, stream=stream)
ptr = np.uint64(int(buf.handle))
f32, i32, u64, f64 = np.float32, np.int32, np.uint64, np.float64
# the same arguments as benchmarks/_core_child.py; for the C loop, each one's bytes
args = {0: (k0, ()), 4: (k4, (f32(1.5), buf, buf, u64(7))),
        16: (k16, (buf, buf, buf, buf, i32(1), i32(2), i32(3), i32(4), f32(1), f32(2), f32(3), f32(4),
                   u64(5), u64(6), f64(7.0), f64(8.0)))}
raw = {n: [(ptr if a is buf else a).tobytes() for a in a_] for n, (k, a_) in args.items()}
floor.prepare(int(stream.handle), int(k0.handle), 32)
h = int(stream.handle)
names = ["floor, GIL released", "floor, GIL held"] + [f"{w}_{n}" for n in args for w in ("launch", "C")]
batches = {name: [] for name in names}
for _ in range(25):
    for name in names:
        launch(stream, spin_cfg, spin, np.uint64(20_000_000))
        if name.startswith("C_"):
            k = args[int(name[2:])][0]
            t = time.perf_counter()
            floor.c_loop(h, int(k.handle), 32, raw[int(name[2:])], 400)
        elif name.startswith("launch_"):  # the call itself in the loop, as a user writes it
            k, a = args[int(name[7:])]
            t = time.perf_counter()
            for _ in range(400):
                launch(stream, cfg, k, *a)
        else:
            fn = floor.launch_gil_released if "released" in name else floor.launch_gil_held
            t = time.perf_counter()
            for _ in range(400):
                fn(stream, cfg, k0)
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
    best = {name: {k: min(r[k] for r in rs) for k in rs[0] if k != "module"} for name, rs in runs.items()}
    o, t = best["ours"], best["NVIDIA"]
    print(f"# launch() beside a C loop and the floor of a Python launch function, in the same process, {machine()}")
    print(f"# ours: {runs['ours'][0]['module']}; NVIDIA: {runs['NVIDIA'][0]['module']}")
    print(f"# best of {args.rounds} alternating rounds, each figure the median of 25 interleaved batches of 400; us")
    print("| args | C (ours' process) | C (NVIDIA's) | NVIDIA | ours | NVIDIA above C | ours above C "
          "| ours/NVIDIA above C |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for n in (0, 4, 16):
        above_t, above_o = t[f"launch_{n}"] - t[f"C_{n}"], o[f"launch_{n}"] - o[f"C_{n}"]
        cells = (o[f"C_{n}"], t[f"C_{n}"], t[f"launch_{n}"], o[f"launch_{n}"], above_t, above_o, above_o / above_t)
        print(f"| {n} | " + " | ".join(f"{v:.2f}" for v in cells) + " |")
    print()
    print("| stack | launch() 0 args | floor, GIL released | floor, GIL held | launch() above floor (GIL released) |")
    print("| --- | --- | --- | --- | --- |")
    for name, b in best.items():
        row = (b["launch_0"], b["floor, GIL released"], b["floor, GIL held"], b["launch_0"] - b["floor, GIL released"])
        print(f"| {name} | " + " | ".join(f"{v:.2f}" for v in row) + " |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"best": best, "runs": runs}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
