# SPDX-License-Identifier: Apache-2.0
"""Enum values: every member of every enum class against a C program compiled with the real headers.

The enum classes are made on first use from constant tables in the extension (codegen/emit_enums.py);
this checks those tables, member by member, against what the C compiler says the headers define.
"""

from __future__ import annotations

import ctypes
import json
import pathlib
import shutil
import subprocess

import pytest
from _toolkit import MAJOR, api_file

from conftest import c_compiler_and_headers
from cuda.bindings import driver, runtime

CODEGEN = pathlib.Path(__file__).resolve().parents[1] / "codegen"
HEADERS = {
    driver: ["cuda.h", "cudaGL.h", "cudaEGL.h"],
    runtime: ["cuda_runtime_api.h", "cuda_gl_interop.h", "cuda_egl_interop.h"],
}
NEEDS = {driver: HEADERS[driver], runtime: [*HEADERS[runtime], "crt/host_defines.h"]}


def _model(module) -> dict:
    return json.loads((api_file(f"{module.__name__.rsplit('.', 1)[1]}.json")).read_text())


def _c_values(module, tmp_path) -> dict[str, int]:
    """Member name -> value, as printed by a C program that includes ``HEADERS[module]``."""
    cc, include = c_compiler_and_headers(*NEEDS[module])
    inc = tmp_path / "interop_include"
    for sub in ("GL", "EGL"):  # the codegen's stand-ins for the GL and EGL types the interop headers use
        shutil.copytree(CODEGEN / "cstubs" / sub, inc / sub)
    lines = ["#include <stdio.h>", *(f"#include <{h}>" for h in HEADERS[module]), "int main(void) {"]
    for enum in _model(module)["enums"]:
        if enum["header"] in ("cudaProfiler.h",):  # declared by us, values and all (not in every toolkit)
            continue
        lines += [f'printf("{m["name"]} %lld\\n", (long long){m["name"]});' for m in enum["members"]]
    lines += ["return 0;", "}"]
    src = tmp_path / "values.c"
    src.write_text("\n".join(lines))
    exe = tmp_path / "values"
    built = subprocess.run([cc, f"-I{include}", f"-I{inc}", "-o", str(exe), str(src)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-3000:]
    out = subprocess.check_output([str(exe)], text=True)
    return {name: int(value) for name, value in (line.split() for line in out.splitlines())}


@pytest.mark.parametrize("module", [driver, runtime], ids=["driver", "runtime"])
def test_every_enum_member_has_the_c_value(module, tmp_path):
    c_values = _c_values(module, tmp_path)
    checked = 0
    for enum in _model(module)["enums"]:
        cls = getattr(module, enum["name"])  # the class, or the tag's alias of it
        for m in enum["members"]:
            if m["name"] not in c_values:
                continue
            assert int(cls[m["name"]]) == c_values[m["name"]], (enum["name"], m["name"])
            checked += 1
        assert cls.__doc__, enum["name"]
    assert checked >= ((1000 if MAJOR >= 13 else 950) if module is driver else 700), checked  # 12.9: 973


def test_enum_fields_give_members_and_unknown_values_as_ints():
    # a value the headers don't name (a newer driver's) comes back as the int, without an exception
    desc = driver.CUDA_ARRAY_DESCRIPTOR()
    desc.Format = driver.CUarray_format.CU_AD_FORMAT_FLOAT
    assert desc.Format is driver.CUarray_format.CU_AD_FORMAT_FLOAT
    offset = 2 * ctypes.sizeof(ctypes.c_size_t)  # Width, Height, then Format
    ctypes.c_int.from_address(desc.getPtr() + offset).value = 0x7777
    assert desc.Format == 0x7777 and type(desc.Format) is int
