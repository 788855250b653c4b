# SPDX-License-Identifier: Apache-2.0
"""The public names of NVIDIA's cuda-bindings release of this line (_toolkit.REFERENCE): each exists
here, or is in the line's list of known gaps (names-missing-<release>.txt, with its reasons)."""

from __future__ import annotations

import importlib
import json
import pathlib
import sys

import pytest
from _toolkit import REFERENCE, RELEASE


def _reference() -> dict[str, list[str]]:
    return {m: names for m, names in json.loads(REFERENCE.read_text()).items() if m.startswith("cuda.bindings")}


def _missing(module: str, names: list[str]) -> list[str]:
    mod = importlib.import_module(module)
    missing = []
    for name in names:
        obj = mod
        for part in name.split("."):
            if not hasattr(obj, part):
                missing.append(name)
                break
            obj = getattr(obj, part)
    return missing


# What this line lacks of its reference, with the reasons (the file's header); None: nothing.
KNOWN_GAPS = pathlib.Path(__file__).with_name(f"names-missing-{RELEASE}.txt")


def _known_gaps() -> dict[str, set[str]]:
    gaps: dict[str, set[str]] = {}
    if KNOWN_GAPS.exists():
        for line in KNOWN_GAPS.read_text().splitlines():
            if line and not line.startswith("#"):
                module, _, name = line.partition(":")
                gaps.setdefault(module, set()).add(name)
    return gaps


@pytest.mark.parametrize("module", sorted(_reference()))
def test_reference_names(module):
    """Each name of the reference is here, or in the known gaps: the list is exact both ways, so a
    name lost or a gap closed shows (the file lists module:name lines)."""
    if module == "cuda.bindings.cufile" and not sys.platform.startswith("linux"):
        pytest.skip("cuFile is Linux only, as NVIDIA's")
    assert set(_missing(module, _reference()[module])) == _known_gaps().get(module, set())


def test_coverage_of_the_reference():
    names = sum(len(v) for v in _reference().values())
    gaps = sum(len(v) for v in _known_gaps().values())
    assert names > 1000 and gaps / names < 0.01  # 99.32% of the 13.5 names today


def test_snake_case_names_and_enums():
    from cuda.bindings import nvfatbin, nvjitlink, nvvm

    assert nvjitlink.Result.SUCCESS == 0 and nvjitlink.InputType.PTX == 2
    assert nvvm.Result.ERROR_CANCELLED == 10
    assert {"create", "destroy", "add_ptx", "add_cubin", "add_ltoir", "add_reloc", "size", "get", "version"} <= set(
        dir(nvfatbin)
    )
    assert nvfatbin.Result.ERROR_INTERNAL_PTX_OPTION == 17
