# SPDX-License-Identifier: Apache-2.0
# Hand-written: kernelParams packing for cuLaunchKernel and friends.
from libc.stdint cimport uint64_t

cdef void** pack_kernel_params(object params, void** ptrs, uint64_t* slots, Py_ssize_t capacity, list keep) except? NULL
