"""Driver API call overhead on a GPU: the C twin, ours and NVIDIA's cuda-bindings, in one run.

    python benchmarks/driver_calls.py --ours-path SITE [--theirs-python PYTHON]

--ours-path: the folder our packages are installed in (put first on PYTHONPATH for
our runs); NVIDIA's run uses the same interpreter without it (gpu/README.md's
shadowing), or --theirs-python. Each stack runs benchmarks/_driver_child.py in
a fresh process; the C twin is benchmarks/c/driver_twin.c. Methodology as in
the anchors: best of 5 loops per call; launches are the median of 25 batches of
400 launches queued behind a spin kernel (CPU cost, not GPU throughput).
Prints a table with each stack's cost above C and the ratio of ours to NVIDIA's.
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
from _common import (
    PIN_CORE,
    alternate_rounds,
    best,
    gpu_name,
    make_cubin,
    overhead_table,
    pinned,
    pythonpath_env,
)

ROWS = [
    ("cuCtxGetCurrent", "ns"),
    ("cuDeviceGetAttribute", "ns"),
    ("cuEventRecord", "ns"),
    ("cuStreamQuery", "ns"),
    ("cuMemAllocAsync+cuMemFreeAsync", "ns"),
    ("cuPointerGetAttribute", "ns"),
    ("launch_0", "us"),
    ("launch_4", "us"),
    ("launch_16", "us"),
]


IMPORT = """
import time
def rss():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * 4096 / 2**20
r0 = rss(); t = time.perf_counter()
import {module}
print((time.perf_counter() - t) * 1e3, rss() - r0)
"""


def import_cost(python: str, pythonpath: str | None, module: str, repeat: int = 11) -> tuple[float, float]:
    """Median time (ms) and resident memory added (MiB) of `import <module>`, fresh processes."""
    env = pythonpath_env(pythonpath)
    samples = sorted(
        tuple(
            map(
                float,
                subprocess.check_output(
                    pinned([python, "-c", IMPORT.format(module=module)]), env=env, text=True
                ).split(),
            )
        )
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
    # each figure is the best round's
    runs = alternate_rounds(args.rounds, "driver_twin.c", "_driver_child.py", args.ours_path, args.theirs_python, cubin)
    c, ours, theirs = (best(runs[k]) for k in ("c", "ours", "nvidia"))
    gpu = gpu_name()
    print(f"# driver call overhead, {gpu}, best of {args.rounds} alternating rounds, all on CPU core {PIN_CORE}")
    print(f"# ours: {ours['module']}; NVIDIA: {theirs['module']}")
    print("\n".join(overhead_table(ROWS, c, ours, theirs)))
    imports = {}
    for module in ("cuda.bindings.driver", "cuda.bindings.runtime"):
        (ours_ms, ours_mib), (theirs_ms, theirs_mib) = (
            import_cost(sys.executable, args.ours_path, module),
            import_cost(args.theirs_python, None, module),
        )
        imports[module] = {"ours": [ours_ms, ours_mib], "nvidia": [theirs_ms, theirs_mib]}
        print(f"| import {module}, median of 11 fresh processes (ms) | | {theirs_ms:.1f} | {ours_ms:.1f} "
              f"| | | {ours_ms / theirs_ms:.2f} |")  # fmt: skip
        print(
            f"| memory `import {module}` adds (MiB RSS) | | {theirs_mib:.1f} | {ours_mib:.1f} | | "
            f"| {ours_mib / theirs_mib:.2f} |"
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                {"best": {"c": c, "ours": ours, "nvidia": theirs}, "runs": runs, "gpu": gpu, "imports": imports},
                f,
                indent=1,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
