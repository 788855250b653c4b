# SPDX-License-Identifier: Apache-2.0
"""The examples without a GPU: each compiles as Python, says how to run it, and its device code
compiles (NVRTC, nvJitLink) for a named architecture. tests/test_examples_gpu.py runs them."""

from __future__ import annotations

import ast
import importlib.util
import pathlib

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"
NAMES = [
    "saxpy",
    "vector_add",
    "memory_ops",
    "strided_memory_view",
    "jit_lto",
    "mpi_exchange",
    "texture_sample",
    "graph_conditional",
]


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_examples_are_all_listed():
    assert sorted(p.stem for p in EXAMPLES.glob("*.py")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_example_parses_and_says_how_to_run_it(name):
    tree = ast.parse((EXAMPLES / f"{name}.py").read_text())
    doc = ast.get_docstring(tree)
    assert doc and f"{name}.py" in doc, "the docstring shows the command line"
    assert any(isinstance(n, ast.FunctionDef) and n.name == "main" for n in tree.body)


def test_saxpy_instantiations_compile():
    from cuda.core import Program, ProgramOptions

    saxpy = load("saxpy")
    code = Program(saxpy.SOURCE, "c++", ProgramOptions(arch="sm_90", std="c++17")).compile(
        "cubin", name_expressions=tuple(saxpy.NAMES.values())
    )
    assert set(saxpy.NAMES.values()) <= set(code.symbol_mapping)


@pytest.mark.parametrize("name", ["vector_add", "strided_memory_view", "graph_conditional"])
def test_kernels_compile(name):
    from cuda.core import Program, ProgramOptions

    code = Program(load(name).SOURCE, "c++", ProgramOptions(arch="sm_90")).compile("cubin")
    assert len(code.code) > 0


def test_jit_lto_links_without_a_gpu():
    cubin = load("jit_lto").link("sm_90")
    assert cubin.code_type == "cubin" and len(cubin.code) > 1000


def test_texture_sample_kernel_compiles_and_its_reference_interpolates():
    import numpy as np

    from cuda.core import Program, ProgramOptions

    example = load("texture_sample")
    code = Program(example.SOURCE, "c++", ProgramOptions(arch="sm_90")).compile("cubin")
    assert b"upscale" in bytes(code.code)  # getting the kernel itself needs a driver
    # the numpy reference: a constant image stays constant; a ramp is interpolated linearly inside
    assert np.allclose(example.bilinear(np.full((3, 4), 2.5, np.float32), 2), 2.5)
    ramp = np.tile(np.arange(4, dtype=np.float32), (2, 1))
    up = example.bilinear(ramp, 2)
    assert up.shape == (4, 8) and np.allclose(up[0, 1:7], [0.25, 0.75, 1.25, 1.75, 2.25, 2.75])
    assert up[0, 0] == 0 and up[0, 7] == 3  # clamped at the edges
