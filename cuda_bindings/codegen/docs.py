# SPDX-License-Identifier: Apache-2.0
"""Doxygen comments from the headers -> plain docstrings."""

from __future__ import annotations

import re


def _inline(text: str) -> str:
    text = re.sub(r"\\(?:p|c|a|e|b)\s+(\S+)", r"``\1``", text)
    text = re.sub(r"\\link\s+#?\w+\s+(\w+)\s*\\endlink", r"\1", text)
    text = re.sub(r"(\w)::(\w+)", r"\1.\2", text)  # a member: CUlaunchConfig::gridDimX -> CUlaunchConfig.gridDimX
    text = re.sub(r"::(\w+)", r"\1", text)
    text = re.sub(r"\\(?:ingroup|defgroup|addtogroup)\b.*", "", text)
    # \note before \n, which would otherwise eat the start of it ("ote")
    text = text.replace("\\note", "Note:").replace("\\brief", "")
    text = text.replace("\\n", " ").replace("\\hline", "")
    text = re.sub(r"\\(?:ref|sa|see)\s+", "", text)
    text = re.sub(r"\\deprecated\b", "Deprecated:", text)
    text = re.sub(r"\\(?:code|endcode|par)\b", "", text)  # the code shows inline, as the header words it
    return text


def docstring(doc: str, params: dict[str, str] | None = None) -> str:
    """A docstring body: the description, then the parameters the header documents."""
    if not doc:
        return ""
    # cufile.h writes Doxygen commands with @ (@brief, @param) and a little HTML (<b>...</b>)
    doc = re.sub(r"(?<![\w@])@(brief|param|returns?|ref|note|see|sa|details|code|endcode)\b", r"\\\1", doc)
    doc = re.sub(r"</?b>", "", doc)
    desc, param_docs, returns = [], {}, []
    current = desc
    for raw in doc.splitlines():
        line = raw.strip()
        m = re.match(r"\\param\s*(?:\[[\w, ]+\])?\s*(\w+)\s*(.*)", line)
        if m:
            current = param_docs.setdefault(m.group(1), [])
            current.append(m.group(2))
            continue
        if line.startswith("\\return"):
            current = returns
            rest = line[len("\\return") :].strip()
            if rest:
                current.append(rest)
            continue
        if line.startswith(("\\see", "\\sa", "see ")):
            current = []
            continue
        current.append(line)
    out = " ".join(_inline(" ".join(desc)).split())
    out = out.strip()
    lines = _wrap(out)
    if params:
        shown = [(py, " ".join(_inline(" ".join(param_docs.get(c, []))).split())) for c, py in params.items()]
        shown = [(py, text) for py, text in shown if text]
        if shown:
            lines += ["", "Args:"] if lines else ["Args:"]
            for py, text in shown:
                lines += _wrap(f"{py}: {text}", indent="    ", hang="        ")
    return "\n".join(lines)


def _wrap(text: str, width: int = 96, indent: str = "", hang: str | None = None) -> list[str]:
    hang = indent if hang is None else hang
    words, lines, line = text.split(), [], indent
    for w in words:
        if len(line) + len(w) + 1 > width and line.strip():
            lines.append(line.rstrip())
            line = hang
        line += w + " "
    if line.strip():
        lines.append(line.rstrip())
    return lines


def quote(body: str, indent: str = "    ") -> list[str]:
    if not body:
        return []
    body = body.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    lines = body.splitlines()
    if len(lines) == 1:
        return [f'{indent}"""{lines[0]}"""']
    return [f'{indent}"""{lines[0]}', *[f"{indent}{line}" if line else "" for line in lines[1:]], f'{indent}"""']
