# SPDX-License-Identifier: Apache-2.0
"""Peer-copy bandwidth, device 0 -> device 1: cuda.core Buffer.copy_to beside cudaMemcpyPeerAsync in C
(benchmarks/c/peer_copy_twin.c) and NVIDIA's cuda-core, in one run. Needs two GPUs.

    python -m benchmarks.peer_copy --ours-path $SP [--sizes 1048576 67108864] [--json out.json]

Both sides: peer access on, a warm-up copy, then `repeat` back-to-back copies on one stream timed
by the wall clock around the batch (synchronized before and after); best of `--rounds`.
"""

from __future__ import annotations

import argparse
import functools
import json
import subprocess
import sys
import time
from pathlib import Path

from benchmarks._common import REPO, add_theirs_args, build_c_twin, pythonpath_env, theirs_path


def child(nbytes: int, repeat: int) -> dict:
    """Runs in a fresh process with the stack under test on sys.path."""
    import cuda.core
    from cuda.core import Device, DeviceMemoryResource

    d0, d1 = Device(0), Device(1)
    d1.set_current()
    d0.set_current()
    # Pool memory does not follow peer access (cuCtxEnablePeerAccess): each pool maps its memory
    # for the other device, so that device 0's stream may write into device 1's buffer.
    mr0, mr1 = DeviceMemoryResource(d0), DeviceMemoryResource(d1)
    mr0.peer_accessible_by = [d1]
    mr1.peer_accessible_by = [d0]
    s = d0.create_stream()
    src = mr0.allocate(nbytes, stream=s)
    d1.set_current()
    dst = mr1.allocate(nbytes, stream=d1.create_stream())
    d1.sync()
    d0.set_current()
    src.copy_to(dst, stream=s)  # warm-up
    s.sync()
    t = time.perf_counter()
    for _ in range(repeat):
        src.copy_to(dst, stream=s)
    s.sync()
    t = time.perf_counter() - t
    return {"GBps": nbytes * repeat / t / 1e9, "module": cuda.core.__file__}


def run_child(python: str, pythonpath: str | None, nbytes: int, repeat: int) -> dict:
    out = subprocess.run(
        [python, "-m", "benchmarks.peer_copy", "--child", str(nbytes), str(repeat)],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=pythonpath_env(pythonpath),
    )
    if out.returncode:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


@functools.cache
def _twin() -> tuple[str, str]:
    """The C twin, compiled once, and the libcudart it loads."""
    from cuda.pathfinder import load_nvidia_dynamic_lib

    return build_c_twin("peer_copy_twin.c"), load_nvidia_dynamic_lib("cudart").abs_path


def c_twin(nbytes: int, repeat: int) -> dict:
    exe, lib = _twin()
    return json.loads(subprocess.check_output([exe, lib, str(nbytes), str(repeat)], text=True))


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        print(json.dumps(child(int(sys.argv[2]), int(sys.argv[3]))))
        return 0
    parser = argparse.ArgumentParser()
    parser.add_argument("--ours-path", required=True)
    add_theirs_args(parser)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1 << 20, 1 << 26, 1 << 28])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json")
    args = parser.parse_args()
    gpus = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True, text=True)
    print(f"# peer copy device 0 -> 1, {', '.join(gpus.stdout.split(chr(10))[:2])}; best of {args.rounds} rounds")
    print("| bytes | C cudaMemcpyPeerAsync (GB/s) | NVIDIA cuda.core (GB/s) | ours (GB/s) | ours/C |")
    print("| --- | --- | --- | --- | --- |")
    results = []
    for nbytes in args.sizes:
        repeat = max(10, min(1000, (1 << 33) // nbytes))
        best = {"c": 0.0, "nvidia": 0.0, "ours": 0.0}
        for _ in range(args.rounds):
            best["c"] = max(best["c"], c_twin(nbytes, repeat)["GBps"])
            best["ours"] = max(best["ours"], run_child(sys.executable, args.ours_path, nbytes, repeat)["GBps"])
            try:
                theirs = run_child(args.theirs_python, theirs_path(args), nbytes, repeat)
                best["nvidia"] = max(best["nvidia"], theirs["GBps"])
            except RuntimeError as exc:
                best["nvidia"] = float("nan")
                print(f"# NVIDIA's cuda.core failed: {str(exc).strip().splitlines()[-1]}", file=sys.stderr)
        results.append({"bytes": nbytes, "repeat": repeat, **best})
        c, theirs, ours = best["c"], best["nvidia"], best["ours"]
        print(f"| {nbytes} | {c:.1f} | {theirs:.1f} | {ours:.1f} | {ours / c:.2f} |")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
