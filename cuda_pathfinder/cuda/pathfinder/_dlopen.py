# SPDX-License-Identifier: Apache-2.0
"""The system loader (dlopen and friends), through ctypes.

Linux only. Handles are returned as plain integers so that other layers
(cuda.bindings) can pass them to dlsym without ctypes objects.
"""

from __future__ import annotations

import ctypes
import functools

RTLD_NOW = 0x2
RTLD_NOLOAD = 0x4
RTLD_GLOBAL = 0x100
RTLD_DI_LINKMAP = 2


class _LinkMap(ctypes.Structure):
    # The public head of glibc's struct link_map (<link.h>).
    _fields_ = [
        ("l_addr", ctypes.c_void_p),
        ("l_name", ctypes.c_char_p),
        ("l_ld", ctypes.c_void_p),
        ("l_next", ctypes.c_void_p),
        ("l_prev", ctypes.c_void_p),
    ]


@functools.cache
def _libdl() -> ctypes.CDLL:
    # libdl.so.2 exists on every glibc (a stub forwarding to libc since 2.34).
    lib = ctypes.CDLL("libdl.so.2", use_errno=True)
    lib.dlopen.argtypes = [ctypes.c_char_p, ctypes.c_int]
    lib.dlopen.restype = ctypes.c_void_p
    lib.dlerror.argtypes = []
    lib.dlerror.restype = ctypes.c_char_p
    lib.dlinfo.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
    lib.dlinfo.restype = ctypes.c_int
    lib.dlclose.argtypes = [ctypes.c_void_p]
    lib.dlclose.restype = ctypes.c_int
    return lib


class LoaderError(OSError):
    """dlopen failed; the message is dlerror()'s text."""


def _dlerror() -> str:
    msg = _libdl().dlerror()
    return msg.decode(errors="replace") if msg else "unknown dlopen error"


def dlopen(name_or_path: str) -> int:
    """Load a library (a soname searched by the system loader, or a path) globally."""
    lib = _libdl()
    lib.dlerror()  # clear a stale message
    handle = lib.dlopen(name_or_path.encode(), RTLD_NOW | RTLD_GLOBAL)
    if not handle:
        raise LoaderError(_dlerror())
    return handle


def dlopen_if_loaded(soname: str) -> int | None:
    """The handle of a library already in this process, without loading anything."""
    handle = _libdl().dlopen(soname.encode(), RTLD_NOW | RTLD_NOLOAD)
    return handle or None


def abs_path_of(handle: int) -> str | None:
    """The file a handle was loaded from, as the loader recorded it."""
    link_map = ctypes.POINTER(_LinkMap)()
    if _libdl().dlinfo(handle, RTLD_DI_LINKMAP, ctypes.byref(link_map)) != 0 or not link_map:
        return None
    name = link_map.contents.l_name
    return name.decode() if name else None


def _print_first_loadable(names: list[str]) -> int:
    """Script mode: print where the system loader finds the first of names."""
    for name in names:
        try:
            print(abs_path_of(dlopen(name)) or "")
            return 0
        except OSError:
            continue
    return 1


if __name__ == "__main__":
    import sys

    sys.exit(_print_first_loadable(sys.argv[1:]))
