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
