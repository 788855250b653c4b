# SPDX-License-Identifier: Apache-2.0
"""C headers -> API model (plain JSON-able dicts), with libclang.

The model records what the headers say, nothing more: functions (typed
parameters, the direction the doc comment gives, the symbol that implements
each), enums, structs and unions (nested records, fixed arrays), typedefs
(opaque handles, aliases, callbacks) and integer macros, with doc comments.
What the headers do not say (output arrays, buffer sizes, GIL policy, ...)
lives in overrides.yaml, applied at emit time.
"""

from __future__ import annotations

import os
import re

import clang.cindex as ci

_DIRECTION = re.compile(r"\\param\s*\[(in|out|in,\s*out|inout)\]\s*(\w+)")
_INT_LITERAL = re.compile(r"^\(?\s*(-?(?:0[xX][0-9a-fA-F]+|\d+))[uUlL]*\s*\)?$")


def _libclang() -> None:
    if not ci.Config.loaded:
        import clang

        lib_dir = os.path.join(os.path.dirname(clang.__file__), "native")
        if os.path.isdir(lib_dir):
            ci.Config.set_library_path(lib_dir)


def clean_comment(raw: str | None) -> str:
    """A doc comment without its /** * */ decoration, one string, trailing spaces trimmed."""
    if not raw:
        return ""
    text = raw.strip()
    if text.startswith("///<") or text.startswith("//!<"):
        return text[4:].strip()
    if text.startswith("//"):
        return "\n".join(line.lstrip("/").strip() for line in text.splitlines()).strip()
    text = re.sub(r"^/\*\*?<?", "", text)
    text = re.sub(r"\*/$", "", text)
    lines = [re.sub(r"^\s*\* ?", "", line).rstrip() for line in text.splitlines()]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


_FILE_LINES: dict[str, list[str]] = {}


def _preceding_comment(c: ci.Cursor) -> str | None:
    """The /** */ block right above a declaration, across preprocessor lines.

    libclang attaches no comment when `#ifndef X` stands between the two
    (nvJitLink.h wraps each inline function so).
    """
    name = c.extent.start.file.name
    lines = _FILE_LINES.setdefault(name, open(name, encoding="utf-8", errors="replace").read().splitlines())
    i = c.extent.start.line - 2
    while i >= 0 and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
        i -= 1
    if i < 0 or not lines[i].rstrip().endswith("*/"):
        return None
    end = i
    while i >= 0 and "/**" not in lines[i]:
        i -= 1
    return "\n".join(lines[i : end + 1]) if i >= 0 else None


def _type(t: ci.Type) -> str:
    # unnamed records spell as "struct (unnamed struct at /abs/path/cuda.h:630:9)": keep the model
    # free of this machine's paths
    return re.sub(r"at (/[^:()]*/)?([^/:()]+:\d+:\d+)\)", r"at \2)", t.spelling)


def _param_directions(doc: str) -> dict[str, str]:
    directions = {}
    for kind, name in _DIRECTION.findall(doc):
        directions[name] = "inout" if "," in kind or kind == "inout" else kind
    return directions


def _called_symbol(cursor: ci.Cursor) -> str | None:
    """For `static inline f(...) { return __f_13_0(...); }`, the real symbol."""
    for node in cursor.walk_preorder():
        if node.kind == ci.CursorKind.CALL_EXPR and node.spelling:
            return node.spelling
    return None


def _header_of(cursor: ci.Cursor) -> str:
    return os.path.basename(cursor.location.file.name)


def _tag(cursor: ci.Cursor) -> str | None:
    """The tag of `struct X {...}` / `enum X {...}`; None for an anonymous one (typedef'd or nested)."""
    tokens = []
    for t in cursor.get_tokens():
        if t.spelling == "{":
            break
        tokens.append(t.spelling)
    if not tokens or tokens[0] not in ("struct", "union", "enum"):
        return None
    # `enum __device_builtin__ cudaMemcpyKind {`: the tag is the last name before the brace
    names = [t for t in tokens[1:] if re.fullmatch(r"[A-Za-z_]\w*", t) and not t.startswith("__")]
    return names[-1] if names else None


def _element(t: ci.Type) -> ci.Type:
    """The element type of a (multi-dimensional) fixed array, else the type: `struct {...} f[4]`
    declares a field, not an anonymous member."""
    while t.kind == ci.TypeKind.CONSTANTARRAY:
        t = t.element_type
    return t


def _record(cursor: ci.Cursor, hoisted: list | None = None) -> dict:
    """Fields of a struct or union.

    A nested `struct X_st {...} f;` is hoisted into `hoisted` (C gives it file
    scope); an unnamed nested record with a field name becomes a "record" field;
    an anonymous member (`union { a; b; };`) lends its fields to this record.
    """
    fields = []
    anonymous = []  # the kind of each anonymous member, in order (its fields say which one they came from)
    children = list(cursor.get_children())
    field_types = {_element(c.type).get_declaration().hash for c in children if c.kind == ci.CursorKind.FIELD_DECL}
    for child in children:
        if child.kind in (ci.CursorKind.STRUCT_DECL, ci.CursorKind.UNION_DECL) and child.is_definition():
            if _tag(child) and hoisted is not None:
                hoisted.append({"name": _tag(child), **_record(child, hoisted), "doc": "", "tag": True})
            elif child.hash not in field_types:
                member = _record(child, hoisted)
                fields += [{**f, "member_of_anonymous": len(anonymous)} for f in member["fields"]]
                anonymous.append(member["kind"])
            continue
        if child.kind != ci.CursorKind.FIELD_DECL:
            continue
        t = child.type
        field = {"name": child.spelling, "type": _type(t), "doc": clean_comment(child.raw_comment)}
        dims = []
        while t.kind == ci.TypeKind.CONSTANTARRAY:
            dims.append(t.element_count)
            t = t.element_type
        if dims:
            field["array"] = dims
            field["type"] = _type(t)
        decl = t.get_declaration()
        if (
            decl.kind in (ci.CursorKind.STRUCT_DECL, ci.CursorKind.UNION_DECL)
            and not _tag(decl)
            and decl.is_definition()
        ):
            field["record"] = _record(decl, hoisted)
        fields.append(field)
    out = {
        "kind": "union" if cursor.kind == ci.CursorKind.UNION_DECL else "struct",
        "fields": fields,
        "size": cursor.type.get_size(),
    }
    if anonymous:
        out["anonymous"] = anonymous
    return out


def _enum(cursor: ci.Cursor, name: str, doc_cursor: ci.Cursor) -> dict:
    members = [
        {"name": c.spelling, "value": c.enum_value, "doc": clean_comment(c.raw_comment)}
        for c in cursor.get_children()
        if c.kind == ci.CursorKind.ENUM_CONSTANT_DECL
    ]
    return {"name": name, "members": members, "doc": clean_comment(doc_cursor.raw_comment)}


def parse(
    headers: list[str], include_dirs: list[str], defines: tuple[str, ...] = (), pre: tuple[str, ...] = ()
) -> dict:
    """Parse headers (absolute paths) into a model of everything they declare; `pre` are included
    first (cudaVDPAU.h uses the VDPAU types without including their header)."""
    _libclang()
    source = "".join(f"#include <{h}>\n" for h in pre)
    source += "".join(f'#include "{os.path.basename(h)}"\n' for h in headers)
    stubs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cstubs")
    args = ["-x", "c", "-std=c11", "-nostdinc", f"-I{stubs}", *(f"-I{d}" for d in include_dirs)]
    args += [f"-D{d}" for d in defines]
    tu = ci.Index.create().parse(
        "api.c",
        args=args,
        unsaved_files=[("api.c", source)],
        options=ci.TranslationUnit.PARSE_DETAILED_PROCESSING_RECORD,
    )
    errors = [d for d in tu.diagnostics if d.severity >= ci.Diagnostic.Error]
    if errors:
        raise RuntimeError("libclang could not parse the headers:\n" + "\n".join(str(d) for d in errors[:10]))
    wanted = {os.path.realpath(h) for h in headers}
    by_file: dict[str, bool] = {}  # per file name: one realpath (a few lstat calls), not one per cursor

    def ours(c: ci.Cursor) -> bool:
        if c.location.file is None:
            return False
        name = c.location.file.name
        if name not in by_file:
            by_file[name] = os.path.realpath(name) in wanted
        return by_file[name]

    model = {"functions": [], "enums": [], "records": [], "typedefs": [], "macros": []}
    seen_functions: dict[str, dict] = {}
    records: dict[str, dict] = {}
    for c in tu.cursor.get_children():
        if not ours(c):
            continue
        kind = c.kind
        if kind == ci.CursorKind.FUNCTION_DECL:
            if c.spelling.startswith("__"):
                continue  # versioned implementation symbols; reached through their inline wrapper
            doc = clean_comment(c.raw_comment or _preceding_comment(c))
            directions = _param_directions(doc)
            params = [
                {
                    "name": a.spelling,
                    "type": _type(a.type),
                    "canonical": a.type.get_canonical().spelling,
                    "direction": directions.get(a.spelling, "in"),
                }
                for a in c.get_arguments()
            ]
            fn = {"name": c.spelling, "return": _type(c.result_type), "params": params, "doc": doc}
            symbol = _called_symbol(c) if c.is_definition() else None
            fn["symbols"] = [symbol, c.spelling] if symbol and symbol != c.spelling else [c.spelling]
            if c.spelling in seen_functions:
                seen_functions[c.spelling].update({k: v for k, v in fn.items() if v})
            else:
                seen_functions[c.spelling] = fn
                model["functions"].append(fn)
        elif kind == ci.CursorKind.ENUM_DECL and _tag(c):
            model["enums"].append({**_enum(c, _tag(c), c), "tag": True, "header": _header_of(c)})
        elif kind in (ci.CursorKind.STRUCT_DECL, ci.CursorKind.UNION_DECL):
            if c.is_definition() and _tag(c):
                hoisted: list = []
                rec = {"name": _tag(c), **_record(c, hoisted), "doc": clean_comment(c.raw_comment), "tag": True}
                rec["header"] = _header_of(c)
                model["records"] += hoisted
                records[rec["name"]] = rec
                model["records"].append(rec)
        elif kind == ci.CursorKind.TYPEDEF_DECL:
            entry = _typedef(c, model)
            if entry:
                entry["header"] = _header_of(c)
            model["typedefs"].append(entry)
        elif kind == ci.CursorKind.MACRO_DEFINITION:
            macro = _macro(c)
            if macro:
                model["macros"].append(macro)
    model["typedefs"] = [t for t in model["typedefs"] if t]
    values = {m["name"]: m["value"] for m in model["macros"] if "value" in m}
    for m in model["macros"]:
        if "value_of" in m and m["value_of"] in values:
            m["value"] = values[m.pop("value_of")]
    _apply_aliases(model)
    model["enums"] = _unique(model["enums"])
    model["records"] = _unique(model["records"])
    return model


def _apply_aliases(model: dict) -> None:
    """`#define cuMemAlloc cuMemAlloc_v2`: the function is known by the macro's name."""
    aliases = {m["alias"]: m for m in model["macros"] if "alias" in m}
    per_thread_aliases = {f"{m['alias']}_{m['per_thread']}": m for m in model["macros"] if "per_thread" in m}
    for fn in model["functions"]:
        macro = aliases.get(fn["name"]) or per_thread_aliases.get(fn["name"])
        if macro:
            public = macro["name"]
            fn["abi_name"] = fn["name"]
            fn["name"] = public
            if "per_thread" in macro:
                fn["per_thread"] = macro["per_thread"]
            fn["symbols"] = [public if s == fn["abi_name"] else s for s in fn["symbols"]]
            suffix = f"_{macro.get('per_thread')}"
            if fn["abi_name"].endswith(suffix):  # parsed with the per-thread define: X_v2_ptsz
                fn["symbols"] = [fn["abi_name"][: -len(suffix)]]
    # `#define CU_KERNEL_NODE_ATTRIBUTE_PRIORITY CU_LAUNCH_ATTRIBUTE_PRIORITY`: another name of a constant
    # or a type, kept as "alias_of"; one naming a function was applied above and goes
    functions = {fn["abi_name"] for fn in model["functions"] if "abi_name" in fn}
    functions |= {fn["name"] for fn in model["functions"]}
    for m in model["macros"]:
        if "alias" in m and "per_thread" not in m and m["alias"] not in functions:
            m["alias_of"] = m.pop("alias")
    model["macros"] = [m for m in model["macros"] if "alias" not in m]
    # a function declared under two names (cudaLaunchKernel and, through the macro, its _ptsz twin)
    # is one function; the entry that knows its per-thread variant wins
    by_name: dict[str, dict] = {}
    for fn in model["functions"]:
        first = by_name.setdefault(fn["name"], fn)
        if first is not fn and fn.get("per_thread") and not first.get("per_thread"):
            by_name[fn["name"]] = fn
    model["functions"] = [fn for fn in model["functions"] if by_name[fn["name"]] is fn]


def proc_versions(
    typedefs_header: str, include_dirs: list[str], pre: tuple[str, ...] = ()
) -> dict[str, list[tuple[int, list[str]]]]:
    """cudaTypedefs.h's PFN_<name>_v<version> typedefs: per base name, each ABI version and its parameter types.

    cuGetProcAddress takes the base name and a version; the version must be the
    one whose parameters match the declaration we call through (cuCtxGetDevice
    is v2000 with one parameter; v13000 under the same base name takes two).
    """
    model = parse([typedefs_header], include_dirs, (), pre)
    versions: dict[str, list] = {}
    for t in model["typedefs"]:
        m = re.fullmatch(r"PFN_(\w+)_v(\d+)(_ptds|_ptsz)?", t["name"])
        if m and t["kind"] == "callback":
            versions.setdefault(m.group(1), []).append((int(m.group(2)), t["canonical"], bool(m.group(3))))
    return versions


def match_proc(fn: dict, versions: dict, default: int) -> list:
    """[base name, version, per-thread version] to ask cuGetProcAddress for.

    The version is the newest ABI with this function's parameters; the
    per-thread version (0 if none) is that of its _ptds/_ptsz variant, asked for
    with the per-thread-default-stream flag.
    """
    mine = [p["canonical"] for p in fn["params"]]
    names = [fn["name"], re.sub(r"_v\d+$", "", fn["name"])]
    if fn.get("abi_name"):
        names.append(re.sub(r"_v\d+$", "", fn["abi_name"]))
    for base in dict.fromkeys(names):
        entries = versions.get(base, [])
        matching = [v for v, params, ptds in entries if params == mine and not ptds]
        if matching:
            per_thread = [v for v, params, ptds in entries if params == mine and ptds]
            return [base, _abi_version(fn, entries, matching), max(per_thread, default=0)]
    return [fn["name"], default, 0]


def _abi_version(fn: dict, entries: list, matching: list[int]) -> int:
    """Of the versions whose parameters match, the one the header's name stands for.

    Versions can share their parameters and differ in behaviour (cuGraphAddNode: v12030 is the
    _v2 that cuda.h's cuGraphAddNode means, v13040 the _v3 that 13.4 added): the k-th version of
    the base name is its _vk, so a _v2 is asked for as the second, and works on every driver that
    has it. Without a suffix to go by, the newest that matches.
    """
    m = re.search(r"_v(\d+)$", fn.get("abi_name") or fn["name"])
    ordered = sorted({v for v, _params, ptds in entries if not ptds})
    k = int(m.group(1)) if m else 1
    if (m or len(matching) > 1) and k <= len(ordered) and ordered[k - 1] in matching:
        return ordered[k - 1]
    return max(matching)


def _unique(items: list[dict]) -> list[dict]:
    """One entry per name (a typedef'd enum is met twice): the first, with a doc if any has one."""
    by_name: dict[str, dict] = {}
    for item in items:
        first = by_name.setdefault(item["name"], item)
        if not first.get("doc") and item.get("doc"):
            first["doc"] = item["doc"]
    return list(by_name.values())


def _typedef(c: ci.Cursor, model: dict) -> dict | None:
    under = c.underlying_typedef_type
    doc = clean_comment(c.raw_comment)
    decl = under.get_declaration()
    if decl.kind == ci.CursorKind.ENUM_DECL:
        if not _tag(decl):
            model["enums"].append({**_enum(decl, c.spelling, c if c.raw_comment else decl), "header": _header_of(c)})
            return None
        return {"name": c.spelling, "kind": "enum", "type": "enum " + _tag(decl), "doc": doc}
    if decl.kind in (ci.CursorKind.STRUCT_DECL, ci.CursorKind.UNION_DECL):
        if decl.is_definition() and not _tag(decl):
            hoisted: list = []
            rec = {"name": c.spelling, **_record(decl, hoisted), "doc": doc}
            model["records"] += [*hoisted, rec]
            return None
        word = "union" if decl.kind == ci.CursorKind.UNION_DECL else "struct"
        return {"name": c.spelling, "kind": "record", "type": f"{word} {_tag(decl) or decl.spelling}", "doc": doc}
    canonical = under.get_canonical()
    if canonical.kind == ci.TypeKind.POINTER:
        pointee = canonical.get_pointee()
        if pointee.kind in (ci.TypeKind.FUNCTIONPROTO, ci.TypeKind.FUNCTIONNOPROTO):
            return {
                "name": c.spelling,
                "kind": "callback",
                "type": _type(under),
                "return": _type(pointee.get_result()),
                "params": [_type(a) for a in pointee.argument_types()],
                "canonical": [a.get_canonical().spelling for a in pointee.argument_types()],
                "doc": doc,
            }
        pdecl = pointee.get_declaration()
        if pdecl.kind in (ci.CursorKind.STRUCT_DECL, ci.CursorKind.UNION_DECL) and not pdecl.is_definition():
            return {"name": c.spelling, "kind": "handle", "type": _type(under), "opaque": pdecl.spelling, "doc": doc}
    return {"name": c.spelling, "kind": "alias", "type": _type(under), "canonical": canonical.spelling, "doc": doc}


def _macro(c: ci.Cursor) -> dict | None:
    tokens = [t.spelling for t in c.get_tokens()][1:]
    if not tokens:
        return None
    if len(tokens) == 1 and re.fullmatch(r"[A-Za-z_]\w*", tokens[0]):
        return {"name": c.spelling, "alias": tokens[0]}
    per_thread_macros = ("__CUDA_API_PTDS", "__CUDA_API_PTSZ", "__CUDART_API_PTDS", "__CUDART_API_PTSZ")
    if len(tokens) == 4 and tokens[0] in per_thread_macros and tokens[1] == "(":
        # cuda.h: the per-thread-default-stream variant is chosen by a flag at load time
        return {"name": c.spelling, "alias": tokens[2], "per_thread": tokens[0][-4:].lower()}
    text = " ".join(tokens)
    cast = re.fullmatch(
        r"\(\s*\(\s*([A-Za-z_]\w*(?:\s*\*)?)\s*\)\s*(-\s*\d+|0[xX][0-9a-fA-F]+|\d+|[A-Za-z_]\w*)[uUlL]*\s*\)", text
    )
    if cast:  # ((CUstream)0x1), ((void*)0x01), ((void*)OTHER_MACRO)
        value = cast.group(2).replace(" ", "")
        macro = {"name": c.spelling, "cast": cast.group(1).replace(" ", "")}
        if value[0].isdigit() or value[0] == "-":  # ((CUdevice)-1)
            macro["value"] = int(value, 0)
        else:
            macro["value_of"] = value
        return macro
    m = _INT_LITERAL.match(text.replace(" ", ""))
    if m:
        return {"name": c.spelling, "value": int(m.group(1), 0), "doc": clean_comment(c.raw_comment)}
    return None
