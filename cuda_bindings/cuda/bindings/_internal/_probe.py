# SPDX-License-Identifier: Apache-2.0
"""The one ``_inspect_function_pointer`` behind the per-library modules of this package."""

import importlib


def inspector(lib: str):
    """``_inspect_function_pointer`` for library ``lib`` (nvjitlink, nvvm, ...)."""

    def _inspect_function_pointer(name: str) -> int:
        """The address of the library function ``name`` (``"__<C name>"`` or the C name), 0 where
        the loaded library lacks it. Loads the library; raises the loader's error when it is absent."""
        return importlib.import_module(f"cuda.bindings.cy{lib}")._function_address(name)

    return _inspect_function_pointer
