# SPDX-License-Identifier: Apache-2.0
"""cuda/core/_lines.py: a cuda-core wheel for both toolkit lines loads the compiled modules of the
installed cuda.bindings' line (the 12.x build under cuda/core/_cu12/)."""

from __future__ import annotations

import importlib.machinery
import os
import subprocess
import sys

from cuda.core import _lines


def test_finder_takes_compiled_modules_from_the_line_folder(tmp_path):
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    (tmp_path / "graph").mkdir()
    (tmp_path / f"_device{suffix}").write_bytes(b"")
    (tmp_path / "graph" / f"_ops{suffix}").write_bytes(b"")
    finder = _lines._LineFinder(str(tmp_path))
    spec = finder.find_spec("cuda.core._device")
    assert spec.origin == str(tmp_path / f"_device{suffix}")
    assert isinstance(spec.loader, importlib.machinery.ExtensionFileLoader) and spec.name == "cuda.core._device"
    assert finder.find_spec("cuda.core.graph._ops").origin == str(tmp_path / "graph" / f"_ops{suffix}")
    assert finder.find_spec("cuda.core._stream") is None  # not built apart: the module in place
    assert finder.find_spec("cuda.bindings.driver") is None and finder.find_spec("numpy") is None


def test_the_installed_line_is_chosen_only_where_there_is_a_choice():
    code = "import sys, cuda.core; print(any('line finder' in repr(f) for f in sys.meta_path))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    both = os.path.isdir(os.path.join(os.path.dirname(_lines.__file__), "_cu12"))  # a wheel for both lines
    major = _lines.bindings_major()
    assert major in (12, 13)
    assert out.strip() == str(both and major == 12)
    assert (_lines.select() is not None) == (both and major == 12)
