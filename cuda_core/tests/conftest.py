# SPDX-License-Identifier: Apache-2.0
"""Shared fixtures of the cuda.core tests."""

from __future__ import annotations

import functools

import pytest


@functools.cache
def gpu_unavailable_reason() -> str | None:
    """Why GPU tests cannot run here (None when a device is usable)."""
    from cuda.bindings import driver

    try:
        (err,) = driver.cuInit(0)
    except Exception as exc:  # no driver library
        return f"no NVIDIA driver: {str(exc).splitlines()[0]}"
    if err != driver.CUresult.CUDA_SUCCESS:
        return f"cuInit failed: {err!r}"
    err, count = driver.cuDeviceGetCount()
    if count == 0:
        return "no CUDA device"
    return None


def pytest_collection_modifyitems(config, items):
    reason = gpu_unavailable_reason() if any("gpu" in item.keywords for item in items) else None
    if reason:
        for item in items:
            if "gpu" in item.keywords:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def device():
    """Device 0, current on this thread."""
    from cuda.core import Device

    dev = Device(0)
    dev.set_current()
    return dev
