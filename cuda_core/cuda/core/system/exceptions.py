# SPDX-License-Identifier: Apache-2.0
"""NVML's errors, as cuda.core.system raises them: the classes of cuda.bindings.nvml itself."""

from cuda.bindings import nvml
from cuda.core.system._system import NVML_EXCEPTION_NAMES

__all__ = list(NVML_EXCEPTION_NAMES)

globals().update({name: getattr(nvml, name) for name in __all__})
