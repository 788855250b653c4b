# SPDX-License-Identifier: Apache-2.0
"""The Python level: <lib>.pyx and <lib>.pyi, in one of two styles.

tuple style (nvrtc, the driver and the runtime): camelCase names as in C, every call returns
    (result, *outputs); outputs are None when result is an error.
exceptions style (nvjitlink, nvvm, nvfatbin, cufile, cudla, nvml): snake_case names without
    the library prefix, outputs returned directly, errors raised as <lib>Error (emit_errors.py),
    structs as NumPy-record classes (emit_records.py).

The plans of the parameters come from plan_py.py (and plan_driver.py for the driver and runtime).
"""

from __future__ import annotations

import fnmatch
import pathlib
import re

import emit_records
from ctypes_ import cy, ident, pointee
from emit_errors import error_class, error_names
from model_types import included_files, qualified, snake
from plan_py import Lib, Plan, base_type, lib_result, member_prefix, member_strip, plan, pyenum

from docs import docstring, quote


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
    name = fn["name"][len(prefix) :]
    for word, spelling in lib.cfg.get("snake_words", {}).items():  # NvLink -> nvlink, as NVIDIA's names have it
        name = name.replace(word, spelling)
    return snake(name)


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
    args = []
    for pl in plans:
        if pl.pyname:
            args.append(pl.pyname if pl.default is None else f"{pl.pyname}={pl.default}")
        args += [name for name, _ in pl.more_args]
    body = []
    for pl in plans:
        body += [f"    {d}" for d in pl.decl if f"    {d}" not in body]
    early = [s for pl in plans if not pl.late and not pl.last for s in pl.setup]
    late = [s for pl in plans if pl.late and not pl.last for s in pl.setup]
    late += [s for pl in plans if pl.last for s in pl.setup]
    arrays = _out_array_setup(lib, fn, params, style)
    body += [f"    {s}" for s in early]
    if any(pl.query_arg is not None for pl in plans):  # a first call asks how long the arrays are
        qargs = ", ".join(pl.query_arg if pl.query_arg is not None else pl.arg for pl in plans)
        too_small = lib.cfg["size_query_status"]
        body += [
            f"    cdef {qualified(lib, base_type(fn['return']))} _query = {m}.{fn['name']}({qargs})",
            f"    if _query != {m}.{lib.cfg['success']} and _query != {m}.{too_small}:",
            "        _check(_query, 0)",
        ]
        body += [f"    {s}" for pl in plans for s in pl.after_query]
    body += [f"    {s}" for s in late + arrays]
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
        ret = base_type(fn["return"])
        kind = "none" if ret == "void" else lib.cfg.get("return_kinds", {}).get(ret, "status")
        kind = lib.cfg.get("function_returns", {}).get(fn["name"], kind)
        if kind == "none":
            call_lines = ["with nogil:", f"    {call}"] if nogil else [call]
        else:
            body += [f"    cdef {qualified(lib, ret)} _status"]
            call_lines = ["with nogil:", f"    _status = {call}"] if nogil else [f"_status = {call}"]
        if kind in ("count", "value"):  # the return value is the result (negative: an error, for a count)
            outs, outtypes = ["_status", *outs], ["int", *outtypes]
        call_lines += [line for pl in plans for line in pl.after_call]
        cleanup = [line for pl in plans for line in pl.cleanup]
        if arrays:
            arr = next(ident(p["name"]) for p, pl in zip(params, plans) if pl.output and "range" in pl.output)
            cleanup.append(f"PyMem_Free(_{arr})")
        if cleanup:
            body += ["    try:", *[f"        {c}" for c in call_lines]]
            body += _finish(lib, style, outs, "        ", _handle_expr(lib, fn, plans, params), outtypes, kind)
            body += ["    finally:", *[f"        {c}" for c in cleanup]]
        else:
            body += [f"    {c}" for c in call_lines]
            body += _finish(lib, style, outs, "    ", _handle_expr(lib, fn, plans, params), outtypes, kind)
        if style == "tuple":
            stub_ret = f"tuple[{', '.join([lib_result(lib), *[f'{t} | None' for t in outtypes]])}]"
        else:
            stub_ret = "None" if not outs else outtypes[0] if len(outs) == 1 else f"tuple[{', '.join(outtypes)}]"
    pyparams = {p["name"]: pl.pyname for p, pl in zip(params, plans) if pl.pyname}
    doc = docstring(fn["doc"], pyparams)
    head = [f"def {pyname}({', '.join(args)}):", *quote(doc)]
    typed = []
    for pl in plans:
        if pl.pyname:
            typed.append(f"{pl.pyname}: {pl.pytype}" + ("" if pl.default is None else f" = {pl.default}"))
        typed += [f"{name}: {pytype}" for name, pytype in pl.more_args]
    sig = ", ".join(typed)
    return head + body, f"def {pyname}({sig}) -> {stub_ret}: ..."


def _handle_expr(lib: Lib, fn: dict, plans: list[Plan], params: list[dict]) -> str | None:
    if not params or base_type(params[0]["type"]) not in lib.handle_names() or params[0]["direction"] != "in":
        return None
    return plans[0].arg


def _finish(
    lib: Lib, style: str, outs: list[str], indent: str, handle: str | None, outtypes: list[str], kind: str = "status"
) -> list[str]:
    """Check the call's result, then return its outputs. kind: "status" (a result code, or a status
    record where overrides.yaml names one), "count" (negative is an error), "value" or "none"."""
    success = lib.cfg["success"]
    if kind != "status":
        lines = ["if _status < 0:", "    _check_count(_status)"] if kind == "count" else []
        lines.append(f"return {outs[0] if len(outs) == 1 else '(' + ', '.join(outs) + ')'}" if outs else "return None")
        return [f"{indent}{line}" for line in lines]
    record = lib.cfg.get("status_record")
    if record:  # a struct of codes (cuFile's CUfileError_t): any code that is not 0 is an error
        codes = [f"_status.{f}" for f in record]
        lines = [f"if {' or '.join(f'{c} != 0' for c in codes)}:", f"    _check_status({', '.join(codes)})"]
        lines.append(f"return {outs[0] if len(outs) == 1 else '(' + ', '.join(outs) + ')'}" if outs else "return None")
        return [f"{indent}{line}" for line in lines]
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


def _member_name(cname: str, strip: str) -> str:
    """A member's Python name: without the prefix, unless that leaves a number (NVML_NVLINK_VERSION_1_0
    -> VERSION_1_0), which keeps the prefix's last word."""
    name = cname[len(strip) :]
    if name[:1].isdigit():
        name = f"{strip.rstrip('_').rsplit('_', 1)[-1]}_{name}"
    return name


def _macro_int(value: object) -> int | None:
    """A #define's integer value: parsed already, or a shift of two numbers, (1 << 2)."""
    if isinstance(value, int):
        return value
    m = re.fullmatch(r"\(?\s*(\d+)[uUlL]*\s*<<\s*(\d+)\s*\)?", str(value or ""))
    return int(m.group(1)) << int(m.group(2)) if m else None


def _macro_member(cname: str, prefix: str) -> str:
    """A #define group member's Python name: NVML_BUS_TYPE_PCIE -> PCIE; of a camelCase group
    (nvmlEventTypeSingleBitEccError, prefix nvmlEventType) in upper snake case: SINGLE_BIT_ECC_ERROR."""
    if prefix[:1].islower():
        rest = cname[len(prefix) :]
        return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", rest).upper()  # PState -> PSTATE
    return _member_name(cname, prefix)


def _member_names(lib: Lib, enum: dict, style: str) -> list[list[str]]:
    """Each member's Python names: the first is its name, the others aliases. With the library's
    member_aliases (nvml, as NVIDIA's module has them): also the name without the library prefix
    only (NVML_BRAND_TESLA -> BRAND_TESLA), and without the members' common prefix (TESLA); where
    that leaves a number for any member, every member keeps the prefix's last word (VERSION_1_0,
    VERSION_INVALID)."""
    strip = member_strip(lib, enum, style)
    out = [[_member_name(m["name"], strip)] for m in enum["members"]]
    lead = lib.cfg.get("member_prefix_by_name")
    if not (lib.cfg.get("member_aliases") and lead):
        return out
    common = member_prefix(enum)
    if common.startswith(lead) and any(m["name"][len(common) :][:1].isdigit() for m in enum["members"]):
        common = common[: common.rstrip("_").rfind("_") + 1]  # back off one word, for every member
    for names, m in zip(out, enum["members"]):
        for alias in (_member_name(m["name"], lead), m["name"][len(common) :] if common.startswith(lead) else ""):
            if alias and alias.isidentifier() and not alias[:1].isdigit() and alias not in names:
                names.append(alias)
    return out


def _named_members(lib: Lib, enum: dict, style: str) -> list[tuple[str, dict]]:
    """(Python name, member) of every name of every member, aliases after their member's name; an
    alias never takes another member's own name."""
    all_names = _member_names(lib, enum, style)
    taken = {names[0] for names in all_names}
    out = []
    for names, member in zip(all_names, enum["members"]):
        out.append((names[0], member))
        for alias in names[1:]:
            if alias not in taken:
                out.append((alias, member))
                taken.add(alias)
    return out


def _enum_class(lib: Lib, enum: dict, style: str) -> list[str]:
    name = pyenum(lib, enum["name"], style)
    lines = [f"class {name}(_CEnum):", *quote(docstring(enum["doc"]) or f"The values of {enum['name']}.")]
    lines += [f"    {pyname} = {lib.cymod}.{m['name']}" for pyname, m in _named_members(lib, enum, style)]
    return lines


def _enum_stub(lib: Lib, enum: dict, style: str) -> list[str]:
    """The stub of an enum class: its members, with their values, as _enum_class names them."""
    members = [f"    {pyname} = {m['value']}" for pyname, m in _named_members(lib, enum, style)]
    return [f"class {pyenum(lib, enum['name'], style)}(IntEnum):", *(members or ["    pass"])]


def included_defs(path: str) -> list[tuple[str, str]]:
    """(name, stub line) of each module-level def of a hand-written include: untyped parameters,
    a default shown as `...`."""
    text = (pathlib.Path(__file__).resolve().parent.parent / "cuda" / "bindings" / path).read_text(encoding="utf-8")
    defs = []
    for name, params in re.findall(r"^def (\w+)\(([^)]*)\):", text, re.M):
        args = [p.split("=")[0].split()[-1] + ("=..." if "=" in p else "") for p in params.split(",") if p.strip()]
        defs.append((name, f"def {name}({', '.join(args)}) -> Any: ..."))
    return defs


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
    for name, prefix in lib.cfg.get("macro_enums", {}).items():  # #define groups NVIDIA's module makes enums of
        members = [f"    {_macro_member(mc['name'], prefix)} = {value}" for mc in lib.model["macros"]
                   if mc["name"].startswith(prefix) and (value := _macro_int(mc.get("value"))) is not None]  # fmt: skip
        if not members:  # a group this line's headers do not define yet
            continue
        out += ["", f"class {name}(_CEnum):", f'    """The {prefix}* values of {lib.cfg["headers"][0]}."""', *members]
        stub += [f"class {name}(IntEnum):", *members]
    for cname in lib.cfg.get("constants", ()):
        value = next((mc["value"] for mc in lib.model["macros"] if mc["name"] == cname), None)
        if value is None:  # a constant this line's headers do not define yet
            continue
        lead = lib.cfg.get("prefix", "").upper() + "_"  # NVML_NVLINK_MAX_LINKS -> NVLINK_MAX_LINKS
        pyname = cname[len(lead) :] if cname.startswith(lead) else cname
        out += [f"{pyname} = {value}"]
        stub += [f"{pyname}: int"]
    for enum in lib.model["enums"]:
        out += ["", *_enum_class(lib, enum, style), ""]
        stub += _enum_stub(lib, enum, style)
    result = lib_result(lib)
    result_py = pyenum(lib, result, style)
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
    elif lib.cfg.get("status_record"):  # its error class and checks are hand-written (the include)
        stub += [f"class {lib.cfg['error']}(Exception):", "    status: int", "    cuda_error: int | None"]
        stub += ["    def __init__(self, status: int, cu_err: int | None = None) -> None: ..."]
    else:
        out += error_class(lib, result_py)
        stub += [f"class {lib.cfg['error']}(Exception):", "    status: int", "    error_log: str | None"]
        if lib.cfg.get("error_classes"):
            stub += [f"class {name}({lib.cfg['error']}): ..." for name, _ in error_names(lib, result_py)]
    for path in included_files(lib):
        out += ["", f'include "{path}"', ""]
        stub += [line for _, line in included_defs(path)]
    if lib.cfg.get("records"):
        lines, record_stub, _ = emit_records.section(lib)
        out += ["", *lines]
        stub += record_stub
    aliases = lib.cfg.get("aliases", {})  # other names NVIDIA's module gives (FI for FieldId): at the end
    skip = set(lib.cfg.get("python_skip", ()))  # hand-written in an include
    for fn in lib.model["functions"]:
        if fn["name"] in skip:
            continue
        try:
            lines, sig = function(lib, fn, style)
        except (ValueError, KeyError) as e:
            if not lib.cfg.get("skip_unplanned"):
                raise
            lib.skipped.append(f"{fn['name']}: {e}")
            continue
        out += ["", *lines, ""]
        stub.append(sig)
    out += [f"{alias} = {name}" for alias, name in aliases.items()]
    stub += [f"{alias} = {name}" for alias, name in aliases.items()]
    return "\n".join(out).rstrip() + "\n", "\n".join(stub) + "\n"
