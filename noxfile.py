# SPDX-License-Identifier: Apache-2.0
"""Every task of this repository is a nox session.

Sessions run in the environment nox itself runs in (`.venv`, made by
`python3 ci/bootstrap.py`): the packages are installed there once, so no
session rebuilds them.

    .venv/bin/nox -s lint tests docs   # what CI runs
    .venv/bin/nox -s tests_gpu    # GPU tests (on a machine with a GPU)
    .venv/bin/nox -s stubtest     # the .pyi stubs against their modules (part of lint)
    .venv/bin/nox -s generate     # regenerate every generated file
    .venv/bin/nox -s bench        # benchmarks
    .venv/bin/nox -s docs         # the Sphinx site (docs/_build/html), warnings as errors
    .venv/bin/nox -s build        # sdists and wheels of the four into dist/, checked
    .venv/bin/nox -s sdists       # each sdist of dist/ installed in a fresh venv
    .venv/bin/nox -s metapackage  # pip install ./cuda_python[all] with ours, in a fresh venv
    .venv/bin/nox -s conda        # the conda recipes rendered by rattler-build, every variant
"""

import importlib.util
import pathlib
import sys

import nox

REPO = pathlib.Path(__file__).resolve().parent


def _load_toolkit():
    """ci/toolkit.py, loaded by path: nox loads this file by path and puts no folder on sys.path.

    The sessions run from the repository root (nox changes to this file's folder), so the ci
    scripts and the benchmarks they run as modules (`python -m ci.generate_versions`) import
    `from ci import toolkit` as usual.
    """
    spec = importlib.util.spec_from_file_location("toolkit", REPO / "ci" / "toolkit.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


toolkit = _load_toolkit()

nox.options.default_venv_backend = "none"
nox.options.sessions = ["lint", "tests", "docs"]

PY = sys.executable


def _package_test_dirs() -> list[str]:
    dirs = []
    for dist in toolkit.INSTALLABLE:
        tests = REPO / toolkit.PACKAGES[dist][0] / "tests"
        if tests.is_dir():
            dirs.append(str(tests))
    return dirs


@nox.session
def tests(session: nox.Session) -> None:
    """CPU tests of every package, plus the repository checks in ci/tests (one pytest run each)."""
    for tests_dir in [str(REPO / "ci" / "tests"), *_package_test_dirs()]:
        session.run(PY, "-m", "pytest", "-q", tests_dir, *session.posargs)


@nox.session
def tests_gpu(session: nox.Session) -> None:
    """The GPU-marked tests only (they skip with a reason where no GPU is present)."""
    for tests_dir in _package_test_dirs():
        # exit code 5: this package has no GPU tests
        session.run(PY, "-m", "pytest", "-q", "-m", "gpu", tests_dir, *session.posargs, success_codes=[0, 5])


@nox.session
def lint(session: nox.Session) -> None:
    """ruff, then the stubs against their modules (the stubtest session, 8 s)."""
    session.run(PY, "-m", "ruff", "check", str(REPO))
    session.run(PY, "-m", "ruff", "format", "--check", str(REPO))
    _stubtest(session)


# The .pyi stubs of the compiled modules checked against the modules (mypy's stubtest): all of
# cuda.core (whose pure-Python modules carry their annotations inline) and the Python modules of
# cuda.bindings, whose stubs the generator writes. ci/stubtest-allowlist.txt lists what is no drift.
STUBTEST_MODULES = ["cuda.core"] + [
    f"cuda.bindings.{m}"
    for m in ("nvrtc", "nvjitlink", "nvvm", "nvfatbin", "cufile", "cudla", "nvml", "driver", "runtime")
]


def _stubtest(session: nox.Session, *args: str) -> None:
    mypypath = ":".join(str(REPO / p) for p in ("cuda_core", "cuda_bindings", "cuda_pathfinder"))
    session.run(
        PY, "-m", "mypy.stubtest", *args,
        "--mypy-config-file", str(REPO / "ci" / "stubtest.ini"),
        "--allowlist", str(REPO / "ci" / "stubtest-allowlist.txt"),
        "--ignore-disjoint-bases",  # PEP 800's @disjoint_base: every cdef class would need it
        *STUBTEST_MODULES,
        env={"MYPYPATH": mypypath},
    )  # fmt: skip


@nox.session
def stubtest(session: nox.Session) -> None:
    """The stubs against their modules alone (lint runs it too); extra arguments go to stubtest."""
    _stubtest(session, *session.posargs)


@nox.session
def generate(session: nox.Session) -> None:
    """Recreate every generated file from its sources (byte for byte)."""
    session.run(PY, "-m", "ci.generate_versions")
    session.run(PY, str(REPO / "cuda_bindings" / "codegen" / "generate.py"), *session.posargs)
    # every other toolkit line, from its own header wheels (ci/line.py's venv of that line)
    default = toolkit.load()["default-toolkit"]
    for line in toolkit.toolkit_versions():
        if line != default:
            session.run(PY, "-m", "ci.line", line, "generate", *session.posargs)


@nox.session
def line(session: nox.Session) -> None:
    """Another toolkit line (e.g. `nox -s line -- 12.9`): its generated files' freshness, its
    build and our cuda_bindings tests against it (ci/line.py; minutes: the bindings compile)."""
    line = session.posargs[0] if session.posargs else "12.9"
    session.run(PY, "-m", "ci.line", line, "generate", "--check")
    session.run(PY, "-m", "ci.line", line, "build")
    session.run(PY, "-m", "ci.line", line, "test", *session.posargs[1:])


@nox.session
def compat_cpu(session: nox.Session) -> None:
    """NVIDIA's public tests (a folder fetched into .nvtests/, git-ignored) on NVIDIA's packages
    and on ours, on a machine without a GPU: NVIDIA's in .bench/nvidia-compat-venv (made on first
    use, from PyPI), ci/cpu_driver as libcuda (one emulated device whose memory is host memory;
    kernels do not run), ours from this checkout (ci/nvidia_compat.py; `-- --packages cuda_core
    -k dlpack` narrows it). `-- --line 12.9 ...` compares another toolkit line: NVIDIA's releases
    of that line in .bench/nvidia-compat-<line>-venv, ours as built for it by `python -m ci.line
    12.9 build` (or `nox -s line -- 12.9`), which this session does not repeat."""
    line, args = _line_arg(session.posargs)
    tools = ["pytest", "pytest-benchmark", "numpy", "ml_dtypes", "cloudpickle", "psutil"]
    venv_name = f"nvidia-compat-{line}-venv" if line else "nvidia-compat-venv"
    py, ours, env = _beside_nvidia_over_cpu_driver(session, venv_name, *toolkit.nvidia_releases(line), *tools,
                                                   *toolkit.wheel_requirements(line))  # fmt: skip
    if line:
        ours = _line_build(session, line)
        args = ["--line", line, *args]
    if not any(a == "--packages" for a in args):
        args = [*args, "--packages", "cuda_bindings", "cuda_core", "cuda_pathfinder"]
    out = str(REPO / ".bench" / (f"compat-cpu-{line}" if line else "compat-cpu"))
    session.run(py, str(REPO / "ci" / "nvidia_compat.py"), "--suite", str(REPO / ".nvtests"), "--ours-path", ours,
                "--out", out, "--no-examples", "--jobs", "2", *args, env=env)  # fmt: skip


def _line_build(session: nox.Session, line: str) -> str:
    """Ours built for a toolkit line (python -m ci.line LINE build), as a folder that holds only
    its `cuda` package: the line's venv also holds the test tools and the line's nvidia-* wheels."""
    major, minor = sys.version_info[:2]
    venv = REPO / ".lines" / line / f"venv-py{major}{minor}"
    built = venv / "lib" / f"python{major}.{minor}" / "site-packages" / "cuda"
    if not (built / "core").is_dir():
        session.error(f"ours is not built for {line}: run `{PY} -m ci.line {line} build` first")
    ours = REPO / ".lines" / line / "ours"
    ours.mkdir(exist_ok=True)
    link = ours / "cuda"
    if not link.is_symlink():
        link.symlink_to(built)
    return str(ours)


@nox.session
def numba_cpu(session: nox.Session) -> None:
    """numba-cuda 0.30.4's own driver tests on NVIDIA's packages and on ours over ci/cpu_driver
    (ci/numba_compat.py; `-- --suite numba.cuda.tests.cudadrv.test_events` narrows it; the cudapy
    suite needs pytest's collection, which numba's runner lacks). Its venv, .bench/numba-venv, is
    made on first use from PyPI. `-- --line 12.9 ...`: numba-cuda[cu12] on NVIDIA's 12.9 releases
    and on ours as built for that line (see compat_cpu)."""
    line, args = _line_arg(session.posargs)
    extra = f"cu{(line or toolkit.load()['default-toolkit']).split('.')[0]}"
    py, ours, env = _beside_nvidia_over_cpu_driver(
        session, f"numba-{line}-venv" if line else "numba-venv", f"numba-cuda[{extra}]==0.30.4", "numpy<2.4",
        *toolkit.nvidia_releases(line)[:2], *(toolkit.wheel_requirements(line) if line else ()),
        "pytest", "filecheck", "ml_dtypes", "cffi", "psutil",
    )  # fmt: skip
    if line:
        ours = _line_build(session, line)
    session.run(py, str(REPO / "ci" / "numba_compat.py"), "--ours-path", ours, *args, env=env)


def _line_arg(posargs: list[str]) -> tuple[str | None, list[str]]:
    """(the toolkit line of a leading `--line X`, or None; the other arguments)."""
    args = list(posargs)
    if args[:1] == ["--line"]:
        return args[1], args[2:]
    return None, args


def _beside_nvidia_over_cpu_driver(session: nox.Session, venv_name: str, *requirements: str) -> tuple[str, str, dict]:
    """(python of .bench/<venv_name>, made on first use with ``requirements``; ours as a PYTHONPATH;
    the environment that makes ci/cpu_driver, built now into .bench/cpu-driver, its libcuda)."""
    import os

    py = REPO / ".bench" / venv_name / "bin" / "python"
    if not py.exists():
        session.run(PY, "-m", "venv", str(py.parent.parent))
        session.run(str(py), "-m", "pip", "install", "-q", *requirements)
    driver = REPO / ".bench" / "cpu-driver"
    session.run(PY, str(REPO / "ci" / "cpu_driver" / "build.py"), str(driver))
    ours = os.pathsep.join(str(REPO / p) for p in ("cuda_pathfinder", "cuda_bindings", "cuda_core"))
    return str(py), ours, {"LD_LIBRARY_PATH": str(driver)}


@nox.session
def demo(session: nox.Session) -> None:
    session.run(PY, "-m", "cuda.pathfinder")
    session.run(PY, "-m", "cuda.core")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks, each beside NVIDIA's packages (in .bench/nvidia-venv, made on first use).

    The call benchmarks need a GPU; where one is present they run too and their results are
    charted (benchmarks/chart.py -> docs/_static/bench.png). Elsewhere the chart is redrawn
    from the last GPU results kept in benchmarks/results/.
    """
    session.run(PY, "-m", "pip", "install", "-q", "-r", str(REPO / "ci" / "bench-requirements.txt"))
    for name in ("pathfinder_discovery", "bindings_small_libs"):
        session.run(PY, "-m", f"benchmarks.{name}", *session.posargs)
    theirs = REPO / ".bench" / "nvidia-venv" / "bin" / "python"  # made by the scripts above
    session.run(PY, "-m", "benchmarks.binding_overhead", "--theirs-python", str(theirs))
    results = REPO / "benchmarks" / "results"
    if _has_gpu():
        import cuda.bindings

        ours = str(pathlib.Path(cuda.bindings.__file__).resolve().parents[2])
        for name in ("driver_calls", "core_calls"):
            session.run(PY, "-m", f"benchmarks.{name}", "--ours-path", ours,
                        "--theirs-python", str(theirs), "--json", str(results / f"{name}_local.json"))  # fmt: skip
    charts = sorted(results.glob("*_calls_*.json"))  # launch_floor's JSON has another shape
    if charts:
        session.run(PY, "-m", "benchmarks.chart", *map(str, charts), "-o",
                    str(REPO / "docs" / "_static" / "bench.png"))  # fmt: skip


@nox.session
def docs(session: nox.Session) -> None:
    """The documentation site, warnings as errors (CI runs it): docs/_build/html."""
    session.run(PY, "-m", "pip", "install", "-q", "-r", str(REPO / "docs" / "requirements.txt"))
    out = REPO / "docs" / "_build" / "html"
    # -E: every page read again (5 s), so a local build reports every warning, as CI does
    session.run(PY, "-m", "sphinx", "-E", "-W", "--keep-going", "-q", "-b", "html", str(REPO / "docs"), str(out))
    session.log(f"docs: {out / 'index.html'}")


@nox.session
def conda(session: nox.Session) -> None:
    """The conda recipes rendered by rattler-build for every variant (building needs conda channels)."""
    session.run(PY, "-m", "pip", "install", "-q", "-r", str(REPO / "conda" / "requirements.txt"))
    session.run(PY, "-m", "pytest", "-q", "-rs", str(REPO / "ci" / "tests" / "test_conda.py"), *session.posargs)


# Release engineering (ci/release.py): minutes each (the bindings are compiled), so not in CI.
@nox.session
def build(session: nox.Session) -> None:
    """sdists and manylinux wheels of all four into dist/ (no C sources, stripped; a compiled wheel
    per supported Python found here), sizes beside NVIDIA's."""
    session.run(PY, "-m", "pip", "install", "-q", "-r", str(REPO / "ci" / "release-requirements.txt"))
    session.run(PY, "-m", "ci.release", "build")


@nox.session
def sdists(session: nox.Session) -> None:
    """Each sdist of dist/ builds and installs in a fresh venv with PyPI's build tools only."""
    session.run(PY, "-m", "ci.release", "sdists")


@nox.session
def metapackage(session: nox.Session) -> None:
    """`pip install ./cuda_python[all]` with ours from the local folders, in a fresh venv."""
    session.run(PY, "-m", "ci.release", "metapackage")


def _has_gpu() -> bool:
    try:
        from cuda.bindings import driver

        return driver.cuInit(0)[0] == driver.CUresult.CUDA_SUCCESS and driver.cuDeviceGetCount()[1] > 0
    except Exception:
        return False
