# SPDX-License-Identifier: Apache-2.0
"""The CUDA release these bindings are generated from (toolkit-versions.yaml's default-toolkit),
and the versions its libraries report: what the version tests expect."""

from __future__ import annotations

import pathlib

import yaml

_VERSIONS = yaml.safe_load((pathlib.Path(__file__).resolve().parents[2] / "toolkit-versions.yaml").read_text())
RELEASE: str = _VERSIONS["default-toolkit"]  # "13.5"
MAJOR, MINOR = (int(part) for part in RELEASE.split("."))
CUDA_VERSION = MAJOR * 1000 + MINOR * 10  # 13050, as CUDA_VERSION and cudaRuntimeGetVersion say it
PTX_ISA = f"{MAJOR - 4}.{MINOR}"  # the PTX ISA its nvrtc writes: 13.x writes 9.x

# NVIDIA's public names of the cuda-bindings release of this line (ci/reference): api-names.json is
# the 13.0.3 target, api-names-<release>.json the newest release of a line where there is one.
_REFERENCES = pathlib.Path(__file__).resolve().parents[2] / "ci" / "reference"
REFERENCE = _REFERENCES / f"api-names-{RELEASE}.json"
if not REFERENCE.exists():
    REFERENCE = _REFERENCES / "api-names.json"
