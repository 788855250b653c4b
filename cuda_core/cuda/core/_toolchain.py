# SPDX-License-Identifier: Apache-2.0
"""Facts about the compilers and linkers that programs, linkers and the program cache share:
what each backend produces, the current device's architecture, the NVRTC version, the linker
backend and libdevice. A leaf: it imports none of those three modules, which all import it.
"""

from __future__ import annotations

import functools
import warnings

from cuda.core._errors import NVRTCError

# the code each compiler backend can produce
TARGETS = {
    "NVRTC": ("ptx", "cubin", "ltoir"),
    "NVVM": ("ptx", "ltoir"),
    "linker": ("cubin",),
}


def current_arch():
    """'sm_XY' of the current device; None when no device can be asked (compile then needs arch)."""
    try:
        from cuda.core._device import Device

        return f"sm_{Device().arch}"
    except Exception:
        return None


def nvrtc_version():
    """(major, minor) of the NVRTC library in use."""
    from cuda.bindings import nvrtc

    err, major, minor = nvrtc.nvrtcVersion()
    if err != nvrtc.nvrtcResult.NVRTC_SUCCESS:
        raise NVRTCError(f"nvrtcVersion failed: {err.name}", int(err), err.name)
    return major, minor


@functools.cache
def linker_backend():
    """'nvJitLink' or 'driver', decided once per process: the driver's cuLink* when nvJitLink is
    missing or older than 12.3 (with a RuntimeWarning saying so)."""
    reason = None
    try:
        from cuda.bindings import nvjitlink

        version = nvjitlink.version()
        if tuple(version) < (12, 3):
            reason = f"nvJitLink {version[0]}.{version[1]} is older than 12.3"
    except Exception as exc:
        reason = f"nvJitLink could not be loaded ({str(exc).splitlines()[0]})"
    if reason is None:
        return "nvJitLink"
    warnings.warn(
        f"{reason}; linking with the CUDA driver's cuLink* instead (no LTO-IR, no PTX output)",
        RuntimeWarning,
        stacklevel=4,
    )
    return "driver"


@functools.cache
def libdevice_bytes():
    """The libdevice bitcode (NVVM use_libdevice), read once."""
    try:
        from cuda.pathfinder import find_bitcode_lib

        path = find_bitcode_lib("device")
    except Exception as exc:
        raise RuntimeError(f"use_libdevice=True but libdevice could not be found: {exc}") from exc
    with open(path, "rb") as f:
        return f.read()
