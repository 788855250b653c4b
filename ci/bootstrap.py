# SPDX-License-Identifier: Apache-2.0
"""Set up a fresh machine: one command, from the repository root.

    python3 ci/bootstrap.py

Creates .venv (Python 3.11+), installs the tools, every package of this
repository from its local folder (one pip command, so pip never takes NVIDIA's
packages of the same names from the index), the nvidia-* wheels the tests use
(pinned in toolkit-versions.yaml), then runs the demos (cuda.pathfinder, cuda.core).
"""

import os
import pathlib
import subprocess
import sys
import venv

REPO = pathlib.Path(__file__).resolve().parent.parent
VENV = REPO / ".venv"


def main() -> int:
    if sys.version_info < (3, 11):
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}")
    py = VENV / "bin" / "python"
    if not py.exists():
        print(f"creating {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    pip = [str(py), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.check_call([*pip, "-r", str(REPO / "ci" / "requirements.txt")])
    # The rest needs PyYAML, which now lives in the venv.
    subprocess.check_call([str(py), "-m", "ci.install"], cwd=REPO)
    env = dict(os.environ, PYTHONNOUSERSITE="1")
    status = 0
    for demo in ("cuda.pathfinder", "cuda.core"):
        print(f"\n$ python -m {demo}", flush=True)
        status = status or subprocess.call([str(py), "-m", demo], env=env)
    return status


if __name__ == "__main__":
    sys.exit(main())
