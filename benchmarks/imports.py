# SPDX-License-Identifier: Apache-2.0
"""Import time and resident memory added by `import cuda.bindings.driver` / `.runtime` / `cuda.core`,
ours beside NVIDIA's, in fresh processes (median of 11). Needs no GPU.

    python -m benchmarks.imports --theirs-python .bench/nvidia-venv/bin/python [--ours-path DIR]

BENCH_CORE pins every process to one CPU core (default 2; use 1 on a 2-core machine).
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from benchmarks._common import import_cost

MODULES = ("cuda.bindings.driver", "cuda.bindings.runtime", "cuda.core")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ours-path", help="PYTHONPATH holding ours (default: this interpreter's)")
    parser.add_argument("--theirs-python", required=True, help="an interpreter with NVIDIA's packages")
    parser.add_argument("--modules", nargs="+", default=list(MODULES))
    args = parser.parse_args()
    print("| import | NVIDIA (ms) | ours (ms) | ours/NVIDIA | NVIDIA adds (MiB) | ours adds (MiB) | ours/NVIDIA |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for module in args.modules:
        try:
            ours_ms, ours_mib = import_cost(sys.executable, args.ours_path, module)
            theirs_ms, theirs_mib = import_cost(args.theirs_python, None, module)
        except subprocess.CalledProcessError:
            print(f"| {module} | not importable in one of the two environments | | | | | |")
            continue
        print(f"| {module} | {theirs_ms:.1f} | {ours_ms:.1f} | {ours_ms / theirs_ms:.2f} | {theirs_mib:.1f} "
              f"| {ours_mib:.1f} | {ours_mib / theirs_mib:.2f} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
