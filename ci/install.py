"""Install this repository's packages and the test wheels into the running Python.

Called by ci/bootstrap.py inside .venv; safe to run again after edits.
"""

import subprocess
import sys

import toolkit


def main() -> None:
    folders = [str(toolkit.REPO / toolkit.PACKAGES[d][0]) for d in toolkit.INSTALLABLE]
    pip = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    # One command naming every local package: pip resolves them to these folders,
    # never to NVIDIA's distributions of the same names on the index.
    editable = [arg for folder in folders for arg in ("-e", folder)]
    subprocess.check_call([*pip, *editable])
    subprocess.check_call([*pip, *toolkit.test_wheel_requirements()])


if __name__ == "__main__":
    main()
