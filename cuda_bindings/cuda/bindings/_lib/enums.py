# SPDX-License-Identifier: Apache-2.0
"""Hand-written: the base of every generated enum of cuda.bindings."""

from enum import Enum, EnumMeta, IntEnum


class _CEnumMeta(EnumMeta):
    """EnumMeta, except that ``EnumClass.name`` and ``EnumClass.value`` give the descriptors.

    An Enum's ``name`` and ``value`` are members' attributes only: read on the class, Enum raises
    AttributeError. NVIDIA's enums (not Enum subclasses) answer with the property objects, and code
    introspecting the class (``hasattr(Result, "name")``, API listings) finds them; ours do too.
    """

    def __getattr__(cls, attr):
        if attr in ("name", "value"):
            return Enum.__dict__[attr]
        return super().__getattr__(attr) if hasattr(EnumMeta, "__getattr__") else _missing(cls, attr)


def _missing(cls, attr):
    raise AttributeError(f"type object {cls.__name__!r} has no attribute {attr!r}")


class CEnum(IntEnum, metaclass=_CEnumMeta):
    """An IntEnum whose str() is its repr, ``<CUresult.CUDA_SUCCESS: 0>``, as NVIDIA's enums print.

    IntEnum's str() is the bare number; messages built with f"{err}" and pytest ids of
    parametrised enums read the name on NVIDIA's packages, so they do here. format() with a spec
    (``f"{err:d}"``) still formats the number.
    """

    __str__ = object.__str__
