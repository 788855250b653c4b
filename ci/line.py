# SPDX-License-Identifier: Apache-2.0
"""A toolkit line other than the default (toolkit-versions.yaml): generate, build and test it.

    python -m ci.line 12.9 generate [--check]   # cuda_bindings/lines/12.9/ from the line's headers
    python -m ci.line 12.9 build                # cuda-bindings of that line and cuda-core over it
    python -m ci.line 12.9 test [pytest args]   # our cuda_bindings and cuda_core tests against them
    python -m ci.line 12.9 wheel                # its cuda-bindings and cuda-python wheels: dist/lines/12.9
    python -m ci.line 12.9 core-wheel           # one cuda-core wheel for the default line and this one

Each line has its own venv (.lines/<line>/venv-py<XY>, git-ignored) with the tools of
ci/requirements.txt, the line's nvidia-* wheels and our cuda-pathfinder. The build works on a
copy of cuda_bindings (.lines/<line>/src) whose setup.py lays the line's generated files over
the default line's (CUDA_PYTHON_LINE). `nox -s line -- 12.9` runs all three; CI builds only the
default line (its 90 minutes hold one build on two cores).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

from ci import toolkit

REPO = toolkit.REPO
PIP = ["-m", "pip", "--disable-pip-version-check"]


def _run(*cmd, **kw) -> None:
    print("$", " ".join(map(str, cmd)), flush=True)
    subprocess.run(list(map(str, cmd)), check=True, **kw)


def line_venv(line: str) -> Path:
    """The line's venv, made (and its wheels installed) on first use; its python."""
    # one venv per Python (the one running this script), so that wheels for another Python (the
    # GPU machine's 3.12) can be built beside the usual ones: run this module with that Python
    root = REPO / ".lines" / line / f"venv-py{sys.version_info.major}{sys.version_info.minor}"
    py = root / "bin" / "python"
    stamp = root / "wheels.txt"
    wheels = toolkit.wheel_requirements(line)
    if not py.exists():
        venv.EnvBuilder(with_pip=True).create(root)
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


def _copy(line: str, folder: str) -> Path:
    """A fresh copy of one distribution's folder in .lines/<line>/src (builds rewrite their tree)."""
    src = REPO / ".lines" / line / "src" / folder
    if src.exists():
        shutil.rmtree(src)
    ignore = shutil.ignore_patterns("build", "*.so", "*.c", "*.egg-info", "__pycache__")
    shutil.copytree(REPO / folder, src, ignore=ignore)
    return src


def build(line: str) -> None:
    """cuda-bindings of the line, then cuda-core over it (its setup.py picks the line's calls,
    _cuda_line_<major>.pxi, from the cuda.bindings it builds against)."""
    py = line_venv(line)
    env = dict(os.environ, CUDA_PYTHON_LINE=line)
    install = [py, *PIP, "install", "-q", "--no-deps", "--no-build-isolation"]
    _run(*install, REPO / "cuda_pathfinder")  # the checkout's: the bindings' loader asks it for their line's libs
    _run(*install, _copy(line, "cuda_bindings"), env=env)
    _run(*install, _copy(line, "cuda_core"), env=env)


def _tag() -> str:
    return f"cp{sys.version_info.major}{sys.version_info.minor}"


def _clear(folder: Path, pattern: str) -> None:
    """Remove the files of ``folder`` matching ``pattern`` (another Python's wheels stay)."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(pattern):
        old.unlink()


def wheel(line: str) -> None:
    """The line's cuda-bindings wheel (this Python's) and its cuda-python metapackage, in
    dist/lines/<line>; `nox -s build` makes them for every Python found and repairs them to manylinux."""
    py = line_venv(line)
    out = REPO / "dist" / "lines" / line
    _clear(out, f"cuda_bindings-*-{_tag()}-*.whl")
    _clear(out, "cuda_python-*.whl")
    env = dict(os.environ, CUDA_PYTHON_LINE=line)
    wheel = [py, *PIP, "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", out]
    _run(*wheel, _copy(line, "cuda_bindings"), env=env)
    meta = _copy(line, "cuda_python")
    shutil.copyfile(REPO / "cuda_python" / "lines" / line / "pyproject.toml", meta / "pyproject.toml")
    shutil.rmtree(meta / "lines")
    _run(*wheel, meta)
    for path in sorted(out.iterdir()):
        print(f"  {path.relative_to(REPO)}: {path.stat().st_size / 1e6:.1f} MB")


def test(line: str, args: list[str]) -> int:
    """Our tests of cuda-bindings and cuda-core (one pytest run each), or the pytest arguments given."""
    py = line_venv(line)
    env = dict(os.environ, CUDA_PYTHON_LINE=line)
    runs = [args] if args else [[REPO / "cuda_bindings" / "tests"], [REPO / "cuda_core" / "tests"]]
    status = 0
    for run in runs:
        cmd = [py, "-m", "pytest", "-q", "-p", "no:cacheprovider", *run]
        status = status or subprocess.run(list(map(str, cmd)), env=env, cwd=REPO / ".lines" / line).returncode
    return status


def check_no_struct_to_dict(package: Path) -> None:
    """Fail where Cython turned a driver struct into a dict: it does so, silently, when code reads a
    member that this line's header lacks (12.x's CUdevSmResource has no minSmPartitionSize), and
    the read then fails at run time with an AttributeError on a dict."""
    found = sorted(
        {m for c in package.rglob("*.c") for m in re.findall(r"__pyx_convert__to_py_struct__(\w+)", c.read_text())}
    )
    if found:
        sys.exit(
            f"{package}: driver structs read through a Python dict (a member this line lacks?): {', '.join(found)}"
        )


def core_wheel(line: str) -> Path:
    """One cuda-core wheel for the default line and this one (as NVIDIA's serves both): the
    default line's build in place, this line's compiled modules under cuda/core/_cu<major>/
    (cuda/core/_lines.py picks them where the installed cuda.bindings is of that line)."""
    major = line.split(".")[0]
    work = REPO / ".lines" / line / "core-wheel"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    out = REPO / "dist" / "lines" / "both"
    _clear(out, f"cuda_core-*-{_tag()}-*.whl")
    # the default line's wheel, built in .venv (which holds the default line's cuda-bindings)
    default_src = _copy(line, "cuda_core")
    _run(sys.executable, *PIP, "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", work, default_src)
    # this line's compiled modules, built in place in the line's venv
    py = line_venv(line)
    line_src = _copy(line, "cuda_core")
    _run(py, "setup.py", "-q", "build_ext", "--inplace", "-j", str(os.cpu_count() or 1), cwd=line_src)
    check_no_struct_to_dict(line_src / "cuda" / "core")
    wheel = next(work.glob("cuda_core-*.whl"))
    _run(sys.executable, "-m", "wheel", "unpack", "-d", work / "unpacked", wheel)
    tree = next((work / "unpacked").iterdir())
    for so in line_src.glob("cuda/core/**/*.so"):
        target = tree / "cuda" / "core" / f"_cu{major}" / so.relative_to(line_src / "cuda" / "core")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(so, target)
    _run(sys.executable, "-m", "wheel", "pack", "-d", out, tree)
    merged = next(out.glob(f"cuda_core-*-{_tag()}-*.whl"))
    print(f"  {merged.relative_to(REPO)}: {merged.stat().st_size / 1e6:.1f} MB")
    return merged


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[1] not in ("generate", "build", "test", "wheel", "core-wheel"):
        sys.exit(__doc__)
    line, action, rest = argv[0], argv[1], argv[2:]
    if line not in toolkit.toolkit_versions():
        sys.exit(f"no toolkit line {line} in toolkit-versions.yaml (lines: {', '.join(toolkit.toolkit_versions())})")
    if action == "generate":
        return generate(line, "--check" in rest)
    if action == "core-wheel":
        core_wheel(line)
        return 0
    if action in ("build", "wheel"):
        (build if action == "build" else wheel)(line)
        return 0
    return test(line, rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
