# SPDX-License-Identifier: Apache-2.0
"""Command-line flags of the examples: ``help``, ``device= 1`` or ``device=1``."""

from __future__ import annotations

import sys


def _value_of(name: str) -> str | None:
    """The text given for ``name`` in ``sys.argv[1:]``: "" when the flag stands alone, None when absent."""
    args = sys.argv[1:]
    for i, arg in enumerate(args):
        if arg == name:
            return args[i + 1] if i + 1 < len(args) else ""
        if name.endswith("=") and arg.startswith(name):
            return arg[len(name) :]
    return None


def check_cmd_line_flag(name: str) -> bool:
    """Whether ``name`` was given on the command line (``sys.argv[0]`` is not looked at)."""
    return _value_of(name) is not None


def get_cmd_line_argument_int(name: str) -> int:
    """The integer given for ``name`` (``device= 3`` or ``device=3``), or 0 when there is none.

    Raises
    ------
    ValueError
        The text given for ``name`` is not an integer.
    """
    text = _value_of(name)
    if not text:
        return 0
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"command-line flag {name!r} needs an integer, got {text!r}") from None
