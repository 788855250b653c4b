# SPDX-License-Identifier: Apache-2.0
"""Struct classes of the snake_case modules (cufile): one Record subclass per C struct.

overrides.yaml names the structs that get a public class (`records: {C typedef: Python name}`);
an unnamed nested struct or union gets a private class (_<Parent>_<field>). Offsets and sizes
are read from the C compiler by a small Cython function per class, so the layout cannot differ
from the header's. The behaviour of the classes is hand-written (cuda/bindings/_lib/records.py).
"""

from __future__ import annotations

from ctypes_ import cy
from plan_py import Lib, snake

# C scalar types -> NumPy type strings ("p": a pointer, stored as an intptr)
_FORMATS = {
    "char": "i1", "signed char": "i1", "unsigned char": "u1", "short": "i2", "unsigned short": "u2",
    "int": "i4", "unsigned int": "u4", "long": "i8", "unsigned long": "u8", "long long": "i8",
    "unsigned long long": "u8", "int8_t": "i1", "uint8_t": "u1", "int16_t": "i2", "uint16_t": "u2",
    "int32_t": "i4", "uint32_t": "u4", "int64_t": "i8", "uint64_t": "u8", "size_t": "u8", "ssize_t": "i8",
    "off_t": "i8", "loff_t": "i8", "intptr_t": "i8", "uintptr_t": "u8", "float": "f4", "double": "f8",
    "_Bool": "?",
}  # fmt: skip
# attributes of Record that a field must not hide (NVIDIA's classes rename these fields the same way)
_TAKEN = {"size", "ptr", "dtype", "from_data", "from_ptr"}


def field_name(cname: str) -> str:
    py = snake(cname) if any(c.isupper() for c in cname) else cname
    return f"{py}_" if py in _TAKEN else py


class _Classes:
    """Collects the classes to emit, nested ones first."""

    def __init__(self, lib: Lib):
        self.lib = lib
        self.public = lib.cfg.get("records", {})
        self.typedefs = {t["name"]: t for t in lib.model["typedefs"]}
        self.records = {r["name"]: r for r in lib.model["records"]}
        self.out: list[tuple[str, str, list, str]] = []  # (class, top-level C type, fields, path in it)

    def record_of(self, ctype: str) -> dict | None:
        t = self.typedefs.get(ctype)
        if t and t["kind"] == "record":
            return self.records.get(cy(t["type"]))
        return self.records.get(ctype)

    def fmt(self, owner: str, root: str, path: str, f: dict) -> str:
        """The format expression of one field (Python source)."""
        if "record" in f:
            cls = f"_{owner.lstrip('_')}_{field_name(f['name'])}"
            self.add(cls, root, f["record"], f"{path}.{f['name']}")
            base = cls
        else:
            t = cy(f["type"]).replace("const ", "").strip()
            td = self.typedefs.get(t, {})
            canonical = cy(td.get("canonical") or td.get("type") or t)
            if t.endswith("*") or "(*)" in t or canonical.endswith("*"):
                base = '"p"'
            elif t in self.public:
                base = self.public[t]
            elif self.record_of(t) is not None:
                raise ValueError(f"{path}.{f['name']}: struct {t} has no class; add it to records")
            elif t in {e["name"] for e in self.lib.model["enums"]} or self.typedefs.get(t, {}).get("kind") == "enum":
                base = '"i4"'
            else:
                base = repr(_FORMATS.get(t) or _FORMATS[canonical])
        dims = f.get("array", [])
        if len(dims) > 1:
            raise ValueError(f"{path}.{f['name']}: arrays of more than one dimension have no rule")
        return f"({base}, {dims[0]})" if dims else base

    def array_item(self, root: str, cfield: str) -> str:
        """The element of a counted pointer field: a public struct class, or "p" (pointers)."""
        f = next(f for f in self.record_of(root)["fields"] if f["name"] == cfield)
        pointee = cy(f["type"]).replace("const", "").replace(" ", "")[:-1]
        return self.public.get(pointee, '"p"')

    def add(self, cls: str, root: str, rec: dict, path: str) -> None:
        fields = [(field_name(f["name"]), f["name"], self.fmt(cls, root, path, f)) for f in rec["fields"]]
        self.out.append((cls, root, fields, path))


def section(lib: Lib) -> tuple[list[str], list[str], list[str]]:
    """(pyx lines, stub lines, names of the module's <name>_dtype attributes)."""
    c = _Classes(lib)
    for ctype, py in c.public.items():
        rec = c.record_of(ctype)
        c.add(py, ctype, rec, "")  # nested classes are added before the class that holds them
    m = lib.cymod
    out = [
        "from cuda.bindings._lib.records import Record as _Record",
        "from cuda.bindings._lib.records import counted_field as _counted_field",
        "from cuda.bindings._lib.records import field as _field",
        "",
    ]
    arrays = lib.cfg.get("record_arrays", {})
    stub, dtypes = [], []
    for i, (cls, root, fields, path) in enumerate(c.out):
        cname = root + path
        where = f"pod{path}"
        offsets = ", ".join(
            f"<size_t>&{where}.{cf}{'[0]' if fmt.startswith('(') else ''} - <size_t>&{where}" for _, cf, fmt in fields
        )
        out += [
            "",
            f"cdef tuple _layout_{i}():",
            f"    cdef {m}.{root} pod",
            f"    return (sizeof({where}), ({offsets},))",
            "",
            "",
            f"class {cls}(_Record):",
            f'    """{cname}: `{cls}(size=1)` makes `size` zeroed structs; `ptr` is their address."""',
            "",
            "    __slots__ = ()",
            f"    _c_name = {cname!r}",
            f"    _itemsize, _offsets = _layout_{i}()",
            f"    _names = {tuple(f[0] for f in fields)!r}",
            f"    _fields = tuple(zip(_names, ({', '.join(f[2] for f in fields)},), _offsets))",
        ]
        counted = arrays.get(root, {}) if not path else {}
        counts = set(counted.values())
        for py, cf, fmt in fields:
            if cf in counted:
                item = c.array_item(root, cf)
                out.append(f"    {py} = _counted_field({py!r}, {field_name(counted[cf])!r}, {item})")
            elif cf not in counts:  # a count is set with its array, not on its own
                out.append(f"    {py} = _field({py!r}, {fmt})")
        out.append("")
        if not cls.startswith("_"):
            dname = f"{snake(cls)}_dtype"
            dtypes.append((dname, cls))
            stub += [f"class {cls}:", "    def __init__(self, size: int = 1) -> None: ..."]
            stub += [f"    {py}: Any" for py, cf, _ in fields if cf not in counts]
            stub += [
                "    @property",
                "    def ptr(self) -> int: ...",
                "    @classmethod",
                f"    def from_buffer(cls, buffer: Any) -> {cls}: ...",
                "    @classmethod",
                f"    def from_data(cls, data: Any) -> {cls}: ...",
                "    @classmethod",
                "    def from_ptr(",
                f"        cls, ptr: int, size: int = 1, readonly: bool = False, owner: Any = None\n    ) -> {cls}: ...",
                "    def __len__(self) -> int: ...",
                f"    def __getitem__(self, key: int | slice) -> {cls}: ...",
            ]
    out += [
        "",
        "_DTYPES = {" + ", ".join(f"{d!r}: {cls}" for d, cls in dtypes) + "}",
        "",
        "",
        "def __getattr__(name):",
        '    """<struct>_dtype: the NumPy dtype of a struct, made when first asked for (NumPy loads then)."""',
        "    cls = _DTYPES.get(name)",
        "    if cls is None:",
        '        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")',
        "    return cls.dtype()",
        "",
    ]
    stub += [f"{d}: Any" for d, _ in dtypes]
    return out, stub, [d for d, _ in dtypes]
