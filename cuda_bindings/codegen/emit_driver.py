# SPDX-License-Identifier: Apache-2.0
"""The Python level of the driver and the runtime (the rich style): the module around the
functions, with tuple returns, a class for every type the functions take (emit_structs), the
enum tables (emit_enums) and the alias macros of the headers. Its fixed part, helpers the
generated code calls, is the template templates/rich_module.pyx.in.
"""

from __future__ import annotations

import pathlib
import re

import emit_enums
import emit_py
import plan_py
from ctypes_ import cy
from driver_types import Types, Unsupported, infer_directions
from emit_structs import struct_class, value_class
from model_types import included_files
from plan_driver import extra_plan
from plan_py import Lib

_TEMPLATE = (pathlib.Path(__file__).parent / "templates" / "rich_module.pyx.in").read_text()


# ------------------------------------------------------ alias macros
# `#define cudaKernelNodeAttrID cudaLaunchAttributeID` and
# `#define CU_KERNEL_NODE_ATTRIBUTE_PRIORITY CU_LAUNCH_ATTRIBUTE_PRIORITY`: other names of a type or of an
# enum member. Types become class aliases; members resolve on first use (module __getattr__), as the
# enum classes themselves are made then.


def _alias_target(lib: Lib, mac: dict) -> str:
    macros = {mm["name"]: mm for mm in lib.model["macros"]}
    target = mac["alias_of"]
    while target in macros and "alias_of" in macros[target]:
        target = macros[target]["alias_of"]
    return target


def _macro_type_aliases(lib: Lib, *kinds: str) -> list[tuple[str, str]]:
    types: Types = lib.types
    out = []
    for mac in lib.model["macros"]:
        if "alias_of" in mac:
            kind, primary = types.kind(_alias_target(lib, mac))
            if kind in kinds and kind != "other" and primary != mac["name"]:
                out.append((mac["name"], primary))
    return out


def _macro_member_aliases(lib: Lib) -> list[tuple[str, str, str]]:
    """(alias, enum class, member) for each macro naming an enum member."""
    types: Types = lib.types
    owner = {}
    for enum in lib.model["enums"]:
        cls = types.enum_class.get(enum["name"], enum["name"])
        for mm in enum["members"]:
            owner.setdefault(mm["name"], cls)
    out = []
    for mac in lib.model["macros"]:
        if "alias_of" in mac:
            target = _alias_target(lib, mac)
            if target in owner:
                out.append((mac["name"], owner[target], target))
    return out


def _struct_stub(name: str, lines: list[str]) -> list[str]:
    """The stub of a struct class from its lines: made by __cinit__ (so `__new__` in the stub), and
    a property per field, settable where the class has a setter."""
    stub = [
        f"class {name}:",
        f"    def __new__(cls, _ptr: int = 0, owner: object = None) -> {name}: ...",
        "    def getPtr(self) -> int: ...",
    ]
    for i, line in enumerate(lines[1:], 1):
        m = re.fullmatch(r"    def (\w+)\(self\):", line)
        if m and lines[i - 1] == "    @property":
            field = m.group(1)
            if f"    @{field}.setter" in lines:
                stub.append(f"    {field}: Any")
            else:
                stub += ["    @property", f"    def {field}(self) -> Any: ..."]
    return stub


def module(lib: Lib, stamp: str) -> tuple[str, str, str]:
    """(<lib>.pyx, <lib>.pyi, the functions left out and why)."""
    lib.types = Types(lib.model)
    types: Types = lib.types
    m = lib.cymod
    out = [_TEMPLATE.format(stamp=stamp, cymod=m, keep=lib.cfg["keep_host_record"]).rstrip(), ""]
    stub = [stamp, "", "from collections.abc import Callable", "from enum import IntEnum", "from typing import Any", ""]
    aliases: list[tuple[str, str]] = []

    # enums: one class per typedef name (CUresult), the tag an alias of it. Each is an IntEnum made on
    # first use (module __getattr__, or a call returning one): most programs touch a few of the
    # hundred, and making them all would be most of the import time.
    enum_lines, enum_stub, enum_aliases = emit_enums.enum_tables(lib, types)
    out += ["", *enum_lines, "cdef dict _ENUM_ALIASES = {}"]
    out += ["cdef dict _MEMBER_ALIASES = {}  # name -> (enum class, member)", ""]
    stub += enum_stub
    for t in lib.model["typedefs"]:
        if t["kind"] in ("enum", "alias") and types.kind(t["name"])[0] == "enum":  # CUkernelNodeAttrID
            target = types.kind(t["name"])[1]
            if target != t["name"] and (t["name"], target) not in enum_aliases:
                enum_aliases.append((t["name"], target))
    enum_aliases += _macro_type_aliases(lib, "enum")
    out += [f"_ENUM_ALIASES[{a!r}] = {b!r}" for a, b in enum_aliases if a != b]
    stub += [f"{a} = {b}" for a, b in enum_aliases if a != b]

    # value classes: handles, integer types, callbacks
    values = []
    for t in lib.model["typedefs"]:
        kind, primary = types.kind(t["name"])
        if kind in ("handle", "callback") or (kind == "intclass" and primary == t["name"]):
            values.append(t["name"])
            out += ["", *value_class(lib, t["name"], t["doc"]), ""]
            stub += [
                f"class {t['name']}:",
                "    def __init__(self, init_value: int = 0, _ptr: int = 0) -> None: ...",
                "    def __int__(self) -> int: ...",
                "    def getPtr(self) -> int: ...",
            ]
        elif kind == "intclass":
            aliases.append((t["name"], primary))

    # struct classes, nested unnamed ones first
    records = []

    def collect(rec):
        for f in rec["fields"]:
            if "record" in f:
                collect(f["record"])
        records.append(rec)

    for rec in lib.model["records"]:
        collect(rec)
    struct_names = [r["name"] for r in records]
    for name in struct_names:  # views into other memory, made without the Python-level __init__
        out += ["", f"cdef inline object _view_{name}(uintptr_t ptr, object owner):", f"    return {name}(ptr, owner)"]
    for rec in records:
        lines = struct_class(lib, rec, [])
        out += ["", *lines, ""]
        stub += _struct_stub(rec["name"], lines)
    for t in lib.model["typedefs"]:
        kind, primary = types.kind(t["name"])
        if kind == "record" and primary != t["name"]:
            aliases.append((t["name"], primary))
    aliases += _macro_type_aliases(lib, "record", "handle", "intclass", "callback")

    out += ["", "# Other names of the classes above (C typedefs and versioned names)."]
    for alias, target in aliases:
        if alias != target:
            out.append(f"{alias} = {target}")
            stub.append(f"{alias} = {target}")

    result_py = plan_py.lib_result(lib)
    out += [
        "",
        *emit_py.success_tuples(f"_enum_{result_py}({m}.{lib.cfg['success']})"),
    ]
    kept = any(
        isinstance(o, dict) and "keep_with" in o for ps in lib.cfg.get("params", {}).values() for o in ps.values()
    )
    if kept:
        out += [
            "",
            "",
            "# Arrays the library writes into until a handle is destroyed (cuLinkCreate's optionValues, for",
            "# its output options), by handle value: kept here, not by the handle object, which may go first.",
            "cdef dict _kept_until_destroyed = {}",
        ]
    out += [
        "",
        "",
        "cdef inline object _result(int value):",
        f"    if value == {m}.{lib.cfg['success']}:",
        "        return _success",
        f"    return _enum_{result_py}(value)",
        "",
    ]
    # macros: plain ints, also those cast to a handle (((CUstream)0x1) is 1), as NVIDIA's: clients
    # compare them with int(handle) and use them as dict keys (numba-cuda's stream names)
    for mac in lib.model["macros"]:
        if "value" not in mac:
            continue
        out.append(f"{mac['name']} = {mac['value']}")
        stub.append(f"{mac['name']}: int")
    member_aliases = _macro_member_aliases(lib)
    out += [f"_MEMBER_ALIASES[{a!r}] = ({cls!r}, {mm!r})" for a, cls, mm in member_aliases]
    stub += [f"{a}: {cls}" for a, cls, _ in member_aliases]
    hand_written: set[str] = set()
    for extra in included_files(lib):  # hand-written helpers the overrides ask for
        out += ["", f'include "{extra}"']
        for name, line in emit_py.included_defs(extra):
            hand_written.add(name)
            stub.append(line)

    skipped = []
    emitted: set[str] = set()
    lib.extra_plan = extra_plan
    for fn in lib.model["functions"]:
        if fn["name"] in hand_written:
            continue
        fn2 = {**fn, "params": infer_directions(lib, fn)}
        returns = cy(fn["return"])
        if returns not in (plan_py.lib_result(lib), "const char*") and returns.replace(" ", "") != "constchar*":
            skipped.append(f"{fn['name']}: returns {returns}, not a status")
            continue
        try:
            lines, sig = emit_py.function(lib, fn2, "tuple")
        except (Unsupported, ValueError) as exc:
            skipped.append(f"{fn['name']}: {exc}")
            continue
        out += ["", *lines, ""]
        stub.append(sig)
        emitted.add(fn["name"])
    # names a line's headers reach only through an API-version #define (12.x: cuStreamGetCaptureInfo
    # is cuStreamGetCaptureInfo_v2): the plain name is that function, where the headers lack it
    for alias, target in lib.cfg.get("function_aliases", {}).items():
        if alias not in emitted and target in emitted:
            out += [f"{alias} = {target}"]
            stub.append(f"{alias} = {target}")
    out += ["", "def sizeof(objType):", '    """The size in bytes of the C type behind a class of this module."""']
    stub += ["def sizeof(objType: type) -> int: ...", "def __dir__() -> list[str]: ..."]
    for name in [*values, *struct_names]:
        out += [f"    if objType is {name}:", f"        return sizeof({m}.{name})"]
    out += ['    raise TypeError(f"Unknown type: {objType}")', ""]
    return "\n".join(out).rstrip() + "\n", "\n".join(stub) + "\n", "\n".join(skipped) + "\n"
