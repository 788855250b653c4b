# SPDX-License-Identifier: Apache-2.0
"""Changes to the parsed model before anything is emitted from it."""

from __future__ import annotations


def assign_anon_names(model: dict) -> None:
    """Name unnamed nested records anon_structN / anon_unionN as NVIDIA's bindings number them.

    One counter per kind; records in model (header) order; inside each, a nested record is
    numbered when its closing brace is reached (after the records it contains); anonymous
    members (`union { a; b; };`, whose fields the parent takes) use up a number without
    getting a class. Shared by both levels.
    """
    count = {"struct": 0, "union": 0}

    def take(kind: str) -> str:
        count[kind] += 1
        return f"anon_{kind}{count[kind] - 1}"

    def walk(rec: dict) -> None:
        kinds = rec.get("anonymous", [])
        fields = rec["fields"]
        for i, f in enumerate(fields):
            if "record" in f:
                walk(f["record"])
                f["record"]["name"] = take(f["record"]["kind"])
            group = f.get("member_of_anonymous")
            if group is not None and (i + 1 == len(fields) or fields[i + 1].get("member_of_anonymous") != group):
                take(kinds[group])  # an anonymous member ends here

    for rec in model["records"]:
        walk(rec)
