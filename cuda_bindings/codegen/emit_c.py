# SPDX-License-Identifier: Apache-2.0
"""The C level: cy<lib>.pxd (declarations other Cython code cimports) and cy<lib>.pyx.

Every function is a `cdef ... nogil` wrapper over a pointer taken from the
library on first use. A missing library or symbol raises a Python error and
returns the except value, so C callers see a clean failure, never a crash.
"""

from __future__ import annotations

import re

from ctypes_ import cy, declare, ident

_IDENT = re.compile(r"[A-Za-z_]\w*")


def _field_lines(fields: list[dict], indent: str, anon: list) -> list[str]:
    out = []
    for f in fields:
        ftype = f["type"]
        if "record" in f:
            name = f["record"]["name"]  # anon_<kind>N, named by normalise.assign_anon_names
            anon.append((name, f["record"]))
            ftype = name
        dims = "".join(f"[{d}]" for d in f.get("array", []))
        field = ident(f["name"])
        cname = f' "{f["name"]}"' if field != f["name"] else ""
        out.append(f"{indent}{declare(ftype, field)}{dims}{cname}")
    return out or [f"{indent}pass"]


PLAIN = "\0"  # marks a line that goes outside the extern block


def _record_lines(rec: dict, anon: list) -> list[str]:
    """A record's declaration, after its unnamed nested records.

    C has no name for those; they are declared here as Cython structs of the
    same layout (anon_<kind>N, named in the model), so both C levels and the
    Python classes can use them.
    """
    nested: list = []
    if rec.get("anon"):
        body = _field_lines(rec["fields"], "    ", nested)
        head = [f"{PLAIN}cdef {rec['kind']} {rec['name']}:", *(PLAIN + line for line in body)]
    else:
        body = _field_lines(rec["fields"], "        ", nested)
        word = f"cdef {rec['kind']}" if rec.get("tag") else f"ctypedef {rec['kind']}"
        head = [f"    {word} {rec['name']}:", *body]
    out = []
    for name, inner in nested:
        out += _record_lines({**inner, "name": name, "anon": True}, anon)
    return [*out, *head]


def _deps(text: str) -> set[str]:
    return set(_IDENT.findall(text))


def _extern_block(lib: dict) -> list[str]:
    """Every type of the headers, in an order Cython accepts (each name declared before use)."""
    model = lib["model"]
    # Only the first header is included: the others (cudaProfiler.h) add functions, which are our
    # own wrappers, and no types, so cimporting code needs no more headers than that one.
    primary = lib["headers"][0]
    out = [f'cdef extern from "{primary}":']

    own = {"foreign", *lib.get("own_types", ())}
    # declare_all: every type declared by us, values and layouts from the model, so that building
    # needs no header at all (cudla.h: its wheel installs on aarch64 only)
    every = bool(lib.get("declare_all"))

    def ours(item: dict) -> bool:
        # Structs and handles declared by us, so that cimporting code needs only the first header:
        # those of headers that need others (cudaEGL.h needs EGL's) and the foreign types (GL, EGL,
        # VDPAU: overrides.yaml).
        return every or item.get("header", primary) in own

    record_names = {r["name"] for r in model["records"]}
    forward = []
    for rec in model["records"]:
        if rec.get("tag") and not ours(rec):
            forward.append(f"    cdef {rec['kind']} {rec['name']}")
    for t in model["typedefs"]:
        if t["kind"] == "handle" and not ours(t) and t["opaque"] not in record_names:
            forward.append(f"    cdef struct {t['opaque']}")
    out += sorted(set(forward))
    for enum in model["enums"]:
        head = f"cdef enum {enum['name']}:" if enum.get("tag") else f"ctypedef enum {enum['name']}:"
        if enum.get("header", primary) != primary or every:
            # Declared by us, values and all, so that cimporting code needs only the first header
            # (cudaProfiler.h is not in every toolkit install).
            out.append(f"{PLAIN}{head}")
            out += [f"{PLAIN}    {m['name']} = {m['value']}" for m in enum["members"]] or [f"{PLAIN}    pass"]
            continue
        out.append(f"    {head}")
        out += [f"        {m['name']}" for m in enum["members"]] or ["        pass"]
    known = {r["name"] for r in model["records"] if r.get("tag")} | {e["name"] for e in model["enums"]}
    known |= {t["opaque"] for t in model["typedefs"] if t["kind"] == "handle"}
    nodes = {}  # name -> (dependencies, lines)
    for t in model["typedefs"]:
        if t["kind"] == "handle" and ours(t):  # an opaque pointer, as C passes it
            nodes[t["name"]] = (set(), [f"{PLAIN}ctypedef void* {t['name']}"])
        elif t["kind"] == "handle":
            nodes[t["name"]] = (set(), [f"    ctypedef {t['opaque']}* {t['name']}"])
        elif t["kind"] in ("alias", "enum", "record"):
            if cy(t["type"]) == t["name"]:
                continue  # typedef struct X X: `cdef struct X` already names it
            prefix = PLAIN if t.get("header", primary) != primary or every else "    "
            nodes[t["name"]] = (_deps(cy(t["type"])), [f"{prefix}ctypedef {cy(t['type'])} {t['name']}"])
        elif t["kind"] == "callback":
            prefix = PLAIN if t.get("header") == "foreign" else "    "  # VdpGetProcAddress (overrides.yaml)
            nodes[t["name"]] = (_deps(cy(t["type"])), [f"{prefix}ctypedef {declare(t['type'], t['name'])}"])
    anon: list = []
    for rec in model["records"]:
        lines = _record_lines({**rec, "anon": True} if ours(rec) else rec, anon)
        deps = set()
        for f in rec["fields"]:
            deps |= _deps(cy(f["type"]))
            for nested in f.get("record", {}).get("fields", []):
                deps |= _deps(cy(nested["type"]))
        key = rec["name"] if not rec.get("tag") else f"struct {rec['name']}"
        nodes[key] = (deps, lines)
    emitted: set[str] = set()
    # records that a field holds by value, by typedef or tag name, and the tag a typedef names
    tag_of = {t["name"]: cy(t["type"]) for t in model["typedefs"] if t["kind"] == "record"}
    by_value = (
        {  # only where asked (complete_by_value): the driver's order is right as it is
            cy(f["type"])
            for rec in model["records"]
            for f in rec["fields"]
            if "*" not in f["type"] and "record" not in f and (cy(f["type"]) in tag_of or cy(f["type"]) in record_names)
        }
        if lib.get("complete_by_value")
        else set()
    )

    def emit(name: str, stack: tuple = ()) -> None:
        if name in emitted or name not in nodes or name in stack:
            return
        deps, lines = nodes[name]
        for d in sorted(deps - known - {name}):
            emit(d, (*stack, name))
            emit(f"struct {d}", (*stack, name))
        for d in sorted(deps & by_value - {name}):  # a record held by value (nvml's nvmlValue_t): complete first
            emit(d, (*stack, name))
            emit(f"struct {tag_of.get(d, d)}", (*stack, name))
        emitted.add(name)
        out.extend(lines)

    for name in nodes:
        emit(name)
    return _regroup(out, primary)


def _regroup(lines: list[str], header: str) -> list[str]:
    """Close and reopen the extern block around the lines that must stand outside it."""
    out, inside = [], True
    for line in lines:
        plain = line.startswith(PLAIN)
        if plain and inside:
            out.append("")
            inside = False
        elif not plain and not inside and not line.startswith("cdef extern"):
            out += ["", f'cdef extern from "{header}":']
            inside = True
        out.append(line[1:] if plain else line)
    # an extern block left empty (every type declared by us: declare_all) includes no header
    return [line for i, line in enumerate(out) if not _empty_extern(out, i)]


def _empty_extern(lines: list[str], i: int) -> bool:
    if not lines[i].startswith("cdef extern from"):
        return False
    following = next((x for x in lines[i + 1 :] if x.strip()), "")
    return not following.startswith("    ")


def _signature(fn: dict, except_value: str) -> str:
    params = ", ".join(declare(p["type"], p["name"]) for p in fn["params"])
    clause = "except *" if except_value == "*" else f"except ?{except_value}"
    return f"cdef {cy(fn['return'])} {fn['name']}({params}) {clause} nogil"


def _except_value(lib: dict, fn: dict) -> str:
    if fn["return"].replace(" ", "").endswith("*"):
        return "NULL"
    result = lib.get("result_enum") or next(
        (e["name"] for e in lib["model"]["enums"] if e["name"].endswith("Result")), ""
    )
    if cy(fn["return"]) not in (result, "int") and not cy(fn["return"]).endswith(("Result", "result")):
        return "*"  # a struct by value (cudaCreateChannelDesc): Cython checks for an error after the call
    return lib["except_value"]


def pxd(lib: dict, stamp: str) -> str:
    # pxd_preamble: declarations of types the header takes from elsewhere (POSIX sizes, cuda.h)
    out = [stamp, "", "from libc.stdint cimport *", *lib.get("pxd_preamble", ()), "", *_extern_block(lib), ""]
    out.append(f"# The functions of {', '.join(lib['headers'])}; each loads {lib['runtime_lib']} on first use.")
    out += [_signature(fn, _except_value(lib, fn)) for fn in lib["model"]["functions"]]
    return "\n".join(out) + "\n"


def _dlsym_candidates(fn: dict) -> tuple:
    """Symbols to try, in order; "ptds:"-marked ones only under CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM=1."""
    names = tuple(fn["symbols"])
    if fn.get("per_thread"):
        abi = fn.get("abi_name") or fn["name"]
        if not abi.endswith(f"_{fn['per_thread']}"):
            abi = f"{abi}_{fn['per_thread']}"
        names = (f"ptds:{abi}", *names)
    return names


def pyx(lib: dict, stamp: str) -> str:
    fns = lib["model"]["functions"]
    if lib.get("proc_address"):
        symbols = ",\n".join(f"    {tuple(fn['proc'])!r}" for fn in fns)
    else:
        symbols = ",\n".join(f"    {_dlsym_candidates(fn)!r}" for fn in fns)
    names = [fn["name"] for fn in fns]
    version_index = names.index(lib["version_function"]) if lib.get("version_function") in names else -1
    out = [
        stamp,
        "",
        "from cuda.bindings._lib.loader cimport SymbolTable",
        "",
        "# Per function: the candidate symbols, newest first, or (name, CUDA version) for cuGetProcAddress_v2.",
        f"cdef SymbolTable _table = SymbolTable({lib['runtime_lib']!r}, (\n{symbols},\n), {version_index}"
        + (", proc_address=True)" if lib.get("proc_address") else ")"),
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
        "",
        "",
        "def _function_address(name):",
        '    """The address of one of the library\'s functions (0 where the loaded library lacks it)."""',
        "    return _table.address(name)",
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
            f"    {'' if cy(fn['return']) == 'void' else 'return '}"
            f"(<{cy(fn['return'])} (*)({types}) noexcept nogil>_fn[{i}])({args})",
        ]
    return "\n".join(out) + "\n"
