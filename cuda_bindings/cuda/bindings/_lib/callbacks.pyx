# SPDX-License-Identifier: Apache-2.0
# cython: language_level=3
"""Python callables as host functions: cuLaunchHostFunc, cuStreamAddCallback, graph host nodes
(and their runtime twins).

The driver calls a C function with a void*; a Python callable rides on a small
record that holds it and the caller's user data.

- Launched host functions and stream callbacks run once: the record is a tuple
  the trampoline releases after calling, and the binding releases it when the
  call that enqueued it failed.
- A host node runs every time its graph is launched: the struct that names the
  callable (CUDA_HOST_NODE_PARAMS.fn) keeps the record while it lives, and a
  graph given the struct keeps it through a driver user object whose destructor
  drops the reference; instantiated graphs retain their graph's user objects, so
  the record lives as long as anything that can call it. Records given to the
  calls that have no graph at hand (cuGraphHostNodeSetParams, the exec updates)
  are kept for the life of the process.

An exception raised by the callable cannot reach the caller (another thread,
later); it goes to sys.unraisablehook, which prints it by default.
"""

import atexit

from cpython.ref cimport Py_DECREF, Py_INCREF, PyObject
from libc.stdint cimport uintptr_t

from cuda.bindings cimport cydriver
from cuda.bindings._lib.args cimport address_arg


cdef extern from "Python.h":
    void PyErr_Restore(PyObject* type, PyObject* value, PyObject* traceback)
    void PyErr_WriteUnraisable(object obj)


cdef void _unraisable(BaseException exc, object fn) noexcept:
    # To sys.unraisablehook, once ("Exception ignored in: <fn>"), as Python does for __del__.
    t, tb = type(exc), exc.__traceback__
    Py_INCREF(t)
    Py_INCREF(exc)
    if tb is not None:
        Py_INCREF(tb)
    PyErr_Restore(<PyObject*>t, <PyObject*>exc, <PyObject*>tb if tb is not None else NULL)  # steals them
    PyErr_WriteUnraisable(fn)


cdef void _host_trampoline(void* data) noexcept with gil:
    cdef object pair = <object>data  # (fn, user_data), one reference owned by the record
    try:
        pair[0](pair[1])
    except BaseException as exc:
        _unraisable(exc, pair[0])
    finally:
        Py_DECREF(pair)  # the call has run: the record is done


cdef bint is_callable_arg(object value, type cls) noexcept:
    """A Python callable given where a C function pointer goes (not an int, a handle or a ctypes function)."""
    return callable(value) and not isinstance(value, (int, cls)) and not hasattr(value, "argtypes")


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


# ------------------------------------------------------------ stream callbacks

cdef object _status_value(object status_cls, int status):
    try:
        return status_cls(status)
    except ValueError:  # a code newer than the enum
        return status


cdef void _stream_trampoline(void* stream, int status, void* data) noexcept with gil:
    # CUstreamCallback and cudaStreamCallback_t: (stream, status, user data); run once.
    cdef object rec = <object>data  # (fn, user_data, stream class, status enum)
    try:
        rec[0](rec[2](<uintptr_t>stream), _status_value(rec[3], status), rec[1])
    except BaseException as exc:
        _unraisable(exc, rec[0])
    finally:
        Py_DECREF(rec)


cdef int python_stream_callback(object fn, object user_data, type stream_cls, object status_cls,
                                void** c_fn, void** c_data) except -1:
    rec = (fn, user_data, stream_cls, status_cls)
    Py_INCREF(rec)
    c_fn[0] = <void*>_stream_trampoline
    c_data[0] = <void*>rec
    return 0


# ------------------------------------------------------------ host nodes

cdef class _HostRecord:
    """A Python host function and its user data, as a struct's fn/userData point to it."""
    cdef readonly object fn
    cdef readonly object user_data

    def __cinit__(self, fn, user_data):
        self.fn = fn
        self.user_data = user_data


cdef void _node_trampoline(void* data) noexcept with gil:
    cdef _HostRecord rec = <_HostRecord>data  # kept alive by the graph's user object
    try:
        rec.fn(rec.user_data)
    except BaseException as exc:
        _unraisable(exc, rec.fn)


cdef bint is_python_host_fn(void* fn) noexcept nogil:
    return fn == <void*>_node_trampoline


cdef object host_field_fn(void* data):
    return (<_HostRecord>data).fn


cdef object host_field_data(dict refs, void** fn, void** data):
    """userData as Python sees it: the Python object given, else the address."""
    if fn[0] == <void*>_node_trampoline:
        return (<_HostRecord>data[0]).user_data
    if refs is not None:
        pending = refs.get(<uintptr_t>data)
        if pending is not None:
            return pending
    return <uintptr_t>data[0]


cdef int host_field_set_fn(dict refs, void** fn, void** data, object value) except -1:
    """fn = a Python callable: the struct points to a record of it and the user data so far."""
    key = <uintptr_t>data
    if fn[0] == <void*>_node_trampoline:
        user = (<_HostRecord>data[0]).user_data
    else:
        user = refs.get(key)
        if user is None and data[0] != NULL:
            user = <uintptr_t>data[0]
    rec = _HostRecord(value, user)
    refs[key] = rec  # the struct keeps it (a copy of the struct keeps it too)
    fn[0] = <void*>_node_trampoline
    data[0] = <void*>rec
    return 0


cdef int host_field_set_c_fn(dict refs, void** fn, void** data, void* c_fn) except -1:
    """fn = a C function: a Python callable set before is dropped, its user data stays."""
    key = <uintptr_t>data
    if fn[0] == <void*>_node_trampoline:
        user = (<_HostRecord>data[0]).user_data
        refs.pop(key, None)
        data[0] = NULL
        if user is not None:
            if isinstance(user, int):
                data[0] = <void*><uintptr_t>user
            else:
                refs[key] = user
    fn[0] = c_fn
    return 0


cdef int host_field_set_data(dict refs, void** fn, void** data, object value) except -1:
    """userData: any Python object for a Python fn (set before or after it), else an address."""
    key = <uintptr_t>data
    if fn[0] == <void*>_node_trampoline:
        rec = _HostRecord((<_HostRecord>data[0]).fn, value)
        refs[key] = rec
        data[0] = <void*>rec
        return 0
    if value is None or isinstance(value, int) or hasattr(value, "_b_base_") or hasattr(value, "_objects"):
        refs.pop(key, None)
        data[0] = <void*>address_arg(value, "userData")
    elif fn[0] == NULL:
        refs[key] = value  # given to the Python callable that fn is set to next
        data[0] = NULL
    else:
        raise TypeError(f"userData of a C host function must be an int address, not {type(value).__name__}")
    return 0


# Records given to graphs: a user object owns one reference to the record until the driver destroys it.

cdef list _forever = []  # records with no graph to hold them (node and exec updates)
cdef bint _exiting = False


def _at_exit():
    global _exiting
    _exiting = True  # destructors run after this must not touch the interpreter


atexit.register(_at_exit)


cdef void _drop_record(void* data) noexcept nogil:
    # A user object's destructor: any driver thread, possibly during shutdown.
    if _exiting:
        return
    with gil:
        Py_DECREF(<object>data)


cdef void _keep_forever(void* data) noexcept:
    try:
        _forever.append(<object>data)
    except BaseException:
        Py_INCREF(<object>data)  # no memory: leak it rather than free what a node points to


cdef void keep_host_record_cu(cydriver.CUgraph graph, void* fn, void* data) noexcept:
    if fn != <void*>_node_trampoline or data == NULL:
        return
    cdef cydriver.CUuserObject obj = NULL
    if graph != NULL:
        Py_INCREF(<object>data)  # owned by the user object
        try:
            if cydriver.cuUserObjectCreate(&obj, data, <cydriver.CUhostFn>_drop_record, 1,
                                           cydriver.CU_USER_OBJECT_NO_DESTRUCTOR_SYNC) == cydriver.CUDA_SUCCESS:
                if cydriver.cuGraphRetainUserObject(graph, obj, 1, cydriver.CU_GRAPH_USER_OBJECT_MOVE) == cydriver.CUDA_SUCCESS:
                    return
                cydriver.cuUserObjectRelease(obj, 1)  # its destructor drops that reference
            else:
                Py_DECREF(<object>data)
        except BaseException:
            pass  # a missing driver function: fall through
    _keep_forever(data)


cdef void keep_host_record_rt(void* graph, void* fn, void* data) noexcept:
    # A runtime graph is the driver's CUgraph, and the runtime has initialized the driver: the
    # driver's user objects serve both, so driver-only programs never load cyruntime.
    keep_host_record_cu(<cydriver.CUgraph>graph, fn, data)
