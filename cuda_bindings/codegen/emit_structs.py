# SPDX-License-Identifier: Apache-2.0
"""The classes of the driver and runtime types: value classes (handles, integer types,
callbacks) and struct classes whose fields are properties over the C struct."""

from __future__ import annotations

import emit_py
from ctypes_ import cy, ident
from driver_types import COUNT, Types, Unsupported, qualify
from plan_py import Lib, base_type

from docs import docstring, quote


def value_class(lib: Lib, name: str, doc: str) -> list[str]:
    """A handle, integer type or callback: a value in the object, or a view of one elsewhere."""
    lines = emit_py.handle_class(lib, {"name": name, "doc": doc})
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
    counts = [f["name"] for f in rec["fields"] if COUNT.match(f["name"]) and "record" not in f and not f.get("array")]
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
    item = base_type(t[:-1].strip())
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
        if base_type(t) == "char":
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
            f"        {acc} = <{m}.{base_type(t)}><int>_index(value, {n!r})",
        ]
    elif kind in ("handle", "intclass", "callback"):
        out += [
            f"        cdef {name} v = {name}.__new__({name})",
            f"        (<{m}.{base_type(t)}*>v._ptr)[0] = {acc}",
            "        return v",
        ]
        out += [
            f"    @{ident(n)}.setter",
            f"    def {ident(n)}(self, value):",
            f"        {acc} = <{m}.{base_type(t)}><uintptr_t>_handle_value(value, {name}, {n!r})",
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
    if not {"fn", "userData"} <= set(fields) or cy(fields["userData"]["type"]).replace(" ", "") != "void*":
        return False  # (13.5's _v2 adds syncMode and a context: ordinary fields beside these two)
    t = lib.types.typedefs.get(base_type(cy(fields["fn"]["type"])))
    return t is not None and t["kind"] == "callback" and t["params"] == ["void *"]


def _host_fn_fields(lib: Lib, rec: dict) -> list[str]:
    """fn takes a C function or a Python callable; userData then takes any Python object."""
    m = lib.cymod
    fn_t = base_type(cy(next(f["type"] for f in rec["fields"] if f["name"] == "fn")))
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
    host_fn = _is_host_fn_record(lib, rec)
    if host_fn and len(rec["fields"]) == 2:
        return lines + _host_fn_fields(lib, rec)
    props = _host_fn_fields(lib, rec) if host_fn else []
    shown, hexed = (["fn", "userData"] if host_fn else []), []  # the fields repr lists, in order; void* ones in hex
    arrays = _array_fields(lib, rec)
    for f in rec["fields"]:
        if host_fn and f["name"] in ("fn", "userData"):
            continue
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
