# SPDX-License-Identifier: Apache-2.0
"""Build the Cython extensions of cuda-bindings.

The C compiler needs the CUDA headers (nothing else of a toolkit: the libraries
are loaded at run time). They come from the nvidia-* wheels found by
cuda.pathfinder, or from CUDA_HOME/CUDA_PATH.
"""

import glob
import os
import shutil
import sys

from setuptools import Extension, setup

# cuda.pathfinder header names -> the wheel that carries them (pinned in toolkit-versions.yaml).
HEADERS = {
    "nvrtc": "nvidia-cuda-nvrtc",
    "nvjitlink": "nvidia-nvjitlink",
    "nvvm": "nvidia-nvvm",
    "nvfatbin": "nvidia-nvfatbin",
    "cufile": "nvidia-cufile",
}


# Headers other headers include, in their own folders in the 12.x wheels (nvidia/<component>/
# include; the 13.x wheels have one folder): cuda.h, crt/, cudaProfiler.h, nvml.h, cudla.h.
ALSO = ("cudart", "nvcc", "profiler", "nvml", "cudla")


def include_dirs() -> list[str]:
    found, missing = [], []
    try:
        from cuda.pathfinder import find_nvidia_header_directory
    except ImportError:
        # Built together with cuda-pathfinder from this repository (one pip command):
        # use the sibling folder's, never one from PyPI. This sys.path edit stays: pip builds
        # every package of ci/install.py's command before it installs any, so on a fresh venv
        # cuda.pathfinder is not importable yet.
        sibling = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cuda_pathfinder")
        if os.path.isdir(os.path.join(sibling, "cuda", "pathfinder")):
            sys.path.insert(0, os.path.abspath(sibling))
        try:
            from cuda.pathfinder import find_nvidia_header_directory
        except ImportError:
            find_nvidia_header_directory = None
    home = os.environ.get("CUDA_PATH") or os.environ.get("CUDA_HOME")
    for name, wheel in HEADERS.items():
        path = find_nvidia_header_directory(name) if find_nvidia_header_directory else None
        if path is None and home:
            for sub in ("include", "nvvm/include"):
                if glob.glob(os.path.join(home, sub, "*")) and _has(os.path.join(home, sub), name):
                    path = os.path.join(home, sub)
        if path is None:
            missing.append(wheel)
        elif path not in found:
            found.append(path)
    for name in ALSO if find_nvidia_header_directory else ():
        path = find_nvidia_header_directory(name)
        if path and path not in found:
            found.append(path)
    if missing:
        sys.exit(
            "cuda-bindings needs the CUDA headers to build, and these were not found: "
            + ", ".join(missing)
            + ".\nInstall them with `pip install "
            + " ".join(missing)
            + "` (the versions pinned in "
            "toolkit-versions.yaml), or set CUDA_HOME to a CUDA Toolkit."
        )
    return found


def _has(directory: str, name: str) -> bool:
    markers = {"nvrtc": "nvrtc.h", "nvjitlink": "nvJitLink.h", "nvvm": "nvvm.h", "nvfatbin": "nvFatbin.h"}
    marker = markers.get(name, f"{name}.h")  # cufile.h
    return os.path.isfile(os.path.join(directory, marker))


def apply_line(here: str) -> None:
    """CUDA_PYTHON_LINE=12.9 builds that toolkit line: its generated files (lines/12.9/) replace
    the default line's in this tree, and the modules it lacks (absent.txt) are left out. This
    rewrites the tree it builds, so it runs on a copy: `python -m ci.line 12.9 build` makes one,
    and a conda build works in its own copy of the sources."""
    line = os.environ.get("CUDA_PYTHON_LINE")
    root = os.path.join(here, "lines", line or "")
    if not line or not os.path.isdir(root):
        with open(os.path.join(here, "cuda", "bindings", "_version.py"), encoding="utf-8") as f:
            default = f.read()
        if line and f'"{line}.' not in default:
            lines = (
                sorted(os.listdir(os.path.join(here, "lines"))) if os.path.isdir(os.path.join(here, "lines")) else []
            )
            sys.exit(f"CUDA_PYTHON_LINE={line}: no such toolkit line here (the default, or one of {lines})")
        return  # the default line: the tree as it is
    if os.path.isdir(os.path.join(here, "..", ".git")):
        sys.exit(f"CUDA_PYTHON_LINE={line} would rewrite this checkout: build a copy (python -m ci.line {line} build)")
    for folder, _, names in os.walk(os.path.join(root, "cuda")):
        target = os.path.join(here, os.path.relpath(folder, root))
        os.makedirs(target, exist_ok=True)
        for name in names:
            shutil.copyfile(os.path.join(folder, name), os.path.join(target, name))  # new mtimes: recompiled
    with open(os.path.join(root, "absent.txt"), encoding="utf-8") as f:
        for rel in (line.strip() for line in f if line.strip() and not line.startswith("#")):
            for path in (rel, rel[: -len(".pyx")] + ".c" if rel.endswith(".pyx") else None):
                if path and os.path.exists(os.path.join(here, path)):
                    os.remove(os.path.join(here, path))


def extensions() -> list[Extension]:
    from Cython.Build import cythonize

    here = os.path.dirname(os.path.abspath(__file__))
    apply_line(here)
    sources = sorted(glob.glob(os.path.join("cuda", "bindings", "**", "*.pyx"), recursive=True, root_dir=here))
    incs = include_dirs()
    exts = [
        Extension(
            src[:-4].replace(os.sep, "."),
            [src],
            include_dirs=incs,
            extra_compile_args=["-O2", "-g0", "-Wno-unused-function"],  # no debug info: faster builds
            extra_link_args=["-s"],  # stripped: the symbols are Cython's, not useful to users
        )
        for src in sources
    ]
    return cythonize(
        exts,
        nthreads=os.cpu_count() or 1,
        language_level=3,
        # auto_pickle off: no pickling stubs in each of the hundreds of struct classes (import memory)
        compiler_directives={"embedsignature": True, "binding": True, "auto_pickle": False},
    )


setup(ext_modules=extensions())
