# SPDX-License-Identifier: Apache-2.0
"""The rules overrides.yaml names for driver and runtime parameters (RULES: key -> rule), each
making the Plan of one parameter from a Param. plan_driver.extra_plan picks the rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import plan_py
from ctypes_ import cy, ident
from driver_types import Types, Unsupported, qualify
from plan_arrays import array_plan, output_list
from plan_py import Lib, Plan, base_type


class Param(NamedTuple):
    """A parameter being planned, with the names every rule reads."""

    lib: Lib
    fn: dict
    p: dict
    over: object  # its override (a str or a dict), None for none
    c: str  # the C variable's stem (c_<c>)
    py: str  # the Python argument
    t: str  # its Cython type
    direction: str
    m: str  # the cy module (cydriver, cyruntime)
    types: Types
    replan: Callable[[dict], Plan]  # the planner, for rules that wrap another parameter plan


def rule_key(over: object) -> str | None:
    """The rule an override names: a str itself, or the first key of a dict that is a rule."""
    if isinstance(over, str):
        return over if over in RULES else None
    if isinstance(over, dict):
        return next((k for k in over if k in RULES), None)
    return None


def _keep_host_fn(x: Param) -> Plan:
    """A struct naming a host function: once the call took it, the graph (or the process) keeps the
    Python callable it may hold (see _lib/callbacks.pyx)."""
    lib, fn, p, over, c, py, t, direction, m, types, _ = x
    plan = x.replan({**p, "direction": "in", "_plain": True})
    graph = over["keep_host_fn"]
    keep = lib.cfg["keep_host_record"]
    g = f"c_{ident(graph)}" if graph else "NULL"
    field = f"c_{c}"
    cond = f"c_{c} != NULL"
    if over.get("union"):
        field = f"(&c_{c}.{over['union']})"
        cond += f" and c_{c}.type == {m}.{lib.cfg['host_node_type']}"
    plan.after_call = [
        *plan.after_call,
        f"if _status == {m}.{lib.cfg['success']} and {cond}:",
        f"    {keep}({g}, <void*>{field}.fn, {field}.userData)",
    ]
    return plan


def _release_kept(x: Param) -> Plan:
    """cuLinkDestroy: what cuLinkCreate kept goes with the link state."""
    lib, fn, p, over, c, py, t, direction, m, types, _ = x
    plan = x.replan({**p, "_plain": True})
    plan.after_call = [*plan.after_call, f"_kept_until_destroyed.pop(<uintptr_t>c_{c}, None)"]
    return plan


def _out_list(x: Param) -> Plan:
    """An array the call fills, as long as an input count says."""
    lib, fn, p, over, c, py, t, direction, m, types, _ = x
    n = f"c_{ident(over['out_list'])}"
    item = base_type(t[:-1].strip())
    kind, cls = types.kind(item)
    make = {"handle": f"{cls}(<uintptr_t>c_{c}[i])", "intclass": f"{cls}(c_{c}[i])"}.get(kind, f"c_{c}[i]")
    return output_list(c, item if kind == "int" else f"{m}.{item}", n, make, cls)


def _kernel_params(x: Param) -> Plan:
    """kernelParams in every form callers use (_lib/kernel_params.pyx), packed on the C stack."""
    lib, fn, p, over, c, py, t, direction, m, types, _ = x
    return Plan(
        py,
        [
            "cdef void* _kp_ptrs[64]",
            "cdef uint64_t _kp_slots[64]",
            "cdef list _kp_keep = None",
            f"cdef void** c_{c} = NULL",
        ],
        [
            f"if {py} is not None:  # the list keeps converted arguments alive; no arguments need none",
            "    _kp_keep = []",
            f"    c_{c} = pack_kernel_params({py}, _kp_ptrs, _kp_slots, 64, _kp_keep)",
        ],
        f"c_{c}",
        pytype="Any",
    )


def _extra_params(x: Param) -> Plan:
    """extra: CU_LAUNCH_PARAM_* arrays, None or the address of a ready array."""
    lib, fn, p, over, c, py, t, direction, m, types, _ = x
    return Plan(
        py,
        [f"cdef void** c_{c}"],
        [f"c_{c} = <void**><uintptr_t>_address({py}, {py!r})"],
        f"c_{c}",
        pytype="int | None",
    )


def _host_fn(x: Param) -> Plan:
    """A C function pointer as usual, or a Python callable run through a trampoline (host
    functions, stream callbacks); the user data beside it is planned here too."""
    lib, fn, p, over, c, py, t, direction, m, types, _ = x
    # a C function pointer as usual, or a Python callable run (once) through a trampoline
    data = ident(over.get("host_fn") or over["stream_callback"])
    kind, cls = types.kind(t)
    ct = f"{m}.{base_type(t)}"
    success = f"{m}.{lib.cfg['success']}"
    if "host_fn" in over:
        wrap = f"python_host_fn({py}, {data}, &_host_fn, &_host_data)"
        pytype = f"{cls} | int | Callable[[Any], None]"
    else:  # called with (stream, status, user data), as the C callback is
        stream_cls = types.kind(cy(fn["params"][0]["type"]))[1]
        result = plan_py.lib_result(lib)
        status = f"_enum_class({result!r})"
        wrap = f"python_stream_callback({py}, {data}, {stream_cls}, {status}, &_host_fn, &_host_data)"
        pytype = f"{cls} | int | Callable[[{stream_cls}, {result}, Any], None]"
    return Plan(
        py,
        [
            f"cdef {ct} c_{c}",
            "cdef void* _host_fn = NULL",
            "cdef void* _host_data = NULL",
            "cdef bint _host_ok = False",
        ],
        [
            f"if is_callable_arg({py}, {cls}):",
            f"    {wrap}",
            f"    c_{c} = <{ct}>_host_fn",
            f"    c_{data} = _host_data",
            "else:",
            f"    c_{c} = <{ct}><uintptr_t>_address({py}, {py!r})",
            f"    _{data} = _void_ptr({data}, {data!r})",
            f"    c_{data} = _{data}.ptr",
        ],
        f"c_{c}",
        pytype=pytype,
        cleanup=["if _host_data != NULL and not _host_ok:", "    release_host_fn(_host_data)  # it will never run"],
        late=True,
        after_call=[f"_host_ok = _status == {success}"],
    )


def _host_data(x: Param) -> Plan:
    """The user data of a host function: set up above."""
    lib, fn, p, over, c, py, t, direction, m, types, _ = x
    return Plan(py, [f"cdef void* c_{c} = NULL", f"cdef BufferArg _{c}"], [], f"c_{c}", pytype="Any")


def _out_string(x: Param) -> Plan:
    """A string the call writes: of a fixed size, or of the size another parameter gives."""
    lib, fn, p, over, c, py, t, direction, m, types, _ = x
    if isinstance(over["out_string"], int):  # a fixed size (cuDeviceGetLuid: 8 bytes)
        size = str(over["out_string"])
        return Plan(None, [f"cdef bytearray _{c} = bytearray({size})"], [], f"<char*>_{c}",
                    output=f"bytes(_{c})", outtype="bytes")  # fmt: skip
    size = ident(over["out_string"])
    return Plan(
        None,
        [f"cdef bytearray _{c}"],
        [f"_{c} = bytearray(max(c_{size}, 0) + 1)"],
        f"<char*>_{c}",
        output=f"bytes(_{c}[:c_{size}])",
        outtype="bytes",
        late=True,
    )


def _pointer_attribute(x: Param) -> Plan:
    """cuPointerGetAttribute's void* data: its type follows the attribute."""
    lib, fn, p, over, c, py, t, direction, m, types, _ = x
    attr = ident(over["pointer_attribute"])
    return Plan(
        None,
        ["cdef uint64_t _attr_value[8]"],
        ["memset(_attr_value, 0, sizeof(_attr_value))"],
        "<void*>_attr_value",
        output=f"_pointer_attribute(c_{attr}, _attr_value)",
        outtype="Any",
    )


def _attr_value_out(x: Param) -> Plan:
    """An attribute value the call writes: integers of 4 or 8 bytes, by the attribute."""
    lib, fn, p, over, c, py, t, direction, m, types, _ = x
    return Plan(None, ["cdef uint64_t _attr_value = 0"], [], "<void*>&_attr_value", output="_attr_value",
                outtype="int")  # fmt: skip


def _attr_value_in(x: Param) -> Plan:
    """An attribute value given as the value itself, not its address."""
    lib, fn, p, over, c, py, t, direction, m, types, _ = x
    return Plan(py, ["cdef uint64_t _attr_value = 0"], [f"_attr_value = _index({py}, {py!r})"],
                "<void*>&_attr_value", pytype="int")  # fmt: skip


def _in_list(x: Param) -> Plan:
    """CUjit_option* options: an input list despite no const."""
    lib, fn, p, over, c, py, t, direction, m, types, _ = x
    return array_plan(lib, fn, p, t, count=over["in_list"], less=over.get("less", 0))


def _pointer_list(x: Param) -> Plan:
    """void** optionValues: one void* per option."""
    lib, fn, p, over, c, py, t, direction, m, types, _ = x
    count = ident(over["pointer_list"])
    plan = Plan(py, [f"cdef PointerArray _{c}"], [f"_{c} = pointer_array({py}, c_{count}, {py!r})"],
                f"<{qualify(lib, t)}>_{c}.ptrs", pytype="list | None", late=True)  # fmt: skip
    if "keep_with" in over:  # the library writes into the array until the new handle is destroyed
        out = ident(over["keep_with"])
        plan.after_call = [
            f"if _status == {m}.{lib.cfg['success']} and c_{count} > 0:",
            f"    _kept_until_destroyed[<uintptr_t>_{out}._ptr[0]] = _{c}",
        ]
    return plan


def _handle_out(x: Param) -> Plan:
    """void* shareableHandle: its type follows handleType."""
    lib, fn, p, over, c, py, t, direction, m, types, _ = x
    by, convert = ident(over["handle_out"]), over["convert"]
    return Plan(None, ["cdef uint64_t _handle_raw[8]"], ["memset(_handle_raw, 0, sizeof(_handle_raw))"],
                "<void*>_handle_raw", output=f"{convert}(c_{by}, _handle_raw)", outtype="Any")  # fmt: skip


def _attribute_values(x: Param) -> Plan:
    """cuPointerGetAttributes' void** data: one value per attribute."""
    lib, fn, p, over, c, py, t, direction, m, types, _ = x
    attrs, count = ident(over["attribute_values"]), ident(over["count"])
    return Plan(
        None,
        ["cdef uint64_t* _attr_values = NULL", f"cdef void** c_{c} = NULL"],
        [
            f"if c_{attrs} == NULL and c_{count} > 0:",
            f"    raise ValueError('{attrs} must list {count} attributes')",
            f"_attr_values = <uint64_t*>PyMem_Malloc(max(c_{count}, 1) * 8 * sizeof(uint64_t))",
            f"c_{c} = <void**>PyMem_Malloc(max(c_{count}, 1) * sizeof(void*))",
            f"if _attr_values == NULL or c_{c} == NULL:",
            "    raise MemoryError()",
            f"memset(_attr_values, 0, max(c_{count}, 1) * 8 * sizeof(uint64_t))",
            f"for i in range(c_{count}):",
            f"    c_{c}[i] = &_attr_values[8 * i]",
        ],
        f"c_{c}",
        output=f"[{over['convert']}(c_{attrs}[i], &_attr_values[8 * i]) for i in range(c_{count})]",
        outtype="list",
        cleanup=["PyMem_Free(_attr_values)", f"PyMem_Free(c_{c})"],
        last=True,
    )


def _range_values(x: Param) -> Plan:
    """cuMemRangeGetAttributes' void** data: one value per attribute, of its dataSize."""
    lib, fn, p, over, c, py, t, direction, m, types, _ = x
    sizes, count = ident(over["range_values"]), ident(over["count"])
    return Plan(
        None,
        ["cdef char* _range_raw = NULL", f"cdef void** c_{c} = NULL", "cdef size_t _range_total = 0"],
        [
            f"if c_{sizes} == NULL and c_{count} > 0:",
            f"    raise ValueError('{sizes} must list {count} sizes')",
            f"for i in range(c_{count}):",
            f"    _range_total += c_{sizes}[i]",
            "_range_raw = <char*>PyMem_Malloc(max(_range_total, 1))",
            f"c_{c} = <void**>PyMem_Malloc(max(c_{count}, 1) * sizeof(void*))",
            f"if _range_raw == NULL or c_{c} == NULL:",
            "    raise MemoryError()",
            "memset(_range_raw, 0, max(_range_total, 1))",
            "_range_total = 0",
            f"for i in range(c_{count}):",
            f"    c_{c}[i] = _range_raw + _range_total",
            f"    _range_total += c_{sizes}[i]",
        ],
        f"c_{c}",
        output=f"[_int32_values(c_{c}[i], c_{sizes}[i]) for i in range(c_{count})]",
        outtype="list",
        cleanup=["PyMem_Free(_range_raw)", f"PyMem_Free(c_{c})"],
        last=True,
    )


def _coredump_value(x: Param) -> Plan:
    """cuCoredumpGetAttribute's void* value: its type follows attrib."""
    lib, fn, p, over, c, py, t, direction, m, types, _ = x
    attr = ident(over["coredump_value"])
    return Plan(
        None,
        ["cdef char _cd_value[1024]"],
        [
            "memset(_cd_value, 0, sizeof(_cd_value))",
            "# a NULL value asks the driver for the size this attribute's value takes",
            f"if {m}.{fn['name']}(c_{attr}, NULL, &_cd_size) != {m}.CUDA_SUCCESS or _cd_size == 0 \\",
            "        or _cd_size > sizeof(_cd_value):",
            "    _cd_size = sizeof(_cd_value)",
        ],
        "<void*>_cd_value",
        output=f"_coredump_value(c_{attr}, _cd_value)",
        outtype="bool | bytes | int",
        late=True,
    )


def _coredump_set_value(x: Param) -> Plan:
    """cuCoredumpSetAttribute's void* value: the Python value, as its attrib takes it."""
    lib, fn, p, over, c, py, t, direction, m, types, _ = x
    attr, c = ident(over["coredump_set_value"]), ident(p["name"])
    return Plan(
        c,
        ["cdef char _cd_value[1024]"],
        [f"_coredump_set_value(c_{attr}, {c}, _cd_value, &_cd_size)"],
        "<void*>_cd_value",
        pytype="bool | bytes | str | int",
        late=True,
    )


def _inout(x: Param) -> Plan:
    """T* a value the call reads and updates (a log iterator, a size): given, returned."""
    lib, fn, p, over, c, py, t, direction, m, types, _ = x
    inner = t[:-1].strip()
    kind, cls = types.kind(inner)
    ct = f"{m}.{base_type(inner)}" if kind != "int" else base_type(inner)
    if kind == "int":
        return Plan(py, [f"cdef {ct} c_{c} = 0"], [f"c_{c} = {py} if PyLong_Check({py}) else _index({py}, {py!r})"],
                    f"&c_{c}", output=f"c_{c}", pytype="int", outtype="int")  # fmt: skip
    if kind not in ("intclass", "handle"):
        raise Unsupported(f"inout {t}")
    return Plan(
        py,
        [f"cdef {ct} c_{c} = 0", f"cdef {ct}* _p_{c} = NULL"],
        [
            f"if {py} is not None:  # None: NULL, which the call reads as 'from the start'",
            f"    c_{c} = <{ct}><uintptr_t>_handle_value({py}, {cls}, {py!r})",
            f"    _p_{c} = &c_{c}",
        ],
        f"_p_{c}",
        output=f"None if _p_{c} == NULL else {cls}(c_{c})",
        pytype=f"{cls} | None",
        outtype=f"{cls} | None",
    )


def _in_floats(x: Param) -> Plan:
    """float* holding n values the call only reads."""
    lib, fn, p, over, c, py, t, direction, m, types, _ = x
    n = int(over["in_floats"])
    return Plan(
        py,
        [f"cdef float c_{c}[{n}]"],
        [f"_floats_into(c_{c}, {n}, {py}, {py!r})"],
        f"c_{c}",
        pytype="float | list[float] | tuple[float, ...]",
    )


def _writable(x: Param) -> Plan:
    """char* a buffer of the caller's that the call fills, at least as large as the size given."""
    lib, fn, p, over, c, py, t, direction, m, types, _ = x
    size = f"c_{ident(over['writable'])}"
    return Plan(
        py,
        [f"cdef BufferArg _{c}"],
        [
            f"_{c} = _void_ptr({py}, {py!r})",
            f"if _{c}.length >= 0 and <size_t>_{c}.length < {size}:  # the call would write past its end",
            f"    raise ValueError(f'{py} holds {{_{c}.length}} bytes, fewer than {over['writable']} ({{{size}}})')",
        ],
        f"<char*>_{c}.ptr",
        pytype="bytearray | int",
        late=True,
    )


def _coredump_size(x: Param) -> Plan:
    """size_t* size: the capacity of the coredump value buffer."""
    lib, fn, p, over, c, py, t, direction, m, types, _ = x
    return Plan(None, ["cdef size_t _cd_size = 0"], [], "&_cd_size")  # set by the value's setup


def _range_value(x: Param) -> Plan:
    """cuMemRangeGetAttribute's void* data of dataSize bytes."""
    lib, fn, p, over, c, py, t, direction, m, types, _ = x
    size, attr = ident(over["range_value"]), ident(over["attribute"])
    listed = f"{m}.{over['list_when']}"  # the attribute whose value is a list (accessed by)
    return Plan(
        None,
        ["cdef char* _range_one = NULL"],
        [
            f"_range_one = <char*>PyMem_Calloc(max(c_{size}, 4), 1)",
            "if _range_one == NULL:",
            "    raise MemoryError()",
        ],
        "<void*>_range_one",
        output=f"([(<int*>_range_one)[i] for i in range(c_{size} // 4)] if c_{attr} == {listed} "
        "else (<int*>_range_one)[0])",
        outtype="int | list",
        cleanup=["PyMem_Free(_range_one)"],
        late=True,
    )


def _borrowed_array(x: Param) -> Plan:
    """const T** out: the library's own array, of the count the call returns."""
    lib, fn, p, over, c, py, t, direction, m, types, _ = x
    count = ident(over["borrowed_array"])
    inner = t.replace("const", "").replace(" ", "")[:-2]
    kind, name = types.kind(inner)
    if kind == "handle":
        item = f"{name}(<uintptr_t>c_{c}[i])"
    elif kind == "record":
        item = f"_struct_from({name}, <const void*>&c_{c}[i], sizeof({m}.{inner}))"
    else:
        raise Unsupported(f"borrowed array of {inner}")
    return Plan(
        None,
        [f"cdef const {m}.{inner}* c_{c} = NULL"],
        [],
        f"&c_{c}",
        output=f"([{item} for i in range(c_{count})] if c_{c} != NULL else [])",
        outtype=f"list[{name}]",
    )


def _out_address(x: Param) -> Plan:
    """const void** ppExportTable: an address comes back."""
    lib, fn, p, over, c, py, t, direction, m, types, _ = x
    return Plan(None, [f"cdef const void* c_{c} = NULL"], [], f"&c_{c}", output=f"<uintptr_t>c_{c}",
                outtype="int")  # fmt: skip


# overrides.yaml key -> the rule that plans the parameter
RULES = {
    "keep_host_fn": _keep_host_fn,
    "release_kept": _release_kept,
    "out_list": _out_list,
    "kernel_params": _kernel_params,
    "extra_params": _extra_params,
    "host_fn": _host_fn,
    "stream_callback": _host_fn,
    "host_data": _host_data,
    "out_string": _out_string,
    "pointer_attribute": _pointer_attribute,
    "attr_value_out": _attr_value_out,
    "attr_value_in": _attr_value_in,
    "in_list": _in_list,
    "pointer_list": _pointer_list,
    "handle_out": _handle_out,
    "attribute_values": _attribute_values,
    "range_values": _range_values,
    "coredump_value": _coredump_value,
    "coredump_set_value": _coredump_set_value,
    "inout": _inout,
    "in_floats": _in_floats,
    "writable": _writable,
    "coredump_size": _coredump_size,
    "range_value": _range_value,
    "borrowed_array": _borrowed_array,
    "out_address": _out_address,
}
