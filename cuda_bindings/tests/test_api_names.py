# SPDX-License-Identifier: Apache-2.0
"""Every public name of NVIDIA's cuda-bindings 13.0 for these modules exists here."""

from __future__ import annotations

import importlib
import json
import pathlib

import pytest

REFERENCE = pathlib.Path(__file__).resolve().parents[2] / "ci" / "reference" / "api-names.json"


@pytest.mark.parametrize(
    "module",
    [
        "cuda.bindings.nvrtc",
        "cuda.bindings.nvjitlink",
        "cuda.bindings.nvvm",
        "cuda.bindings.utils",
        "cuda.bindings.cufile",  # Linux only, as NVIDIA's
    ],
)
def test_reference_names(module):
    names = json.loads(REFERENCE.read_text())[module]
    mod = importlib.import_module(module)
    missing = []
    for name in names:
        obj = mod
        for part in name.split("."):
            if not hasattr(obj, part):
                missing.append(name)
                break
            obj = getattr(obj, part)
    assert missing == []


def test_snake_case_names_and_enums():
    from cuda.bindings import nvfatbin, nvjitlink, nvvm

    assert nvjitlink.Result.SUCCESS == 0 and nvjitlink.InputType.PTX == 2
    assert nvvm.Result.ERROR_CANCELLED == 10
    assert {"create", "destroy", "add_ptx", "add_cubin", "add_ltoir", "add_reloc", "size", "get", "version"} <= set(
        dir(nvfatbin)
    )
    assert nvfatbin.Result.ERROR_INTERNAL_PTX_OPTION == 17
