# SPDX-License-Identifier: Apache-2.0
"""Chart of each stack's cost above the C floor, from the JSON the call benchmarks write.

    python -m benchmarks.chart benchmarks/results/driver_calls_h100.json benchmarks/results/core_calls_h100.json \
        -o docs/_static/bench.png

One panel per input file; one row per measured call; bars: NVIDIA's and our cost above C
(the C twin's time subtracted), in nanoseconds. Needs matplotlib (ci/bench-requirements.txt).
"""

from __future__ import annotations

import argparse
import json
import pathlib


def rows(data: dict) -> list[tuple[str, float, float]]:
    """(label, NVIDIA above C, ours above C) for each call measured on all three stacks."""
    best = data["best"]
    units = data.get("units", {})
    out = []
    for key, c in best["c"].items():
        theirs, ours = best["nvidia"].get(key), best["ours"].get(key)
        if not all(isinstance(v, (int, float)) for v in (c, theirs, ours)):
            continue
        unit = units.get(key) or ("us" if key.startswith("launch") else "ns")
        scale = {"ns": 1.0, "us": 1e3, "ms": 1e6}[unit]  # one axis: nanoseconds
        out.append((key, (theirs - c) * scale, (ours - c) * scale))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("inputs", nargs="+", type=pathlib.Path)
    parser.add_argument("-o", "--output", type=pathlib.Path, required=True)
    args = parser.parse_args(argv)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [(p, json.loads(p.read_text())) for p in args.inputs]
    heights = [max(2.0, 0.45 * len(rows(d)) + 1.2) for _, d in panels]
    fig, axes = plt.subplots(len(panels), 1, figsize=(8, sum(heights)), height_ratios=heights, squeeze=False)
    for ax, (path, data) in zip(axes[:, 0], panels):
        table = rows(data)
        y = range(len(table))
        ax.barh([i + 0.2 for i in y], [t for _, t, _ in table], height=0.4, label="NVIDIA", color="#76b900")
        ax.barh([i - 0.2 for i in y], [o for _, _, o in table], height=0.4, label="ours", color="#1f5fa8")
        ax.set_yticks(list(y), [label for label, _, _ in table])
        ax.invert_yaxis()
        ax.set_xlabel("cost above the C floor, ns per call (lower is better)")
        ax.set_title(f"{path.stem}: {data.get('gpu', '')}", fontsize=9)
        ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.output, dpi=110)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
