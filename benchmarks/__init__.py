# SPDX-License-Identifier: Apache-2.0
"""Benchmarks of our stack beside NVIDIA's packages (README.md lists them).

Each runs as a module from the repository root (`.venv/bin/python -m benchmarks.imports ...`),
which puts the root on sys.path for `benchmarks._common` and `ci.toolkit`. The processes that
measure a stack (_driver_child.py, _core_child.py, the floors' children) run by path instead,
with only that stack and this folder on sys.path, and import `_common` by its bare name.
"""
