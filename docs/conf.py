# SPDX-License-Identifier: Apache-2.0
"""Sphinx configuration: one site for cuda.pathfinder, cuda.bindings, cuda.core and cuda-python.

`nox -s docs` builds it with warnings as errors (CI too), from the repository root with
`python -m sphinx`, which puts the root on sys.path (`from ci import toolkit`). The API pages
under api/_generated/ are written at each build from the installed packages (see `write_api_pages`):

- cuda.pathfinder: autodoc of every public name. cuda.core: Sphinx's autosummary (api/core.rst,
  docs/_templates/autosummary), a page per module and per name of its ``__all__``.
- cuda.bindings: a page per module with one line per function, class and constant (signature
  and the first sentence of its docstring), so that the thousands of driver and runtime names
  cost no autodoc time; hand-written modules (utils) get full autodoc.
"""

from __future__ import annotations

import importlib
import inspect
import pathlib
import re
import shutil

from ci import toolkit

DOCS = pathlib.Path(__file__).resolve().parent
REPO = DOCS.parent

project = "CUDA Python"
author = "the CUDA Python authors"
copyright = "the CUDA Python authors"
release = toolkit.package_version("cuda-python")
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",  # cuda.core's pages (api/core.rst)
    "sphinx.ext.napoleon",  # the bindings' docstrings are Google style (Args:, Returns:)
    "sphinx.ext.intersphinx",
    "myst_parser",  # the benchmark tables of benchmarks/results/*.md
]
intersphinx_mapping = {}  # no network at build time
source_suffix = {".rst": "restructuredtext"}  # markdown only through include (benchmark tables)
exclude_patterns = ["_build", "README.md", "requirements.txt", "release_results.rst", "api/_generated/*.md"]
html_theme = "furo"
html_title = f"CUDA Python {release}"
html_static_path = ["_static"] if (DOCS / "_static").is_dir() else []  # bench.png, when drawn
templates_path = ["_templates"]
autosummary_generate = True
autosummary_imported_members = True  # cuda.core's names live in its private modules; __all__ says which
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_typehints = "description"
napoleon_google_docstring = True
napoleon_numpy_docstring = True
myst_heading_anchors = 3
suppress_warnings = ["myst.header"]  # the benchmark tables start at their own heading level
nitpicky = False

GENERATED = DOCS / "api" / "_generated"
# autosummary writes cuda.core's pages here and never removes one: start from none, so that a
# name gone from cuda.core's __all__ leaves no stale page behind
shutil.rmtree(GENERATED / "core", ignore_errors=True)
BINDINGS_MODULES = {
    "driver": "the CUDA driver API (cuda.h, cudaProfiler.h): tuple returns ``(err, *values)``",
    "runtime": "the CUDA runtime API (cuda_runtime_api.h): tuple returns ``(err, *values)``",
    "nvrtc": "NVRTC, runtime compilation of CUDA C++: tuple returns ``(err, *values)``",
    "nvjitlink": "nvJitLink, linking and link-time optimization: snake_case, raises ``nvJitLinkError``",
    "nvvm": "NVVM, NVVM IR to PTX: snake_case, raises ``nvvmError``",
    "nvfatbin": "nvFatbin, fat binaries: snake_case, raises ``nvFatbinError``",
    "cufile": "cuFile, GPUDirect Storage (Linux): snake_case, int addresses, raises ``cuFileError``",
    "cudla": "cuDLA, the DLA of Tegra SoCs (libcudla on Jetson only): snake_case, raises ``CudlaError``",
    "nvml": "NVML, the library behind nvidia-smi (comes with the driver): snake_case, raises ``NvmlError`` subclasses",
}
AUTODOC_BINDINGS = ["utils"]


def _write(path: pathlib.Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != text:  # unchanged files keep Sphinx's cache valid
        path.write_text(text)


def _title(text: str, char: str = "=") -> str:
    return f"{text}\n{char * len(text)}\n"


_RST_SPECIAL = re.compile(r"([\\`*_|<>\[\]])")


def _escape(text: str) -> str:
    """RST-safe text: ``literals`` kept as they are, every other markup character escaped."""
    parts = re.split(r"(``[^`]+``)", text)
    return "".join(p if p.startswith("``") else _RST_SPECIAL.sub(r"\\\1", p) for p in parts)


def _summary(obj) -> tuple[str, str]:
    """(signature, first sentence) from a docstring whose first line may be Cython's signature."""
    doc = inspect.getdoc(obj) or ""
    lines = doc.splitlines()
    signature = ""
    if lines and re.match(r"^[A-Za-z_]\w*\(.*\)", lines[0]):
        signature = lines[0][lines[0].index("(") :]
        lines = lines[1:]
    text = " ".join(line.strip() for line in lines).strip()
    text = re.split(r"(?<=\.)\s|(?:^|\s)(?:Args|Returns|Parameters|Raises):", text, maxsplit=1)[0]
    if len(text) > 160:
        text = text[:160].rsplit(" ", 1)[0] + " ..."
        if text.count("``") % 2:  # a literal cut in two: drop its start
            text = text[: text.rindex("``")] + "..."
    return signature, text


def _kind(obj) -> str:
    if inspect.isclass(obj):
        if issubclass(obj, BaseException):
            return "Exceptions"
        if hasattr(obj, "__members__"):
            return "Enums"
        return "Classes"
    if callable(obj):
        return "Functions"
    return "Constants"


def bindings_page(name: str, what: str) -> str:
    module = importlib.import_module(f"cuda.bindings.{name}")
    groups: dict[str, list[str]] = {"Functions": [], "Classes": [], "Enums": [], "Exceptions": [], "Constants": []}
    for attr in sorted(n for n in dir(module) if not n.startswith("_")):
        obj = getattr(module, attr)
        if inspect.ismodule(obj):
            continue
        if not isinstance(obj, (int, float, str, bytes)) and getattr(obj, "__module__", None) != module.__name__:
            continue  # imported from elsewhere (typing, enum, ...): not this module's API
        kind = _kind(obj)
        if kind == "Constants":
            groups[kind].append(f"- ``{attr}`` = ``{obj!r}``" if isinstance(obj, int) else f"- ``{attr}``")
            continue
        signature, text = _summary(obj)
        line = f"- ``{attr}{signature}``"
        groups[kind].append(line + (f": {_escape(text)}" if text else ""))
    count = sum(map(len, groups.values()))
    out = [
        ".. This file is written by docs/conf.py at each build. Do not edit.\n",
        _title(f"cuda.bindings.{name}"),
        f".. module:: cuda.bindings.{name}\n",
        f"{what}. {count} public names; the C-level declarations are in ``cuda.bindings.cy{name}``"
        f" (``cimport`` it from Cython). Each entry shows the signature and the first sentence of"
        f" its docstring; ``help()`` and the ``.pyi`` stubs have the rest.\n",
    ]
    for kind, lines in groups.items():
        if lines:
            out += [_title(f"{kind} ({len(lines)})", "-"), *lines, ""]
    return "\n".join(out) + "\n"


def bench_pages() -> dict[str, str]:
    """The chart (when `nox -s bench` has drawn it) and every table of benchmarks/results/."""
    head = ".. This file is written by docs/conf.py at each build. Do not edit.\n\n"
    if (DOCS / "_static" / "bench.png").exists():
        figure = (
            ".. figure:: /_static/bench.png\n   :width: 100%\n\n"
            "   Cost above the C floor, NVIDIA's packages and ours: the median over each run's rounds,"
            " whiskers spanning the rounds, from the call benchmarks' JSON in benchmarks/results/"
            " (benchmarks/chart.py). The launch rows of these runs were taken against the C twin's"
            " process, whose drift between processes the wide whiskers show (issue 18);"
            " core_calls.py now measures launches against a C loop in the stack's own process.\n"
        )
    else:
        figure = (
            ".. note::\n\n   The chart (``docs/_static/bench.png``) is drawn by ``nox -s bench`` from the"
            " JSON results of the call benchmarks, which need a GPU; none is in this checkout yet."
            " The tables below are the latest results.\n"
        )
    pages = {"bench_figure.rst": head + figure}
    tables = []
    for path in sorted((REPO / "benchmarks" / "results").glob("*.md")):
        pages[f"bench_{path.stem}.md"] = _results_markdown(path.read_text(encoding="utf-8"))
        tables += [
            _title(path.stem, "-"),
            f"From ``benchmarks/results/{path.name}``.\n",
            f".. include:: /api/_generated/bench_{path.stem}.md\n   :parser: myst_parser.sphinx_\n",
        ]
    pages["bench_tables.rst"] = head + "\n".join(tables)
    return pages


def _results_markdown(text: str) -> str:
    """A results file with its command lines and '# ' notes (not headings) as literal blocks."""
    out, block = [], []
    for line in text.splitlines():
        if line.startswith(("$ ", "# ")):
            block.append(line)
            continue
        if block:
            out += ["```text", *block, "```", ""]
            block = []
        out.append(line)
    if block:
        out += ["```text", *block, "```"]
    return "\n".join(out) + "\n"


def write_api_pages(app=None) -> None:
    for name, text in bench_pages().items():
        _write(GENERATED / name, text)
    for name, what in BINDINGS_MODULES.items():
        _write(GENERATED / f"bindings_{name}.rst", bindings_page(name, what))
    for name in AUTODOC_BINDINGS:
        head = ".. This file is written by docs/conf.py at each build. Do not edit.\n\n"
        text = f"{head}{_title(f'cuda.bindings.{name}')}\n.. automodule:: cuda.bindings.{name}\n"
        _write(GENERATED / f"bindings_{name}.rst", text)


def setup(app):
    app.connect("builder-inited", write_api_pages)
