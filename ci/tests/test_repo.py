# SPDX-License-Identifier: Apache-2.0
"""Repository-wide checks: versions, generated files, where cuda.* comes from, the README commands."""

from __future__ import annotations

import importlib
import os
import pathlib
import pkgutil
import re
import subprocess
import sys

import pytest

from ci import toolkit

REPO = pathlib.Path(__file__).resolve().parents[2]


def test_toolkit_versions_schema():
    data = toolkit.load()
    assert set(data["packages"]) == set(toolkit.PACKAGES)
    tk = toolkit.toolkit()
    assert data["default-toolkit"] in data["toolkits"]
    for name in tk["test-wheels"]:
        assert name in tk["wheels"], name
    for version in tk["wheels"].values():
        assert re.fullmatch(r"\d+(\.\d+){2,4}", version)  # CCCL: 13.3.5.0.6
    assert set(tk["metapackage"]) == {"cuda-bindings", "cuda-core", "cuda-pathfinder"}
    for name in tk["metapackage-all"]:
        assert name in tk["wheels"], name


@pytest.mark.parametrize("release", toolkit.toolkit_versions())
def test_metapackage_pins_agree_with_toolkit_versions(release):
    """Each line's cuda-python pyproject.toml (cuda_python/ for the default, cuda_python/lines/<line>/
    for another), read as pip reads it, against the yaml (not the generator)."""
    import tomllib
    from packaging.requirements import Requirement
    from packaging.version import Version

    data = toolkit.load()
    default = release == data["default-toolkit"]
    path = REPO / "cuda_python" / ("" if default else f"lines/{release}") / "pyproject.toml"
    with open(path, "rb") as f:
        project = tomllib.load(f)["project"]
    tk = toolkit.toolkit(release)
    assert project["name"] == "cuda-python"
    assert project["version"] == (data["packages"]["cuda-python"] if default else tk["cuda-bindings"])
    assert "dynamic" not in project
    deps = {r.name: r for r in map(Requirement, project["dependencies"])}
    assert {name: str(r.specifier) for name, r in deps.items()} == {
        name: str(Requirement(name + spec).specifier) for name, spec in tk["metapackage"].items()
    }
    # Every pin admits the version of that package this repository builds (for the line).
    for name, req in deps.items():
        built = tk["cuda-bindings"] if name == "cuda-bindings" else data["packages"][name]
        assert Version(built) in req.specifier, (name, req)
    # cuda-bindings follows the toolkit release: its pin admits the release's cuda-bindings only.
    assert Version(tk["cuda-bindings"]) in deps["cuda-bindings"].specifier
    major, minor = map(int, release.split("."))
    assert Version(f"{major}.{minor + 1}.0") not in deps["cuda-bindings"].specifier
    extra = {r.name: r for r in map(Requirement, project["optional-dependencies"]["all"])}
    assert list(extra) == tk["metapackage-all"]
    for name, req in extra.items():
        assert Version(tk["wheels"][name]) in req.specifier, req
        assert Version(f"{major}.{minor + 1}.0") not in req.specifier, req
    assert project["optional-dependencies"].keys() == {"all"}


def test_generated_version_files_are_current():
    proc = subprocess.run(
        [sys.executable, "-m", "ci.generate_versions", "--check"], cwd=REPO, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_package_versions_match_toolkit_versions():
    for dist in toolkit.INSTALLABLE:
        package = toolkit.PACKAGES[dist][1]
        assert importlib.import_module(package).__version__ == toolkit.package_version(dist)


def test_every_cuda_module_comes_from_this_repository():
    """NVIDIA's packages have the same names; an install step must never have taken theirs."""
    import cuda

    assert not hasattr(cuda, "__file__") or cuda.__file__ is None  # a namespace package
    for dist in toolkit.INSTALLABLE:
        package = importlib.import_module(toolkit.PACKAGES[dist][1])
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if info.name.endswith("__main__"):
                continue
            module = importlib.import_module(info.name)
            path = pathlib.Path(module.__file__).resolve()
            assert REPO in path.parents, f"{info.name} comes from {path}"


def test_ci_runs_the_readme_commands():
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci/run").read_text()
    commands = re.findall(r"^    (\S.*)$", readme.split("## Quick start", 1)[1].split("##", 1)[0], re.M)
    assert len(commands) == 2, commands
    for command in commands:
        assert command in ci, command
    assert os.access(REPO / ".ci/run", os.X_OK)


_SPDX = "SPDX-License-Identifier: Apache-2.0"


def test_license_text_ships_with_every_distribution():
    """Apache-2.0 in full at the root and in each distribution, declared for its wheel and sdist."""
    text = (REPO / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text and "END OF TERMS AND CONDITIONS" in text
    for folder in ("cuda_pathfinder", "cuda_bindings", "cuda_core", "cuda_python"):
        assert (REPO / folder / "LICENSE").read_text() == text, folder
        pyproject = (REPO / folder / "pyproject.toml").read_text()
        assert 'license = "Apache-2.0"' in pyproject and 'license-files = ["LICENSE"]' in pyproject, folder
    for recipe in (REPO / "conda").glob("*/recipe.yaml"):
        assert "license_file: LICENSE" in recipe.read_text(), recipe


def test_every_source_file_names_its_license():
    """An SPDX line near the top of every tracked source file, hand-written or generated."""
    tracked = subprocess.check_output(["git", "ls-files"], cwd=REPO, text=True).split()
    sources = [f for f in tracked if f.endswith((".py", ".pyx", ".pxd", ".pyi", ".pxi", ".sh", ".c", ".h"))]
    sources.append(".ci/run")
    missing = [f for f in sources if _SPDX not in "".join((REPO / f).read_text().splitlines(keepends=True)[:3])]
    assert len(sources) > 200 and missing == []


def test_extras_nvidia_users_write():
    """cuda-bindings[all] pins what the metapackage's `all` pins; cuda-core[cu13] brings them."""
    import tomllib
    from packaging.requirements import Requirement

    def extras(folder):
        with open(REPO / folder / "pyproject.toml", "rb") as f:
            return tomllib.load(f)["project"]["optional-dependencies"]

    bindings_all = [Requirement(r) for r in extras("cuda_bindings")["all"]]
    meta_all = [Requirement(r) for r in extras("cuda_python")["all"]]
    assert [(r.name, str(r.specifier)) for r in bindings_all] == [(r.name, str(r.specifier)) for r in meta_all]
    (core,) = [Requirement(r) for r in extras("cuda_core")["cu13"]]
    assert core.name == "cuda-bindings" and core.extras == {"all"}
    assert toolkit.package_version("cuda-bindings") in core.specifier
