# SPDX-License-Identifier: Apache-2.0
"""Questions about the parsed model that the planners and the struct emitter share: what a
typedef stands for (an integer, a struct, an enum, an address), how a type is spelt through
the cy<lib> module, and the Python names of struct fields.

Every function takes the library (plan_py.Lib) and reads only its cfg and model.
"""

from __future__ import annotations

import re

from ctypes_ import cy

# C integer types that convert to and from a Python int as they are
INT_TYPES = {
    "int", "unsigned int", "long", "unsigned long", "long long", "unsigned long long", "size_t", "short",
    "unsigned short", "char", "unsigned char", "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t",
    "uint16_t", "uint32_t", "uint64_t", "intptr_t", "uintptr_t",
}  # fmt: skip


def snake(name: str) -> str:
    """camelCase or PascalCase (with acronyms) -> snake_case: AddLTOIR -> add_ltoir; digits stay
    with the word before them: GetStatsL1 -> get_stats_l1, StatsLevel1 -> stats_level1."""
    parts = re.findall(r"[A-Z]+(?=[A-Z][a-z]|\d|$)|[A-Z]?[a-z]+|[A-Z]+|\d+", name)
    words: list[str] = []
    for p in parts:
        if words and (p.isdigit() or (len(p) == 1 and words[-1][-1:].isdigit())):
            words[-1] += p.lower()  # P2P -> p2p, C2c -> c2c: a letter after digits stays too
        else:
            words.append(p.lower())
    return "_".join(words)


# attributes of the struct classes (_lib/records.py) that a field must not hide, and the names
# NVIDIA's classes keep for themselves: both get a _ after them (size_, PciInfo.device_, IOVec.base_)
TAKEN = {"size", "ptr", "dtype", "from_data", "from_ptr", "device", "flags", "data", "min", "max", "base"}


def field_name(cname: str) -> str:
    """A struct field's Python name: snake_case, with _ after a name the class itself uses."""
    py = snake(cname) if any(ch.isupper() for ch in cname) else cname
    return f"{py}_" if py in TAKEN else py


def canonical(lib, t: str) -> str:
    """The type an alias typedef stands for (the name itself for any other type)."""
    td = next((x for x in lib.model["typedefs"] if x["name"] == t and x["kind"] == "alias"), None)
    return (td.get("canonical") or td["type"]) if td else t


def records_of(lib) -> dict:
    """The structs that have a Python class: C typedef -> class name (overrides.yaml records)."""
    records = lib.cfg.get("records")
    return records if isinstance(records, dict) else {}


def record_name(lib, ctype: str) -> str:
    """The model's record name of a struct typedef (its tag, or the typedef itself)."""
    t = next((x for x in lib.model["typedefs"] if x["name"] == ctype), None)
    return cy(t["type"]) if t else ctype


def int_alias(lib, t: str) -> bool:
    """Whether a typedef names an integer type (nvmlVgpuInstance_t)."""
    td = next((x for x in lib.model["typedefs"] if x["name"] == t and x["kind"] == "alias"), None)
    return bool(td) and cy(td.get("canonical") or td["type"]) in INT_TYPES


def record_alias(lib, t: str) -> str:
    """The struct typedef another typedef names (nvmlClockOffset_t -> nvmlClockOffset_v1_t)."""
    seen = set()
    while t not in seen:
        seen.add(t)
        td = next((x for x in lib.model["typedefs"] if x["name"] == t and x["kind"] == "alias"), None)
        if td is None:
            return t
        t = cy(td["type"])
    return t


def is_enum_typedef(lib, t: str) -> bool:
    """Whether a typedef names an enum (nvmlEnableState_t for enum nvmlEnableState_enum)."""
    return any(x["name"] == t and x["kind"] == "enum" for x in lib.model["typedefs"])


# scalar types the library's .pxd declares (POSIX sizes, _Bool), with their Python types
LIB_SCALARS = {"_Bool": "bool", "off_t": "int", "ssize_t": "int", "loff_t": "int"}


def is_address(lib, t: str) -> bool:
    """A pointer, or a type that is one (an opaque handle typedef, or one named in address_types)."""
    if t.endswith("*") or t in lib.cfg.get("address_types", ()):
        return True
    td = next((x for x in lib.model["typedefs"] if x["name"] == t), None)
    return bool(td) and td["kind"] in ("alias", "handle") and cy(td.get("canonical", td["type"])).endswith("*")


def qualified(lib, ctype: str) -> str:
    """A Cython type spelling whose library types are reached through the cy<lib> module."""
    words = {t["name"] for t in lib.model["typedefs"]} | {r["name"] for r in lib.model["records"]}
    # ssize_t is Cython's own type, the one the .pxd's declarations use: not the library's
    words |= lib.enum_names() | set(lib.cfg.get("address_types", ())) | (set(LIB_SCALARS) - {"ssize_t"})
    return re.sub(r"[A-Za-z_]\w*", lambda w: f"{lib.cymod}.{w[0]}" if w[0] in words else w[0], ctype)


def included_files(lib) -> list[str]:
    """The hand-written .pxi files a module includes: each entry of the library's `include` is a
    path, or {path: name} for a file included only where the headers declare that name (a type or
    function of newer toolkits, such as 13.x's CUlogicalEndpointFabricHandle)."""
    declared = None
    files = []
    for entry in lib.cfg.get("include", ()):
        if isinstance(entry, str):
            files.append(entry)
            continue
        if declared is None:
            m = lib.model
            declared = {x["name"] for key in ("typedefs", "functions", "records", "enums") for x in m.get(key, ())}
        files += [path for path, name in entry.items() if name in declared]
    return files
