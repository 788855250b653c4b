# SPDX-License-Identifier: Apache-2.0
"""The shared pieces: where site-packages are, CUDA_PATH/CUDA_HOME, the toolkit root."""

from __future__ import annotations

import os
import sys
import warnings

import pytest

from cuda.pathfinder import get_cuda_path_or_home
from cuda.pathfinder._places import ctk_root_of, site_packages_roots


@pytest.fixture
def fresh_cuda_home(monkeypatch):
    monkeypatch.delenv("CUDA_PATH", raising=False)
    monkeypatch.delenv("CUDA_HOME", raising=False)
    get_cuda_path_or_home.cache_clear()
    yield monkeypatch
    get_cuda_path_or_home.cache_clear()


def test_cuda_path_or_home(fresh_cuda_home, tmp_path):
    assert get_cuda_path_or_home() is None
    fresh_cuda_home.setenv("CUDA_HOME", str(tmp_path))
    assert get_cuda_path_or_home() is None  # decided once per process
    get_cuda_path_or_home.cache_clear()
    assert get_cuda_path_or_home() == str(tmp_path)


def test_cuda_path_wins_with_a_warning(fresh_cuda_home, tmp_path):
    fresh_cuda_home.setenv("CUDA_PATH", str(tmp_path / "a"))
    fresh_cuda_home.setenv("CUDA_HOME", str(tmp_path / "b"))
    with pytest.warns(UserWarning, match="CUDA_PATH=.*a\n  CUDA_HOME=.*b\nUsing CUDA_PATH"):
        assert get_cuda_path_or_home() == str(tmp_path / "a")


def test_same_folder_twice_is_no_warning(fresh_cuda_home, tmp_path):
    fresh_cuda_home.setenv("CUDA_PATH", str(tmp_path))
    fresh_cuda_home.setenv("CUDA_HOME", str(tmp_path) + "/")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert get_cuda_path_or_home() == str(tmp_path)


def test_site_roots_follow_sys_path(monkeypatch, tmp_path):
    first, second, stray = tmp_path / "first", tmp_path / "second", tmp_path / "stray"
    for d in (first, second, stray):
        d.mkdir()
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(first), str(second), str(tmp_path / "missing")]))
    entries = ["", str(stray), str(second), str(tmp_path / "missing"), str(first), str(second)]
    monkeypatch.setattr(sys, "path", entries)
    roots = site_packages_roots()
    assert roots[:2] == [str(second), str(first)]  # order kept, duplicates and missing dropped
    # neither the current directory nor a folder someone inserted into sys.path is trusted
    assert os.getcwd() not in roots and "" not in roots and str(stray) not in roots


def test_ctk_root_of():
    assert ctk_root_of("/opt/cuda/lib64/libcudart.so.13") == "/opt/cuda"
    assert ctk_root_of("/opt/cuda/targets/x86_64-linux/lib/libcudart.so.13") == "/opt/cuda"
    assert ctk_root_of("/opt/cuda/weird/libcudart.so.13") is None
