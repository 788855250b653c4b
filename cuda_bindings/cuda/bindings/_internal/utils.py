# SPDX-License-Identifier: Apache-2.0
"""``cuda.bindings._internal.utils``: the error NVIDIA's internal modules raise for a function
the installed library lacks. Ours raise ``FunctionNotFoundError``, which derives from it."""

from cuda.bindings._lib.loader import FunctionNotFoundError as _FunctionNotFoundError

NotSupportedError = _FunctionNotFoundError
FunctionNotFoundError = _FunctionNotFoundError  # the name cuda_python_test_helpers imports

__all__ = ["FunctionNotFoundError", "NotSupportedError"]
