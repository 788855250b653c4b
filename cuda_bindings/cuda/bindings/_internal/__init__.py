# SPDX-License-Identifier: Apache-2.0
"""The internal module paths of NVIDIA's cuda.bindings that libraries reach into.

numba-cuda asks ``cuda.bindings._internal.nvjitlink`` and ``.nvvm`` whether a library function
resolved (``_inspect_function_pointer``) and catches ``.utils.NotSupportedError``. These modules
answer from our loader; nothing else of NVIDIA's internal layout is mirrored.
"""
