# SPDX-License-Identifier: Apache-2.0
"""Reading a yes/no setting from the environment, the same way wherever the packages read one."""

from __future__ import annotations

import os

_WORDS = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}


def envvar_bool(name: str, default: bool = False) -> bool:
    """The environment variable ``name`` as a bool.

    Unset, empty or only blanks: ``default``. The words 1/true/yes/on and 0/false/no/off in any
    case; another integer (any base Python reads with prefix: 0x10, -0) is true unless it is zero,
    as in C. Anything else counts as set, so true: these are read at import, where raising over a
    typo would make the import fail.
    """
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    word = _WORDS.get(text.lower())
    if word is not None:
        return word
    try:
        return int(text, 0) != 0
    except ValueError:
        return True
