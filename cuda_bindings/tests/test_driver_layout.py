# SPDX-License-Identifier: Apache-2.0
"""Struct layouts: the Python classes against a C program compiled with the real cuda.h.

The named structs are the header's own (Cython declares them extern), so what is
checked is that each property reads and writes its own field; the unnamed nested
records are declared by us (anon_<kind>N), so their sizes are checked too.
"""

from __future__ import annotations

import ctypes
import json
import pathlib
import shutil
import subprocess

import pytest
from _toolkit import api_file

from conftest import c_compiler_and_headers
from cuda.bindings import driver as cu

MODEL = json.loads(api_file("driver.json").read_text())
INTS = {"int", "unsigned int", "short", "unsigned short", "long", "unsigned long", "long long", "unsigned long long",
        "size_t", "char", "unsigned char", "cuuint32_t", "cuuint64_t", "CUdeviceptr", "CUdeviceptr_v2"}  # fmt: skip


def _c_name(rec: dict) -> str:
    return f"{rec['kind']} {rec['name']}" if rec.get("tag") else rec["name"]


@pytest.fixture(scope="module")
def c_layout(tmp_path_factory):
    cc, include = c_compiler_and_headers("cuda.h", "cudaGL.h", "cudaEGL.h")
    # the interop headers, with the codegen's stand-ins for the GL and EGL types they use
    inc = tmp_path_factory.mktemp("interop_include")
    stubs = pathlib.Path(__file__).resolve().parents[1] / "codegen" / "cstubs"
    for sub in ("GL", "EGL"):
        shutil.copytree(stubs / sub, inc / sub)
    lines = ["#include <stdio.h>", "#include <stddef.h>", "#include <cuda.h>", "#include <cudaGL.h>"]
    lines += ["#include <cudaEGL.h>", "int main(void) {"]
    for rec in MODEL["records"]:
        ctype = _c_name(rec)
        lines.append(f'printf("{rec["name"]} %zu\\n", sizeof({ctype}));')
        for f in rec["fields"]:
            if not f["name"]:
                continue
            member = f"(({ctype}*)0)->{f['name']}"
            lines.append(
                f'printf("{rec["name"]}.{f["name"]} %zu %zu\\n", offsetof({ctype}, {f["name"]}), sizeof({member}));'
            )
            if "record" in f:
                lines.append(f'printf("{f["record"]["name"]} %zu\\n", sizeof({member}));')
    lines += ["return 0;", "}"]
    src = tmp_path_factory.mktemp("layout") / "layout.c"
    src.write_text("\n".join(lines))
    exe = src.with_suffix("")
    subprocess.run([cc, f"-I{include}", f"-I{inc}", "-o", str(exe), str(src)], check=True, capture_output=True)
    layout = {}
    for line in subprocess.check_output([str(exe)], text=True).splitlines():
        name, *numbers = line.split()
        layout[name] = tuple(int(n) for n in numbers)
    return layout


def test_struct_sizes_match_c(c_layout):
    checked = 0
    for rec in MODEL["records"]:
        cls = getattr(cu, rec["name"], None)
        if cls is None:
            continue
        assert cu.sizeof(cls) == c_layout[rec["name"]][0], rec["name"]
        checked += 1
    assert checked >= 80  # every struct the headers define


def test_nested_unnamed_records_have_the_c_size(c_layout):
    nested = [name for name in c_layout if name.startswith("anon_")]
    assert len(nested) >= 15
    for name in nested:
        assert cu.sizeof(getattr(cu, name)) == c_layout[name][0], name


def test_integer_fields_land_at_their_c_offsets(c_layout):
    checked = 0
    for rec in MODEL["records"]:
        cls = getattr(cu, rec["name"], None)
        if cls is None or rec["kind"] != "struct":
            continue
        obj = cls()
        base = obj.getPtr()
        for f in rec["fields"]:
            if f.get("array") or "record" in f or f["type"] not in INTS or f.get("member_of_anonymous"):
                continue
            offset, size = c_layout[f"{rec['name']}.{f['name']}"]
            value = 0x5A
            setattr(obj, f["name"], value)
            raw = ctypes.string_at(base + offset, size)
            assert int.from_bytes(raw, "little") == value, f"{rec['name']}.{f['name']}"
            assert getattr(obj, f["name"]) == value or int(getattr(obj, f["name"])) == value
            setattr(obj, f["name"], 0)
            checked += 1
    assert checked >= 200
