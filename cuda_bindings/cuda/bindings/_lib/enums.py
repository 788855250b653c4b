# SPDX-License-Identifier: Apache-2.0
"""Hand-written: the base of every generated enum of cuda.bindings."""

from enum import IntEnum


class CEnum(IntEnum):
    """An IntEnum whose str() is its repr, ``<CUresult.CUDA_SUCCESS: 0>``, as NVIDIA's enums print.

    IntEnum's str() is the bare number; messages built with f"{err}" and pytest ids of
    parametrised enums read the name on NVIDIA's packages, so they do here. format() with a spec
    (``f"{err:d}"``) still formats the number.
    """

    __str__ = object.__str__
