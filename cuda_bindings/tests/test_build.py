# SPDX-License-Identifier: Apache-2.0
"""The build's header check: one clear message naming what to install."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import textwrap

SETUP = pathlib.Path(__file__).resolve().parents[1] / "setup.py"


def test_missing_headers_name_the_wheels(tmp_path):
    # A cuda.pathfinder that finds nothing, and no CUDA_HOME: setup.py must stop before compiling.
    fake = tmp_path / "cuda" / "pathfinder"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("def find_nvidia_header_directory(name):\n    return None\n")
    code = textwrap.dedent(
        f"""
        import sys
        sys.argv = ["setup.py", "--name"]
        source = open({str(SETUP)!r}).read()
        exec(compile(source, "setup.py", "exec"), {{"__name__": "__main__", "__file__": {str(SETUP)!r}}})
        """
    )
    env = {k: v for k, v in os.environ.items() if k not in ("CUDA_HOME", "CUDA_PATH", "CUDA_PYTHON_LINE")}
    env["PYTHONPATH"] = str(tmp_path)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=SETUP.parent)
    assert proc.returncode != 0
    assert "cuda-bindings needs the CUDA headers to build" in proc.stderr
    assert "pip install nvidia-cuda-nvrtc nvidia-nvjitlink nvidia-nvvm nvidia-nvfatbin" in proc.stderr
    assert "CUDA_HOME" in proc.stderr


def _setup_with_line(line: str) -> subprocess.CompletedProcess:
    code = textwrap.dedent(
        f"""
        import sys
        sys.argv = ["setup.py", "--name"]
        source = open({str(SETUP)!r}).read()
        exec(compile(source, "setup.py", "exec"), {{"__name__": "__main__", "__file__": {str(SETUP)!r}}})
        """
    )
    env = dict(os.environ, CUDA_PYTHON_LINE=line)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=SETUP.parent)


def test_another_line_is_built_on_a_copy_not_in_the_checkout():
    """CUDA_PYTHON_LINE lays a line's generated files over the tree: never over the checkout."""
    lines = sorted(p.name for p in (SETUP.parent / "lines").iterdir())
    assert lines, "cuda_bindings/lines/ holds the generated files of the other toolkit lines"
    proc = _setup_with_line(lines[0])
    assert proc.returncode != 0 and "would rewrite this checkout" in proc.stderr
    assert f"python -m ci.line {lines[0]} build" in proc.stderr


def test_an_unknown_line_is_refused():
    proc = _setup_with_line("11.8")
    assert proc.returncode != 0 and "CUDA_PYTHON_LINE=11.8: no such toolkit line here" in proc.stderr
