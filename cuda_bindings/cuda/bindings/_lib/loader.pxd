# SPDX-License-Identifier: Apache-2.0
# Hand-written: the symbol tables behind every generated C-level module.

cdef class SymbolTable:
    cdef void** slots
    cdef readonly str libname
    cdef readonly str path
    cdef tuple symbols
    cdef Py_ssize_t version_index
    cdef bint loaded
    cdef bint proc_address
    cdef list status
    cdef object lock
    cdef int resolve(self, Py_ssize_t index) except -1
