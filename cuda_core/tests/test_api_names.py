# SPDX-License-Identifier: Apache-2.0
"""Every public name of NVIDIA's cuda-core 1.2 (cuda.core, .utils, .system, .typing, .checkpoint, .texture,
.graph) exists."""

from __future__ import annotations

import importlib
import json
import pathlib

import pytest

REFERENCE = pathlib.Path(__file__).resolve().parents[2] / "ci" / "reference" / "api-names.json"


def _missing(module: str) -> list[str]:
    mod = importlib.import_module(module)
    missing = []
    for name in json.loads(REFERENCE.read_text())[module]:
        obj = mod
        for part in name.split("."):
            if not hasattr(obj, part):
                missing.append(name)
                break
            obj = getattr(obj, part)
    return missing


@pytest.mark.parametrize(
    "module",
    [
        "cuda.core",
        "cuda.core.utils",
        "cuda.core.system",
        "cuda.core.typing",
        "cuda.core.checkpoint",
        "cuda.core.texture",
        "cuda.core.graph",
    ],
)
def test_reference_names(module):
    assert _missing(module) == []


def test_import_loads_nothing_heavy():
    """`import cuda.core` must not import numpy, ctypes or the bindings' Python modules."""
    import subprocess
    import sys

    code = (
        "import sys, cuda.core; "
        "heavy = [m for m in ('numpy', 'ctypes', 'cuda.bindings.driver', 'cuda.bindings.nvrtc') if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
