# SPDX-License-Identifier: Apache-2.0
"""C type spellings -> Cython declarations (shared by the emitters)."""

from __future__ import annotations

import keyword
import re

# Names Cython cannot take as identifiers (Python keywords, Cython's own words).
_RESERVED = set(keyword.kwlist) | {"cdef", "cpdef", "ctypedef", "include", "gil", "nogil", "api", "public", "readonly"}


def ident(name: str) -> str:
    return f"{name}_" if name in _RESERVED else name


# Python parameters named like a builtin get NVIDIA's spellings, so keyword callers match theirs.
_PARAM_RENAMES = {"type": "typename", "len": "length", "format": "pformat", "bytes": "numbytes", "input": "input_"}


def py_param(name: str) -> str:
    """The Python name of a function parameter."""
    return _PARAM_RENAMES.get(name) or ident(name)


def cy(ctype: str) -> str:
    """A C type spelling as Cython writes it ("const char *const *" -> "const char* const*")."""
    t = re.sub(r"\s*\*\s*", "*", ctype.strip())
    t = re.sub(r"\*(?=[A-Za-z_])", "* ", t)
    t = t.replace("struct ", "").replace("enum ", "").replace("union ", "")
    return t


def declare(ctype: str, name: str) -> str:
    """A declarator: type and name together, function pointers included."""
    if "(*)" in ctype:
        return cy(ctype).replace("(*)", f"(*{ident(name)})", 1)
    return f"{cy(ctype)} {ident(name)}"


def pointee(ctype: str) -> str:
    """The type one pointer level down ("size_t *" -> "size_t")."""
    t = cy(ctype)
    assert t.endswith("*"), ctype
    return t[:-1].rstrip()
