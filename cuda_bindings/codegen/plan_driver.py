# SPDX-License-Identifier: Apache-2.0
"""How each parameter of a driver or runtime function is handled in Python (a Plan): the rules
that overrides.yaml names, then the ones the C type decides. A function whose parameters no
rule covers is left out of the Python module (listed in codegen/api/<lib>.python-missing.txt),
never half-wrapped.
"""

from __future__ import annotations

import plan_py
from ctypes_ import cy, ident
from driver_types import COUNT, Types, Unsupported, accepted_handles, exact_type
from plan_arrays import array_plan, counted_output
from plan_py import Lib, Plan, base_type
from plan_rules import RULES, Param, rule_key


def extra_plan(lib: Lib, fn: dict, p: dict) -> Plan:
    """The Plan of a driver or runtime parameter: the rule its override names (RULES), else the
    one its C type decides; raises Unsupported when no rule fits."""
    types: Types = lib.types
    m = lib.cymod
    c = ident(p["name"])
    py = plan_py.python_name(lib, fn, p, lib.cfg["style"])
    t = cy(p["type"])
    direction = p["direction"]
    over = None if p.get("_plain") else lib.cfg.get("params", {}).get(fn["name"], {}).get(p["name"])
    x = Param(lib, fn, p, over, c, py, t, direction, m, types, lambda q: extra_plan(lib, fn, q))
    key = rule_key(over)
    if key in ("keep_host_fn", "release_kept"):  # they wrap another plan, counted or not
        return RULES[key](x)
    counted = counted_output(lib, fn, p)  # arrays sized by an in/out count (the function's override)
    if counted is not None:
        return counted
    if key is not None:
        return RULES[key](x)
    array = array_plan(lib, fn, p, t)
    if array is not None:
        return array
    if not t.endswith("*") or (direction == "in" and not t.endswith("**")):
        base = t if not t.endswith("*") else t[:-1].strip()
        kind, name = types.kind(base)
        if not t.endswith("*"):
            if kind == "int":
                return Plan(
                    py,
                    [f"cdef {base_type(t)} c_{c}"],
                    [f"c_{c} = {py} if PyLong_Check({py}) else _index({py}, {py!r})"],
                    f"c_{c}",
                    pytype="int",
                )
            if kind == "float":
                return Plan(py, [f"cdef {base_type(t)} c_{c}"], [f"c_{c} = {py}"], f"c_{c}", pytype="float")
            if kind == "enum":
                return Plan(
                    py,
                    [f"cdef {m}.{base_type(t)} c_{c}"],
                    [f"c_{c} = <{m}.{base_type(t)}><int>({py} if PyLong_Check({py}) else _index({py}, {py!r}))"],
                    f"c_{c}",
                    pytype=f"{name} | int",
                )
            if kind in ("handle", "intclass", "callback"):
                ct = f"{m}.{base_type(t)}"
                return Plan(
                    py,
                    [f"cdef {ct} c_{c}"],
                    [
                        f"if {exact_type(fn, py, name)}:",
                        f"    c_{c} = <{ct}>(<{name}>{py})._ptr[0]",
                        "else:",
                        f"    c_{c} = <{ct}><uintptr_t>_handle_value({py}, {accepted_handles(types, name)}, {py!r})",
                    ],
                    f"c_{c}",
                    pytype=f"{name} | int",
                )
            if kind == "record":  # a struct passed by value
                return Plan(
                    py,
                    [f"cdef {name} _{c}"],
                    [f"_{c} = _struct_arg({py}, {name}, {py!r})"],
                    f"(<{m}.{name}*>(<{name}>_{c})._ptr)[0]",
                    pytype=name,
                )
        else:  # an input pointer
            if kind == "callback":  # a function type taken by address (VdpGetProcAddress*)
                ct = f"{m}.{base_type(base)}"
                return Plan(
                    py,
                    [f"cdef {ct}* c_{c}"],
                    [f"c_{c} = <{ct}*><uintptr_t>_handle_value({py}, {name}, {py!r})"],
                    f"c_{c}",
                    pytype=f"{name} | int",
                )
            if kind == "record":
                ct = f"{m}.{base_type(base)}"
                return Plan(
                    py,
                    [f"cdef {ct}* c_{c} = NULL", f"cdef {name} _{c}"],
                    [
                        f"if {py} is not None:",
                        f"    _{c} = <{name}>_struct_arg({py}, {name}, {py!r})",
                        f"    c_{c} = <{ct}*>_{c}._ptr",
                    ],
                    f"c_{c}",
                    pytype=f"{name} | None",
                )
            if kind == "void":
                return Plan(
                    py,
                    [f"cdef BufferArg _{c}"],
                    [f"_{c} = _void_ptr({py}, {py!r})"],
                    f"<{t}>_{c}.ptr",
                    pytype="Any",
                    late=True,
                )
            if kind == "char" and "const" in t:
                return Plan(
                    py,
                    [f"cdef bytes _{c}", f"cdef const char* c_{c} = NULL"],
                    [f"if {py} is not None:", f"    _{c} = _cstr({py}, {py!r})", f"    c_{c} = _{c}"],
                    f"c_{c}",
                    pytype="bytes | None",
                )
        raise Unsupported(f"{direction} {p['type']}")
    # outputs: one pointer level down
    counted = [q for q in fn["params"] if COUNT.match(q["name"]) and cy(q["type"]).endswith("*")]
    fn_over = lib.cfg.get("params", {}).get(fn["name"], {}).values()
    borrowed = any(isinstance(v, dict) and "borrowed_array" in v for v in fn_over)  # the arrays are planned
    own_string = t.replace(" ", "") == "constchar**"
    if counted and direction == "out" and p["name"] != counted[0]["name"] and not own_string and not borrowed:
        raise Unsupported(f"output array with an in/out count ({counted[0]['name']})")
    if own_string:  # the library's own string
        return Plan(None, [f"cdef const char* c_{c} = NULL"], [], f"&c_{c}",
                    output=f"(<bytes>c_{c} if c_{c} != NULL else None)", outtype="bytes")  # fmt: skip
    inner = t[:-1].strip()
    kind, name = types.kind(inner)
    if kind in ("int", "float"):
        return Plan(None, [f"cdef {base_type(inner)} c_{c} = 0"], [], f"&c_{c}", output=f"c_{c}", outtype=kind)
    if kind == "enum":
        return Plan(
            None,
            [f"cdef {m}.{base_type(inner)} c_{c}"],
            [],
            f"&c_{c}",
            output=f"_enum_{name}(<int>c_{c})",
            outtype=name,
        )
    if kind in ("handle", "intclass", "callback"):
        ct = f"{m}.{base_type(inner)}"
        return Plan(
            None, [f"cdef {name} _{c} = {name}.__new__({name})"], [], f"<{ct}*>_{c}._ptr", output=f"_{c}", outtype=name
        )
    if kind == "record":
        return Plan(
            None,
            [f"cdef {name} _{c} = {name}()"],
            [],
            f"<{m}.{base_type(inner)}*>_{c}._ptr",
            output=f"_{c}",
            outtype=name,
        )
    if t.replace(" ", "") == "void**":
        return Plan(None, ["cdef void* c_" + c + " = NULL"], [], f"&c_{c}", output=f"<uintptr_t>c_{c}", outtype="int")
    raise Unsupported(f"{direction} {p['type']}")
