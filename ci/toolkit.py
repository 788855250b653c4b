# SPDX-License-Identifier: Apache-2.0
"""Read toolkit-versions.yaml: the one source of truth for versions.

Used by the noxfile, ci/ scripts and tests. Needs PyYAML (in ci/requirements.txt).
"""

from __future__ import annotations

import functools
import pathlib

import yaml

REPO = pathlib.Path(__file__).resolve().parent.parent
VERSIONS_FILE = REPO / "toolkit-versions.yaml"

# distribution name -> (folder, import package) for every package of the monorepo
PACKAGES = {
    "cuda-pathfinder": ("cuda_pathfinder", "cuda.pathfinder"),
    "cuda-bindings": ("cuda_bindings", "cuda.bindings"),
    "cuda-core": ("cuda_core", "cuda.core"),
    "cuda-python": ("cuda_python", None),
}

# The packages that hold code today, in install order.
# Later issues add cuda-bindings and cuda-core here once they have code.
INSTALLABLE = ["cuda-pathfinder", "cuda-bindings", "cuda-core"]

# Every distribution `nox -s build` makes, in build order. cuda-python is not INSTALLABLE: the
# editable dev install has no use for a package without code, and pip must never resolve it
# alone (its dependencies would come from the index: NVIDIA's packages of the same names).
BUILDABLE = [*INSTALLABLE, "cuda-python"]


@functools.cache
def load() -> dict:
    with open(VERSIONS_FILE, encoding="utf-8") as f:
        return yaml.safe_load(f)


def package_version(dist: str) -> str:
    return load()["packages"][dist]


def toolkit(version: str | None = None) -> dict:
    data = load()
    return data["toolkits"][version or data["default-toolkit"]]


def wheel_requirements(version: str | None = None) -> list[str]:
    """Pinned requirements of every nvidia-* wheel of a toolkit release."""
    return [f"{name}=={pin}" for name, pin in toolkit(version)["wheels"].items()]


def nvidia_releases(version: str | None = None) -> list[str]:
    """NVIDIA's releases that ours stands in for on a toolkit line, for the compatibility runs that
    install NVIDIA's themselves (nox -s compat_cpu, numba_cpu; NVIDIA=1 on the GPU machine): the
    line's cuda-bindings, and the cuda-core and cuda-pathfinder releases ours match (one for every
    line, as NVIDIA's)."""
    return [
        f"cuda-bindings=={toolkit(version)['cuda-bindings']}",
        f"cuda-core=={package_version('cuda-core')}",
        f"cuda-pathfinder=={package_version('cuda-pathfinder')}",
    ]


def toolkit_versions() -> list[str]:
    """Every supported toolkit release ("13.0", ...), as listed in the file."""
    return list(load()["toolkits"])


def metapackage_requirements(version: str | None = None) -> list[str]:
    """The cuda-python metapackage's dependencies for a toolkit release."""
    return [f"{name}{spec}" for name, spec in toolkit(version)["metapackage"].items()]


def metapackage_all_extra(version: str | None = None) -> list[str]:
    """The `all` extra: the runtime wheels of the release, that version or a later bug fix (~=)."""
    tk = toolkit(version)
    return [f"{name}~={tk['wheels'][name]}" for name in tk["metapackage-all"]]
