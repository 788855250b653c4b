# SPDX-License-Identifier: Apache-2.0
"""Install this repository's packages and the test wheels into the running Python.

Called by ci/bootstrap.py inside .venv (`python -m ci.install`, from the repository root);
safe to run again after edits.
"""

import subprocess
import sys

from ci import toolkit


def main() -> None:
    folders = [str(toolkit.REPO / toolkit.PACKAGES[d][0]) for d in toolkit.INSTALLABLE]
    pip = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    # One command naming every local package: pip resolves them to these folders,
    # never to NVIDIA's distributions of the same names on the index.
    # The header wheels first: cuda_bindings compiles against them.
    subprocess.check_call([*pip, *toolkit.wheel_requirements()])
    editable = [arg for folder in folders for arg in ("-e", folder)]
    # No build isolation: an isolated build would take cuda-pathfinder from PyPI
    # (NVIDIA's); the build tools are in this environment (ci/requirements.txt).
    subprocess.check_call([*pip, "--no-build-isolation", *editable])


if __name__ == "__main__":
    main()
