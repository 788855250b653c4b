# SPDX-License-Identifier: Apache-2.0
"""The Python level: <lib>.pyx and <lib>.pyi, in one of two styles.

tuple style (nvrtc; later the driver and runtime): camelCase names as in C,
    every call returns (result, *outputs); outputs are None when result is an error.
exceptions style (nvjitlink, nvvm, nvfatbin): snake_case names without the
    library prefix, outputs returned directly, errors raised as <lib>Error.

Every parameter gets a plan from its C type, its direction and overrides.yaml:
how the Python value is checked and converted, what the C call receives,
and what comes back.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ctypes_ import cy, declare, ident, pointee, py_param

from docs import docstring, quote

INT_TYPES = {
    "int", "unsigned int", "long", "unsigned long", "long long", "unsigned long long", "size_t", "short",
    "unsigned short", "char", "unsigned char", "int8_t", "int16_t", "int32_t", "int64_t", "uint8_t",
    "uint16_t", "uint32_t", "uint64_t", "intptr_t", "uintptr_t",
}  # fmt: skip


def snake(name: str) -> str:
    """camelCase or PascalCase (with acronyms) -> snake_case: AddLTOIR -> add_ltoir."""
    parts = re.findall(r"[A-Z]+(?=[A-Z][a-z]|\d|$)|[A-Z]?[a-z]+|[A-Z]+|\d+", name)
    return "_".join(p.lower() for p in parts)


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
        enum = _pyenum(lib, inner, style)
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
    if over is not None:
        raise ValueError(f"{fn['name']}.{p['name']}: unknown override {over!r}")
    if lib.extra_plan:  # the driver's rules (plan_driver.py) cover every other parameter
        return lib.extra_plan(lib, fn, {**p, "direction": direction})

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
                pytype=f"{_pyenum(lib, t, style)} | int",
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
        if inner in lib.enum_names():
            return Plan(
                None,
                [f"cdef {m}.{inner} c_{c}"],
                [],
                f"&c_{c}",
                output=f"{_pyenum(lib, inner, style)}(c_{c})",
                outtype=_pyenum(lib, inner, style),
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


def _pyenum(lib: Lib, cname: str, style: str) -> str:
    return cname if style == "tuple" else enum_pyname(lib, cname)


def enum_pyname(lib: Lib, cname: str) -> str:
    """nvJitLinkResult -> Result, nvJitLinkInputType -> InputType (exceptions style)."""
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


def _size_call(lib: Lib, call: str, fname: str, style: str) -> list[str]:
    """Call a size or count function first; its failure ends the call the usual way."""
    fail = "return (_result(_size_status),)" if style == "tuple" else "_check(_size_status, 0)"
    return [
        f"_size_status = {lib.cymod}.{call}",
        f"if _size_status != {lib.cymod}.{lib.cfg['success']}:",
        f"    {fail}",
    ]


def _fill_buffer_setup(lib: Lib, fn: dict, plans: list[Plan], params: list[dict], style: str) -> None:
    """A buffer parameter is sized by its size function, called first with the same handle."""
    for p, pl in zip(params, plans):
        over = lib.cfg.get("params", {}).get(fn["name"], {}).get(p["name"])
        if isinstance(over, dict) and "buffer" in over:
            size_fn = over["buffer"]
            c = ident(p["name"])
            pl.decl.append("cdef int _size_status")
            pl.setup = [
                *_size_call(lib, f"{size_fn}({plans[0].arg}, &_{c}_size)", size_fn, style),
                f"_{c} = buffer_arg({pl.pyname}, True, {pl.pyname!r}, _{c}_size, {style == 'tuple'})",
            ]


def _out_array_setup(lib: Lib, fn: dict, params: list[dict], style: str) -> list[str]:
    lines = []
    for p in params:
        over = lib.cfg.get("params", {}).get(fn["name"], {}).get(p["name"])
        if isinstance(over, dict) and "out_array" in over:
            c = ident(p["name"])
            item = pointee(p["type"])
            lines += [
                *_size_call(lib, f"{over['out_array']}(&_{c}_count)", over["out_array"], style),
                f"_{c} = <{item}*>PyMem_Malloc(max(_{c}_count, 1) * sizeof({item}))",
                f"if _{c} == NULL:",
                "    raise MemoryError()",
            ]
    return lines


# ---------------------------------------------------------------- functions


def _pyname(lib: Lib, fn: dict, style: str) -> str:
    if style == "tuple":
        return fn["name"]
    prefix = lib.cfg["prefix"]
    return snake(fn["name"][len(prefix) :])


def function(lib: Lib, fn: dict, style: str) -> tuple[list[str], str]:
    """The def of one function, and its stub line."""
    m = lib.cymod
    params = fn["params"]
    plans = [plan(lib, fn, p, style) for p in params]
    _fill_buffer_setup(lib, fn, plans, params, style)
    pyname = _pyname(lib, fn, style)
    required = False  # a default only where every later parameter has one too
    for pl in reversed(plans):
        if pl.pyname and pl.default is None:
            required = True
        elif pl.pyname and required:
            pl.default = None
    args = [pl.pyname if pl.default is None else f"{pl.pyname}={pl.default}" for pl in plans if pl.pyname]
    body = []
    for pl in plans:
        body += [f"    {d}" for d in pl.decl if f"    {d}" not in body]
    early = [s for pl in plans if not pl.late and not pl.last for s in pl.setup]
    late = [s for pl in plans if pl.late and not pl.last for s in pl.setup]
    late += [s for pl in plans if pl.last for s in pl.setup]
    arrays = _out_array_setup(lib, fn, params, style)
    body += [f"    {s}" for s in early + late + arrays]
    call = f"{m}.{fn['name']}({', '.join(pl.arg for pl in plans)})"
    outs = [pl.output for pl in plans if pl.output]
    outtypes = [pl.outtype for pl in plans if pl.output]
    nogil = any(fnmatch.fnmatchcase(fn["name"], pat) for pat in lib.cfg.get("nogil", []))
    ret_is_string = cy(fn["return"]).replace(" ", "") == "constchar*"

    if ret_is_string:
        body += [f"    cdef const char* _text = {call}", "    _text_bytes = <bytes>_text if _text != NULL else b''"]
        if style == "tuple":
            body += ["    return (_success, _text_bytes)"]
            stub_ret = f"tuple[{lib_result(lib)}, bytes]"
        else:
            body += ["    return _text_bytes.decode(errors='replace')"]
            stub_ret = "str"
    else:
        body += [f"    cdef {m}.{base_type(fn['return'])} _status"]
        call_lines = ["with nogil:", f"    _status = {call}"] if nogil else [f"_status = {call}"]
        call_lines += [line for pl in plans for line in pl.after_call]
        cleanup = [line for pl in plans for line in pl.cleanup]
        if arrays:
            arr = next(ident(p["name"]) for p, pl in zip(params, plans) if pl.output and "range" in pl.output)
            cleanup.append(f"PyMem_Free(_{arr})")
        if cleanup:
            body += ["    try:", *[f"        {c}" for c in call_lines]]
            body += _finish(lib, style, outs, "        ", _handle_expr(lib, fn, plans, params), outtypes)
            body += ["    finally:", *[f"        {c}" for c in cleanup]]
        else:
            body += [f"    {c}" for c in call_lines]
            body += _finish(lib, style, outs, "    ", _handle_expr(lib, fn, plans, params), outtypes)
        if style == "tuple":
            stub_ret = f"tuple[{', '.join([lib_result(lib), *[f'{t} | None' for t in outtypes]])}]"
        else:
            stub_ret = "None" if not outs else outtypes[0] if len(outs) == 1 else f"tuple[{', '.join(outtypes)}]"
    pyparams = {p["name"]: pl.pyname for p, pl in zip(params, plans) if pl.pyname}
    doc = docstring(fn["doc"], pyparams)
    head = [f"def {pyname}({', '.join(args)}):", *quote(doc)]
    sig = ", ".join(
        f"{pl.pyname}: {pl.pytype}" + ("" if pl.default is None else f" = {pl.default}") for pl in plans if pl.pyname
    )
    return head + body, f"def {pyname}({sig}) -> {stub_ret}: ..."


def _handle_expr(lib: Lib, fn: dict, plans: list[Plan], params: list[dict]) -> str | None:
    if not params or base_type(params[0]["type"]) not in lib.handle_names() or params[0]["direction"] != "in":
        return None
    return plans[0].arg


def _finish(lib: Lib, style: str, outs: list[str], indent: str, handle: str | None, outtypes: list[str]) -> list[str]:
    success = lib.cfg["success"]
    if style == "tuple":
        nones = ", ".join(["None"] * len(outs))
        lines = [
            f"if _status != {lib.cymod}.{success}:",
            f"    return (_result(_status), {nones})" if outs else "    return (_result(_status),)",
        ]
        if len(outs) == 1 and outtypes == ["int"] and re.fullmatch(r"c_\w+", outs[0]):  # a plain C integer
            lines += [f"if 0 <= {outs[0]} < {_SMALL_INTS}:", f"    return _success_int({outs[0]})"]
        # A call with no outputs returns one shared tuple on success instead of building one.
        lines += [f"return (_result(_status), {', '.join(outs)})" if outs else "return _success_only"]
    else:
        check = f"_check(_status, <intptr_t>{handle})" if handle and lib.cfg.get("error_log") else "_check(_status, 0)"
        lines = [f"if _status != {lib.cymod}.{success}:", f"    {check}"]
        if not outs:
            lines.append("return None")
        elif len(outs) == 1:
            lines.append(f"return {outs[0]}")
        else:
            lines.append(f"return ({', '.join(outs)})")
    return [f"{indent}{line}" for line in lines]


_SHARED_TUPLE = "tuples are immutable: one serves every call"
_SMALL_INTS = 1024  # (success, n) tuples shared for 0 <= n < this: counts, attributes, versions' parts


def success_tuples(success: str) -> list[str]:
    """Module-level helpers of the tuple style: the shared results of calls that succeed."""
    return [
        f"cdef object _success = {success}",
        f"cdef tuple _success_only = (_success,)  # {_SHARED_TUPLE}",
        f"cdef list _success_ints = [None] * {_SMALL_INTS}  # (_success, n), made on first use",
        "",
        "",
        "cdef inline object _success_int(Py_ssize_t n):",
        "    t = _success_ints[n]",
        "    if t is None:",
        "        t = _success_ints[n] = (_success, n)",
        "    return t",
    ]


def lib_result(lib: Lib) -> str:
    if lib.cfg.get("result_enum"):
        return lib.cfg["result_enum"]
    return next(e["name"] for e in lib.model["enums"] if e["name"].endswith("Result"))


# ------------------------------------------------------------------ modules

_HEADER = """\
# cython: language_level=3, binding=True
{stamp}

from cpython.mem cimport PyMem_Free, PyMem_Malloc
from libc.stdint cimport *

from cuda.bindings cimport {cymod}
from cuda.bindings._lib.args cimport BufferArg, CStrings, buffer_arg, c_strings
from cuda.bindings._lib.args cimport address_arg as _address
from cuda.bindings._lib.args cimport cstr_arg as _cstr
from cuda.bindings._lib.args cimport cstr_or_str_arg as _cstr_or_str
from cuda.bindings._lib.args cimport handle_ref as _handle_ref
from cuda.bindings._lib.args cimport handle_value as _handle_value
from cuda.bindings._lib.args cimport index_arg as _index
"""


def _enum_class(lib: Lib, enum: dict, style: str) -> list[str]:
    name = _pyenum(lib, enum["name"], style)
    strip = member_prefix(enum) if style == "exceptions" else ""
    lines = [f"class {name}(_CEnum):", *quote(docstring(enum["doc"]) or f"The values of {enum['name']}.")]
    for member in enum["members"]:
        lines.append(f"    {member['name'][len(strip) :]} = {lib.cymod}.{member['name']}")
    return lines


def _repr_form(lib: Lib, n: str) -> tuple[str, bool]:
    """(the name a repr shows, whether the value is an integer). NVIDIA's format: an integer type
    shows its value in decimal (<CUdevice 0>, <CUdeviceptr 7>), a pointer in hex (<CUstream 0x5>);
    a versioned type shows the plain name users write (CUdevice_v1 is CUdevice)."""
    typedefs = lib.model["typedefs"]
    t = next((x for x in typedefs if x["name"] == n), {})
    integer = (
        t.get("kind") == "alias"
        and "*" not in t.get("canonical", t.get("type", "*"))
        and "(" not in t.get("canonical", t.get("type", ""))
    )
    aliases = (x["name"] for x in typedefs if x.get("kind") == "alias" and x.get("type") == n)
    plain = next((a for a in aliases if n.startswith(a + "_v")), n)
    return plain, integer


def handle_class(lib: Lib, t: dict) -> list[str]:
    n, m = t["name"], lib.cymod
    doc = docstring(t["doc"]) or f"A {n} handle."
    shown, integer = _repr_form(lib, n)
    value_repr = "{self._ptr[0]}" if integer else "0x{<uintptr_t>self._ptr[0]:x}"
    return [
        f"cdef class {n}:",
        *quote(doc + f"\n\n{n}(init_value=0) wraps a handle value; int() gives it back."),
        f"    cdef {m}.{n} _value",
        f"    cdef {m}.{n}* _ptr",
        "",
        "    def __cinit__(self):",
        "        self._ptr = &self._value  # made with __new__ (the fast path for outputs): a NULL/0 handle",
        "",
        "    def __init__(self, init_value=0, _ptr=0):",
        "        if _ptr:",
        f"            self._ptr = <{m}.{n}*><uintptr_t>_index(_ptr, '_ptr')",
        "        else:",
        # an integer type converts with Cython's range check (cuuint32_t(2**64 - 1) is an OverflowError)
        "            self._value = _index(init_value, 'init_value')"
        if integer
        else f"            self._value = <{m}.{n}><uintptr_t>_index(init_value, 'init_value')",
        "",
        "    def __int__(self):",
        "        return <uintptr_t>self._ptr[0]",
        "",
        "    def __index__(self):",
        "        return <uintptr_t>self._ptr[0]",
        "",
        "    def __repr__(self):",
        f"        return f'<{shown} {value_repr}>'",
        "",
        "    def __eq__(self, other):",
        f"        if not isinstance(other, {n}):",
        "            return NotImplemented",
        f"        return self._ptr[0] == (<{n}>other)._ptr[0]",
        "",
        "    def __hash__(self):",
        "        return hash(<uintptr_t>self._ptr[0])",
        "",
        "    def getPtr(self):",
        '        """The address where this object keeps the handle value."""',
        "        return <uintptr_t>self._ptr",
    ]


def module(lib: Lib, stamp: str) -> tuple[str, str]:
    """(<lib>.pyx, <lib>.pyi)."""
    style = lib.cfg["style"]
    out = [_HEADER.format(stamp=stamp, cymod=lib.cymod).rstrip(), ""]
    stub = [stamp.replace("# cython", "#"), "", "from enum import IntEnum", "from typing import Any", ""]
    if style == "tuple":
        out += [
            "import ctypes",
            "from enum import IntEnum",
            "from cuda.bindings._lib.enums import CEnum as _CEnum",
            "from typing import Any, Optional",
            "",
        ]
    else:
        out += [
            "from cuda.bindings._lib.enums import CEnum as _CEnum",
            "",
            "from cuda.bindings._lib.errors import LibraryError as _LibraryError",
            "",
        ]
    for enum in lib.model["enums"]:
        out += ["", *_enum_class(lib, enum, style), ""]
        stub += [f"class {_pyenum(lib, enum['name'], style)}(IntEnum): ..."]
    result = lib_result(lib)
    result_py = _pyenum(lib, result, style)
    out += [
        "",
        f"cdef dict _result_members = {result_py}._value2member_map_",
        *(
            success_tuples(f"{result_py}({lib.cymod}.{lib.cfg['success']})")
            if style == "tuple"
            else [f"cdef object _success = {result_py}({lib.cymod}.{lib.cfg['success']})"]
        ),
        "",
        "",
        "cdef inline object _result(int value):",
        f"    if value == {lib.cymod}.{lib.cfg['success']}:",
        "        return _success  # the common case, without a lookup",
        "    try:",
        "        return _result_members[value]",
        "    except KeyError:",
        "        return value",
        "",
    ]
    if style == "tuple":
        for t in lib.model["typedefs"]:
            if t["kind"] == "handle":
                out += ["", *handle_class(lib, t), ""]
                stub += [
                    f"class {t['name']}:",
                    "    def __init__(self, init_value: int = 0, _ptr: int = 0) -> None: ...",
                    "    def __int__(self) -> int: ...",
                    "    def getPtr(self) -> int: ...",
                ]
        sizes = [t["name"] for t in lib.model["typedefs"] if t["kind"] in ("handle", "enum")]
        out += [
            "",
            "def sizeof(objType):",
            '    """The size in bytes of a C type of this module, given its Python class."""',
        ]
        for n in sizes:
            out += [f"    if objType is {n}:", f"        return sizeof({lib.cymod}.{n})"]
        out += ['    raise TypeError(f"Unknown type: {objType}")', ""]
        stub += ["def sizeof(objType: type) -> int: ..."]
    else:
        out += _error_class(lib, result_py)
        stub += [f"class {lib.cfg['error']}(Exception):", "    status: int", "    error_log: str | None"]
    for fn in lib.model["functions"]:
        lines, sig = function(lib, fn, style)
        out += ["", *lines, ""]
        stub.append(sig)
    return "\n".join(out).rstrip() + "\n", "\n".join(stub) + "\n"


def _error_class(lib: Lib, result_py: str) -> list[str]:
    err = lib.cfg["error"]
    lines = [
        "",
        f"class {err}(_LibraryError):",
        f'    """A {lib.name} call failed: .status is the {result_py} code, .error_log the log when there is one."""',
        "",
        f"    _results = {result_py}",
        *(
            ["    _describe = staticmethod(lambda status: get_error_string(status))"]
            if lib.cfg.get("has_error_string")
            else []
        ),
        "",
        "",
        "cdef int _check(int status, intptr_t handle) except -1:",
        "    log = None",
    ]
    if lib.cfg.get("error_log"):
        log_fn = lib.cfg["error_log"]
        size_fn = next(v["buffer"] for v in lib.cfg["params"][log_fn].values() if isinstance(v, dict) and "buffer" in v)
        h = next(t["name"] for t in lib.model["typedefs"] if t["kind"] == "handle")
        m = lib.cymod
        lines += [
            "    cdef size_t size = 0",
            f"    if handle and {m}.{size_fn}(<{m}.{h}>handle, &size) == {m}.{lib.cfg['success']} and size > 1:",
            "        text = bytearray(size)",
            f"        if {m}.{log_fn}(<{m}.{h}>handle, <char*>text) == {m}.{lib.cfg['success']}:",
            "            log = bytes(text).rstrip(b'\\0').decode(errors='replace')",
        ]
    lines += [f"    raise {err}(_result(status), log)", ""]
    return lines
