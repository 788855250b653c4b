# SPDX-License-Identifier: Apache-2.0
# Hand-written: Python callables as CUDA host callbacks.

from cuda.bindings cimport cydriver

cdef int python_host_fn(object fn, object user_data, void** c_fn, void** c_data) except -1
cdef void release_host_fn(void* c_data) noexcept
cdef int python_stream_callback(object fn, object user_data, type stream_cls, object status_cls,
                                void** c_fn, void** c_data) except -1
cdef bint is_callable_arg(object value, type cls) noexcept

# host functions stored in a struct (CUDA_HOST_NODE_PARAMS.fn / .userData): a record the struct keeps
cdef bint is_python_host_fn(void* fn) noexcept nogil
cdef object host_field_fn(void* data)
cdef object host_field_data(dict refs, void** fn, void** data)
cdef int host_field_set_fn(dict refs, void** fn, void** data, object value) except -1
cdef int host_field_set_c_fn(dict refs, void** fn, void** data, void* c_fn) except -1
cdef int host_field_set_data(dict refs, void** fn, void** data, object value) except -1

# after a graph took a host function stored that way: the graph keeps its record alive
cdef void keep_host_record_cu(cydriver.CUgraph graph, void* fn, void* data) noexcept
cdef void keep_host_record_rt(void* graph, void* fn, void* data) noexcept  # a cudaGraph_t
