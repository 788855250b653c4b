# SPDX-License-Identifier: Apache-2.0
"""The README's example runs as written (on a GPU)."""

from __future__ import annotations

import pathlib
import re

import pytest

pytestmark = pytest.mark.gpu

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example_runs():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks, "the README has no python example"
    exec(compile(blocks[0], str(README), "exec"), {})
