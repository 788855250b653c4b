# SPDX-License-Identifier: Apache-2.0
"""Helpers for reading NVML's answers."""

from __future__ import annotations

__all__ = ["unpack_bitmask"]


def unpack_bitmask(words) -> list[int]:
    """The positions of the set bits of a bitmask given as a sequence of 64-bit words, the first
    word holding bits 0-63: ``unpack_bitmask([0b101, 1]) == [0, 2, 64]`` (NVML's CPU and node sets)."""
    try:
        items = list(words)
    except TypeError:
        raise TypeError(f"a bitmask is a sequence of 64-bit words, got {type(words).__name__}") from None
    found = []
    for i, word in enumerate(items):
        word = int(word)
        base = 64 * i
        while word:
            low = word & -word
            found.append(base + low.bit_length() - 1)
            word ^= low
    return found
