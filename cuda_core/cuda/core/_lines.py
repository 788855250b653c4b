# SPDX-License-Identifier: Apache-2.0
"""One cuda-core over either toolkit line of cuda-bindings.

cuda-core's compiled modules cimport cuda.bindings' C level, which differs between the 12.x and
13.x lines, so a wheel for both holds two builds: the 13.x one in place, and the 12.x one under
cuda/core/_cu12/ (the same file names). Where the installed cuda.bindings is of the 12.x line
and _cu12/ is there, a finder placed first on sys.meta_path loads cuda.core's compiled modules
from it; the pure-Python modules are the same for both. A tree built for one line alone (an
in-place build, a line's own build) has no _cu12/ and is used as it is.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))


class _LineFinder:
    """Finds cuda.core's compiled modules in one line's folder (e.g. cuda/core/_cu12/)."""

    def __init__(self, root: str):
        self.root = root

    def find_spec(self, fullname, path=None, target=None):
        if not fullname.startswith("cuda.core."):
            return None
        stem = os.path.join(self.root, *fullname.split(".")[2:])
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            if os.path.isfile(stem + suffix):
                loader = importlib.machinery.ExtensionFileLoader(fullname, stem + suffix)
                return importlib.util.spec_from_file_location(fullname, stem + suffix, loader=loader)
        return None

    def __repr__(self):
        return f"<cuda.core line finder {self.root}>"


def bindings_major() -> int | None:
    """The major version of the installed cuda.bindings (its _version module: nothing heavy)."""
    try:
        from cuda.bindings._version import __version__
    except ImportError:
        return None
    return int(__version__.split(".")[0])


def select() -> str | None:
    """Put the finder of the installed cuda.bindings' line first, where this cuda-core holds a
    build for that line apart; the folder chosen, or None (the modules in place serve)."""
    if not os.path.isdir(os.path.join(_HERE, "_cu12")):  # a build for one line: nothing to choose
        return None
    major = bindings_major()
    root = os.path.join(_HERE, f"_cu{major}") if major is not None else None
    if root is None or not os.path.isdir(root):
        return None
    if not any(isinstance(f, _LineFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _LineFinder(root))
    return root
