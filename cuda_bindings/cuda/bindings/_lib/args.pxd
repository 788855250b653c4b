# SPDX-License-Identifier: Apache-2.0
# Hand-written: Python arguments converted for C calls (shared by the generated modules).

from cpython.buffer cimport Py_buffer
from libc.stdint cimport uintptr_t

cdef class CStrings:
    cdef const char** ptrs
    cdef list keep


cdef class BufferArg:
    cdef Py_buffer view
    cdef bint has_view
    cdef void* ptr
    cdef Py_ssize_t length  # -1 when given as an integer address (length unknown)


cdef CStrings c_strings(object items, Py_ssize_t count, str name, bint allow_str)
cdef BufferArg buffer_arg(object obj, bint writable, str name, Py_ssize_t needed, bint fill_bytes)
cdef object index_arg(object obj, str name)
cdef uintptr_t address_arg(object obj, str name) except? 0
cdef bytes cstr_arg(object obj, str name)
cdef bytes cstr_or_str_arg(object obj, str name)
cdef uintptr_t handle_value(object obj, object cls, str name) except? 0
cdef uintptr_t handle_ref(object obj, type cls, str name) except? 0
cdef BufferArg void_ptr_arg(object obj, str name)


# option values (cuLinkCreate, cuModuleLoadDataEx, cuLibraryLoadData): one void* per entry
cdef class PointerArray:
    cdef void** ptrs
    cdef list keep


cdef PointerArray pointer_array(object items, Py_ssize_t count, str name)
