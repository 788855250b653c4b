# SPDX-License-Identifier: Apache-2.0
"""Struct classes of the snake_case modules (cufile): one Record subclass per C struct.

overrides.yaml names the structs that get a public class (`records: {C typedef: Python name}`);
an unnamed nested struct or union gets a private class (_<Parent>_<field>). Offsets and sizes
are read from the C compiler by a small Cython function per class, so the layout cannot differ
from the header's. The behaviour of the classes is hand-written (cuda/bindings/_lib/records.py).
"""

from __future__ import annotations

from ctypes_ import cy
from model_types import field_name, snake
from plan_py import Lib

# C scalar types -> NumPy type strings ("p": a pointer, stored as an intptr)
_FORMATS = {
    "char": "i1", "signed char": "i1", "unsigned char": "u1", "short": "i2", "unsigned short": "u2",
    "int": "i4", "unsigned int": "u4", "long": "i8", "unsigned long": "u8", "long long": "i8",
    "unsigned long long": "u8", "int8_t": "i1", "uint8_t": "u1", "int16_t": "i2", "uint16_t": "u2",
    "int32_t": "i4", "uint32_t": "u4", "int64_t": "i8", "uint64_t": "u8", "size_t": "u8", "ssize_t": "i8",
    "off_t": "i8", "loff_t": "i8", "intptr_t": "i8", "uintptr_t": "u8", "float": "f4", "double": "f8",
    "_Bool": "?",
}  # fmt: skip


class _Classes:
    """Collects the classes to emit, nested ones first."""

    def __init__(self, lib: Lib):
        self.lib = lib
        self.public = lib.cfg.get("records", {})
        self.typedefs = {t["name"]: t for t in lib.model["typedefs"]}
        self.records = {r["name"]: r for r in lib.model["records"]}
        self.out: list[tuple[str, str, list, str]] = []  # (class, top-level C type, fields, path in it)
        self.done: set[str] = set()
        self.counted: dict[str, dict[str, str]] = {}  # class -> {array field: count field} (C names)

    def record_of(self, ctype: str) -> dict | None:
        t = self.typedefs.get(ctype)
        if t and t["kind"] == "record":
            return self.records.get(cy(t["type"]))
        return self.records.get(ctype)

    def fmt(self, owner: str, root: str, path: str, f: dict) -> str:
        """The format expression of one field (Python source)."""
        if "record" in f:
            cls = f"_{owner.lstrip('_')}_{field_name(f['name'])}"
            index = "[0]" * len(f.get("array", []))  # an array of unnamed structs: the first one's layout
            self.add(cls, root, f["record"], f"{path}.{f['name']}{index}")
            base = cls
        else:
            t = cy(f["type"]).replace("const ", "").strip()
            td = self.typedefs.get(t, {})
            canonical = cy(td.get("canonical") or td.get("type") or t)
            if t.endswith("*") or "(*)" in t or canonical.endswith("*"):
                base = '"p"'
            elif t in self.public:
                self.ensure(t)  # a struct of a struct: the inner class first
                base = self.public[t]
            elif self.record_of(t) is not None:
                raise ValueError(f"{path}.{f['name']}: struct {t} has no class; add it to records")
            elif t in {e["name"] for e in self.lib.model["enums"]} or self.typedefs.get(t, {}).get("kind") == "enum":
                base = '"i4"'
            else:
                base = repr(_FORMATS.get(t) or _FORMATS[canonical])
        dims = f.get("array", [])
        if base == "'i1'" and dims and self.lib.cfg.get("char_arrays") == "str":
            base = "'s'"  # char[N] read as text (nvml)
        if len(dims) > 1:
            raise ValueError(f"{path}.{f['name']}: arrays of more than one dimension have no rule")
        return f"({base}, {dims[0]})" if dims else base

    def array_item(self, root: str, cfield: str) -> str:
        """The element of a counted pointer field: a public struct class, a number's NumPy format
        ("u4"), or "p" (pointers)."""
        f = next(f for f in self.record_of(root)["fields"] if f["name"] == cfield)
        pointee = cy(f["type"]).replace("const", "").strip()[:-1].strip()
        if pointee in self.public:
            return self.public[pointee]
        td = self.typedefs.get(pointee, {})
        number = _FORMATS.get(cy(td.get("canonical") or td.get("type") or pointee))
        return repr(number) if number and not pointee.endswith("*") and pointee != "void" else '"p"'

    def ensure(self, ctype: str) -> None:
        """Add the class of a public struct (and, first, those of the structs in it), once."""
        if ctype in self.done:
            return
        self.done.add(ctype)
        self.add(self.public[ctype], ctype, self.record_of(ctype), "")

    def add(self, cls: str, root: str, rec: dict, path: str) -> None:
        fields = [(field_name(f["name"]), f["name"], self.fmt(cls, root, path, f)) for f in rec["fields"]]
        self.counted[cls] = self.fixed_counts(rec)
        self.out.append((cls, root, fields, path))

    def fixed_counts(self, rec: dict) -> dict[str, str]:
        """In-struct arrays with the field that says how many are used (record_counted, or, with
        counted_fixed_auto, a sibling <field>Size / <field>Count): read as just those."""
        found = dict(self.lib.cfg.get("record_counted", {}).get(rec.get("name", ""), {}))
        if self.lib.cfg.get("counted_fixed_auto"):
            names = {f["name"] for f in rec["fields"]}
            for f in rec["fields"]:
                for count in (f"{f['name']}Size", f"{f['name']}Count"):
                    if f.get("array") and count in names:
                        found.setdefault(f["name"], count)
        return found


def section(lib: Lib) -> tuple[list[str], list[str], list[str]]:
    """(pyx lines, stub lines, names of the module's <name>_dtype attributes)."""
    c = _Classes(lib)
    for ctype in c.public:
        if c.record_of(ctype) is None:  # a struct this line's headers do not have (cuFile's IOVec in 12.x)
            continue
        c.ensure(ctype)  # nested classes are added before the class that holds them
    m = lib.cymod
    out = [
        "from cuda.bindings._lib.records import Record as _Record",
        "from cuda.bindings._lib.records import counted_field as _counted_field",
        "from cuda.bindings._lib.records import field as _field",
        "from cuda.bindings._lib.records import fixed_counted_field as _fixed_counted_field",
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
        fixed = c.counted.get(cls, {})
        # a count is set with its array, not on its own; record_counts_shown: those NVIDIA's show anyway
        shown = set(lib.cfg.get("record_counts_shown", {}).get(root, ()))
        counts = (set(counted.values()) | set(fixed.values())) - shown
        for py, cf, fmt in fields:
            if cf in counted:
                item = c.array_item(root, cf)
                out.append(f"    {py} = _counted_field({py!r}, {field_name(counted[cf])!r}, {item})")
            elif cf in fixed:
                out.append(f"    {py} = _fixed_counted_field({py!r}, {field_name(fixed[cf])!r}, {fmt})")
            elif cf not in counts:
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


def auto_records(lib: Lib) -> dict[str, str]:
    """records: auto (nvml): a class for every struct typedef the rules can lay out, named
    without the library prefix and _t (nvmlMemory_v2_t -> Memory_v2); the others are left out
    (a function that needs one is then listed as missing)."""
    prefix = lib.cfg.get("prefix", "")
    names = [t["name"] for t in lib.model["typedefs"] if t["kind"] == "record"]
    # typedef struct {...} name_t: a record without a tag, named by its typedef
    names += [r["name"] for r in lib.model["records"] if not r.get("tag") and r["name"].startswith(prefix)]
    candidates = {}
    for ctype in names:
        name = ctype[len(prefix) :] if ctype.startswith(prefix) else ctype
        candidates[ctype] = name[:-2] if name.endswith("_t") else name
    while True:
        trial = Lib(lib.name, {**lib.cfg, "records": candidates}, lib.model)
        c = _Classes(trial)
        bad = []
        for ctype in candidates:
            try:
                c.ensure(ctype)
            except (ValueError, KeyError):
                bad.append(ctype)
                break
        if not bad:
            return candidates
        candidates = {k: v for k, v in candidates.items() if k not in bad}
