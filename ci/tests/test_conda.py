# SPDX-License-Identifier: Apache-2.0
"""The conda recipes (conda/<package>/recipe.yaml) and their variants (conda/variants.yaml).

Building them needs conda channels, which this project's machines do not reach; these tests
check what can be checked without: the recipes' structure and Jinja variables here (always,
plain YAML), and a full render of every variant with rattler-build's own library where it is
installed (`nox -s conda` installs it: conda/requirements.txt; CI does not, to stay fast).
"""

from __future__ import annotations

import pathlib
import re

import pytest
import yaml

from ci import toolkit

REPO = pathlib.Path(__file__).resolve().parents[2]

CONDA = REPO / "conda"
RECIPES = sorted(CONDA.glob("*/recipe.yaml"))
COMPILED = {"cuda-bindings", "cuda-core"}  # one package per toolkit release and Python version
PLATFORMS = ("linux-64", "linux-aarch64")

# What rattler-build's recipe format (schema v1) allows, and the names its Jinja defines.
TOP_KEYS = {"schema_version", "context", "recipe", "package", "source", "build", "requirements", "tests", "about"}
TOP_KEYS |= {"extra"}
BUILD_KEYS = {"number", "string", "skip", "noarch", "script", "python", "dynamic_linking", "files", "variant"}
REQUIREMENT_KEYS = {"build", "host", "run", "run_constraints", "run_exports", "ignore_run_exports"}
TEST_KINDS = {"python", "script", "requirements", "files", "package_contents", "downstream"}
ABOUT_KEYS = {"homepage", "repository", "documentation", "license", "license_file", "summary", "description"}
JINJA_GLOBALS = {
    "PYTHON", "compiler", "stdlib", "cdt", "pin_subpackage", "pin_compatible", "match", "env",
    "target_platform", "build_platform", "host_platform", "linux", "osx", "win", "unix",
    "x86_64", "aarch64", "arm64", "ppc64le", "true", "false", "none", "int", "split",
}  # fmt: skip
EXPR = re.compile(r"\$\{\{(.*?)\}\}")


def _variants() -> dict:
    with open(CONDA / "variants.yaml", encoding="utf-8") as f:
        return yaml.safe_load(f)


def _recipe(path: pathlib.Path) -> dict:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def _names(expression: str) -> set[str]:
    """Identifiers an expression reads (string literals and attribute names left out)."""
    expression = re.sub(r"\"[^\"]*\"|'[^']*'", "", expression)
    names = {m.group(1) for m in re.finditer(r"(?<![.\w])([A-Za-z_]\w*)", expression)}
    return names - {"if", "else", "and", "or", "not"}


def test_one_recipe_per_distribution():
    assert sorted(p.parent.name for p in RECIPES) == sorted(toolkit.PACKAGES)


def test_variants_follow_toolkit_versions():
    variants = _variants()
    releases = toolkit.toolkit_versions()
    assert variants["cuda_version"] == releases  # one variant per toolkit release
    assert variants["cuda_bindings_version"] == [toolkit.toolkit(r)["cuda-bindings"] for r in releases]
    for dist in ("cuda-bindings", "cuda-core", "cuda-pathfinder"):
        assert variants[f"{dist.replace('-', '_')}_pin"] == [toolkit.toolkit(r)["metapackage"][dist] for r in releases]
    assert variants["cuda_core_version"] == [toolkit.package_version("cuda-core")]
    assert variants["cuda_pathfinder_version"] == [toolkit.package_version("cuda-pathfinder")]
    default = releases.index(toolkit.load()["default-toolkit"])
    assert variants["cuda_python_version"][default] == toolkit.package_version("cuda-python")
    zipped = variants["zip_keys"][0]
    assert "cuda_version" in zipped
    assert len({len(variants[key]) for key in zipped}) == 1, "zip_keys lists must have one value per release"


@pytest.mark.parametrize("path", RECIPES, ids=lambda p: p.parent.name)
def test_recipe_structure_and_variables(path):
    recipe = _recipe(path)
    dist = path.parent.name
    assert set(recipe) <= TOP_KEYS, set(recipe) - TOP_KEYS
    assert recipe["package"]["name"] == dist
    assert set(recipe["build"]) <= BUILD_KEYS, set(recipe["build"]) - BUILD_KEYS
    assert isinstance(recipe["build"]["number"], int)
    assert set(recipe["requirements"]) <= REQUIREMENT_KEYS
    assert set(recipe["about"]) <= ABOUT_KEYS and recipe["about"]["license"] == "Apache-2.0"
    for test in recipe["tests"]:
        assert set(test) <= TEST_KINDS, test
    folder = toolkit.PACKAGES[dist][0]
    if dist == "cuda-python":
        assert "source" not in recipe and recipe["build"]["noarch"] == "generic"  # no code
    else:
        assert (path.parent / recipe["source"]["path"]).resolve() == REPO / folder
        package = toolkit.PACKAGES[dist][1]
        imports = [name for test in recipe["tests"] for name in test.get("python", {}).get("imports", [])]
        assert any(name == package or name.startswith(package + ".") for name in imports), imports
    if dist in COMPILED:
        assert "noarch" not in recipe["build"]
        assert any("compiler(" in s for s in _strings(recipe["requirements"]["build"]))
    # Every Jinja variable is the recipe's context, a variant key or one of rattler-build's.
    defined = set(recipe.get("context", {})) | set(_variants()) | JINJA_GLOBALS
    expressions = [e for s in _strings(recipe) for e in EXPR.findall(s)]
    assert expressions
    for expression in expressions:
        assert _names(expression) <= defined, (expression, _names(expression) - defined)
    # The version comes from variants.yaml (so from toolkit-versions.yaml), never written here.
    assert EXPR.fullmatch(str(recipe["package"]["version"]))
    assert re.fullmatch(r"\$\{\{ *\w+_version *\}\}", str(recipe["context"]["version"]))


def _expected_variants(dist: str) -> int:
    releases = len(toolkit.toolkit_versions())
    if dist in COMPILED:
        return releases * len(toolkit.load()["python-versions"])
    return 1 if dist == "cuda-pathfinder" else releases


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("path", RECIPES, ids=lambda p: p.parent.name)
def test_recipe_renders_every_variant(path, platform):
    """rattler-build renders the recipe for each toolkit release (and Python, where compiled)."""
    rb = pytest.importorskip("rattler_build", reason="py-rattler-build is not installed (nox -s conda)")
    config = rb.VariantConfig.from_file(str(CONDA / "variants.yaml"))
    render = rb.RenderConfig(platform=rb.PlatformConfig(target_platform=platform))
    rendered = rb.Stage0Recipe.from_file(str(path)).render(config, render)
    dist = path.parent.name
    assert len(rendered) == _expected_variants(dist)
    releases = toolkit.toolkit_versions()
    for variant in rendered:
        recipe = variant.recipe.to_dict()
        assert recipe["package"]["name"] == dist
        release = variant.variant.get("cuda_version", toolkit.load()["default-toolkit"])
        assert release in releases
        tk = toolkit.toolkit(release)
        version = {
            "cuda-bindings": tk["cuda-bindings"],
            "cuda-python": tk["cuda-bindings"],
            "cuda-core": toolkit.package_version("cuda-core"),
            "cuda-pathfinder": toolkit.package_version("cuda-pathfinder"),
        }[dist]
        assert recipe["package"]["version"] == version
        run = recipe["requirements"]["run"]
        if dist == "cuda-python":
            for name, spec in tk["metapackage"].items():
                assert f"{name} {spec}" in run, (name, run)
        if dist in COMPILED:
            assert f"cuda-version >={release},<{int(release.split('.')[0]) + 1}" in run, run
            assert variant.variant["target_platform"] == platform
