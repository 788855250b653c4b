# SPDX-License-Identifier: Apache-2.0
"""Driver API call overhead on a GPU: the C twin, ours and NVIDIA's cuda-bindings, in one run.

    python -m benchmarks.driver_calls --ours-path SITE [--theirs-python PYTHON] [--theirs-path DIR]

--ours-path: the folder our packages are installed in (put first on PYTHONPATH for
our runs); NVIDIA's run uses the same interpreter without it (gpu/README.md's
shadowing), or --theirs-python. Each stack runs benchmarks/_driver_child.py in
a fresh process; the C twin is benchmarks/c/driver_twin.c. Methodology as in
the anchors: best of 5 loops per call; launches are the median of 25 batches of
400 launches queued behind a spin kernel (CPU cost, not GPU throughput).
Prints a table with each stack's cost above C and the ratio of ours to NVIDIA's.
"""

from __future__ import annotations

import json
import sys

from benchmarks._common import (  # noqa: F401 (make_cubin: still importable from here)
    import_cost,
    make_cubin,
    overhead_rounds,
    overhead_table,
    print_medians,
    report,
    theirs_path,
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


def main() -> int:
    if sys.argv[1:2] == ["--report"]:
        return report(ROWS, sys.argv[2])
    args, runs, (c, ours, theirs), gpu = overhead_rounds("driver call overhead", "driver_twin.c", "_driver_child.py")
    print(f"# ours: {ours['module']} ({ours['version']}); NVIDIA: {theirs['module']} ({theirs['version']})")
    print("\n".join(overhead_table(ROWS, c, ours, theirs)))
    imports = {}
    for module in ("cuda.bindings.driver", "cuda.bindings.runtime"):
        (ours_ms, ours_mib), (theirs_ms, theirs_mib) = (
            import_cost(sys.executable, args.ours_path, module),
            import_cost(args.theirs_python, theirs_path(args), module),
        )
        imports[module] = {"ours": [ours_ms, ours_mib], "nvidia": [theirs_ms, theirs_mib]}
        print(f"| import {module}, median of 11 fresh processes (ms) | | {theirs_ms:.1f} | {ours_ms:.1f} "
              f"| | | {ours_ms / theirs_ms:.2f} |")  # fmt: skip
        print(
            f"| memory `import {module}` adds (MiB RSS) | | {theirs_mib:.1f} | {ours_mib:.1f} | | "
            f"| {ours_mib / theirs_mib:.2f} |"
        )
    print_medians(ROWS, runs)
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
