# SPDX-License-Identifier: Apache-2.0
"""Shared by Program / ProgramOptions and Linker / LinkerOptions: the arch pattern, checks that
name the option they reject (``<Owner>.<field> must be ...``), option strings made from a table,
and the context-manager and finalizer protocol of an object with ``close()``.

A table row is ``(field, kind, flag)``; ``emit`` turns each set field into strings by its kind:
"on" (the flag when true), "tf" (flag=true/false), "onoff" (flag=on/off), "10" (flag=1/0),
"opt" (flag=3/0), "O" (flag immediately followed by the value), "val" (flag=value) and "each"
(flag=item for each item of a str or a sequence). ``coerce_options`` is how the options arguments
of events, streams and memory resources take None, a dict or an instance.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Callable

    from typing_extensions import Self

ARCH_RE = re.compile(r"^(sm|compute|lto)_(\d{2,3})([af]?)$")


def coerce_options(cls, options, what):
    """None -> cls(); a dict -> cls(**dict); an instance of cls as is; else TypeError."""
    if options is None:
        return cls()
    if isinstance(options, cls):
        return options
    if isinstance(options, dict):
        return cls(**options)
    raise TypeError(f"{what} must be a {cls.__name__}, a dict or None, not {type(options).__name__}")


# What NVIDIA's C-typed option fields take, when made and when set: a flag takes anything and keeps
# its truth value; a bool field takes True, False or None; an int field takes None or a number (a
# float is truncated) and refuses text.


def _kind(value) -> str:
    t = type(value)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def as_flag(owner, field, value):
    return bool(value)


def as_bool(owner, field, value):
    if value is None or type(value) is bool:
        return value
    raise TypeError(f"Expected bool, got {_kind(value)}: {owner}.{field} takes True, False or None")


def as_int(owner, field, value):
    if value is None or type(value) is int:
        return value
    if isinstance(value, (str, bytes, bytearray)) or not hasattr(type(value), "__int__"):
        raise TypeError(f"Expected int, got {_kind(value)}: {owner}.{field} takes an int or None")
    return int(value)


def fail_type(owner, field, value, expected):
    raise TypeError(f"{owner}.{field} must be {expected}, got {type(value).__name__} {value!r}")


def check_bool(owner, field, value):
    if not isinstance(value, bool):
        fail_type(owner, field, value, "a bool or None")


def check_int(owner, field, value, minimum, expected):
    if isinstance(value, bool) or not isinstance(value, int):
        fail_type(owner, field, value, expected)
    if value < minimum:
        raise ValueError(f"{owner}.{field} must be >= {minimum}, got {value}")


_FORMATS = {
    "tf": lambda flag, v: f"{flag}={'true' if v else 'false'}",
    "onoff": lambda flag, v: f"{flag}={'on' if v else 'off'}",
    "10": lambda flag, v: f"{flag}={1 if v else 0}",
    "opt": lambda flag, v: f"{flag}={3 if v else 0}",
    "O": lambda flag, v: f"{flag}{v}",
    "val": lambda flag, v: f"{flag}={v}",
}


def emit(table, values):
    """The option strings of ``table`` for the field -> value mapping ``values`` (None: unset)."""
    out = []
    for field, kind, flag in table:
        value = values.get(field)
        if value is None or value == ():  # unset, or normalized to "no flag"
            continue
        if kind == "on":
            if value:
                out.append(flag)
        elif kind == "each":
            out.extend(f"{flag}={item}" for item in ((value,) if isinstance(value, str) else value))
        else:
            out.append(_FORMATS[kind](flag, value))
    return out


class ClosesOnExit:
    """``with`` support and a finalizer that never raises, for a class with ``close()``."""

    __slots__ = ()

    if TYPE_CHECKING:
        close: Callable[[], None]  # each subclass defines close()

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
