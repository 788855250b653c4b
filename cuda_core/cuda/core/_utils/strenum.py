# SPDX-License-Identifier: Apache-2.0
"""StrEnum on every Python cuda.core supports (3.10 lacks enum.StrEnum)."""

import enum
import sys

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # the same behaviour: members are str, and str() is the value

    class StrEnum(str, enum.Enum):
        def __str__(self):
            return self.value


__all__ = ["StrEnum"]
