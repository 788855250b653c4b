# SPDX-License-Identifier: Apache-2.0
"""The Python level of the driver (and, later, the runtime): tuple returns, and a class
for every type the functions take: enums, handles, integer types (CUdevice,
CUdeviceptr, ...), callbacks and structs.

cuda.h marks few parameters [in] or [out]; a non-const pointer to a value
type (a number, an enum, a handle, a struct) whose description does not call it
an array is an output. overrides.yaml corrects the rest. A function whose
parameters no rule covers is left out of the Python module (listed in
codegen/api/<lib>.python.txt), never half-wrapped.
"""

from __future__ import annotations

import pathlib
import re

import emit_enums
import emit_py
from ctypes_ import cy, ident
from emit_py import Lib, Plan, _base

from docs import docstring, quote

INTS = emit_py.INT_TYPES
FLOATS = {"float", "double"}
_RETURNED_DOC = re.compile(r"^\s*(returned|returns|pointer to returned|location to return)\b", re.I)
_ARRAY_DOC = re.compile(r"^\s*(an? )?(array|list|buffer|pointer to (an )?array)\b", re.I)


class Unsupported(Exception):
    pass


def qualify(lib: Lib, ctype: str) -> str:
    """A C type as the Python-level module spells it: the model's names under cy<lib>."""
    types: Types = lib.types
    known = set(types.typedefs) | set(types.records) | set(types.enums)
    return re.sub(
        r"[A-Za-z_]\w*", lambda mm: f"{lib.cymod}.{mm.group(0)}" if mm.group(0) in known else mm.group(0), cy(ctype)
    )


class Types:
    """What each C type name of the model is, following typedef chains."""

    def __init__(self, model: dict):
        self.typedefs = {t["name"]: t for t in model["typedefs"]}
        self.records = {r["name"]: r for r in model["records"]}
        self.enums = {e["name"]: e for e in model["enums"]}
        # `struct cudaGraphicsResource *` spelled out is the handle cudaGraphicsResource_t
        self.opaque = {f"{t['opaque']}*": t["name"] for t in model["typedefs"] if t["kind"] == "handle"}
        # Python enum class per enum: typedef names win over tags (CUresult, not cudaError_enum)
        self.enum_class: dict[str, str] = {}
        for e in model["enums"]:
            self.enum_class[e["name"]] = e["name"]
        enum_typedefs = [t for t in model["typedefs"] if t["kind"] == "enum"]
        for t in enum_typedefs:  # the first typedef name of a tag names its class
            tag = cy(t["type"])
            if self.enum_class.get(tag, tag) == tag:
                self.enum_class[tag] = t["name"]
        for t in enum_typedefs:  # every other typedef name is that class (cudaDataType_t -> cudaDataType)
            self.enum_class[t["name"]] = self.enum_class[cy(t["type"])]

    def kind(self, name: str) -> tuple[str, str]:
        """(kind, primary name): int, float, enum, handle, intclass, callback, record, void, char, other."""
        name = _base(name)
        if name in self.opaque:
            return "handle", self.opaque[name]
        seen = name
        while True:
            if name in ("void", "char"):
                return name, name
            if name in INTS:
                return ("intclass", seen) if seen != name else ("int", name)
            if name in FLOATS:
                return "float", name
            if name in self.enum_class:
                return "enum", self.enum_class[name]
            if name in self.records:
                return "record", name
            t = self.typedefs.get(name)
            if t is None:
                return "other", name
            if t["kind"] in ("handle", "callback"):
                return t["kind"], name
            target = _base(t["type"])
            if t["kind"] == "alias" and target in INTS:
                return "intclass", self.intclass_root(name)
            name = target

    def intclass_root(self, name: str) -> str:
        """CUdevice -> CUdevice_v1 (the typedef directly over the integer type)."""
        while _base(self.typedefs[name]["type"]) not in INTS:
            name = _base(self.typedefs[name]["type"])
        return name


def _param_docs(doc: str) -> dict[str, str]:
    out, cur = {}, None
    for line in doc.splitlines():
        m = re.match(r"\s*\\param\s*(?:\[[\w, ]+\])?\s*(\w+)\s*-?\s*(.*)", line)
        if m:
            cur = m.group(1)
            out[cur] = m.group(2)
        elif line.strip().startswith("\\"):
            cur = None
        elif cur and line.strip():
            out[cur] += " " + line.strip()
    return out


def infer_directions(lib: Lib, fn: dict) -> list[dict]:
    """Parameters with directions: the header's, the overrides', else the pointer rule."""
    types: Types = lib.types
    over = lib.cfg.get("params", {}).get(fn["name"], {})
    docs = _param_docs(fn["doc"])
    params = []
    for p in fn["params"]:
        p = dict(p)
        o = over.get(p["name"])
        if o in ("in", "out", "inout"):
            p["direction"] = o
        elif isinstance(o, dict) and "keep_host_fn" in o:
            p["direction"] = "in"
        elif cy(p["type"]).replace(" ", "") == "constchar**":
            p["direction"] = "out"  # cuGetErrorString(error, &str): the library's own string
        elif cy(p["type"]).replace(" ", "") == "void**" and _RETURNED_DOC.match(docs.get(p["name"], "")):
            p["direction"] = "out"  # cuMemAllocHost(&pp, size): an address comes back
        elif p["direction"] == "in" and cy(p["type"]).endswith("*") and "const" not in cy(p["type"]).split("*")[0]:
            kind, _ = types.kind(cy(p["type"])[:-1])
            text = docs.get(p["name"], "")
            if kind in ("int", "float", "enum", "handle", "intclass", "record", "callback") and not _ARRAY_DOC.match(
                text
            ):
                p["direction"] = "out"
        params.append(p)
    return params


def accepted_handles(types: Types, name: str) -> str:
    """The classes a handle parameter takes: a const handle (cudaArray_const_t) also takes its
    non-const twin (cudaArray_t), which is what the library's calls hand out."""
    twin = name.removesuffix("_const_t") + "_t"
    if name.endswith("_const_t") and types.kind(twin) == ("handle", twin):
        return f"({name}, {twin})"
    return name


def exact_type(fn: dict, py: str, name: str) -> str:
    """The fast path's test that argument `py` is exactly class `name`. Where a parameter is called
    `type` (cuLinkAddData), it hides the builtin, so the test compares type pointers instead."""
    if any(q["name"] == "type" for q in fn["params"]):
        return f"Py_TYPE({py}) == <PyTypeObject*>{name}"
    return f"type({py}) is {name}"


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
        return _keep_host_plan(lib, fn, p, over)
    if isinstance(over, dict) and "release_kept" in over:  # cuLinkDestroy: what cuLinkCreate kept goes
        plan = extra_plan(lib, fn, {**p, "_plain": True})
        plan.after_call = [*plan.after_call, f"_kept_until_destroyed.pop(<uintptr_t>c_{c}, None)"]
        return plan
    counted = _counted_output(lib, fn, p)
    if counted is not None:
        return counted
    if isinstance(over, dict) and "out_list" in over:  # filled by the call, as long as an input count says
        n = f"c_{ident(over['out_list'])}"
        item = _base(t[:-1].strip())
        kind, cls = types.kind(item)
        make = {"handle": f"{cls}(<uintptr_t>c_{c}[i])", "intclass": f"{cls}(c_{c}[i])"}.get(kind, f"c_{c}[i]")
        return _output_list(c, item if kind == "int" else f"{m}.{item}", n, make, cls)
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
        ct = f"{m}.{_base(t)}"
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
        return _array_plan(lib, fn, p, t, count=over["in_list"], less=over.get("less", 0))
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
        ct = f"{m}.{_base(inner)}" if kind != "int" else _base(inner)
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
    array = _array_plan(lib, fn, p, t)
    if array is not None:
        return array
    if not t.endswith("*") or (direction == "in" and not t.endswith("**")):
        base = t if not t.endswith("*") else t[:-1].strip()
        kind, name = types.kind(base)
        if not t.endswith("*"):
            if kind == "int":
                return Plan(
                    py,
                    [f"cdef {_base(t)} c_{c}"],
                    [f"c_{c} = {py} if PyLong_Check({py}) else _index({py}, {py!r})"],
                    f"c_{c}",
                    pytype="int",
                )
            if kind == "float":
                return Plan(py, [f"cdef {_base(t)} c_{c}"], [f"c_{c} = {py}"], f"c_{c}", pytype="float")
            if kind == "enum":
                return Plan(
                    py,
                    [f"cdef {m}.{_base(t)} c_{c}"],
                    [f"c_{c} = <{m}.{_base(t)}><int>({py} if PyLong_Check({py}) else _index({py}, {py!r}))"],
                    f"c_{c}",
                    pytype=f"{name} | int",
                )
            if kind in ("handle", "intclass", "callback"):
                ct = f"{m}.{_base(t)}"
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
                ct = f"{m}.{_base(base)}"
                return Plan(
                    py,
                    [f"cdef {ct}* c_{c}"],
                    [f"c_{c} = <{ct}*><uintptr_t>_handle_value({py}, {name}, {py!r})"],
                    f"c_{c}",
                    pytype=f"{name} | int",
                )
            if kind == "record":
                ct = f"{m}.{_base(base)}"
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
    counted = [q for q in fn["params"] if _COUNT.match(q["name"]) and cy(q["type"]).endswith("*")]
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
        return Plan(None, [f"cdef {_base(inner)} c_{c} = 0"], [], f"&c_{c}", output=f"c_{c}", outtype=kind)
    if kind == "enum":
        return Plan(
            None, [f"cdef {m}.{_base(inner)} c_{c}"], [], f"&c_{c}", output=f"_enum_{name}(<int>c_{c})", outtype=name
        )
    if kind in ("handle", "intclass", "callback"):
        ct = f"{m}.{_base(inner)}"
        return Plan(
            None, [f"cdef {name} _{c} = {name}.__new__({name})"], [], f"<{ct}*>_{c}._ptr", output=f"_{c}", outtype=name
        )
    if kind == "record":
        return Plan(
            None, [f"cdef {name} _{c} = {name}()"], [], f"<{m}.{_base(inner)}*>_{c}._ptr", output=f"_{c}", outtype=name
        )
    if t.replace(" ", "") == "void**":
        return Plan(None, ["cdef void* c_" + c + " = NULL"], [], f"&c_{c}", output=f"<uintptr_t>c_{c}", outtype="int")
    raise Unsupported(f"{direction} {p['type']}")


def _counted_output(lib: Lib, fn: dict, p: dict) -> Plan | None:
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
    item = _base(t[:-1].strip())
    kind, cls = types.kind(item)
    if kind == "handle":
        make = f"{cls}(<uintptr_t>c_{c}[i])"
    elif kind == "record":
        make = f"_struct_from({cls}, &c_{c}[i], sizeof({m}.{item}))"
    else:
        raise Unsupported(f"counted output array of {t}")
    return _output_list(c, f"{m}.{item}", n, make, cls)


def _output_list(c: str, ct: str, n: str, make: str, cls: str) -> Plan:
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


def _keep_host_plan(lib: Lib, fn: dict, p: dict, over: dict) -> Plan:
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


_COUNT = re.compile(r"^(num[A-Z]\w*|count|\w+Count)$")


def _array_plan(lib: Lib, fn: dict, p: dict, t: str, count: str | None = None, less: int = 0) -> Plan | None:
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
    counts = [q["name"] for q in fn["params"] if _COUNT.match(q["name"]) and types.kind(q["type"])[0] == "int"]
    if count is not None:
        counts = [count]
    if len(counts) > 1:  # cudaGraphAddMemcpyNode1D: numDependencies counts pDependencies, count is bytes
        stem = re.sub(r"^p(?=[A-Z])", "", p["name"]).lower()
        counts = [q for q in counts if q.lower() in (f"num{stem}", f"{stem}count")]
    if len(counts) != 1:
        return None
    doc = _param_docs(fn["doc"]).get(p["name"], "")
    named_by_count = counts[0].lower() in (f"num{p['name']}".lower(), f"{p['name']}count".lower())
    always = _base(t[:-1].strip()) in lib.cfg.get("array_types", []) or count is not None
    if not (always or _ARRAY_DOC.match(doc) or named_by_count or (p["name"].endswith("s") and kind != "record")):
        return None  # a single struct beside a count of something else
    named_in_overrides = count is not None
    m, c, count = lib.cymod, ident(p["name"]), ident(counts[0])
    n = f"c_{count}" if not less else f"(c_{count} - {less})"
    item = _base(t[:-1].strip())
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


# ------------------------------------------------------------------ classes


def value_class(lib: Lib, name: str, doc: str) -> list[str]:
    """A handle, integer type or callback: a value in the object, or a view of one elsewhere."""
    lines = emit_py._handle_class(lib, {"name": name, "doc": doc})
    return ["@cython.freelist(16)", *lines]


# Arrays the driver fills and points the struct at (conditional nodes' body graphs), with the field
# that sizes them: read as that many handles, null ones while the driver has not filled them.
_DRIVER_FILLED_ARRAYS = {"phGraph_out": "size"}


def _array_fields(lib: Lib, rec: dict) -> dict[str, str]:
    """Pointer fields that are arrays of structs or handles, each with the count field that sizes it:
    the count named after the pointer (numAttrs: attrs, accessDescCount: accessDescs), else the
    struct's one count shared by all of them (numExtSems: extSemArray, paramsArray)."""
    names = {f["name"] for f in rec["fields"]}
    filled = {p: c for p, c in _DRIVER_FILLED_ARRAYS.items() if p in names and c in names}
    if filled:
        return filled
    types: Types = lib.types
    ptrs = []
    for f in rec["fields"]:
        t = cy(f["type"])
        if "record" in f or f.get("array") or not t.endswith("*") or t.endswith("**"):
            continue
        if types.kind(t[:-1].strip())[0] in ("record", "handle"):
            ptrs.append(f["name"])
    counts = [f["name"] for f in rec["fields"] if _COUNT.match(f["name"]) and "record" not in f and not f.get("array")]
    if not ptrs or not counts:
        return {}

    def named(count: str, ptr: str) -> bool:
        c = count.lower()
        return c in (f"num{ptr}".lower(), f"{ptr}count".lower(), f"{ptr[:-1]}count".lower())

    pairs = {p: c for p in ptrs for c in counts if named(c, p)}
    if pairs:
        return pairs
    return {p: counts[0] for p in ptrs} if len(counts) == 1 else {}


def _array_field(lib: Lib, f: dict, count: str) -> list[str]:
    """A list of structs (views into the array) or handles; set from a list, which the object then
    owns, with the count set to its length."""
    types: Types = lib.types
    m = lib.cymod
    n = ident(f["name"])
    t = cy(f["type"])
    item = _base(t[:-1].strip())
    kind, cls = types.kind(item)
    acc, cnt = f"self._ptr[0].{n}", f"self._ptr[0].{ident(count)}"
    make = f"_view_{cls}(<uintptr_t>&p[i], self)" if kind == "record" else f"{cls}(<uintptr_t>p[i])"
    doc = " ".join(f.get("doc", "").split()).replace("\\", "")
    doc = doc + ("" if not doc or doc.endswith(".") else ".")
    return [
        "",
        "    @property",
        f"    def {n}(self):",
        *quote(f"{doc} A list of {cls} ({count} of them); set from a list, which sets {count}.".strip(), "        "),
        f"        cdef {m}.{item}* p = <{m}.{item}*>{acc}",
        "        if p == NULL:",
        f"            return [{cls}(0) for i in range({cnt})]"
        if f["name"] in _DRIVER_FILLED_ARRAYS
        else "            return []",
        f"        return [{make} for i in range({cnt})]",
        f"    @{n}.setter",
        f"    def {n}(self, value):",
        "        cdef size_t count = 0 if value is None else len(value)",
        f"        {acc} = <{qualify(lib, t)}>_array_into(",
        f"            self, <void*>&{acc}, value, {cls}, sizeof({m}.{item}), {kind == 'record'})",
        f"        {cnt} = count",
    ]


def _field_plan(lib: Lib, owner: str, f: dict, nested_name: str | None) -> list[str]:
    """A property per field: getter and setter over the struct the object points to."""
    types: Types = lib.types
    m = lib.cymod
    n = f["name"]
    acc = f"self._ptr[0].{ident(n)}"
    dims = f.get("array", [])
    t = cy(f["type"])
    out = ["    @property", f"    def {ident(n)}(self):"]
    doc = " ".join(f.get("doc", "").split())
    if doc:
        out += quote(doc.replace("\\", ""), "        ")
    if nested_name:
        if dims:
            raise Unsupported("array of nested records")
        out += [f"        return _view_{nested_name}(<uintptr_t>&{acc}, self)"]
        out += [
            f"    @{ident(n)}.setter",
            f"    def {ident(n)}(self, value):",
            f"        _copy_struct(self, <void*>&{acc}, value, {nested_name}, sizeof({acc}))",
        ]
        return out
    kind, name = types.kind(t)
    if dims:
        if len(dims) != 1:
            raise Unsupported("multi-dimensional array field")
        if _base(t) == "char":
            out += [f"        return (<char*>{acc})[:{dims[0]}]"]
            out += [
                f"    @{ident(n)}.setter",
                f"    def {ident(n)}(self, value):",
                f"        _set_chars(<char*>{acc}, value, {dims[0]}, {n!r})",
            ]
            return out
        if kind in ("int", "float", "intclass", "enum"):
            out += [f"        return [{acc}[i] for i in range({dims[0]})]"]
            out += [
                f"    @{ident(n)}.setter",
                f"    def {ident(n)}(self, value):",
                f"        if len(value) != {dims[0]}:",
                f"            raise ValueError(f'{n} takes {dims[0]} values, got {{len(value)}}')",
                f"        for i in range({dims[0]}):",
                f"            {acc}[i] = value[i]",
            ]
            return out
        if kind == "record":
            # copies, as NVIDIA's are: a changed element changes the struct only when set back
            out += [f"        return [_struct_from({name}, &{acc}[i], sizeof({acc}[i])) for i in range({dims[0]})]"]
            out += [
                f"    @{ident(n)}.setter",
                f"    def {ident(n)}(self, value):",
                f"        if len(value) != {dims[0]}:",
                f"            raise ValueError(f'{n} takes {dims[0]} values, got {{len(value)}}')",
                f"        for i in range({dims[0]}):",
                f"            _copy_struct(self, <void*>&{acc}[i], value[i], {name}, sizeof({acc}[i]))",
            ]
            return out
        if kind == "handle" or t.endswith("*"):  # handles as handle objects, other pointers as addresses
            make = f"{name}(<uintptr_t>{acc}[i])" if kind == "handle" else f"<uintptr_t>{acc}[i]"
            value = f"_handle_value(value[i], {name}, {n!r})" if kind == "handle" else f"_address(value[i], {n!r})"
            out += [f"        return [{make} for i in range({dims[0]})]"]
            out += [
                f"    @{ident(n)}.setter",
                f"    def {ident(n)}(self, value):",
                f"        if len(value) != {dims[0]}:",
                f"            raise ValueError(f'{n} takes {dims[0]} values, got {{len(value)}}')",
                f"        for i in range({dims[0]}):",
                f"            {acc}[i] = <{qualify(lib, t)}><uintptr_t>{value}",
            ]
            return out
        raise Unsupported(f"array of {t}")
    if kind in ("int", "float"):
        out += [f"        return {acc}"]
        out += [f"    @{ident(n)}.setter", f"    def {ident(n)}(self, value):", f"        {acc} = value"]
    elif kind == "enum":
        out += [f"        return _enum_{name}(<int>{acc})"]
        out += [
            f"    @{ident(n)}.setter",
            f"    def {ident(n)}(self, value):",
            f"        {acc} = <{m}.{_base(t)}><int>_index(value, {n!r})",
        ]
    elif kind in ("handle", "intclass", "callback"):
        out += [
            f"        cdef {name} v = {name}.__new__({name})",
            f"        (<{m}.{_base(t)}*>v._ptr)[0] = {acc}",
            "        return v",
        ]
        out += [
            f"    @{ident(n)}.setter",
            f"    def {ident(n)}(self, value):",
            f"        {acc} = <{m}.{_base(t)}><uintptr_t>_handle_value(value, {name}, {n!r})",
        ]
    elif kind == "record":
        out += [f"        return _view_{name}(<uintptr_t>&{acc}, self)"]
        out += [
            f"    @{ident(n)}.setter",
            f"    def {ident(n)}(self, value):",
            f"        _copy_struct(self, <void*>&{acc}, value, {name}, sizeof({acc}))",
        ]
    elif n == "kernelParams" and t == "void**":  # as cuLaunchKernel's: (values, types), a buffer, an address
        out += [f"        return <uintptr_t>{acc}"]
        out += [
            f"    @{ident(n)}.setter",
            f"    def {ident(n)}(self, value):",
            "        cdef list keep = []",
            f"        {acc} = pack_kernel_params(value, NULL, NULL, 0, keep)",
            f"        _refs_of(self)[<uintptr_t>&{acc}] = keep  # the packed array lives as long as the struct",
        ]
    elif t in ("void*", "const void*"):  # an address, or a buffer the struct keeps alive
        out += [f"        return <uintptr_t>{acc}"]
        out += [
            f"    @{ident(n)}.setter",
            f"    def {ident(n)}(self, value):",
            f"        {acc} = <{qualify(lib, t)}>_pointer_field(self, <void*>&{acc}, value, {n!r})",
        ]
    elif t.endswith("*"):  # any other pointer: its address
        out += [f"        return <uintptr_t>{acc}"]
        out += [
            f"    @{ident(n)}.setter",
            f"    def {ident(n)}(self, value):",
            f"        {acc} = <{qualify(lib, t)}><uintptr_t>_address(value, {n!r})",
        ]
    else:
        raise Unsupported(f"field type {t}")
    return out


def _is_host_fn_record(lib: Lib, rec: dict) -> bool:
    """CUDA_HOST_NODE_PARAMS and the like: {host function fn; void* userData}."""
    fields = {f["name"]: f for f in rec["fields"]}
    if set(fields) != {"fn", "userData"} or cy(fields["userData"]["type"]).replace(" ", "") != "void*":
        return False
    t = lib.types.typedefs.get(_base(cy(fields["fn"]["type"])))
    return t is not None and t["kind"] == "callback" and t["params"] == ["void *"]


def _host_fn_fields(lib: Lib, rec: dict) -> list[str]:
    """fn takes a C function or a Python callable; userData then takes any Python object."""
    m = lib.cymod
    fn_t = _base(cy(next(f["type"] for f in rec["fields"] if f["name"] == "fn")))
    cls = lib.types.kind(fn_t)[1]
    where = "<void**>&self._ptr[0].fn, &self._ptr[0].userData"
    return [
        "",
        "    @property",
        "    def fn(self):",
        '        """The function to call when the node executes: a C function, or the Python callable given."""',
        f"        cdef {cls} v",
        "        if is_python_host_fn(<void*>self._ptr[0].fn):",
        "            return host_field_fn(self._ptr[0].userData)",
        f"        v = {cls}.__new__({cls})",
        f"        (<{m}.{fn_t}*>v._ptr)[0] = self._ptr[0].fn",
        "        return v",
        "    @fn.setter",
        "    def fn(self, value):",
        f"        if is_callable_arg(value, {cls}):",
        f"            host_field_set_fn(_refs_of(self), {where}, value)",
        "        else:",
        f"            host_field_set_c_fn(_refs_of(self), {where}, <void*>_address(value, 'fn'))",
        "",
        "    @property",
        "    def userData(self):",
        '        """The argument passed to fn: an address, or any Python object when fn is a Python callable."""',
        f"        return host_field_data(_refs_get(self), {where})",
        "    @userData.setter",
        "    def userData(self, value):",
        f"        host_field_set_data(_refs_of(self), {where}, value)",
    ]


def struct_class(lib: Lib, rec: dict, nested: list) -> list[str]:
    """A cdef class over one C struct or union; nested unnamed records become anon_<kind>N classes."""
    m = lib.cymod
    name = rec["name"]
    ctype = f"{m}.{name}"
    lines = [
        f"cdef class {name}(_Struct):",
        *quote(docstring(rec.get("doc", "")) or f"The C {rec['kind']} {name}; a property per field."),
        f"    cdef {ctype} _value",
        f"    cdef {ctype}* _ptr",
        "",
        "    def __cinit__(self, uintptr_t _ptr=0, owner=None):",
        "        if _ptr:",
        f"            self._ptr = <{ctype}*>_ptr",
        "            self._owner = owner",
        "        else:",
        "            self._ptr = &self._value",
        f"            memset(&self._value, 0, sizeof({ctype}))",
        "",
        "    def getPtr(self):",
        '        """The address of the C struct."""',
        "        return <uintptr_t>self._ptr",
        "",
    ]
    if _is_host_fn_record(lib, rec):
        return lines + _host_fn_fields(lib, rec)
    props = []
    shown, hexed = [], []  # the fields repr lists, in order; void* ones in hex (NVIDIA's format)
    arrays = _array_fields(lib, rec)
    for f in rec["fields"]:
        nested_name = f["record"]["name"] if "record" in f else None
        if f["name"] in arrays:
            props += _array_field(lib, f, arrays[f["name"]])
            shown.append(f["name"])
            continue
        try:
            props += ["", *_field_plan(lib, name, f, nested_name)]
        except Unsupported as exc:
            props += ["", f"    # {f['name']}: not exposed ({exc})"]
            continue
        shown.append(ident(f["name"]))
        if cy(f["type"]) in ("void*", "const void*") and not f.get("array"):
            hexed.append(ident(f["name"]))
    lines += ["", f"    _fields = {tuple(shown)!r}", f"    _hex_fields = frozenset({tuple(hexed)!r})"]
    lines += props
    return lines


# ------------------------------------------------------------------- module

_RICH_HEADER = """\
# cython: language_level=3, binding=False
{stamp}

cimport cython
from cpython.long cimport PyLong_Check
from cpython.object cimport PyObject_Length, PyTypeObject, Py_TYPE
from cpython.mem cimport PyMem_Calloc, PyMem_Free, PyMem_Malloc
from libc.stdint cimport *
from libc.string cimport memcpy, memset, strlen

from cuda.bindings cimport {cymod}
from cuda.bindings._lib.args cimport BufferArg, CStrings, buffer_arg, c_strings
from cuda.bindings._lib.args cimport address_arg as _address
from cuda.bindings._lib.args cimport cstr_arg as _cstr
from cuda.bindings._lib.args cimport handle_ref as _handle_ref
from cuda.bindings._lib.args cimport handle_value as _handle_value
from cuda.bindings._lib.args cimport index_arg as _index
from cuda.bindings._lib.args cimport void_ptr_arg as _void_ptr
from cuda.bindings._lib.args cimport PointerArray, pointer_array
from cuda.bindings._lib.callbacks cimport (
    host_field_data,
    host_field_fn,
    host_field_set_c_fn,
    host_field_set_data,
    host_field_set_fn,
    is_callable_arg,
    is_python_host_fn,
    python_host_fn,
    python_stream_callback,
    release_host_fn,
)
from cuda.bindings._lib.callbacks cimport {keep}
from cuda.bindings._lib.kernel_params cimport pack_kernel_params

from enum import IntEnum
from cuda.bindings._lib.enums import CEnum as _CEnum

cdef dict _module_globals = globals()


cdef object _enum_class(str name):
    # The enum class `name`, made the first time it is needed.
    cls = _module_globals.get(name)
    if cls is None:
        doc, members = _enum_data(_ENUMS[name])
        cls = _CEnum(name, members, module=__name__, qualname=name)
        cls.__doc__ = doc
        _module_globals[name] = cls  # later lookups find it without __getattr__
    return cls


def __getattr__(name):
    if name in _ENUMS:
        return _enum_class(name)
    if name in _ENUM_ALIASES:
        cls = _module_globals[name] = _enum_class(_ENUM_ALIASES[name])
        return cls
    if name in _MEMBER_ALIASES:  # a macro naming an enum member
        cls_name, member = _MEMBER_ALIASES[name]
        value = _module_globals[name] = getattr(_enum_class(cls_name), member)
        return value
    if name in ("Any", "Optional"):  # typing's, as the reference module has them; imported when asked for
        import typing

        value = _module_globals[name] = getattr(typing, name)
        return value
    if name == "ctypes":
        import ctypes

        _module_globals[name] = ctypes
        return ctypes
    if name == "cuda":  # the namespace package, a name the reference module has
        import cuda

        _module_globals[name] = cuda
        return cuda
    raise AttributeError(f"module {{__name__!r}} has no attribute {{name!r}}")


def __dir__():
    return sorted({{*_module_globals, *_ENUMS, *_ENUM_ALIASES, *_MEMBER_ALIASES, "Any", "Optional", "ctypes", "cuda"}})


cdef class _Struct:
    # What the struct classes share: the owner of the memory a view points into, and the Python
    # objects the C struct refers to (a host function's record, arrays), by the address of the field.
    cdef object _owner
    cdef dict _refs

    def __repr__(self):
        # NVIDIA's format: a "name : value" line per field, a nested struct's fields indented
        # under its name, void* in hex, a field that cannot be read as <ErrorType>.
        return "\\n".join(_struct_lines(self, ""))


def _struct_lines(obj, str indent):
    lines = []
    cls = type(obj)
    for name in cls._fields:
        try:
            value = getattr(obj, name)
        except Exception as exc:  # an enum field holding a value the enum lacks, and the like
            lines.append(f"{{indent}}{{name}} : <{{type(exc).__name__}}>")
            continue
        if isinstance(value, _Struct):
            lines.append(f"{{indent}}{{name}} :")
            lines.extend(_struct_lines(value, indent + "    "))
        elif name in cls._hex_fields and isinstance(value, int):
            lines.append(f"{{indent}}{{name}} : {{value:#x}}")
        else:
            lines.append(f"{{indent}}{{name}} : {{value!r}}")
    return lines


cdef _Struct _root(_Struct s):
    while isinstance(s._owner, _Struct):  # a view into another struct: that one keeps the objects
        s = <_Struct>s._owner
    return s


cdef dict _refs_get(_Struct s):
    return _root(s)._refs


cdef dict _refs_of(_Struct s):
    s = _root(s)
    if s._refs is None:
        s._refs = {{}}
    return s._refs


cdef uintptr_t _pointer_field(_Struct s, void* field, object value, str name) except? 0:
    # A void* field: an address (int, ctypes pointer, cuda.bindings object) or any buffer (a numpy
    # array, bytearray), which the struct then keeps alive, as NVIDIA's structs do.
    cdef BufferArg held
    try:
        return _address(value, name)
    except TypeError:
        held = buffer_arg(value, False, name, -1, False)
    _refs_of(s)[<uintptr_t>field] = held
    return <uintptr_t>held.ptr


cdef void* _array_into(_Struct self, void* field, object items, type cls, size_t size, bint records) except? NULL:
    # A C array of len(items) structs or handles, owned by the struct object (kept with its field's address).
    cdef dict refs = _refs_of(self)
    cdef uintptr_t key = <uintptr_t>field
    if items is None or len(items) == 0:
        refs.pop(key, None)
        return NULL
    cdef Py_ssize_t i, n = len(items)
    cdef bytearray data = bytearray(n * size)
    cdef char* dst = data
    cdef uintptr_t src
    for i in range(n):
        item = items[i]
        if records:
            src = _struct_arg(item, cls, cls.__name__).getPtr()
            memcpy(dst + i * size, <void*>src, size)
        else:
            (<uintptr_t*>(dst + i * size))[0] = _handle_value(item, cls, cls.__name__)
    refs[key] = data
    return <void*>dst


cdef object _struct_from(type cls, const void* src, size_t size):
    obj = cls()  # a copy of a C struct the library wrote
    memcpy(<void*><uintptr_t>obj.getPtr(), src, size)
    return obj


cdef object _struct_arg(object obj, type cls, str name):
    if isinstance(obj, cls):
        return obj
    raise TypeError(f"{{name}} must be a {{cls.__name__}}, not {{type(obj).__name__}}")


cdef int _copy_struct(_Struct self, void* dst, object value, type cls, size_t size) except -1:
    if not isinstance(value, cls):
        raise TypeError(f"expected a {{cls.__name__}}, not {{type(value).__name__}}")
    cdef uintptr_t src = value.getPtr()
    cdef uintptr_t to = <uintptr_t>dst
    memcpy(dst, <void*>src, size)
    cdef dict mine = _refs_get(self)
    cdef dict theirs = _refs_get(<_Struct>value)
    cdef list kept = [(k - src + to, o) for k, o in theirs.items() if src <= k < src + size] if theirs else []
    if mine:  # what the fields overwritten referred to
        for key in [k for k in mine if to <= k < to + size]:
            del mine[key]
    if kept:  # the copy refers to the same objects: keep them here too
        _refs_of(self).update(kept)
    return 0


cdef object _int32_values(void* data, size_t size):
    # a 4-byte attribute value as an int; a longer one as a list of them (CU_MEM_RANGE_ATTRIBUTE_ACCESSED_BY)
    if size == 4:
        return (<int*>data)[0]
    return [(<int*>data)[i] for i in range(size // 4)]


cdef int _set_chars(char* dst, object value, size_t size, str name) except -1:
    # bytes or str fill the start and zero the rest; a list of numbers (-128..255) fills each byte
    cdef size_t i
    cdef long v
    if isinstance(value, (list, tuple)):
        if <size_t>len(value) != size:
            raise ValueError(f"{{name}} takes {{size}} values, got {{len(value)}}")
        for i in range(size):
            if not PyLong_Check(value[i]):
                raise TypeError(f"{{name}} takes integers, not {{type(value[i]).__name__}}")
            v = value[i]
            if v < -128 or v > 255:
                raise OverflowError(f"{{name}}[{{i}}] = {{v}} does not fit in a char")
            dst[i] = <char>v
        return 0
    cdef bytes data = _cstr(value, name)
    if len(data) > size:
        raise ValueError(f"{{name}} holds {{size}} bytes, got {{len(data)}}")
    memset(dst, 0, size)
    memcpy(dst, <char*>data, len(data))
    return 0
"""


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


def _included_defs(path: str) -> list[tuple[str, str]]:
    """(name, Python parameters) of each module-level def of a hand-written include, for the stub."""
    text = (pathlib.Path(__file__).resolve().parent.parent / "cuda" / "bindings" / path).read_text(encoding="utf-8")
    defs = []
    for name, params in re.findall(r"^def (\w+)\(([^)]*)\):", text, re.M):
        names = [p.split("=")[0].split()[-1] for p in params.split(",") if p.strip()]
        defs.append((name, ", ".join(names)))
    return defs


def assign_anon_names(model: dict) -> None:
    """Name unnamed nested records anon_structN / anon_unionN as NVIDIA's bindings number them.

    One counter per kind; records in model (header) order; inside each, a nested record is
    numbered when its closing brace is reached (after the records it contains); anonymous
    members (`union { a; b; };`, whose fields the parent takes) use up a number without
    getting a class. Shared by both levels.
    """
    count = {"struct": 0, "union": 0}

    def take(kind: str) -> str:
        count[kind] += 1
        return f"anon_{kind}{count[kind] - 1}"

    def walk(rec: dict) -> None:
        kinds = rec.get("anonymous", [])
        fields = rec["fields"]
        for i, f in enumerate(fields):
            if "record" in f:
                walk(f["record"])
                f["record"]["name"] = take(f["record"]["kind"])
            group = f.get("member_of_anonymous")
            if group is not None and (i + 1 == len(fields) or fields[i + 1].get("member_of_anonymous") != group):
                take(kinds[group])  # an anonymous member ends here

    for rec in model["records"]:
        walk(rec)


def module(lib: Lib, stamp: str) -> tuple[str, str, str]:
    """(<lib>.pyx, <lib>.pyi, the functions left out and why)."""
    lib.types = Types(lib.model)
    types: Types = lib.types
    m = lib.cymod
    out = [_RICH_HEADER.format(stamp=stamp, cymod=m, keep=lib.cfg["keep_host_record"]).rstrip(), ""]
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
        out += ["", *struct_class(lib, rec, []), ""]
        stub += [
            f"class {rec['name']}:",
            "    def __init__(self, _ptr: int = 0, owner: object = None) -> None: ...",
            "    def getPtr(self) -> int: ...",
        ]
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

    result_py = emit_py.lib_result(lib)
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
    # macros: integer constants
    for mac in lib.model["macros"]:
        if "value" not in mac:
            continue
        cast = mac.get("cast", "")
        kind, cls = types.kind(cast) if cast and not cast.endswith("*") else ("int", "int")
        if kind in ("handle", "intclass") and mac["value"] >= 0:
            out.append(f"{mac['name']} = {cls}({mac['value']})")
            stub.append(f"{mac['name']}: {cls}")
        else:  # a plain int, also ((CUdevice)-1), as no class holds a negative value
            out.append(f"{mac['name']} = {mac['value']}")
            stub.append(f"{mac['name']}: int")
    member_aliases = _macro_member_aliases(lib)
    out += [f"_MEMBER_ALIASES[{a!r}] = ({cls!r}, {mm!r})" for a, cls, mm in member_aliases]
    stub += [f"{a}: {cls}" for a, cls, _ in member_aliases]
    hand_written: set[str] = set()
    for extra in lib.cfg.get("include", []):  # hand-written helpers the overrides ask for
        out += ["", f'include "{extra}"']
        for name, args in _included_defs(extra):
            hand_written.add(name)
            stub.append(f"def {name}({args}) -> Any: ...")

    skipped = []
    lib.extra_plan = extra_plan
    for fn in lib.model["functions"]:
        if fn["name"] in hand_written:
            continue
        fn2 = {**fn, "params": infer_directions(lib, fn)}
        returns = cy(fn["return"])
        if returns not in (emit_py.lib_result(lib), "const char*") and returns.replace(" ", "") != "constchar*":
            skipped.append(f"{fn['name']}: returns {returns}, not a status")
            continue
        try:
            lines, sig = emit_py.function(lib, fn2, "tuple")
        except (Unsupported, ValueError) as exc:
            skipped.append(f"{fn['name']}: {exc}")
            continue
        out += ["", *lines, ""]
        stub.append(sig)
    out += ["", "def sizeof(objType):", '    """The size in bytes of the C type behind a class of this module."""']
    for name in [*values, *struct_names]:
        out += [f"    if objType is {name}:", f"        return sizeof({m}.{name})"]
    out += ['    raise TypeError(f"Unknown type: {objType}")', ""]
    return "\n".join(out).rstrip() + "\n", "\n".join(stub) + "\n", "\n".join(skipped) + "\n"
