# SPDX-License-Identifier: Apache-2.0
# Hand-written, included by the generated cufile.pyx: cuFile's errors.
#
# A cuFile call returns a CUfileError_t, two codes: the cuFile status (OpError) and, when the
# CUDA driver failed under it, a CUresult. cuFileRead/cuFileWrite return a byte count instead:
# -1 with errno set for an OS error, minus an OpError for a cuFile error.

import os as _os

from libc.errno cimport errno as _errno

from cuda.bindings.driver import CUresult as pyCUresult

cdef extern from "cufile.h":
    const char* cufileop_status_error(cycufile.CUfileOpError status) nogil  # static inline there


def op_status_error(status):
    """The description of a cuFile status code (OpError), as cufile.h words it."""
    return (<bytes>cufileop_status_error(<cycufile.CUfileOpError><int>_index(status, "status"))).decode()


class cuFileError(Exception):
    """A cuFile call failed. `.status` is its OpError code (or the errno of an OS error in a read
    or write); `.cuda_error` the CUresult beneath it (0 when the CUDA driver did not fail)."""

    def __init__(self, status, cu_err=None):
        self.status = status
        self.cuda_error = cu_err
        try:
            text = f"{OpError(status).name} ({int(status)}): {op_status_error(status)}"
        except ValueError:  # not a cuFile status: an errno from the OS
            text = f"errno {int(status)}: {_os.strerror(int(status))}"
        if cu_err:  # 0 (CUDA_SUCCESS) says nothing: the message leaves it out
            try:
                cuda = pyCUresult(cu_err)
                text += f"; CUDA status: {cuda.name} ({int(cuda)})"
            except ValueError:
                text += f"; CUDA status: {int(cu_err)}"
        super().__init__(text)

    def __reduce__(self):
        return (type(self), (self.status, self.cuda_error))


cdef int _check_status(int err, int cu_err) except -1:
    raise cuFileError(err, cu_err)


cdef int _check_count(ssize_t count) except -1:
    if count == -1:
        raise cuFileError(_errno)
    raise cuFileError(-count)
