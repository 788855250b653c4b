# SPDX-License-Identifier: Apache-2.0
"""How each C parameter is handled in Python (a Plan), and the library being generated (Lib).

Every parameter gets a plan from its C type, its direction and overrides.yaml: how the Python
value is checked and converted, what the C call receives, and what comes back. The rules here
serve the small libraries (nvrtc, nvjitlink, nvvm, nvfatbin); the driver and runtime add theirs
(plan_driver.py) through Lib.extra_plan.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ctypes_ import cy, declare, ident, pointee, py_param

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
        if p.isdigit() and words:
            words[-1] += p
        else:
            words.append(p.lower())
    return "_".join(words)


@dataclass
class Plan:
    """How one C parameter is handled in Python."""

    pyname: str | None  # the Python argument, None when not a Python argument
    decl: list[str] = field(default_factory=list)  # cdef lines
    setup: list[str] = field(default_factory=list)  # checks and conversions, before the call
    arg: str = ""  # the C call's argument
    output: str | None = None  # a returned value's expression
    pytype: str = "object"  # for the stub
    outtype: str = "object"
    cleanup: list[str] = field(default_factory=list)  # after the call, also when it raises
    late: bool = False  # set up after the other parameters (it reads a count or a size)
    after_call: list[str] = field(default_factory=list)  # right after the C call returns
    last: bool = False  # set up after the late ones (it reads an array they fill)
    default: str | None = None  # the Python argument's default value


@dataclass
class Lib:
    name: str
    cfg: dict
    model: dict
    types: object = None
    extra_plan: Callable[[Lib, dict, dict], Plan] | None = None  # the driver's parameter rules (plan_driver.py)

    @property
    def cymod(self) -> str:
        return f"cy{self.name}"

    def enum_names(self) -> set[str]:
        return {e["name"] for e in self.model["enums"]}

    def handle_names(self) -> set[str]:
        return {t["name"] for t in self.model["typedefs"] if t["kind"] == "handle"}

    def fn(self, name: str) -> dict:
        return next(f for f in self.model["functions"] if f["name"] == name)


def base_type(ctype: str) -> str:
    """The type without qualifiers: "const char *const" -> "char*"."""
    return re.sub(r"\s+", " ", re.sub(r"\bconst\b", "", cy(ctype))).replace(" *", "*").strip()


def python_name(lib: Lib, fn: dict, p: dict, style: str) -> str:
    """A parameter's Python name: the header's (snake_case for the exceptions style), or the
    reference's where it differs (overrides: param_names)."""
    py = snake(p["name"]) if style == "exceptions" else py_param(p["name"])
    return lib.cfg.get("param_names", {}).get(fn["name"], {}).get(p["name"], py)


def plan(lib: Lib, fn: dict, p: dict, style: str) -> Plan:
    p = {**p, "type": re.sub(r"\s*\bconst\s*$", "", p["type"])}  # a const parameter (cudla.h) is a plain one
    c = ident(p["name"])
    py = python_name(lib, fn, p, style)
    over = lib.cfg.get("params", {}).get(fn["name"], {}).get(p["name"])
    t = base_type(p["type"])
    m = lib.cymod
    direction = p["direction"]
    if isinstance(over, str) and over in ("in", "out"):
        direction, over = over, None
    rich = (
        "kernel_params", "extra_params", "out_string", "pointer_attribute", "attr_value_out", "attr_value_in",
        "host_fn", "host_data", "in_list", "pointer_list", "out_address", "handle_out", "attribute_values",
        "range_values", "range_value", "borrowed_array", "stream_callback", "keep_host_fn", "inout_count",
        "out_list", "release_kept", "coredump_value", "coredump_set_value", "coredump_size", "inout", "in_floats",
        "writable",
    )  # fmt: skip
    if lib.extra_plan and (over in rich or (isinstance(over, dict) and set(over) & set(rich))):
        return lib.extra_plan(lib, fn, {**p, "direction": direction})

    if over == "inout_enum":  # an enum the call reads and replaces (cuThreadExchangeStreamCaptureMode)
        inner = base_type(pointee(p["type"]))
        enum = pyenum(lib, inner, style)
        return Plan(
            py,
            [f"cdef {m}.{inner} c_{c}"],
            [f"c_{c} = <{m}.{inner}><int>_index({py}, {py!r})"],
            f"&c_{c}",
            output=f"_enum_{enum}(<int>c_{c})" if lib.cfg.get("rich") else f"{enum}(c_{c})",
            pytype=f"{enum} | int",
            outtype=enum,
        )
    if isinstance(over, dict) and "strings" in over:
        count = ident(over["strings"])
        return Plan(
            py,
            [f"cdef CStrings _{c}"],
            [f"_{c} = c_strings({py}, c_{count}, {py!r}, {style == 'exceptions'})"],
            f"<{cy(p['type'])}>_{c}.ptrs",
            pytype="list[bytes] | None",
            late=True,
        )
    if isinstance(over, dict) and "buffer" in over:
        return Plan(
            py,
            [f"cdef BufferArg _{c}", f"cdef size_t _{c}_size = 0"],
            [],
            f"<{cy(p['type'])}>_{c}.ptr",
            pytype="bytearray | bytes | int",
            late=True,
        )  # setup filled in by the caller (needs the size call)
    if isinstance(over, dict) and "data" in over:
        size = ident(over["data"])
        return Plan(
            py,
            [f"cdef BufferArg _{c}"],
            [f"_{c} = buffer_arg({py}, False, {py!r}, c_{size}, False)"],
            f"<{cy(p['type'])}>_{c}.ptr",
            pytype="bytes | int",
            late=True,
        )
    if isinstance(over, dict) and "out_array" in over:
        return Plan(
            None,
            [f"cdef {pointee(p['type'])}* _{c} = NULL", f"cdef int _{c}_count = 0", "cdef int _size_status"],
            [],
            f"_{c}",
            output=f"[_{c}[i] for i in range(_{c}_count)]",
            outtype="list[int]",
        )
    if over == "address":
        return Plan(
            py,
            [f"cdef {declare(p['type'], 'c_' + c)}"],
            [f"c_{c} = <{cy(p['type'])}><uintptr_t>_address({py}, {py!r})"],
            f"c_{c}",
            pytype="int",
        )
    if over == "handle_ref":
        h = pointee(p["type"])
        if style == "tuple":
            return Plan(
                py, [f"cdef {m}.{h}* c_{c}"], [f"c_{c} = <{m}.{h}*>_handle_ref({py}, {h}, {py!r})"], f"c_{c}", pytype=h
            )
        return Plan(
            py,
            [f"cdef {m}.{h} c_{c}"],
            [f"c_{c} = <{m}.{h}><uintptr_t>_address({py}, {py!r})"],
            f"&c_{c}",
            pytype="int",
        )
    if isinstance(over, dict) and "out_text" in over:  # a char buffer the caller sizes (get_parameter_string)
        size = ident(over["out_text"])
        return Plan(
            None,
            [f"cdef bytearray _{c}", f"cdef char* c_{c}"],
            [f"_{c} = bytearray(max(c_{size}, 1))", f"c_{c} = _{c}"],
            f"c_{c}",
            output=f"bytes(_{c}).split(b'\\0', 1)[0].decode(errors='replace')",
            outtype="str",
            late=True,
        )
    if over == "out_record":  # a struct the call fills: a new instance of its class, returned
        ctype = base_type(pointee(p["type"]))
        cls = lib.cfg["records"][ctype]
        return Plan(
            None,
            [f"cdef object _{c}"],
            [f"_{c} = {cls}()"],
            f"<{qualified(lib, ctype)}*><uintptr_t>_{c}.ptr",
            output=f"_{c}",
            outtype=cls,
        )
    if over is not None:
        raise ValueError(f"{fn['name']}.{p['name']}: unknown override {over!r}")
    if lib.extra_plan:  # the driver's rules (plan_driver.py) cover every other parameter
        return lib.extra_plan(lib, fn, {**p, "direction": direction})

    if direction in ("in", "inout") and lib.cfg.get("pointers") == "address" and _is_address(lib, t):
        # NVIDIA's style for these libraries: a pointer (or a handle) is an int address
        return Plan(
            py,
            [f"cdef uintptr_t c_{c}"],
            [f"c_{c} = _address({py}, {py!r})"],
            f"<{qualified(lib, cy(p['type']))}>c_{c}",
            pytype="int",
        )
    if direction == "in" and t in _LIB_SCALARS:  # types the library's .pxd declares (off_t, _Bool...)
        decl = f"cdef {qualified(lib, t)} c_{c}"
        return Plan(py, [decl], [f"c_{c} = _index({py}, {py!r})"], f"c_{c}", pytype=_LIB_SCALARS[t])
    if direction == "in":
        if t in lib.handle_names():
            if style == "tuple":
                return Plan(
                    py,
                    [f"cdef {m}.{t} c_{c}"],
                    [f"c_{c} = <{m}.{t}><uintptr_t>_handle_value({py}, {t}, {py!r})"],
                    f"c_{c}",
                    pytype=f"{t} | int",
                )
            return Plan(
                py,
                [f"cdef {m}.{t} c_{c}"],
                [f"c_{c} = <{m}.{t}><uintptr_t>_address({py}, {py!r})"],
                f"c_{c}",
                pytype="int",
            )
        if t in lib.enum_names():
            return Plan(
                py,
                [f"cdef {m}.{t} c_{c}"],
                [f"c_{c} = <{m}.{t}><int>_index({py}, {py!r})"],
                f"c_{c}",
                pytype=f"{pyenum(lib, t, style)} | int",
            )
        if t in INT_TYPES:
            return Plan(py, [f"cdef {t} c_{c}"], [f"c_{c} = _index({py}, {py!r})"], f"c_{c}", pytype="int")
        if t == "char*":
            conv = f"_cstr({py}, {py!r})" if style == "tuple" else f"_cstr_or_str({py}, {py!r})"
            return Plan(
                py,
                [f"cdef bytes _{c}", f"cdef const char* c_{c}"],
                [f"_{c} = {conv}", f"c_{c} = _{c}"],
                f"c_{c}",
                pytype="bytes" if style == "tuple" else "str | bytes",
            )
    if direction in ("out", "inout") and cy(p["type"]).endswith("*"):
        inner = base_type(pointee(p["type"]))
        if inner in lib.handle_names():
            out = f"{inner}(<uintptr_t>c_{c})" if style == "tuple" else f"<intptr_t>c_{c}"
            return Plan(
                None,
                [f"cdef {m}.{inner} c_{c} = NULL"],
                [],
                f"&c_{c}",
                output=out,
                outtype=inner if style == "tuple" else "int",
            )
        if lib.cfg.get("pointers") == "address" and _is_address(lib, inner):  # a handle the call makes
            decl = f"cdef {qualified(lib, inner)} c_{c} = NULL"
            return Plan(None, [decl], [], f"&c_{c}", output=f"<intptr_t>c_{c}", outtype="int")
        if inner in _LIB_SCALARS:
            out = f"bool(c_{c})" if inner == "_Bool" else f"c_{c}"
            decl = f"cdef {qualified(lib, inner)} c_{c} = 0"
            return Plan(None, [decl], [], f"&c_{c}", output=out, outtype=_LIB_SCALARS[inner])
        if inner in lib.enum_names():
            return Plan(
                None,
                [f"cdef {m}.{inner} c_{c}"],
                [],
                f"&c_{c}",
                output=f"{pyenum(lib, inner, style)}(c_{c})",
                outtype=pyenum(lib, inner, style),
            )
        if inner in INT_TYPES:
            return Plan(None, [f"cdef {inner} c_{c} = 0"], [], f"&c_{c}", output=f"c_{c}", outtype="int")
        if inner == "char*":
            return Plan(
                None,
                [f"cdef const char* c_{c} = NULL"],
                [],
                f"&c_{c}",
                output=f"(<bytes>c_{c} if c_{c} != NULL else None)",
                outtype="bytes",
            )
    raise ValueError(f"{fn['name']}.{p['name']}: no rule for {direction} {p['type']!r}; add an override")


_LIB_SCALARS = {"_Bool": "bool", "off_t": "int", "ssize_t": "int", "loff_t": "int"}


def _is_address(lib: Lib, t: str) -> bool:
    """A pointer, or a type that is one (an opaque handle typedef, or one named in address_types)."""
    if t.endswith("*") or t in lib.cfg.get("address_types", ()):
        return True
    td = next((x for x in lib.model["typedefs"] if x["name"] == t), None)
    return bool(td) and td["kind"] in ("alias", "handle") and cy(td.get("canonical", td["type"])).endswith("*")


def qualified(lib: Lib, ctype: str) -> str:
    """A Cython type spelling whose library types are reached through the cy<lib> module."""
    words = {t["name"] for t in lib.model["typedefs"]} | {r["name"] for r in lib.model["records"]}
    # ssize_t is Cython's own type, the one the .pxd's declarations use: not the library's
    words |= lib.enum_names() | set(lib.cfg.get("address_types", ())) | (set(_LIB_SCALARS) - {"ssize_t"})
    return re.sub(r"[A-Za-z_]\w*", lambda w: f"{lib.cymod}.{w[0]}" if w[0] in words else w[0], ctype)


def pyenum(lib: Lib, cname: str, style: str) -> str:
    return cname if style == "tuple" else enum_pyname(lib, cname)


def enum_pyname(lib: Lib, cname: str) -> str:
    """nvJitLinkResult -> Result, nvJitLinkInputType -> InputType (exceptions style); overrides.yaml
    names those whose C name does not start with the prefix (enum_names)."""
    if cname in lib.cfg.get("enum_names", {}):
        return lib.cfg["enum_names"][cname]
    prefix = lib.cfg.get("prefix", "")
    return cname[len(prefix) :] if prefix and cname.startswith(prefix) else cname


def member_prefix(enum: dict) -> str:
    """The longest common prefix of the member names that ends with '_'."""
    names = [m["name"] for m in enum["members"]]
    if len(names) < 2:
        return names[0].rsplit("_", 1)[0] + "_" if names and "_" in names[0] else ""
    common = names[0]
    for n in names[1:]:
        while not n.startswith(common):
            common = common[:-1]
    return common[: common.rfind("_") + 1]


def lib_result(lib: Lib) -> str:
    """The Python name of the library's result enum (CUresult, nvrtcResult, Result...)."""
    if lib.cfg.get("result_enum"):
        return lib.cfg["result_enum"]
    return next(e["name"] for e in lib.model["enums"] if e["name"].endswith("Result"))
