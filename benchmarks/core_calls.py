# SPDX-License-Identifier: Apache-2.0
"""cuda.core call overhead on a GPU: the C twin, ours and NVIDIA's cuda-core, in one run.

    python -m benchmarks.core_calls --ours-path SITE [--theirs-python PYTHON] [--theirs-path DIR] [--rounds 3]

--ours-path: the folder our packages are installed in (put first on PYTHONPATH for our runs);
NVIDIA's run uses the same interpreter without it, or --theirs-python. Each stack runs
benchmarks/_core_child.py in a fresh process pinned to one core (BENCH_CORE, default 2); the C
twin is benchmarks/c/core_twin.c (cuCtxSetCurrent, cuStreamSynchronize, cuEventRecord,
cuMemAllocAsync+cuMemFreeAsync, cuLaunchKernelEx). Device(0) has no driver call: its floor is 0.
Launches are also timed against a C loop of the same launches in the stack's own process
(benchmarks/_launch_floor.pyx, batches interleaved): what slows one process then slows both, and
a round's figure does not depend on which process ran faster (benchmarks/launch_rounds.py shows
why that matters). Rounds alternate between the stacks. Prints the median over rounds of each
stack's cost above C, with its range, and the ratio of ours to NVIDIA's; then the best round's
figures for reference and the import time of cuda.core (median of 11 fresh processes).
"""

from __future__ import annotations

import json
import sys

from benchmarks._common import import_cost, overhead_rounds, overhead_table, print_medians, report, theirs_path

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


def main() -> int:
    if sys.argv[1:2] == ["--report"]:
        return report(ROWS, sys.argv[2])
    args, runs, (c, ours, theirs), gpu = overhead_rounds(
        "cuda.core call overhead", "core_twin.c", "_core_child.py", in_process_c=True
    )
    print(f"# ours: {ours['module']} ({ours['version']}); NVIDIA: {theirs['module']} ({theirs['version']})")
    print_medians(ROWS, runs)
    print()
    print("# for reference, the best round of each figure (not a result by itself: rounds differ)")
    print("\n".join(overhead_table(ROWS, c, ours, theirs)))
    tm, om = (
        import_cost(args.theirs_python, theirs_path(args), "cuda.core")[0],
        import_cost(sys.executable, args.ours_path, "cuda.core")[0],
    )
    print(f"| import cuda.core, median of 11 fresh processes (ms) | | {tm:.1f} | {om:.1f} | | | {om / tm:.2f} |")
    print(f"# Stream.record() making a new event each call: NVIDIA {theirs['Stream.record()']:.0f} ns, "
          f"ours {ours['Stream.record()']:.0f} ns")  # fmt: skip
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"best": {"c": c, "ours": ours, "nvidia": theirs}, "runs": runs, "gpu": gpu}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
