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
    install_header_wheels(pip)
    editable = [arg for folder in folders for arg in ("-e", folder)]
    # No build isolation: an isolated build would take cuda-pathfinder from PyPI
    # (NVIDIA's); the build tools are in this environment (ci/requirements.txt).
    subprocess.check_call([*pip, "--no-build-isolation", *editable])


def install_header_wheels(pip: list[str]) -> None:
    """The wheels of toolkit-versions.yaml's header-wheels: installed where pip can, else (cuDLA
    is aarch64-only) only the headers of their wheel for aarch64, unpacked where pip would put
    them, so that the generator and the build find them as usual."""
    import pathlib
    import sysconfig
    import tempfile
    import zipfile

    site = pathlib.Path(sysconfig.get_paths()["purelib"])
    for name, pin in toolkit.toolkit().get("header-wheels", {}).items():
        if subprocess.call([*pip, f"{name}=={pin}"], stderr=subprocess.DEVNULL) == 0:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            download = [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:"]
            platform = ["--platform", "manylinux2014_aarch64", "--platform", "manylinux_2_28_aarch64"]
            subprocess.check_call([*download, *platform, "-d", tmp, f"{name}=={pin}"])
            (wheel,) = pathlib.Path(tmp).glob("*.whl")
            with zipfile.ZipFile(wheel) as zf:
                headers = [n for n in zf.namelist() if "/include/" in n and not n.endswith("/")]
                zf.extractall(site, members=headers)
        print(f"{name} {pin}: no wheel for this platform; its headers are in {site}")


if __name__ == "__main__":
    main()
