# cython: language_level=3
"""Python callables as host functions (cuLaunchHostFunc, cudaLaunchHostFunc).

The driver calls a C function with a void*; a Python callable rides on a small
record that holds it and the caller's user data. The record keeps both alive
exactly until the call has run: the trampoline releases it after calling (a
host function runs once), and the binding releases it when the launch fails.
An exception raised by the callable cannot reach the caller (another thread,
later); it goes to sys.unraisablehook, which prints it by default.
"""

from cpython.ref cimport Py_DECREF, Py_INCREF


cdef void _host_trampoline(void* data) noexcept with gil:
    # An exception leaving this noexcept function goes to sys.unraisablehook (Cython reports it).
    cdef object pair = <object>data  # (fn, user_data), one reference owned by the record
    try:
        pair[0](pair[1])
    finally:
        Py_DECREF(pair)  # the call has run: the record is done


cdef int python_host_fn(object fn, object user_data, void** c_fn, void** c_data) except -1:
    if not callable(fn):
        raise TypeError(f"a host function must be callable, not {type(fn).__name__}")
    pair = (fn, user_data)
    Py_INCREF(pair)
    c_fn[0] = <void*>_host_trampoline
    c_data[0] = <void*>pair
    return 0


cdef void release_host_fn(void* c_data) noexcept:
    """After a failed launch: the trampoline will never run, so drop the record here."""
    Py_DECREF(<object>c_data)
