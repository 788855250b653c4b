# SPDX-License-Identifier: Apache-2.0
"""Chart of each stack's cost above the C floor, from the JSON the call benchmarks write.

    python -m benchmarks.chart benchmarks/results/driver_calls_h100.json benchmarks/results/core_calls_h100.json \
        -o docs/_static/bench.png

One panel per input file; one row per measured call; bars: the median over the run's rounds of
NVIDIA's and our cost above C in each round (the C twin's time, or for launches the C loop in the
stack's own process, subtracted), in nanoseconds; the whiskers span the rounds. Needs matplotlib
(ci/bench-requirements.txt).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import statistics


def rows(data: dict) -> list[tuple[str, list[float], list[float]]]:
    """(label, NVIDIA above C per round, ours above C per round), in ns, for each call measured on
    all three stacks in every round."""
    from benchmarks._common import above_c

    runs = data["runs"]
    units = data.get("units", {})
    out = []
    for key, c in runs["c"][0].items():
        if not all(isinstance(r.get(key), (int, float)) for k in ("c", "ours", "nvidia") for r in runs[k]):
            continue
        unit = units.get(key) or ("us" if key.startswith("launch") else "ns")
        scale = {"ns": 1.0, "us": 1e3, "ms": 1e6}[unit]  # one axis: nanoseconds
        theirs = [above_c(t, c, key) * scale for t, c in zip(runs["nvidia"], runs["c"])]
        ours = [above_c(o, c, key) * scale for o, c in zip(runs["ours"], runs["c"])]
        out.append((key, theirs, ours))
    return out


def _bar(values: list[float]) -> tuple[float, list[float]]:
    """The median and its whisker lengths down to the least and up to the most."""
    mid = statistics.median(values)
    return mid, [mid - min(values), max(values) - mid]


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
        for offset, column, label, color in ((0.2, 1, "NVIDIA", "#76b900"), (-0.2, 2, "ours", "#1f5fa8")):
            bars = [_bar(row[column]) for row in table]
            errors = [[b[1][0] for b in bars], [b[1][1] for b in bars]]
            ax.barh([i + offset for i in y], [b[0] for b in bars], xerr=errors, height=0.4, label=label,
                    color=color, error_kw={"elinewidth": 0.8, "capsize": 2})  # fmt: skip
        ax.set_yticks(list(y), [label for label, _, _ in table])
        ax.invert_yaxis()
        ax.set_xlabel("ns above C per call: median of rounds, whiskers the range (lower is better)")
        n = len(data["runs"]["c"])
        theirs = data["best"]["nvidia"].get("version")  # the children say it since 2026-12-05 (driver)
        against = f", against NVIDIA's {theirs}" if theirs else ""
        ax.set_title(f"{path.stem}: {data.get('gpu', '')}, {n} rounds{against}", fontsize=9)
        ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.output, dpi=110)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
