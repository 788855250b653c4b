# SPDX-License-Identifier: Apache-2.0
"""The public surface: every name of the reference, the tables, the exceptions, the CLI."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import venv

import pytest

import cuda.pathfinder as pf
from cuda.pathfinder import __main__ as cli

REFERENCE = os.path.join(os.path.dirname(__file__), "..", "..", "ci", "reference", "api-names.json")


def test_every_reference_name_exists():
    with open(REFERENCE) as f:
        names = json.load(f)["cuda.pathfinder"]
    missing = [n for n in names if not hasattr(pf, n)]
    assert missing == []
    assert sorted(n for n in dir(pf) if not n.startswith("_")) == sorted(names)


def test_version():
    parts = pf.__version__.split(".")
    assert len(parts) == 3 and all(p.isdigit() for p in parts)


def test_supported_libnames():
    names = pf.SUPPORTED_NVIDIA_LIBNAMES
    assert isinstance(names, tuple) and len(names) == len(set(names)) == 29
    assert names[:4] == ("cudart", "nvfatbin", "nvJitLink", "nvrtc")
    assert {"cublas", "cublasLt", "cufft", "curand", "cusolver", "cusparse", "nvvm", "cupti", "cufile"} <= set(names)
    assert not {"cuda", "nvml", "cudnn", "nccl"} & set(names)  # loadable, but not toolkit libraries


def test_loaded_dl_fields():
    loaded = pf.LoadedDL("/x/libnvrtc.so.13", False, 1234, "site-packages")
    assert (loaded.abs_path, loaded.was_already_loaded_from_elsewhere, loaded._handle_uint, loaded.found_via) == (
        "/x/libnvrtc.so.13",
        False,
        1234,
        "site-packages",
    )


def test_exception_hierarchy_and_pickling():
    assert issubclass(pf.DynamicLibNotFoundError, RuntimeError)
    assert issubclass(pf.DynamicLibUnknownError, pf.DynamicLibNotFoundError)
    assert issubclass(pf.DynamicLibNotAvailableError, pf.DynamicLibNotFoundError)
    for cls in (pf.StaticLibNotFoundError, pf.BitcodeLibNotFoundError, pf.UnsupportedArchError):
        assert issubclass(cls, RuntimeError)
    err = pickle.loads(pickle.dumps(pf.UnsupportedArchError("win32")))
    assert err.platform_tag == "win32" and "win32" in str(err)
    err = pickle.loads(pickle.dumps(pf.DynamicLibNotFoundError("Could not find x")))
    assert type(err) is pf.DynamicLibNotFoundError and str(err) == "Could not find x"


def run_cli(*args, python=sys.executable, env=None):
    return subprocess.run(
        [python, "-m", "cuda.pathfinder", *args], capture_output=True, text=True, env=env, timeout=300
    )


def test_cli_json():
    proc = run_cli("--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["version"] == pf.__version__
    rows = {(r["kind"], r["name"]): r for r in data["items"]}
    assert {name for kind, name in rows if kind == "library"} >= set(pf.SUPPORTED_NVIDIA_LIBNAMES) | {"cuda", "nvml"}
    nvrtc = rows["library", "nvrtc"]
    assert nvrtc["status"] == "found" and nvrtc["found_via"] == "site-packages"
    assert nvrtc["path"].endswith("libnvrtc.so.13")
    assert rows["header", "nvrtc"]["status"] == "found"
    for r in data["items"]:
        assert r["status"] in ("found", "not found", "error")
        assert (r["path"] is not None) == (r["status"] == "found")


def test_cli_text():
    proc = run_cli()
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"cuda.pathfinder {pf.__version__}")
    nvrtc = next(line for line in lines if line.split()[:1] == ["nvrtc"])
    assert "found" in nvrtc and "site-packages" in nvrtc and "libnvrtc.so.13" in nvrtc
    assert "[header]" in lines and "[binary]" in lines


def test_cli_with_nothing_installed(tmp_path):
    """A bare venv (no wheels, nothing else): the report still comes, and finds no wheel."""
    venv.EnvBuilder(with_pip=False).create(tmp_path / "bare")
    # a copy of the package alone: where it is installed, libraries' wheels may lie beside it
    package_root = tmp_path / "package"
    shutil.copytree(pf.__path__[0], package_root / "cuda" / "pathfinder", ignore=shutil.ignore_patterns("__pycache__"))
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(package_root), "LD_LIBRARY_PATH": ""}
    proc = run_cli("--json", python=str(tmp_path / "bare/bin/python"), env=env)
    assert proc.returncode == 0, proc.stderr
    items = json.loads(proc.stdout)["items"]
    assert not any(r["found_via"] == "site-packages" for r in items)
    assert all(r["status"] in ("found", "not found", "error") for r in items)


def test_cli_reports_a_crashing_check(monkeypatch):
    class Crashed:
        returncode, stdout, stderr = -11, "", "Segmentation fault"

    monkeypatch.setattr(cli.subprocess, "run", lambda *a, **k: Crashed())
    row = cli._load_in_child("cublas")
    assert row["status"] == "error" and "signal 11" in row["error"]


@pytest.mark.parametrize("bad", [None, 1.5, b"nvrtc"])
def test_bad_input_types(bad):
    for func in (pf.load_nvidia_dynamic_lib, pf.find_nvidia_header_directory, pf.find_static_lib, pf.find_bitcode_lib):
        with pytest.raises(TypeError):
            func(bad)
    with pytest.raises(TypeError):
        pf.find_nvidia_binary_utility(bad)
