# SPDX-License-Identifier: Apache-2.0
"""The C types of the driver and runtime headers as the Python level sees them (Types), and the
rules that tell inputs from outputs.

cuda.h marks few parameters [in] or [out]; a non-const pointer to a value type (a number, an
enum, a handle, a struct) whose description does not call it an array is an output.
overrides.yaml corrects the rest.
"""

from __future__ import annotations

import re

import plan_py
from ctypes_ import cy
from plan_py import Lib, base_type

INTS = plan_py.INT_TYPES
FLOATS = {"float", "double"}
RETURNED_DOC = re.compile(r"^\s*(returned|returns|pointer to returned|location to return)\b", re.I)
ARRAY_DOC = re.compile(r"^\s*(an? )?(array|list|buffer|pointer to (an )?array)\b", re.I)


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
        name = base_type(name)
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
            target = base_type(t["type"])
            if t["kind"] == "alias" and target in INTS:
                return "intclass", self.intclass_root(name)
            name = target

    def intclass_root(self, name: str) -> str:
        """CUdevice -> CUdevice_v1 (the typedef directly over the integer type)."""
        while base_type(self.typedefs[name]["type"]) not in INTS:
            name = base_type(self.typedefs[name]["type"])
        return name


def param_docs(doc: str) -> dict[str, str]:
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
    docs = param_docs(fn["doc"])
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
        elif cy(p["type"]).replace(" ", "") == "void**" and RETURNED_DOC.match(docs.get(p["name"], "")):
            p["direction"] = "out"  # cuMemAllocHost(&pp, size): an address comes back
        elif p["direction"] == "in" and cy(p["type"]).endswith("*") and "const" not in cy(p["type"]).split("*")[0]:
            kind, _ = types.kind(cy(p["type"])[:-1])
            text = docs.get(p["name"], "")
            if kind in ("int", "float", "enum", "handle", "intclass", "record", "callback") and not ARRAY_DOC.match(
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


# a parameter or field that counts the entries of an array beside it
COUNT = re.compile(r"^(num[A-Z]\w*|count|\w+Count)$")
