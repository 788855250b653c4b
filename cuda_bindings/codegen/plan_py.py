# SPDX-License-Identifier: Apache-2.0
"""How each C parameter is handled in Python (a Plan), and the library being generated (Lib).

Every parameter gets a plan from its C type, its direction and overrides.yaml: how the Python
value is checked and converted, what the C call receives, and what comes back. The rules here
serve the libraries other than the driver and runtime (nvrtc, nvjitlink, nvvm, nvfatbin, and
cufile, cudla and nvml, whose conventions overrides.yaml switches on: pointers as addresses,
pointer_outputs, arrays); the driver and runtime add theirs (plan_driver.py) through
Lib.extra_plan. What the model says about a type is asked of model_types.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ctypes_ import cy, declare, ident, pointee, py_param
from model_types import (
    INT_TYPES,
    LIB_SCALARS,
    canonical,
    field_name,
    int_alias,
    is_address,
    is_enum_typedef,
    qualified,
    record_alias,
    record_name,
    records_of,
    snake,
)


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
    query_arg: str | None = None  # its argument in a first call that asks for a count (count_array)
    after_query: list[str] = field(default_factory=list)  # right after that first call (sizes read from it)
    more_args: list[tuple[str, str]] = field(default_factory=list)  # further Python arguments: (name, type)


@dataclass
class Lib:
    name: str
    cfg: dict
    model: dict
    types: object = None
    extra_plan: Callable[[Lib, dict, dict], Plan] | None = None  # the driver's parameter rules (plan_driver.py)
    skipped: list[str] = field(default_factory=list)  # functions no rule covers (skip_unplanned), and why

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


def auto_overrides(lib: Lib, fn: dict) -> dict:
    """Rules for parameters that overrides.yaml does not name, where the library's conventions
    are regular (pointer_outputs, nvml): a char* output followed by its length is returned as a
    str, the length hidden (text_buffer bytes)."""
    found: dict = {}
    if not lib.cfg.get("pointer_outputs"):
        return found
    params = fn["params"]
    size = lib.cfg.get("text_buffer", 256)
    for i, p in enumerate(params):
        if cy(p["type"]) != "char*":
            continue
        found[p["name"]] = {"out_text_fixed": size}  # with no length (GetGspFirmwareVersion): the same buffer
        nxt = params[i + 1] if i + 1 < len(params) else None
        if nxt and nxt["name"] in ("length", "size", "bufferSize"):
            if cy(nxt["type"]) == "unsigned int":
                found[nxt["name"]] = {"fixed_size": size}
            elif cy(nxt["type"]) == "unsigned int*":  # in: the buffer's size; out: the text's
                found[nxt["name"]] = {"fixed_size_ref": size}
    return found


def override(lib: Lib, fn: dict, name: str):
    """overrides.yaml's rule for a parameter, else an automatic one, else None."""
    given = lib.cfg.get("params", {}).get(fn["name"], {}).get(name)
    return given if given is not None else auto_overrides(lib, fn).get(name)


def plan(lib: Lib, fn: dict, p: dict, style: str) -> Plan:
    p = {**p, "type": re.sub(r"\s*\bconst\s*$", "", p["type"])}  # a const parameter (cudla.h) is a plain one
    c = ident(p["name"])
    py = python_name(lib, fn, p, style)
    over = override(lib, fn, p["name"])
    t_full = cy(p["type"])
    if over is None and lib.cfg.get("pointer_outputs") and t_full.endswith("*") and not t_full.startswith("const"):
        over = "out"  # nvml.h: a non-const pointer is where the call writes
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
        return _text_buffer(c, f"max(c_{ident(over['out_text'])}, 1)", late=True)
    if isinstance(over, dict) and "out_text_fixed" in over:  # a char buffer of text_buffer bytes: a str
        return _text_buffer(c, str(lib.cfg.get("text_buffer", 256)), late=False)
    if isinstance(over, dict) and "fixed_size" in over:  # the length of such a buffer: not a Python argument
        return Plan(None, [], [], str(over["fixed_size"]))
    if isinstance(over, dict) and "fixed_size_ref" in over:
        return Plan(None, [f"cdef unsigned int c_{c} = {over['fixed_size_ref']}"], [], f"&c_{c}")
    if over == "out_record":  # a struct the call fills: a new instance of its class, returned
        return _out_record(lib, p, c)
    if over == "in_record":  # a struct the caller fills (a record of this module, or its address)
        cls = records_of(lib)[record_alias(lib, base_type(pointee(p["type"])))]
        return Plan(
            py,
            [f"cdef uintptr_t c_{c}"],
            [f"c_{c} = _address({py}, {py!r})"],
            f"<{qualified(lib, cy(p['type']))}>c_{c}",
            pytype=f"{cls} | int",
        )
    if over == "in_value":  # a number passed by pointer that the call only reads
        inner = cy(pointee(p["type"]))
        return Plan(py, [f"cdef {inner} c_{c}"], [f"c_{c} = _index({py}, {py!r})"], f"&c_{c}", pytype="int")
    if isinstance(over, dict) and "request" in over:
        return _request_record(lib, fn, p, c, over)
    if isinstance(over, dict) and "fixed_count" in over:  # an array's length the binding chooses
        return Plan(None, [f"cdef unsigned int c_{c} = {over['fixed_count']}"], [], f"c_{c}")
    if over == "count_ref":  # the count of a count_array: 0 to ask, then the length of the array
        return Plan(None, [f"cdef unsigned int c_{c} = 0"], [], f"&c_{c}")
    if isinstance(over, dict) and ("count_array" in over or "sized_array" in over):
        return _array_plan(lib, p, c, over)
    if over is not None:
        raise ValueError(f"{fn['name']}.{p['name']}: unknown override {over!r}")
    return _plan_by_type(lib, fn, p, style, direction, c, py, t, m)


def _text_buffer(c: str, size: str, late: bool) -> Plan:
    """A char buffer of `size` bytes the call writes text into, returned as str (up to its NUL)."""
    return Plan(
        None,
        [f"cdef bytearray _{c}", f"cdef char* c_{c}"],
        [f"_{c} = bytearray({size})", f"c_{c} = _{c}"],
        f"c_{c}",
        output=f"bytes(_{c}).split(b'\\0', 1)[0].decode(errors='replace')",
        outtype="str",
        late=late,
    )


def _out_record(lib: Lib, p: dict, c: str) -> Plan:
    """A struct the call fills: a new instance of its class, returned."""
    v = f"o_{c}"  # not _{c}: a parameter may be named status (_status is the result)
    ctype = record_alias(lib, base_type(pointee(p["type"])))
    cls = records_of(lib)[ctype]
    setup = [f"_{v} = {cls}()"]
    version = re.search(r"_v(\d+)(?:_t)?$", ctype)
    rec = next((r for r in lib.model["records"] if r["name"] == record_name(lib, ctype)), None)
    if version and rec and rec["fields"] and rec["fields"][0]["name"] == "version":
        # a versioned struct says which layout it is: its size, and the version in the top byte
        setup.append(f"_{v}.version = {cls}._itemsize | ({version.group(1)} << 24)")
    setup.append(f"c_{v} = _{v}.ptr")  # taken here: the call may run without the GIL
    output, outtype = f"_{v}", cls
    if lib.cfg.get("unwrap_versioned") and version and rec and len(rec["fields"]) == 2:
        # a versioned struct that carries one value (nvmlPdi_v1_t): the value, as NVIDIA's module returns
        output, outtype = f"_{v}.{field_name(rec['fields'][1]['name'])}", "Any"
    return Plan(
        None,
        [f"cdef object _{v}", f"cdef uintptr_t c_{v}"],
        setup,
        f"<{qualified(lib, ctype)}*>c_{v}",
        output=output,
        outtype=outtype,
    )


def _request_record(lib: Lib, fn: dict, p: dict, c: str, over: dict) -> Plan:
    """A versioned request struct: some fields come from Python arguments ({argument: field}),
    the call fills the others; returned is the struct, one of its fields (result: name), or
    nothing (result: null), as NVIDIA's module has each of these functions."""
    plan = _out_record(lib, p, c)
    v = f"_o_{c}"
    ctype = record_alias(lib, base_type(pointee(p["type"])))
    rec = next(r for r in lib.model["records"] if r["name"] == record_name(lib, ctype))
    fields = {f["name"]: f for f in rec["fields"]}
    for arg, cfield in over["request"].items():
        if cfield not in fields:
            raise ValueError(f"{fn['name']}.{p['name']}: {rec['name']} has no field {cfield!r}")
        plan.setup.insert(-1, f"{v}.{field_name(cfield)} = {arg}")
        plan.more_args.append((arg, "int"))
    for array, count in over.get("grow", {}).items():
        # a first call with no array (count 0) asks how many; then an array of that many is made and
        # set (a counted field of the record class keeps it alive and sets the count)
        for cfield in (array, count):
            if cfield not in fields:
                raise ValueError(f"{fn['name']}.{p['name']}: {rec['name']} has no field {cfield!r}")
        plan.query_arg = plan.arg
        n = f"int({v}._data[{field_name(count)!r}][0])"  # the count: hidden behind its array
        item = record_alias(lib, base_type(pointee(fields[array]["type"])))
        cls = records_of(lib).get(item)
        fresh = f"{cls}(max({n}, 1))[:{n}]" if cls else f"[0] * {n}"
        plan.after_query.append(f"{v}.{field_name(array)} = {fresh}")
    result = over.get("result", "record")
    if result is None:
        plan.output, plan.outtype = None, "object"
    elif result != "record":
        if result not in fields:
            raise ValueError(f"{fn['name']}.{p['name']}: {rec['name']} has no field {result!r}")
        plan.output, plan.outtype = f"{v}.{field_name(result)}", "int"
    return plan


_STRUCT_CODES = {"unsigned int": "I", "int": "i", "unsigned long": "L", "unsigned long long": "Q", "long long": "q"}


def _array_plan(lib: Lib, p: dict, c: str, over: dict) -> Plan:
    """An array the call fills, returned: its length is a count the call reports after a first
    call that asks (count_array: the count parameter), or a Python argument (sized_array).
    Structs come back as an array of their class; numbers and handles as a list of ints."""
    v = f"o_{c}"
    asked = "count_array" in over
    n = f"c_{ident(over['count_array'] if asked else over['sized_array'])}"
    item = record_alias(lib, base_type(pointee(p["type"])))
    query = "NULL" if asked else None
    if item in records_of(lib):
        cls = records_of(lib)[item]
        return Plan(
            None,
            [f"cdef object _{v}", f"cdef uintptr_t c_{v}"],
            [f"_{v} = {cls}(max({n}, 1))", f"c_{v} = _{v}.ptr"],
            f"<{qualified(lib, item)}*>c_{v}",
            output=f"_{v}[:{n}]",
            outtype=cls,
            late=True,
            query_arg=query,
        )
    if is_address(lib, item):
        code = "Q"  # handles: pointers, 8 bytes
    else:
        code = _STRUCT_CODES.get(cy(canonical(lib, item)))
        if code is None and (item in lib.enum_names() or is_enum_typedef(lib, item)):
            code = "i"
        if code is None:
            raise ValueError(f"{p['name']}: no rule for an array of {item}")
    return Plan(
        None,
        [f"cdef bytearray _{v}", f"cdef char* c_{v}"],
        [f"_{v} = bytearray(max({n}, 1) * sizeof({qualified(lib, item)}))", f"c_{v} = _{v}"],
        f"<{qualified(lib, item)}*>c_{v}",
        output=f"list(memoryview(_{v}).cast({code!r}))[:{n}]",
        outtype="list[int]",
        late=True,
        query_arg=query,
    )


def _plan_by_type(lib: Lib, fn: dict, p: dict, style: str, direction: str, c: str, py: str, t: str, m: str) -> Plan:
    """The rules by C type, for a parameter that no override names."""
    if lib.extra_plan:  # the driver's rules (plan_driver.py) cover every other parameter
        return lib.extra_plan(lib, fn, {**p, "direction": direction})

    text_in = t == "char*" and lib.cfg.get("pointer_outputs")  # nvml takes its strings as str
    if direction in ("in", "inout") and lib.cfg.get("pointers") == "address" and is_address(lib, t) and not text_in:
        # NVIDIA's style for these libraries: a pointer (or a handle) is an int address
        return Plan(
            py,
            [f"cdef uintptr_t c_{c}"],
            [f"c_{c} = _address({py}, {py!r})"],
            f"<{qualified(lib, cy(p['type']))}>c_{c}",
            pytype="int",
        )
    if direction == "in" and t in LIB_SCALARS:  # types the library's .pxd declares (off_t, _Bool...)
        decl = f"cdef {qualified(lib, t)} c_{c}"
        return Plan(py, [decl], [f"c_{c} = _index({py}, {py!r})"], f"c_{c}", pytype=LIB_SCALARS[t])
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
        if t in lib.enum_names() or is_enum_typedef(lib, t):
            return Plan(
                py,
                [f"cdef {m}.{t} c_{c}"],
                [f"c_{c} = <{m}.{t}><int>_index({py}, {py!r})"],
                f"c_{c}",
                pytype=f"{pyenum(lib, t, style)} | int" if t in lib.enum_names() else "int",
            )
        if int_alias(lib, t):  # a typedef of an integer (nvmlVgpuInstance_t)
            return Plan(py, [f"cdef {m}.{t} c_{c}"], [f"c_{c} = _index({py}, {py!r})"], f"c_{c}", pytype="int")
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
        if lib.cfg.get("pointers") == "address" and is_address(lib, inner):  # a handle the call makes
            decl = f"cdef {qualified(lib, inner)} c_{c} = NULL"
            return Plan(None, [decl], [], f"&c_{c}", output=f"<intptr_t>c_{c}", outtype="int")
        if inner in LIB_SCALARS:
            out = f"bool(c_{c})" if inner == "_Bool" else f"c_{c}"
            decl = f"cdef {qualified(lib, inner)} c_{c} = 0"
            return Plan(None, [decl], [], f"&c_{c}", output=out, outtype=LIB_SCALARS[inner])
        inner = record_alias(lib, inner)
        if inner in records_of(lib):  # a struct the call fills (pointer_outputs)
            return _out_record(lib, {**p, "type": f"{inner} *"}, c)
        if int_alias(lib, inner):
            return Plan(None, [f"cdef {m}.{inner} c_{c} = 0"], [], f"&c_{c}", output=f"c_{c}", outtype="int")
        if inner in lib.enum_names() or is_enum_typedef(lib, inner):
            as_int = lib.cfg.get("pointer_outputs")  # nvml returns enum outputs as plain ints, as NVIDIA's does
            return Plan(
                None,
                [f"cdef {m}.{inner} c_{c}"],
                [],
                f"&c_{c}",
                output=f"<int>c_{c}" if as_int else f"{pyenum(lib, inner, style)}(c_{c})",
                outtype="int" if as_int else pyenum(lib, inner, style),
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


def pyenum(lib: Lib, cname: str, style: str) -> str:
    return cname if style == "tuple" else enum_pyname(lib, cname)


def enum_pyname(lib: Lib, cname: str) -> str:
    """nvJitLinkResult -> Result, nvJitLinkInputType -> InputType (exceptions style); overrides.yaml
    names those whose C name does not start with the prefix (enum_names)."""
    if cname in lib.cfg.get("enum_names", {}):
        return lib.cfg["enum_names"][cname]
    if lib.cfg.get("enum_typedef_names"):  # nvml: named as its typedef (nvmlGpuLevel_enum -> GpuTopologyLevel)
        alias = next((t["name"] for t in lib.model["typedefs"] if t["kind"] == "enum" and cy(t["type"]) == cname), None)
        cname = re.sub(r"_t$", "", alias or cname)
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


def member_strip(lib: Lib, enum: dict, style: str) -> str:
    """The prefix the Python members leave out (exceptions style): overrides.yaml's for the enum,
    else the library's ("*") where every member has it, else the members' common prefix."""
    if style != "exceptions":
        return ""
    by_name = lib.cfg.get("member_prefix_by_name")
    if by_name:  # nvml: NVML_<ENUM_NAME>_ where every member has it, else NVML_ (P2P_STATUS_OK, FEATURE_DISABLED)
        full = f"{by_name}{snake(pyenum(lib, enum['name'], style)).upper()}_"
        return full if all(m["name"].startswith(full) for m in enum["members"]) else by_name
    prefixes = lib.cfg.get("enum_member_prefix", {})
    common = prefixes.get("*", "")
    if common and not all(m["name"].startswith(common) for m in enum["members"]):
        common = ""
    return prefixes.get(enum["name"]) or common or member_prefix(enum)
