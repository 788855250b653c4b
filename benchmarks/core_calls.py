"""cuda.core call overhead on a GPU: the C twin, ours and NVIDIA's cuda-core, in one run.

    python benchmarks/core_calls.py --ours-path SITE [--theirs-python PYTHON] [--rounds 3]

--ours-path: the folder our packages are installed in (put first on PYTHONPATH for our runs);
NVIDIA's run uses the same interpreter without it, or --theirs-python. Each stack runs
benchmarks/_core_child.py in a fresh process pinned to one core (BENCH_CORE, default 2); the C
twin is benchmarks/c/core_twin.c (cuCtxSetCurrent, cuStreamSynchronize, cuEventRecord,
cuMemAllocAsync+cuMemFreeAsync, cuLaunchKernelEx). Device(0) has no driver call: its floor is 0.
Rounds alternate between the stacks; each figure is the best round's. Prints a markdown table
with each stack's cost above C and the ratio of ours to NVIDIA's, then the import time of
cuda.core (median of 11 fresh processes).
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from _common import PIN_CORE, alternate_rounds, best, gpu_name, make_cubin, overhead_table, pinned, pythonpath_env

ROWS = [
    ("Device(0)", "ns"),
    ("set_current", "ns"),
    ("Stream.sync", "ns"),
    ("Stream.record", "ns"),
    ("allocate+close", "ns"),
    ("launch_0", "us"),
    ("launch_4", "us"),
    ("launch_16", "us"),
]

IMPORT = "import time; t = time.perf_counter(); import cuda.core; print((time.perf_counter() - t) * 1e3)"


def import_ms(python: str, pythonpath: str | None, repeat: int = 11) -> float:
    """Median time (ms) of `import cuda.core` in fresh processes."""
    samples = sorted(
        float(subprocess.check_output(pinned([python, "-c", IMPORT]), env=pythonpath_env(pythonpath), text=True))
        for _ in range(repeat)
    )
    return samples[repeat // 2]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ours-path", required=True)
    parser.add_argument("--theirs-python", default=sys.executable)
    parser.add_argument("--json", help="also write the raw numbers here")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    cubin = os.path.join(tempfile.mkdtemp(), "bench.cubin")
    make_cubin(cubin)
    runs = alternate_rounds(args.rounds, "core_twin.c", "_core_child.py", args.ours_path, args.theirs_python, cubin)
    c, ours, theirs = (best(runs[k]) for k in ("c", "ours", "nvidia"))
    gpu = gpu_name()
    print(f"# cuda.core call overhead, {gpu}, best of {args.rounds} alternating rounds, all on CPU core {PIN_CORE}")
    print(f"# ours: {ours['module']} ({ours['version']}); NVIDIA: {theirs['module']} ({theirs['version']})")
    print("\n".join(overhead_table(ROWS, c, ours, theirs)))
    tm, om = import_ms(args.theirs_python, None), import_ms(sys.executable, args.ours_path)
    print(f"| import cuda.core, median of 11 fresh processes (ms) | | {tm:.1f} | {om:.1f} | | | {om / tm:.2f} |")
    print(f"# Stream.record() making a new event each call: NVIDIA {theirs['Stream.record()']:.0f} ns, "
          f"ours {ours['Stream.record()']:.0f} ns")  # fmt: skip
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"best": {"c": c, "ours": ours, "nvidia": theirs}, "runs": runs, "gpu": gpu}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
