# SPDX-License-Identifier: Apache-2.0
"""Errors raised by cuda.core: each names the failing code and says what it means."""

from cuda.bindings cimport cydriver


class CUDAError(Exception):
    """A CUDA driver or runtime call failed.

    ``code`` is the integer result, ``name`` its symbolic name (``CUDA_ERROR_...``).
    """

    def __init__(self, message, code=None, name=None):
        super().__init__(message)
        self.code = code
        self.name = name


class WrongKindError(TypeError, ValueError):
    """An argument of the wrong kind where NVIDIA's cuda.core raises ValueError: a TypeError
    that ``except ValueError`` (code written for theirs) catches too."""


class NVRTCError(CUDAError):
    """An NVRTC call failed; the message includes the compiler log when there is one."""


cdef tuple _driver_message(cydriver.CUresult err):
    cdef const char* name = NULL
    cdef const char* text = NULL
    try:
        cydriver.cuGetErrorName(err, &name)
        cydriver.cuGetErrorString(err, &text)
    except Exception:  # no driver library: fall back to the number alone
        pass
    if name != NULL:
        label = name.decode()
    else:  # the enum knows the name even where no driver is installed
        from cuda.bindings.driver import CUresult

        try:
            label = CUresult(<int>err).name
        except ValueError:
            label = f"CUresult {<int>err}"
    explanation = text.decode() if text != NULL else "no description available"
    return label, explanation


def driver_error(int code):
    """The CUDAError for a driver result code (for pure-Python callers)."""
    label, explanation = _driver_message(<cydriver.CUresult>code)
    return CUDAError(f"{label}: {explanation}", code, label)


cdef int check(cydriver.CUresult err) except -1 nogil:
    if err == cydriver.CUDA_SUCCESS:
        return 0
    with gil:
        raise driver_error(<int>err)
