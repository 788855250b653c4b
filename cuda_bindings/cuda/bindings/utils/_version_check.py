# SPDX-License-Identifier: Apache-2.0
"""A warning, once per process, when the driver is of an older CUDA major version than the
bindings were generated for: calls that the driver lacks then fail one by one, and users are
better told why at the start."""

import os
import warnings

# Set once the check has run (whatever its outcome), so that it runs once per process.
_major_version_compatibility_checked = False

_DISABLE_VARIABLE = "CUDA_PYTHON_DISABLE_MAJOR_VERSION_WARNING"


def warn_if_cuda_major_version_mismatch() -> None:
    """Warn (UserWarning) if the bindings' CUDA major version is newer than the driver's.

    Runs once per process; setting CUDA_PYTHON_DISABLE_MAJOR_VERSION_WARNING silences it. A driver
    that cannot say its version raises RuntimeError.
    """
    global _major_version_compatibility_checked
    if _major_version_compatibility_checked:
        return
    _major_version_compatibility_checked = True
    if os.environ.get(_DISABLE_VARIABLE):
        return
    from cuda.bindings import driver

    err, driver_version = driver.cuDriverGetVersion()
    if err != driver.CUresult.CUDA_SUCCESS:
        raise RuntimeError(f"Failed to query CUDA driver version: {err!r}")
    built_major = driver.CUDA_VERSION // 1000
    driver_major = driver_version // 1000
    if built_major > driver_major:
        warnings.warn(
            f"cuda-bindings was built for CUDA major version {built_major}, but the installed driver "
            f"only supports up to CUDA {driver_major}; functions newer than the driver will fail. "
            f"Install the cuda-bindings line of your driver (or a newer driver), or set "
            f"{_DISABLE_VARIABLE}=1 to silence this warning.",
            UserWarning,
            stacklevel=2,
        )
