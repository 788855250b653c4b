"""The C level: cy<lib>.pxd (declarations other Cython code cimports) and cy<lib>.pyx.

Every function is a `cdef ... nogil` wrapper over a pointer taken from the
library on first use. A missing library or symbol raises a Python error and
returns the except value, so C callers see a clean failure, never a crash.
"""

from __future__ import annotations

from ctypes_ import cy, declare, ident


def _extern_block(lib: dict) -> list[str]:
    model = lib["model"]
    out = [f'cdef extern from "{lib["headers"][0]}":']
    for h in lib["headers"][1:]:
        out[0:0] = [f'cdef extern from "{h}":', "    pass", ""]
    for t in model["typedefs"]:
        if t["kind"] == "handle":
            out.append(f"    cdef struct {t['opaque']}")
            out.append(f"    ctypedef {t['opaque']}* {t['name']}")
        elif t["kind"] == "alias":
            out.append(f"    ctypedef {cy(t['type'])} {t['name']}")
        elif t["kind"] == "callback":
            out.append(f"    ctypedef {declare(t['type'], t['name'])}")
    for enum in model["enums"]:
        out.append(f"    ctypedef enum {enum['name']}:")
        out += [f"        {m['name']}" for m in enum["members"]] or ["        pass"]
    return out


def _signature(fn: dict, except_value: str) -> str:
    params = ", ".join(declare(p["type"], p["name"]) for p in fn["params"])
    return f"cdef {cy(fn['return'])} {fn['name']}({params}) except ?{except_value} nogil"


def _except_value(lib: dict, fn: dict) -> str:
    if fn["return"].replace(" ", "").endswith("*"):
        return "NULL"
    return lib["except_value"]


def pxd(lib: dict, stamp: str) -> str:
    out = [stamp, "", "from libc.stdint cimport *", "", *_extern_block(lib), ""]
    out.append(f"# The functions of {', '.join(lib['headers'])}; each loads {lib['runtime_lib']} on first use.")
    out += [_signature(fn, _except_value(lib, fn)) for fn in lib["model"]["functions"]]
    return "\n".join(out) + "\n"


def pyx(lib: dict, stamp: str) -> str:
    fns = lib["model"]["functions"]
    symbols = ",\n".join(f"    {tuple(fn['symbols'])!r}" for fn in fns)
    names = [fn["name"] for fn in fns]
    version_index = names.index(lib["version_function"]) if lib.get("version_function") in names else -1
    out = [
        stamp,
        "",
        "from cuda.bindings._lib.loader cimport SymbolTable",
        "",
        "# Candidate symbols per function, newest first (versioned names, then the plain name).",
        f"cdef SymbolTable _table = SymbolTable({lib['runtime_lib']!r}, (\n{symbols},\n), {version_index})",
        "cdef void** _fn = _table.slots",
        "",
        "",
        "cdef int _resolve(Py_ssize_t index) except -1 nogil:",
        "    with gil:",
        "        return _table.resolve(index)",
        "",
        "",
        "def _load_library():",
        '    """Load the library now and return its path (it otherwise loads on first use)."""',
        "    return _table.load()",
        "",
        "",
        "def _library_version():",
        "    return _table.version()",
    ]
    for i, fn in enumerate(fns):
        ev = _except_value(lib, fn)
        types = ", ".join(cy(p["type"]) for p in fn["params"])
        args = ", ".join(ident(p["name"]) for p in fn["params"])
        out += [
            "",
            _signature(fn, ev) + ":",
            f"    if _fn[{i}] == NULL:",
            f"        _resolve({i})",
            f"    return (<{cy(fn['return'])} (*)({types}) noexcept nogil>_fn[{i}])({args})",
        ]
    return "\n".join(out) + "\n"
