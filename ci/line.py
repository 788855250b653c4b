# SPDX-License-Identifier: Apache-2.0
"""A toolkit line other than the default (toolkit-versions.yaml): generate, build and test it.

    python -m ci.line 12.9 generate [--check]   # cuda_bindings/lines/12.9/ from the line's headers
    python -m ci.line 12.9 build                # cuda-bindings of that line, in the line's venv
    python -m ci.line 12.9 test [pytest args]   # our cuda_bindings tests against that build

Each line has its own venv (.lines/<line>/venv, git-ignored) with the tools of
ci/requirements.txt, the line's nvidia-* wheels and our cuda-pathfinder. The build works on a
copy of cuda_bindings (.lines/<line>/src) whose setup.py lays the line's generated files over
the default line's (CUDA_PYTHON_LINE). `nox -s line -- 12.9` runs all three; CI builds only the
default line (its 90 minutes hold one build on two cores).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

from ci import toolkit

REPO = toolkit.REPO


def _run(*cmd, **kw) -> None:
    print("$", " ".join(map(str, cmd)), flush=True)
    subprocess.run(list(map(str, cmd)), check=True, **kw)


def line_venv(line: str) -> Path:
    """The line's venv, made (and its wheels installed) on first use; its python."""
    root = REPO / ".lines" / line
    py = root / "venv" / "bin" / "python"
    stamp = root / "venv" / "wheels.txt"
    wheels = toolkit.wheel_requirements(line)
    if not py.exists():
        venv.EnvBuilder(with_pip=True).create(root / "venv")
    if not stamp.exists() or stamp.read_text() != "\n".join(wheels):
        pip = [py, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        _run(*pip, "-r", REPO / "ci" / "requirements.txt", *wheels)
        _run(*pip, "--no-deps", "--no-build-isolation", REPO / "cuda_pathfinder")
        stamp.write_text("\n".join(wheels))
    return py


def generate(line: str, check: bool) -> int:
    py = line_venv(line)
    cmd = [py, REPO / "cuda_bindings" / "codegen" / "generate.py", "--line", line, *(["--check"] if check else [])]
    return subprocess.run(list(map(str, cmd))).returncode


def build(line: str) -> None:
    py = line_venv(line)
    src = REPO / ".lines" / line / "src" / "cuda_bindings"
    if src.exists():
        shutil.rmtree(src)
    ignore = shutil.ignore_patterns("build", "*.so", "*.c", "*.egg-info", "__pycache__")
    shutil.copytree(REPO / "cuda_bindings", src, ignore=ignore)
    env = dict(os.environ, CUDA_PYTHON_LINE=line)
    pip = [py, "-m", "pip", "install", "--disable-pip-version-check", "-q", "--no-deps", "--no-build-isolation"]
    _run(*pip, src, env=env)


def test(line: str, args: list[str]) -> int:
    py = line_venv(line)
    env = dict(os.environ, CUDA_PYTHON_LINE=line)
    cmd = [py, "-m", "pytest", "-q", "-p", "no:cacheprovider", *(args or [REPO / "cuda_bindings" / "tests"])]
    return subprocess.run(list(map(str, cmd)), env=env, cwd=REPO / ".lines" / line).returncode


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[1] not in ("generate", "build", "test"):
        sys.exit(__doc__)
    line, action, rest = argv[0], argv[1], argv[2:]
    if line not in toolkit.toolkit_versions():
        sys.exit(f"no toolkit line {line} in toolkit-versions.yaml (lines: {', '.join(toolkit.toolkit_versions())})")
    if action == "generate":
        return generate(line, "--check" in rest)
    if action == "build":
        build(line)
        return 0
    return test(line, rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
