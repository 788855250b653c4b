# SPDX-License-Identifier: Apache-2.0
"""Plans for the array parameters of the driver and runtime: arrays the call fills (sized by an
in/out count or an input count) and input arrays beside their count."""

from __future__ import annotations

import re

from ctypes_ import cy, ident
from driver_types import ARRAY_DOC, COUNT, Types, Unsupported, param_docs
from plan_py import Lib, Plan, base_type


def counted_output(lib: Lib, fn: dict, p: dict) -> Plan | None:
    """Arrays the call fills, sized by an in/out count (overrides: `inout_count`): the count is an
    input (0, the default, asks for the number only) and comes back with the lists, each as long
    as the count asked for (entries past the real number are NULL handles), as the reference does."""
    over = lib.cfg.get("params", {}).get(fn["name"], {})
    count = next((name for name, o in over.items() if o == "inout_count"), None)
    if count is None:
        return None
    n = f"_len_{ident(count)}"
    c = ident(p["name"])
    if p["name"] == count:
        ct = cy(p["type"])[:-1].strip()  # size_t, or unsigned int for nbGroups
        return Plan(
            c,
            [f"cdef {ct} c_{c} = 0", f"cdef size_t {n} = 0"],
            [f"c_{c} = {c} if PyLong_Check({c}) else _index({c}, {c!r})", f"{n} = c_{c}"],
            f"&c_{c}",
            output=f"c_{c}",
            pytype="int",
            outtype="int",
            default="0",
        )
    t = cy(p["type"])
    if p["name"] in over or not t.endswith("*") or t.endswith("**") or "const" in t:
        return None  # not an array (a single output says so in the overrides)
    types: Types = lib.types
    m = lib.cymod
    item = base_type(t[:-1].strip())
    kind, cls = types.kind(item)
    if kind == "handle":
        make = f"{cls}(<uintptr_t>c_{c}[i])"
    elif kind == "record":
        make = f"_struct_from({cls}, &c_{c}[i], sizeof({m}.{item}))"
    else:
        raise Unsupported(f"counted output array of {t}")
    return output_list(c, f"{m}.{item}", n, make, cls)


def output_list(c: str, ct: str, n: str, make: str, cls: str) -> Plan:
    """An array of n items of C type ct that the call fills, returned as a list (make: one item)."""
    return Plan(
        None,
        [f"cdef {ct}* c_{c} = NULL"],
        [
            f"if {n}:",
            f"    c_{c} = <{ct}*>PyMem_Calloc({n}, sizeof({ct}))",
            f"    if c_{c} == NULL:",
            "        raise MemoryError()",
        ],
        f"c_{c}",
        output=f"[{make} for i in range({n})]",
        outtype=f"list[{cls}]",
        cleanup=[f"PyMem_Free(c_{c})"],
        late=True,
    )


def array_plan(lib: Lib, fn: dict, p: dict, t: str, count: str | None = None, less: int = 0) -> Plan | None:
    """`const T* items` with an integer count parameter: a list (or None) of T in Python.

    count: the count parameter, where overrides.yaml names it (the array is then an input whatever its const);
    less: the array holds that many entries fewer than the count (globalStrides: tensorRank - 1).
    """
    if not (t.endswith("*") and not t.endswith("**") and (t.startswith("const ") or count)):
        return None
    types: Types = lib.types
    kind, name = types.kind(t[:-1].strip())
    if kind not in ("handle", "intclass", "int", "enum", "record"):
        return None
    counts = [q["name"] for q in fn["params"] if COUNT.match(q["name"]) and types.kind(q["type"])[0] == "int"]
    if count is not None:
        counts = [count]
    if len(counts) > 1:  # cudaGraphAddMemcpyNode1D: numDependencies counts pDependencies, count is bytes
        stem = re.sub(r"^p(?=[A-Z])", "", p["name"]).lower()
        counts = [q for q in counts if q.lower() in (f"num{stem}", f"{stem}count")]
    if len(counts) != 1:
        return None
    doc = param_docs(fn["doc"]).get(p["name"], "")
    named_by_count = counts[0].lower() in (f"num{p['name']}".lower(), f"{p['name']}count".lower())
    always = base_type(t[:-1].strip()) in lib.cfg.get("array_types", []) or count is not None
    if not (always or ARRAY_DOC.match(doc) or named_by_count or (p["name"].endswith("s") and kind != "record")):
        return None  # a single struct beside a count of something else
    named_in_overrides = count is not None
    m, c, count = lib.cymod, ident(p["name"]), ident(counts[0])
    n = f"c_{count}" if not less else f"(c_{count} - {less})"
    item = base_type(t[:-1].strip())
    ct = item if kind in ("int",) else f"{m}.{item}"
    if kind in ("handle", "intclass"):
        convert = f"<{ct}><uintptr_t>_handle_value(value, {name}, {c!r})"
    elif kind == "enum":
        convert = f"<{ct}><int>_index(value, {c!r})"
    elif kind == "record":
        convert = f"(<{ct}*><uintptr_t>(<{name}>_struct_arg(value, {name}, {c!r})).getPtr())[0]"
    else:
        convert = f"_index(value, {c!r})"
    required = []  # where overrides.yaml names the count, None for a nonzero count is refused, never passed as NULL
    if named_in_overrides:
        required = [f"if {c} is None and {n} > 0:", f"    raise ValueError('{c} is None but {count} is not 0')"]
    return Plan(
        c,
        [f"cdef {ct}* c_{c} = NULL"],
        [
            *required,
            f"if {c} is not None and {n} > 0:",
            f"    if PyObject_Length({c}) < {n}:",  # not len(): a parameter may be called len
            f"        raise ValueError(f'{c} has {{PyObject_Length({c})}} entries, fewer than {count} ({{{n}}})')",
            f"    c_{c} = <{ct}*>PyMem_Malloc({n} * sizeof({ct}))",
            f"    if c_{c} == NULL:",
            "        raise MemoryError()",
            f"    for i, value in enumerate({c}[:{n}]):",
            f"        c_{c}[i] = {convert}",
        ],
        f"c_{c}",
        pytype=f"list[{'int' if kind == 'int' else name}] | None",
        cleanup=[f"PyMem_Free(c_{c})"],
        late=True,
    )
