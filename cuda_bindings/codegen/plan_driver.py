# SPDX-License-Identifier: Apache-2.0
"""How each parameter of a driver or runtime function is handled in Python (a Plan): the rules
that overrides.yaml names, then the ones the C type decides. A function whose parameters no
rule covers is left out of the Python module (listed in codegen/api/<lib>.python-missing.txt),
never half-wrapped.
"""

from __future__ import annotations

import emit_py
from ctypes_ import cy, ident
from driver_types import COUNT, Types, Unsupported, accepted_handles, exact_type, qualify
from emit_py import Lib, Plan, base_type
from plan_arrays import array_plan, counted_output, output_list


def extra_plan(lib: Lib, fn: dict, p: dict) -> Plan:
    """Plans for the driver's types; raises Unsupported when no rule fits."""
    types: Types = lib.types
    m = lib.cymod
    c = ident(p["name"])
    py = emit_py.python_name(lib, fn, p, lib.cfg["style"])
    t = cy(p["type"])
    direction = p["direction"]
    over = None if p.get("_plain") else lib.cfg.get("params", {}).get(fn["name"], {}).get(p["name"])
    if isinstance(over, dict) and "keep_host_fn" in over:
        return keep_host_plan(lib, fn, p, over)
    if isinstance(over, dict) and "release_kept" in over:  # cuLinkDestroy: what cuLinkCreate kept goes
        plan = extra_plan(lib, fn, {**p, "_plain": True})
        plan.after_call = [*plan.after_call, f"_kept_until_destroyed.pop(<uintptr_t>c_{c}, None)"]
        return plan
    counted = counted_output(lib, fn, p)
    if counted is not None:
        return counted
    if isinstance(over, dict) and "out_list" in over:  # filled by the call, as long as an input count says
        n = f"c_{ident(over['out_list'])}"
        item = base_type(t[:-1].strip())
        kind, cls = types.kind(item)
        make = {"handle": f"{cls}(<uintptr_t>c_{c}[i])", "intclass": f"{cls}(c_{c}[i])"}.get(kind, f"c_{c}[i]")
        return output_list(c, item if kind == "int" else f"{m}.{item}", n, make, cls)
    if over == "kernel_params":
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
    if over == "extra_params":  # CU_LAUNCH_PARAM_* arrays: None or the address of a ready array
        return Plan(
            py,
            [f"cdef void** c_{c}"],
            [f"c_{c} = <void**><uintptr_t>_address({py}, {py!r})"],
            f"c_{c}",
            pytype="int | None",
        )
    if isinstance(over, dict) and ("host_fn" in over or "stream_callback" in over):
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
            result = emit_py.lib_result(lib)
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
    if isinstance(over, dict) and "host_data" in over:  # the user data of a host function: set up above
        return Plan(py, [f"cdef void* c_{c} = NULL", f"cdef BufferArg _{c}"], [], f"c_{c}", pytype="Any")
    if isinstance(over, dict) and "out_string" in over:
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
    if isinstance(over, dict) and "pointer_attribute" in over:
        attr = ident(over["pointer_attribute"])
        return Plan(
            None,
            ["cdef uint64_t _attr_value[8]"],
            ["memset(_attr_value, 0, sizeof(_attr_value))"],
            "<void*>_attr_value",
            output=f"_pointer_attribute(c_{attr}, _attr_value)",
            outtype="Any",
        )
    if isinstance(over, dict) and "attr_value_out" in over:  # integer attributes (4 or 8 bytes)
        return Plan(None, ["cdef uint64_t _attr_value = 0"], [], "<void*>&_attr_value", output="_attr_value",
                    outtype="int")  # fmt: skip
    if isinstance(over, dict) and "attr_value_in" in over:
        return Plan(py, ["cdef uint64_t _attr_value = 0"], [f"_attr_value = _index({py}, {py!r})"],
                    "<void*>&_attr_value", pytype="int")  # fmt: skip
    if isinstance(over, dict) and "in_list" in over:  # CUjit_option* options: an input list despite no const
        return array_plan(lib, fn, p, t, count=over["in_list"], less=over.get("less", 0))
    if isinstance(over, dict) and "pointer_list" in over:  # void** optionValues: one void* per option
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
    if isinstance(over, dict) and "handle_out" in over:  # void* shareableHandle: its type follows handleType
        by, convert = ident(over["handle_out"]), over["convert"]
        return Plan(None, ["cdef uint64_t _handle_raw[8]"], ["memset(_handle_raw, 0, sizeof(_handle_raw))"],
                    "<void*>_handle_raw", output=f"{convert}(c_{by}, _handle_raw)", outtype="Any")  # fmt: skip
    if isinstance(over, dict) and "attribute_values" in over:  # cuPointerGetAttributes' void** data
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
    if isinstance(over, dict) and "range_values" in over:  # cuMemRangeGetAttributes' void** data
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
    if isinstance(over, dict) and "coredump_value" in over:  # void* value: its type follows attrib
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
    if isinstance(over, dict) and "coredump_set_value" in over:  # the Python value, as its attrib takes it
        attr, c = ident(over["coredump_set_value"]), ident(p["name"])
        return Plan(
            c,
            ["cdef char _cd_value[1024]"],
            [f"_coredump_set_value(c_{attr}, {c}, _cd_value, &_cd_size)"],
            "<void*>_cd_value",
            pytype="bool | bytes | str | int",
            late=True,
        )
    if over == "inout":  # T* a value the call reads and updates (a log iterator, a size): given, returned
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
    if isinstance(over, dict) and "in_floats" in over:  # float* holding n values the call only reads
        n = int(over["in_floats"])
        return Plan(
            py,
            [f"cdef float c_{c}[{n}]"],
            [f"_floats_into(c_{c}, {n}, {py}, {py!r})"],
            f"c_{c}",
            pytype="float | list[float] | tuple[float, ...]",
        )
    if isinstance(over, dict) and "writable" in over:  # char* a buffer of the caller's that the call fills
        size = f"c_{ident(over['writable'])}"
        return Plan(
            py,
            [f"cdef BufferArg _{c}"],
            [
                f"_{c} = _void_ptr({py}, {py!r})",
                f"if _{c}.length >= 0 and <size_t>_{c}.length < {size}:  # the call would write past its end",
                f"    raise ValueError(f'{py} holds {{_{c}.length}} bytes, "
                f"fewer than {over['writable']} ({{{size}}})')",
            ],
            f"<char*>_{c}.ptr",
            pytype="bytearray | int",
            late=True,
        )
    if over == "coredump_size":  # size_t* size: the capacity of the value buffer above
        return Plan(None, ["cdef size_t _cd_size = 0"], [], "&_cd_size")  # set by the value's setup
    if isinstance(over, dict) and "range_value" in over:  # cuMemRangeGetAttribute's void* data of dataSize bytes
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
    if isinstance(over, dict) and "borrowed_array" in over:  # const T** out: the library's own array of count
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
    if over == "out_address":  # const void** ppExportTable: an address comes back
        return Plan(None, [f"cdef const void* c_{c} = NULL"], [], f"&c_{c}", output=f"<uintptr_t>c_{c}",
                    outtype="int")  # fmt: skip
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


def keep_host_plan(lib: Lib, fn: dict, p: dict, over: dict) -> Plan:
    """A struct naming a host function: once the call took it, the graph (or the process) keeps the
    Python callable it may hold (see _lib/callbacks.pyx)."""
    m = lib.cymod
    plan = extra_plan(lib, fn, {**p, "direction": "in", "_plain": True})
    c = ident(p["name"])
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
