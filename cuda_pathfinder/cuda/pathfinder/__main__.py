# SPDX-License-Identifier: Apache-2.0
"""python -m cuda.pathfinder [--json]: what this machine has, and where.

Every known library is loaded in a child process of its own, so one that
crashes or misbehaves while loading cannot take this report down, and this
process loads nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from . import (
    SUPPORTED_BINARY_UTILITIES,
    SUPPORTED_BITCODE_LIBS,
    SUPPORTED_STATIC_LIBS,
    BitcodeLibNotFoundError,
    StaticLibNotFoundError,
    __version__,
    find_nvidia_binary_utility,
    get_cuda_path_or_home,
    locate_bitcode_lib,
    locate_nvidia_header_directory,
    locate_static_lib,
)
from ._catalog import LIBRARIES
from ._headers import HEADERS, HEADERS_NON_CTK


def _row(kind: str, name: str, path=None, via=None, error=None, missing=False) -> dict:
    """One line of the report; status is found, not found (a clean miss) or error."""
    status = "found" if path else ("not found" if missing or not error else "error")
    return {"kind": kind, "name": name, "status": status, "path": path, "found_via": via, "error": error}


def _load_in_child(name: str) -> dict:
    """Load one library in a fresh interpreter; report what happened there."""
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "cuda.pathfinder", "--load-one", name],
            capture_output=True,
            text=True,
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return _row("library", name, error=f"could not run the check: {exc}")
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        why = f"signal {-proc.returncode}" if proc.returncode < 0 else f"exit code {proc.returncode}"
        return _row("library", name, error=f"the check crashed ({why}): {proc.stderr.strip()[-300:]}")
    try:
        return json.loads(lines[-1])
    except ValueError:
        return _row("library", name, error=f"unreadable check output: {lines[-1][:200]}")


def _load_one(name: str) -> dict:
    from . import DynamicLibNotFoundError, load_nvidia_dynamic_lib

    try:
        loaded = load_nvidia_dynamic_lib(name)
    except DynamicLibNotFoundError as exc:
        return _row("library", name, error=str(exc).strip(), missing=True)
    except Exception as exc:  # report every failure, whatever it is
        return _row("library", name, error=f"{type(exc).__name__}: {exc}".strip())
    return _row("library", name, loaded.abs_path, loaded.found_via)


def _safely(kind: str, name: str, find) -> dict:
    try:
        path, via = find(name)
    except (StaticLibNotFoundError, BitcodeLibNotFoundError) as exc:
        return _row(kind, name, error=str(exc).strip(), missing=True)
    except Exception as exc:  # report every failure, whatever it is
        return _row(kind, name, error=f"{type(exc).__name__}: {exc}".strip())
    return _row(kind, name, path, via)


def _header(name):
    located = locate_nvidia_header_directory(name)
    return (located.abs_path, located.found_via) if located else (None, None)


def _binary(name):
    path = find_nvidia_binary_utility(name)
    return path, None  # tools have no found_via


def _located(locate):
    def find(name):
        located = locate(name)
        return located.abs_path, located.found_via

    return find


def collect() -> list[dict]:
    workers = min(16, 2 * (os.cpu_count() or 2))
    with ThreadPoolExecutor(workers) as pool:
        rows = list(pool.map(_load_in_child, LIBRARIES))
    rows += [_safely("header", n, _header) for n in (*HEADERS, *HEADERS_NON_CTK)]
    rows += [_safely("binary", n, _binary) for n in SUPPORTED_BINARY_UTILITIES]
    rows += [_safely("static", n, _located(locate_static_lib)) for n in SUPPORTED_STATIC_LIBS]
    rows += [_safely("bitcode", n, _located(locate_bitcode_lib)) for n in SUPPORTED_BITCODE_LIBS]
    return rows


def _print_table(rows: list[dict]) -> None:
    print(f"cuda.pathfinder {__version__}   CUDA_PATH/CUDA_HOME: {get_cuda_path_or_home() or '(not set)'}")
    print(f"CONDA_PREFIX: {os.environ.get('CONDA_PREFIX') or '(not set)'}   Python: {sys.executable}\n")
    width = max(len(r["name"]) for r in rows)
    kind = None
    for r in rows:
        if r["kind"] != kind:
            kind = r["kind"]
            print(f"[{kind}]")
        if r["status"] == "found":
            detail = f"{r['found_via'] or '-':<34} {r['path']}"
        elif r["error"] and " needs " in r["error"].splitlines()[0]:
            detail = r["error"].splitlines()[0].rstrip(":")  # which dependency is missing
        elif r["status"] == "error":
            detail = r["error"].splitlines()[0][:150]
        else:
            detail = ""
        print(f"  {r['name']:<{width}}  {r['status']:<9}  {detail}".rstrip())
    found = sum(r["status"] == "found" for r in rows)
    print(
        f'\n{found} of {len(rows)} found. Details of any library: python -c "import cuda.pathfinder as p; '
        "p.load_nvidia_dynamic_lib('NAME')\""
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cuda.pathfinder", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON for machines")
    parser.add_argument("--load-one", metavar="NAME", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.load_one:
        print(json.dumps(_load_one(args.load_one)))
        return 0
    rows = collect()
    if args.json:
        print(
            json.dumps({"version": __version__, "cuda_path_or_home": get_cuda_path_or_home(), "items": rows}, indent=1)
        )
    else:
        _print_table(rows)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # `python -m cuda.pathfinder | head`
        sys.stderr.close()
        sys.exit(0)
