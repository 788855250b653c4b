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
    return t.spelling


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


def _record(cursor: ci.Cursor) -> dict:
    fields = []
    for child in cursor.get_children():
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
        if decl.kind in (ci.CursorKind.STRUCT_DECL, ci.CursorKind.UNION_DECL) and decl.is_anonymous():
            field["record"] = _record(decl)
        fields.append(field)
    return {
        "kind": "union" if cursor.kind == ci.CursorKind.UNION_DECL else "struct",
        "fields": fields,
        "size": cursor.type.get_size(),
    }


def _enum(cursor: ci.Cursor, name: str, doc_cursor: ci.Cursor) -> dict:
    members = [
        {"name": c.spelling, "value": c.enum_value, "doc": clean_comment(c.raw_comment)}
        for c in cursor.get_children()
        if c.kind == ci.CursorKind.ENUM_CONSTANT_DECL
    ]
    return {"name": name, "members": members, "doc": clean_comment(doc_cursor.raw_comment)}


def parse(headers: list[str], include_dirs: list[str], defines: tuple[str, ...] = ()) -> dict:
    """Parse headers (absolute paths) into a model of everything they declare."""
    _libclang()
    source = "".join(f'#include "{os.path.basename(h)}"\n' for h in headers)
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

    def ours(c: ci.Cursor) -> bool:
        return c.location.file is not None and os.path.realpath(c.location.file.name) in wanted

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
                {"name": a.spelling, "type": _type(a.type), "direction": directions.get(a.spelling, "in")}
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
        elif kind == ci.CursorKind.ENUM_DECL and c.spelling and not c.is_anonymous():
            model["enums"].append(_enum(c, c.spelling, c))
        elif kind in (ci.CursorKind.STRUCT_DECL, ci.CursorKind.UNION_DECL):
            if c.is_definition() and not c.is_anonymous():
                rec = {"name": c.spelling, **_record(c), "doc": clean_comment(c.raw_comment)}
                records[c.spelling] = rec
                model["records"].append(rec)
        elif kind == ci.CursorKind.TYPEDEF_DECL:
            model["typedefs"].append(_typedef(c, model))
        elif kind == ci.CursorKind.MACRO_DEFINITION:
            macro = _macro(c)
            if macro:
                model["macros"].append(macro)
    model["typedefs"] = [t for t in model["typedefs"] if t]
    model["enums"] = _unique(model["enums"])
    model["records"] = _unique(model["records"])
    return model


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
        if decl.is_anonymous() or not decl.spelling or decl.spelling == c.spelling:
            model["enums"].append(_enum(decl, c.spelling, c if c.raw_comment else decl))
            return {"name": c.spelling, "kind": "enum", "type": c.spelling, "doc": doc}
        return {"name": c.spelling, "kind": "enum", "type": _type(under), "doc": doc}
    if decl.kind in (ci.CursorKind.STRUCT_DECL, ci.CursorKind.UNION_DECL):
        if decl.is_definition() and (decl.is_anonymous() or not decl.spelling):
            model["records"].append({"name": c.spelling, **_record(decl), "doc": doc, "typedef_only": True})
            return None
        return {"name": c.spelling, "kind": "record", "type": _type(under), "doc": doc}
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
    text = " ".join(tokens)
    m = _INT_LITERAL.match(text.replace(" ", ""))
    if m:
        return {"name": c.spelling, "value": int(m.group(1), 0), "doc": clean_comment(c.raw_comment)}
    return None
