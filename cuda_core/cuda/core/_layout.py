# SPDX-License-Identifier: Apache-2.0
"""The strided layout of a StridedMemoryView, as numba-cuda reads it (``view._layout``).

numba-cuda types and passes views by this object's ``strides_in_bytes`` and contiguity flags;
NVIDIA's cuda.core keeps it at ``cuda.core._layout._StridedLayout``, so it lives here too.
"""

from __future__ import annotations


class _StridedLayout:
    """Shape, byte strides and contiguity of an array of ``itemsize``-byte elements."""

    __slots__ = ("itemsize", "shape", "strides_in_bytes")

    def __init__(self, shape, strides_in_bytes, itemsize):
        self.shape = tuple(shape)
        self.itemsize = itemsize
        if strides_in_bytes is None:  # C order
            strides_in_bytes = _c_strides(self.shape, itemsize)
        self.strides_in_bytes = tuple(strides_in_bytes)

    @property
    def ndim(self):
        return len(self.shape)

    @property
    def strides(self):
        """The strides in elements."""
        return tuple(s // self.itemsize for s in self.strides_in_bytes) if self.itemsize else self.strides_in_bytes

    @property
    def is_contiguous_c(self):
        return _dense(self.shape, self.strides_in_bytes, _c_strides(self.shape, self.itemsize))

    @property
    def is_contiguous_f(self):
        f = _c_strides(self.shape[::-1], self.itemsize)[::-1]
        return _dense(self.shape, self.strides_in_bytes, f)

    @property
    def is_contiguous_any(self):
        return self.is_contiguous_c or self.is_contiguous_f

    def __repr__(self):
        return f"_StridedLayout(shape={self.shape}, strides_in_bytes={self.strides_in_bytes}, itemsize={self.itemsize})"


def _c_strides(shape, itemsize):
    out, step = [], itemsize
    for extent in reversed(shape):
        out.append(step)
        step *= extent
    return tuple(reversed(out))


def _dense(shape, strides, expected):
    # extents of 0 or 1 put no constraint on their stride
    return all(extent <= 1 or s == e for extent, s, e in zip(shape, strides, expected))
