# SPDX-License-Identifier: Apache-2.0
"""Build the Cython extensions of cuda-core.

They cimport the C level of cuda.bindings (cydriver, cyruntime, ...), so cuda-bindings
from this repository must be installed first (ci/install.py does it in one pip command,
without build isolation: an isolated build would take NVIDIA's cuda-bindings from PyPI).
The C compiler needs the same CUDA headers as cuda-bindings (cuda.h at least).
"""

import glob
import os
import sys

from setuptools import Extension, setup

# CUDA_CORE_MODULES=_stream,_event builds only those (a quick rebuild while working on one module).
ONLY = {m for m in os.environ.get("CUDA_CORE_MODULES", "").split(",") if m}


def include_dirs() -> list[str]:
    dirs = []
    try:
        try:
            from cuda.pathfinder import find_nvidia_header_directory
        except ImportError:  # built in the same pip command as cuda-pathfinder: use the sibling
            # (this sys.path edit stays: pip builds every package of that command before it
            # installs any, so on a fresh venv cuda.pathfinder is not importable yet)
            sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cuda_pathfinder"))
            from cuda.pathfinder import find_nvidia_header_directory

        for name in ("cudart", "nvrtc"):
            path = find_nvidia_header_directory(name)
            if path and path not in dirs:
                dirs.append(path)
    except ImportError:
        pass
    home = os.environ.get("CUDA_PATH") or os.environ.get("CUDA_HOME")
    if home and os.path.isfile(os.path.join(home, "include", "cuda.h")):
        dirs.append(os.path.join(home, "include"))
    if not any(os.path.isfile(os.path.join(d, "cuda.h")) for d in dirs):
        sys.exit(
            "cuda-core needs cuda.h to build: install nvidia-cuda-runtime (pinned in "
            "toolkit-versions.yaml), or set CUDA_HOME to a CUDA Toolkit."
        )
    return dirs


def bindings_pxd_root() -> str:
    """The folder holding cuda/bindings/*.pxd: ours, installed or the sibling checkout."""
    sibling = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cuda_bindings")
    try:
        import cuda.bindings

        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(cuda.bindings.__file__))))
    except ImportError:
        root = os.path.abspath(sibling)
    if not os.path.isfile(os.path.join(root, "cuda", "bindings", "cydriver.pxd")):
        sys.exit(f"cuda-core cimports cuda.bindings: no cuda/bindings/cydriver.pxd under {root}")
    return root


def extensions() -> list[Extension]:
    from Cython.Build import cythonize

    here = os.path.dirname(os.path.abspath(__file__))
    sources = sorted(glob.glob(os.path.join("cuda", "core", "**", "*.pyx"), recursive=True, root_dir=here))
    if ONLY:
        sources = [s for s in sources if os.path.basename(s)[:-4] in ONLY]
    if not sources:
        return []
    incs = include_dirs()
    exts = [
        Extension(
            src[:-4].replace(os.sep, "."),
            [src],
            include_dirs=incs,
            extra_compile_args=["-O2", "-g0", "-Wno-unused-function"],
            extra_link_args=["-s"],
        )
        for src in sources
    ]
    return cythonize(
        exts,
        language_level=3,
        include_path=[here, bindings_pxd_root()],  # here: our own .pxd files (cuda/ has no __init__)
        nthreads=os.cpu_count() or 1,
        compiler_directives={"embedsignature": True, "binding": True},
    )


setup(ext_modules=extensions())
