# SPDX-License-Identifier: Apache-2.0
"""``cuda.bindings._internal.nvfatbin``: where a nvfatbin function resolved, for callers that check
before calling (numba-cuda does)."""

from cuda.bindings._internal._probe import inspector

_inspect_function_pointer = inspector("nvfatbin")
