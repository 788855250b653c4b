# SPDX-License-Identifier: Apache-2.0
"""The CUDA release these bindings are generated from (toolkit-versions.yaml's default-toolkit,
or CUDA_PYTHON_LINE for a build of another line, as `python -m ci.line 12.9 test` runs them), and
the versions its libraries report: what the version tests expect."""

from __future__ import annotations

import functools
import os
import pathlib
import re

import yaml

_VERSIONS = yaml.safe_load((pathlib.Path(__file__).resolve().parents[2] / "toolkit-versions.yaml").read_text())
RELEASE: str = os.environ.get("CUDA_PYTHON_LINE") or _VERSIONS["default-toolkit"]  # "13.5"
MAJOR, MINOR = (int(part) for part in RELEASE.split("."))
CUDA_VERSION = MAJOR * 1000 + MINOR * 10  # 13050, as CUDA_VERSION and cudaRuntimeGetVersion say it


def ptx_isa(major: int, minor: int) -> str:
    """The PTX ISA that nvrtc of CUDA major.minor writes: 13.x writes 9.x; 12.6 wrote 8.5, so 12.9 8.8."""
    return f"{major - 4}.{minor}" if major >= 13 else f"{major - 4}.{minor - 1}"


PTX_ISA = ptx_isa(MAJOR, MINOR)

# The generator's model of this line's headers (codegen/api/<lib>.json and what the Python
# modules leave out): the default line's in codegen/api, another's in lines/<release>/codegen/api.
_BINDINGS = pathlib.Path(__file__).resolve().parents[1]
DEFAULT: bool = RELEASE == _VERSIONS["default-toolkit"]
API = _BINDINGS / "codegen" / "api" if DEFAULT else _BINDINGS / "lines" / RELEASE / "codegen" / "api"


def header_wheels_differ(*names: str) -> str | None:
    """Why this environment's CUDA header wheels (``names``; by default the runtime's and NVRTC's)
    are not this line's pinned ones (so tests that compare the build with the headers must skip: a
    12.9 build beside 13.x headers, on the GPU machine say), or None when they are."""
    from importlib import metadata

    pins = _VERSIONS["toolkits"][RELEASE]["wheels"]
    suffix = "-cu12" if MAJOR == 12 else ""
    names = names or (f"nvidia-cuda-runtime{suffix}", f"nvidia-cuda-nvrtc{suffix}")
    for name in names:
        try:
            found = metadata.version(name)
        except metadata.PackageNotFoundError:
            found = None
        if found != pins.get(name):
            return f"the CUDA {RELEASE} line's {name}=={pins.get(name)} is not installed here (found {found})"
    return None


def headers_release(include: str) -> int | None:
    """CUDA_VERSION of the cuda.h in ``include`` (13050 for 13.5), or None without one."""
    path = pathlib.Path(include) / "cuda.h"
    if not path.exists():
        return None
    for line in path.read_text(errors="replace").splitlines():
        if line.startswith("#define CUDA_VERSION "):
            return int(line.split()[2])
    return None


def api_file(name: str) -> pathlib.Path:
    """A file of the line's model: its own, or the default line's where they are the same (a line
    keeps only the generated files that differ)."""
    own = API / name
    return own if own.exists() else _BINDINGS / "codegen" / "api" / name


# NVIDIA's public names of the cuda-bindings release of this line (ci/reference): api-names.json is
# the 13.0.3 target, api-names-<release>.json the newest release of a line where there is one.
_REFERENCES = pathlib.Path(__file__).resolve().parents[2] / "ci" / "reference"
REFERENCE = _REFERENCES / f"api-names-{RELEASE}.json"
if not REFERENCE.exists():
    REFERENCE = _REFERENCES / "api-names.json"


@functools.cache
def library_release(libname: str) -> tuple[int, int]:
    """(major, minor) of the ``libname`` library the bindings load here: the version of the nvidia-*
    wheel that holds it (the GPU machine's image has CUDA 13.0 wheels under a 13.5 build: the
    library, not the build, says which it is), else the release in its file name, else the line's."""
    from importlib import metadata

    from cuda.pathfinder import load_nvidia_dynamic_lib

    path = os.path.realpath(load_nvidia_dynamic_lib(libname).abs_path)
    for dist in metadata.distributions():
        if not (dist.metadata["Name"] or "").lower().startswith("nvidia-"):
            continue
        for file in dist.files or ():
            if file.name.startswith("lib") and os.path.realpath(dist.locate_file(file)) == path:
                major, minor = dist.version.split(".")[:2]
                return int(major), int(minor)
    # a toolkit's copy (the GPU image's nvfatbin): its file name carries the release, libX.so.13.0.88
    found = re.search(r"\.so\.(\d+)\.(\d+)", os.path.basename(path))
    if found:
        return int(found[1]), int(found[2])
    return MAJOR, MINOR


def as_in_13(module, name: str):
    """``module.name`` with the parameters it has on the 13.x line: on the 12.9 line that is the
    newest ``_vN`` twin (cuGraphAddNode_v2 takes edge data, as 13.x's cuGraphAddNode does)."""
    if MAJOR >= 13:
        return getattr(module, name)
    for k in (4, 3, 2):
        twin = getattr(module, f"{name}_v{k}", None)
        if twin is not None:
            return twin
    return getattr(module, name)
