# SPDX-License-Identifier: Apache-2.0
"""Hand-written: C structs of the snake_case modules (cufile) as arrays of NumPy records.

A generated subclass names its C struct and lists its fields: (Python name, format, offset),
where a format is a NumPy type string ("u8", "i4", "p" for a pointer), a nested Record class,
or (format, count) for a C array; offsets and sizes come from the C compiler (the generated
module reads them with Cython). An instance holds `size` structs in one NumPy array, zeroed,
or views memory it was given (`from_data`, `from_ptr`); `ptr` is the address to pass to C.

NumPy is imported on first use, not when the module defining the classes is imported.
"""

from __future__ import annotations

import ctypes
import operator


def _np():
    import numpy

    return numpy


class Record:
    """Base of the struct classes: `cls(size=1)` makes `size` zeroed structs."""

    # _column: a view of a struct field of other structs (record.value): its number fields read as
    # arrays (one item per struct, writable: record.value.ui_val[0] = 4), as NVIDIA's records do
    __slots__ = ("_column", "_data", "_owner", "_refs")
    _c_name = ""  # the C type, for messages
    _fields: tuple = ()  # (name, format, offset) per field
    _itemsize = 0
    _dtype = None  # built on first use, per class

    def __init__(self, size=1):
        size = operator.index(size)
        if size < 1:
            raise ValueError(f"size must be at least 1, not {size}")
        self._data = _np().zeros(size, dtype=type(self).dtype())
        self._owner = None
        self._refs = None  # what pointer fields point into, kept alive with the struct
        self._column = False

    # ---------------------------------------------------------------- layout

    @classmethod
    def dtype(cls):
        """The NumPy dtype of one struct (the module's `<name>_dtype`)."""
        if cls.__dict__.get("_dtype") is None:
            np = _np()
            formats = []
            for _, fmt, _ in cls._fields:
                count = 0
                if isinstance(fmt, tuple):
                    fmt, count = fmt
                base = fmt.dtype() if isinstance(fmt, type) else np.dtype({"p": "intp", "s": "i1"}.get(fmt, fmt))
                formats.append((base, (count,)) if count else base)
            cls._dtype = np.dtype(
                {
                    "names": [f[0] for f in cls._fields],
                    "formats": formats,
                    "offsets": [f[2] for f in cls._fields],
                    "itemsize": cls._itemsize,
                }
            )
        return cls._dtype

    @classmethod
    def _wrap(cls, array, owner=None, column=False):
        obj = cls.__new__(cls)
        obj._data = array
        obj._owner = owner
        obj._refs = None
        obj._column = column
        return obj

    def _keep(self, name, obj):
        if self._refs is None:
            self._refs = {}
        self._refs[name] = obj

    # ---------------------------------------------------------------- constructors

    @classmethod
    def from_data(cls, data):
        """View `data`, an instance of this class or a NumPy array of this class's dtype."""
        if isinstance(data, cls):
            return data
        np = _np()
        if not isinstance(data, np.ndarray):
            raise TypeError(f"data must be a NumPy array of {cls._c_name} records, not {type(data).__name__}")
        if data.dtype != cls.dtype():
            raise ValueError(f"data must have the dtype of {cls._c_name} ({cls.__name__}.dtype()), not {data.dtype}")
        if data.size < 1:
            raise ValueError("data must hold at least one record")
        return cls._wrap(data.reshape(-1), data)

    @classmethod
    def from_buffer(cls, buffer):
        """View the structs held by `buffer` (bytes-like, a whole number of structs; read-only
        if the buffer is)."""
        view = memoryview(buffer).cast("B")
        if view.nbytes == 0 or view.nbytes % cls._itemsize:
            raise ValueError(f"buffer must hold a whole number of {cls._c_name} ({cls._itemsize} bytes each)")
        return cls._wrap(_np().frombuffer(view, dtype=cls.dtype()), buffer)

    @classmethod
    def from_ptr(cls, ptr, size=1, readonly=False, owner=None):
        """View `size` structs at address `ptr`; `owner` is kept alive as long as the view."""
        ptr, size = operator.index(ptr), operator.index(size)
        if ptr == 0:
            raise ValueError("ptr must not be NULL (0)")
        if size < 1:
            raise ValueError(f"size must be at least 1, not {size}")
        raw = (ctypes.c_char * (cls._itemsize * size)).from_address(ptr)
        array = _np().frombuffer(raw, dtype=cls.dtype(), count=size)
        if readonly:
            array.flags.writeable = False
        return cls._wrap(array, owner)

    # ---------------------------------------------------------------- the struct(s)

    @property
    def ptr(self):
        """The address of the first struct, for the C functions."""
        return self._data.ctypes.data

    def __int__(self):
        if len(self._data) != 1:
            raise TypeError(f"int() of {len(self._data)} {self._c_name} structs: use .ptr for their address")
        return self.ptr

    def __len__(self):
        return len(self._data)

    def __getitem__(self, key):
        if isinstance(key, slice):
            return type(self)._wrap(self._data[key], self, self._column)
        index = operator.index(key)
        if not -len(self._data) <= index < len(self._data):
            raise IndexError(f"index {index} out of range for {len(self._data)} {self._c_name} structs")
        index %= len(self._data)
        return type(self)._wrap(self._data[index : index + 1], self)

    def __setitem__(self, key, value):
        self._data[key] = type(self).from_data(value)._data if isinstance(value, Record) else value

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return self._data.tobytes() == other._data.tobytes()

    __hash__ = None  # mutable

    def __repr__(self):
        n = len(self._data)
        what = type(self).__name__ if n == 1 else f"{type(self).__name__}[{n}]"
        return f"<{what} of {self._c_name} at 0x{self.ptr:x}>"


def _scalar(value):
    return value.item() if hasattr(value, "item") else value


def field(name, fmt, doc=""):
    """A property for one field: a Python value for one struct, a NumPy array for several."""

    nested = fmt if isinstance(fmt, type) else fmt[0] if isinstance(fmt, tuple) and isinstance(fmt[0], type) else None

    def get(self):
        column = self._data[name]
        if nested is not None:  # a struct (an array of them: a view of its structs for one struct)
            if column.ndim == 1:
                return nested._wrap(column, self, column=True)
            return nested._wrap(column[0], self) if len(self._data) == 1 else column
        if len(self._data) != 1 or self._column:
            return column
        if isinstance(fmt, tuple):
            if fmt[0] == "i1":  # char[N]: the bytes
                return column[0].tobytes()
            if fmt[0] == "s":  # char[N] holding text: up to its NUL
                return column[0].tobytes().split(b"\0", 1)[0].decode(errors="replace")
            return column[0]  # a view: writes reach the struct
        return _scalar(column[0])

    def set(self, value):
        if fmt == "p" and value is not None and not isinstance(value, int) and hasattr(value, "ptr"):
            self._keep(name, value)  # a struct (or array) the pointer points to: kept alive with this one
            value = value.ptr
        elif isinstance(value, Record):
            value = value._data
        elif isinstance(fmt, tuple) and fmt[0] == "s" and isinstance(value, str):
            value = value.encode()
        if isinstance(fmt, tuple) and fmt[0] in ("i1", "u1", "s") and isinstance(value, (bytes, bytearray)):
            if len(value) > fmt[1]:
                raise ValueError(f"{name} holds at most {fmt[1]} bytes, not {len(value)}")
            value = _np().frombuffer(bytes(value).ljust(fmt[1], b"\0"), dtype="u1" if fmt[0] == "u1" else "i1")
        elif not isinstance(fmt, (type, tuple)):
            value = operator.index(value) if fmt[0] in "iup" else value
        self._data[name] = value

    return property(get, set, doc=doc or f"The {name} field.")


def counted_field(name, count, item, doc=""):
    """A pointer field that is an array, with the field that counts it (one struct only).

    `item` is the Record class of the elements, "p" for an array of pointers, or a NumPy format
    ("u4": unsigned ints). Reading gives a view of the array ([] when it is empty); assigning a
    sequence (or an array of `item`) sets the pointer and the count, and keeps the array alive
    with this struct.
    """
    fmt = "intp" if item == "p" else item

    def get(self):
        n, ptr = int(self._data[count][0]), int(self._data[name][0])
        if n == 0 or ptr == 0:
            return []
        if isinstance(item, type):
            return item.from_ptr(ptr, n, owner=self)
        size = _np().dtype(fmt).itemsize
        raw = (ctypes.c_char * (size * n)).from_address(ptr)
        return _np().frombuffer(raw, dtype=fmt, count=n)

    def set(self, value):
        if isinstance(item, type) and not isinstance(value, item):
            items = list(value)
            array = item(max(len(items), 1))
            for i, one in enumerate(items):
                array._data[i] = item.from_data(one)._data[0]
            value = array[: len(items)] if items else []
        elif not isinstance(item, type):
            value = _np().array([operator.index(v) for v in value], dtype=fmt)
        self._keep(name, value)
        n = len(value)
        self._data[count] = n
        self._data[name] = (value.ptr if isinstance(value, Record) else value.ctypes.data) if n else 0

    return property(get, set, doc=doc or f"The {name} array (its length sets {count}).")


def fixed_counted_field(name, count, fmt, doc=""):
    """An array inside the struct of which a count field says how many are used (one struct only):
    reading gives those (a view); assigning a sequence writes them and sets the count."""
    item, capacity = fmt
    nested = item if isinstance(item, type) else None

    def get(self):
        n = int(self._data[count][0])
        column = self._data[name][0]
        return nested._wrap(column[:n], self) if nested is not None else column[:n]

    def set(self, value):
        items = list(value)
        if len(items) > capacity:
            raise ValueError(f"{name} holds at most {capacity} items, not {len(items)}")
        column = self._data[name][0]
        for i, one in enumerate(items):
            column[i] = nested.from_data(one)._data[0] if nested is not None else one
        self._data[count] = len(items)

    return property(get, set, doc=doc or f"The used part of {name} (its length sets {count}).")
