# SPDX-License-Identifier: Apache-2.0
"""``cuda.bindings._internal.nvrtc``: where a nvrtc function resolved, for callers that check
before calling (numba-cuda does)."""


def _inspect_function_pointer(name: str) -> int:
    """The address of the library function ``name`` (``"__<C name>"`` or the C name), 0 where
    the loaded library lacks it. Loads the library; raises the loader's error when it is absent."""
    from cuda.bindings import cynvrtc

    return cynvrtc._function_address(name)
