# Hand-written: Python callables as CUDA host callbacks.

cdef int python_host_fn(object fn, object user_data, void** c_fn, void** c_data) except -1
cdef void release_host_fn(void* c_data) noexcept
