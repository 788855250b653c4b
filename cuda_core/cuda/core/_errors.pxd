# SPDX-License-Identifier: Apache-2.0
from cuda.bindings cimport cydriver

# Raise CUDAError for a failed driver call; callable without the GIL.
cdef int check(cydriver.CUresult err) except -1 nogil
