# SPDX-License-Identifier: Apache-2.0
"""NVIDIA's internal module paths that libraries reach into (numba-cuda): present and answering."""

from __future__ import annotations

import pytest


def test_nvjitlink_function_pointers():
    from cuda.bindings._internal import nvjitlink

    assert nvjitlink._inspect_function_pointer("__nvJitLinkVersion") != 0
    assert nvjitlink._inspect_function_pointer("nvJitLinkCreate") != 0  # the C name works too
    assert nvjitlink._inspect_function_pointer("__nvJitLinkNoSuchFunction") == 0


def test_nvvm_function_pointers():
    from cuda.bindings._internal import nvvm

    assert nvvm._inspect_function_pointer("__nvvmCreateProgram") != 0
    assert nvvm._inspect_function_pointer("__nvvmNoSuchFunction") == 0


def test_not_supported_error_is_what_a_missing_function_raises():
    from cuda.bindings._internal.utils import NotSupportedError
    from cuda.bindings._lib.loader import FunctionNotFoundError

    assert issubclass(FunctionNotFoundError, NotSupportedError) and issubclass(NotSupportedError, RuntimeError)
    with pytest.raises(NotSupportedError):
        raise FunctionNotFoundError("x")
