# SPDX-License-Identifier: Apache-2.0
"""Names of a cuda.core subpackage imported from their modules on first use (``import`` stays cheap)."""

from __future__ import annotations

import importlib
import sys


def lazy_names(package: str, where: dict[str, str]):
    """(__getattr__, __dir__) for ``package``, whose public names live in the cuda.core modules
    ``where`` maps them to. A name is imported when first asked for, then kept in the package."""

    def __getattr__(name: str):
        module = where.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"cuda.core.{module}"), name)
        setattr(sys.modules[package], name, value)  # later lookups skip __getattr__
        return value

    def __dir__():
        return sorted(where)

    return __getattr__, __dir__
