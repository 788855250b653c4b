# SPDX-License-Identifier: Apache-2.0
"""Where CUDA files can live, and a log of every place a search looked.

A search is a chain of steps; each step yields (found_via, directory)
candidates in order, and the caller takes the first directory that holds the
file. The log records every place looked at, so a failure can say exactly
where it searched.
"""

from __future__ import annotations

import functools
import glob
import os
import site
import sys
import sysconfig
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

# ---------------------------------------------------------------- environment


@functools.cache
def get_cuda_path_or_home() -> str | None:
    """The CUDA Toolkit root named by CUDA_PATH, else CUDA_HOME, else None.

    Decided once per process. When both are set and name different
    directories, CUDA_PATH wins and a UserWarning says so.
    """
    cuda_path = os.environ.get("CUDA_PATH") or None
    cuda_home = os.environ.get("CUDA_HOME") or None
    if cuda_path and cuda_home and not _same_dir(cuda_path, cuda_home):
        warnings.warn(
            "Multiple CUDA environment variables are set but differ:\n"
            f"  CUDA_PATH={cuda_path}\n  CUDA_HOME={cuda_home}\n"
            "Using CUDA_PATH (highest priority).",
            UserWarning,
            stacklevel=2,
        )
    return cuda_path or cuda_home


def _same_dir(a: str, b: str) -> bool:
    if os.path.normcase(os.path.normpath(a)) == os.path.normcase(os.path.normpath(b)):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def conda_prefix() -> str | None:
    return os.environ.get("CONDA_PREFIX") or None


@functools.cache
def _stdlib_dirs() -> frozenset[str]:
    return frozenset(os.path.abspath(sysconfig.get_path(k)) for k in ("stdlib", "platstdlib"))


def _site_dirs() -> list[str]:
    """The environment's own package folders: site-packages and the user site."""
    dirs = list(site.getsitepackages()) if hasattr(site, "getsitepackages") else []
    if site.ENABLE_USER_SITE:
        dirs.append(site.getusersitepackages())
    return dirs


def site_packages_roots() -> list[str]:
    """The folders a wheel's libraries may be loaded from, in import order.

    Only folders the environment chose are trusted: its site-packages, the
    user site, and what PYTHONPATH names (so `pip install --target` trees
    work). Other sys.path entries (the running script's folder, the current
    directory, folders a program or a test runner inserted) are left out: a
    library file planted beside a script must never be loaded in place of
    the installed wheel's. Trusted folders keep sys.path order, which decides
    which `nvidia` package `import` would see; site folders missing from
    sys.path (python -S) follow.
    """
    site_dirs = _site_dirs()
    pythonpath = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    trusted = {os.path.abspath(p) for p in (*site_dirs, *pythonpath)}
    skip = _stdlib_dirs()
    roots: list[str] = []
    for entry in [*sys.path, *site_dirs]:
        if not entry:
            continue
        path = os.path.abspath(entry)
        if path not in trusted or path in skip or path in roots or not os.path.isdir(path):
            continue
        roots.append(path)
    return roots


# ------------------------------------------------------------------ the log


@dataclass
class SearchLog:
    """Every place a search looked, in order, for the not-found message."""

    what: str
    lines: list[str] = field(default_factory=list)

    def note(self, via: str, where: str, outcome: str) -> None:
        self.lines.append(f"{via}: {where}: {outcome}")

    def render(self, hint: str = "") -> str:
        out = [f"Could not find {self.what}. Searched, in this order:"]
        out += [f"  {i}. {line}" for i, line in enumerate(self.lines, 1)]
        if not self.lines:
            out.append("  (no place to search)")
        if hint:
            out.append(hint)
        return "\n".join(out)


# ------------------------------------------------------------ candidate dirs

Candidate = tuple[str, str]  # (found_via, directory)


def site_packages_dirs(rel_dirs: Iterable[str]) -> Iterator[Candidate]:
    """Wheel folders: each relative folder in every site root, in preference order.

    The outer loop is over the folders, so a CUDA 13 wheel folder (listed first)
    anywhere wins over a CUDA 12 one.
    """
    roots = site_packages_roots()
    for rel in rel_dirs:
        for root in roots:
            yield "site-packages", os.path.join(root, *rel.split("/"))


def anchored_dirs(via: str, anchor: str | None, rel_dirs: Iterable[str]) -> Iterator[Candidate]:
    """Folders under an install root (conda prefix, CUDA_PATH, ...); rel dirs may be globs."""
    if not anchor:
        return
    for rel in rel_dirs:
        pattern = os.path.join(anchor, *rel.split("/"))
        matches = sorted(glob.glob(pattern)) if glob.has_magic(pattern) else [pattern]
        for path in matches or [pattern]:
            yield via, path


def find_file(candidates: Iterable[Candidate], filenames: Iterable[str], log: SearchLog, accept=os.path.isfile):
    """The first (path, found_via) where a candidate folder holds one of filenames."""
    names = tuple(filenames)
    for via, directory in candidates:
        if not os.path.isdir(directory):
            log.note(via, directory, "no such folder")
            continue
        for name in names:
            path = os.path.join(directory, name)
            if accept(path):
                return path, via
        log.note(via, directory, f"folder exists, no {' or '.join(names)}")
    return None


# ------------------------------------------------------- the toolkit root probe


@functools.cache
def ctk_root_from_system_cudart() -> str | None:
    """The CUDA Toolkit root, found where the system loader finds libcudart.

    Used last, for files beside the toolkit (nvvm, CUPTI, headers, tools) when
    only the loader's own paths (ld.so.conf, LD_LIBRARY_PATH) point at it. The
    probe runs in a child process so this process does not load libcudart.
    """
    import subprocess  # only needed on this last-resort path

    # _dlopen.py has no imports of this package, so it runs as a plain script.
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_dlopen.py")
    try:
        proc = subprocess.run(
            [sys.executable, script, "libcudart.so.13", "libcudart.so.12"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    return ctk_root_of(lines[-1]) if proc.returncode == 0 and lines else None


def ctk_root_of(cudart_path: str) -> str | None:
    """<root>/lib64/libcudart.so.N or <root>/targets/<triple>/lib/... -> <root>."""
    lib_dir = os.path.dirname(os.path.realpath(cudart_path))
    if os.path.basename(lib_dir) not in ("lib", "lib64"):
        return None
    parent = os.path.dirname(lib_dir)
    grandparent = os.path.dirname(parent)
    if os.path.basename(grandparent) == "targets":
        return os.path.dirname(grandparent)
    return parent
