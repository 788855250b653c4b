# SPDX-License-Identifier: Apache-2.0
"""The enums of driver.pyx and runtime.pyx, as data.

Each enum class is an IntEnum made on first use. What it is made from (its doc, member names and
values) lives in constant C arrays of the extension, not in Python objects built at import: the
pages of those arrays are read only when an enum is first used, and the module initialisation has
no code per member (written as Python tuples, the members were about half of that code and most of
the memory the import added).

Layout, one set of arrays per module:
  __pyx_enum_text    for each enum: its doc, then each member's name, every string NUL-ended (UTF-8)
  __pyx_enum_at[i]   where enum i's doc starts in __pyx_enum_text
  __pyx_enum_first[i] index in __pyx_enum_values of enum i's first member; [n] closes the last one
  __pyx_enum_values  the member values, in member order
_ENUMS maps each class name to its index i.
"""

from __future__ import annotations

from docs import docstring

# the body of the generated module's lookup; {n}: number of enums
_READER = """\
cdef extern from *:
    const char* _enum_text "__pyx_enum_text"
    const unsigned int* _enum_at "__pyx_enum_at"
    const unsigned int* _enum_first "__pyx_enum_first"
    const long long* _enum_values "__pyx_enum_values"


cdef tuple _enum_data(Py_ssize_t index):
    # (doc, [(name, value), ...]) of enum `index`, read from the C arrays above
    if not 0 <= index < {n}:
        raise IndexError(index)
    cdef const char* p = _enum_text + _enum_at[index]
    cdef size_t size = strlen(p)
    cdef unsigned int i
    doc = p[:size].decode("utf-8")
    members = []
    for i in range(_enum_first[index], _enum_first[index + 1]):
        p += size + 1
        size = strlen(p)
        members.append((p[:size].decode("ascii"), _enum_values[i]))
    return doc, members
"""


def c_string(data: bytes) -> str:
    """``data`` as the body of a C string literal: printable ASCII as is, the rest as 3-digit octal
    escapes (a following digit can't extend them); '?' escaped too (no trigraphs)."""
    return "".join(chr(b) if 32 <= b < 127 and b not in b'"\\?' else f"\\{b:03o}" for b in data)


def enum_tables(lib, types) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """(pyx lines, stub lines, (C enum name, class) pairs where they differ) for ``lib``'s enums."""
    text: list[bytes] = []
    at, first, values, index = [], [0], [], {}
    out, stub, aliases = [], [], []
    offset = 0
    for enum in lib.model["enums"]:
        cls = types.enum_class.get(enum["name"], enum["name"])
        if cls in index:
            continue
        index[cls] = len(index)
        doc = docstring(enum["doc"]) or f"The values of {enum['name']}."
        pieces = [doc.encode(), *(m["name"].encode("ascii") for m in enum["members"])]
        at.append(offset)
        for piece in pieces:
            assert b"\0" not in piece, piece
            text.append(piece + b"\0")
            offset += len(piece) + 1
        for m in enum["members"]:
            assert -(2**63) < m["value"] < 2**63, (m["name"], m["value"])
            values.append(m["value"])
        first.append(len(values))
        out += [
            f"cdef dict _members_{cls} = None",
            "",
            f"cdef inline object _enum_{cls}(int value):",
            f"    # the member of {cls} with this value, or the int where it has none",
            f"    global _members_{cls}",
            f"    if _members_{cls} is None:",
            f"        _members_{cls} = _enum_class({cls!r})._value2member_map_",
            f"    member = _members_{cls}.get(value)",
            "    return value if member is None else member",
            "",
        ]
        stub += [f"class {cls}(IntEnum):", *(f"    {m['name']} = {m['value']}" for m in enum["members"])]
        if enum["name"] != cls:
            aliases.append((enum["name"], cls))

    def c_array(ctype: str, name: str, items: list[str]) -> list[str]:
        rows = [", ".join(items[i : i + 12]) for i in range(0, len(items), 12)] or ["0"]
        return [f"static const {ctype} {name}[] = {{", *(f"    {r}," for r in rows), "};"]

    strings = [f'    "{c_string(t)}"' for t in text] or ['    ""']
    strings[-1] += ";"
    block = ["static const char __pyx_enum_text[] =", *strings]
    block += c_array("unsigned int", "__pyx_enum_at", [str(a) for a in at])
    block += c_array("unsigned int", "__pyx_enum_first", [str(f) for f in first])
    block += c_array("long long", "__pyx_enum_values", [f"{v}LL" for v in values])
    # the block is a string literal of the .pyx: its backslashes reach the C file only doubled
    block = [line.replace("\\", "\\\\") for line in block]
    head = [
        "# enum doc, names and values as constant C data (codegen/emit_enums.py)",
        "cdef extern from *:",
        '    """',
        *(f"    {line}" for line in block),
        '    """',
        "",
        _READER.format(n=len(index)),
        "",
        "cdef dict _ENUMS = {  # class name -> its index in the arrays",
        *(f"    {cls!r}: {i}," for cls, i in index.items()),
        "}",
        "",
    ]
    return head + out, stub, aliases
