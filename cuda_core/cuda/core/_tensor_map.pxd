# SPDX-License-Identifier: Apache-2.0
from cuda.bindings cimport cydriver


cdef class TensorMapDescriptor:
    cdef cydriver.CUtensorMap _map  # the 128-byte struct a kernel receives by value
    cdef object _source             # keeps the viewed tensor alive
    cdef int _device_id             # -1: host-accessible memory (no single device)
    cdef object __weakref__
