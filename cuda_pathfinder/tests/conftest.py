# SPDX-License-Identifier: Apache-2.0
"""Fixtures: real small shared libraries built with the C compiler, fake install trees."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess

import pytest

from cuda.pathfinder import (
    _binaries,
    _catalog,
    _dynamic,
    _headers,
    _places,
    find_bitcode_lib,
    find_nvidia_binary_utility,
    find_static_lib,
    load_nvidia_dynamic_lib,
    locate_nvidia_header_directory,
)

CC = shutil.which("cc") or shutil.which("gcc")
_counter = itertools.count()


def build_so(directory, filename, soname=None, needs=(), symbol="pathfinder_test_value", value=42) -> str:
    """Compile a real shared library exporting `int <symbol>(void)` returning value.

    needs: paths of libraries it links against (recorded as NEEDED by soname, no rpath).
    """
    if CC is None:
        pytest.skip("no C compiler on this machine")
    os.makedirs(directory, exist_ok=True)
    src = os.path.join(directory, f"_{filename}.c")
    with open(src, "w") as f:
        f.write(f"int {symbol}(void) {{ return {value}; }}\n")
    out = os.path.join(directory, filename)
    cmd = [CC, "-shared", "-fPIC", "-o", out, src, f"-Wl,-soname,{soname or filename}"]
    for dep in needs:
        cmd += [f"-L{os.path.dirname(dep)}", f"-l:{os.path.basename(dep)}"]
    subprocess.run(cmd, check=True, capture_output=True)
    os.remove(src)
    return out


def unique(prefix: str) -> str:
    """A name no other test (and no earlier load in this process) has used."""
    return f"{prefix}{os.getpid()}x{next(_counter)}"


@pytest.fixture
def clean_search(monkeypatch, tmp_path):
    """A search that sees only the test's own trees: no real site-packages, conda, CUDA_HOME or probe."""
    for var in ("CUDA_PATH", "CUDA_HOME", "CONDA_PREFIX", "CUDNN_PATH", "NCCL_HOME"):
        monkeypatch.delenv(var, raising=False)
    roots: list[str] = []
    monkeypatch.setattr(_places, "site_packages_roots", lambda: list(roots))
    monkeypatch.setattr(_places, "ctk_root_from_system_cudart", lambda: None)
    # The finders import the probe by name; each module's reference is replaced.
    for module in (_dynamic, _headers, _binaries):
        monkeypatch.setattr(module, "ctk_root_from_system_cudart", lambda: None)
    _clear_caches()
    yield roots
    _clear_caches()


def _clear_caches():
    _places.get_cuda_path_or_home.cache_clear()
    _dynamic._BY_MAJOR.clear()
    for cached in (
        load_nvidia_dynamic_lib,
        locate_nvidia_header_directory,
        find_nvidia_binary_utility,
        find_static_lib,
        find_bitcode_lib,
    ):
        cached.cache_clear()


@pytest.fixture
def fake_lib(monkeypatch):
    """Register a catalog row for a library that exists only in the test's trees."""

    def register(spec: _catalog.LibSpec) -> _catalog.LibSpec:
        monkeypatch.setitem(_catalog.LIBRARIES, spec.name, spec)
        return spec

    return register
