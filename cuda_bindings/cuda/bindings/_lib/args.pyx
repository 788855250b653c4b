# SPDX-License-Identifier: Apache-2.0
# cython: language_level=3
"""Argument conversion shared by the generated Python-level modules.

Each helper checks the Python object before any C call, so bad input is a
TypeError or ValueError naming the parameter, never a crash.
"""

from cpython.buffer cimport PyBUF_SIMPLE, PyBUF_WRITABLE, PyBuffer_Release, PyObject_GetBuffer
from libc.stdint cimport uintptr_t
from libc.stdlib cimport free, malloc

import operator

from cuda.bindings._lib.records import Record as _Record


class NotABufferError(TypeError, ValueError):
    """None or a str where a buffer is asked (NVIDIA's bindings raise ValueError for None)."""


class ShortListError(ValueError, RuntimeError):
    """A list shorter than the count given with it (NVIDIA's bindings raise RuntimeError here)."""


cdef class CStrings:
    """A C array of C strings, alive as long as this object."""

    def __dealloc__(self):
        free(self.ptrs)


cdef CStrings c_strings(object items, Py_ssize_t count, str name, bint allow_str):
    """items: a list or tuple of bytes (and str, as UTF-8, where allow_str) with at least count entries.

    None counts as an empty list.
    """
    cdef CStrings out = CStrings.__new__(CStrings)
    if count < 0:
        raise ValueError(f"the count of {name} must not be negative, got {count}")
    if items is None:
        items = ()
    if count == 0:
        return out
    if isinstance(items, (bytes, str)) or not hasattr(items, "__len__"):
        raise TypeError(f"{name} must be a list of bytes, not {type(items).__name__}")
    if len(items) < count:
        raise ShortListError(f"{name} has {len(items)} entries, fewer than the count given ({count})")
    out.keep = []
    for i in range(count):
        item = items[i]
        if allow_str and isinstance(item, str):
            item = (<str>item).encode()
        elif type(item) is not bytes:
            wanted = "str or bytes" if allow_str else "bytes"
            raise TypeError(f"{name}[{i}] must be {wanted}, not {type(item).__name__}")
        out.keep.append(item)
    out.ptrs = <const char**>malloc(count * sizeof(char*))
    if out.ptrs == NULL:
        raise MemoryError()
    for i in range(count):
        out.ptrs[i] = <bytes>out.keep[i]
    return out


cdef class BufferArg:
    """A pointer to memory given as a buffer (bytes, bytearray, numpy, ...) or an integer address."""

    def __dealloc__(self):
        if self.has_view:
            PyBuffer_Release(&self.view)


cdef BufferArg buffer_arg(object obj, bint writable, str name, Py_ssize_t needed, bint fill_bytes):
    """A C pointer for obj, checked before any C call.

    needed: the bytes the call touches (-1: unknown); a shorter buffer is a ValueError.
    fill_bytes: let an output go into a pre-sized bytes object (the nvrtc convention).
    """
    cdef BufferArg out = BufferArg.__new__(BufferArg)
    if isinstance(obj, int):
        out.ptr = <void*><uintptr_t>obj
        out.length = -1
        return out
    if obj is None or isinstance(obj, str):
        raise NotABufferError(f"{name} must be a buffer or an integer address, not {type(obj).__name__}")
    try:
        PyObject_GetBuffer(obj, &out.view, PyBUF_WRITABLE if writable else PyBUF_SIMPLE)
    except BufferError:
        if not (writable and fill_bytes and type(obj) is bytes):
            raise ValueError(f"{name} must be a writable buffer (bytearray, numpy array, ...), "
                             f"not {type(obj).__name__}") from None
        PyObject_GetBuffer(obj, &out.view, PyBUF_SIMPLE)
    except TypeError:
        raise TypeError(f"{name} must be a buffer or an integer address, not {type(obj).__name__}") from None
    out.has_view = True
    out.ptr = out.view.buf
    out.length = out.view.len
    if needed >= 0 and out.length < needed:
        raise ValueError(f"{name} holds {out.length} bytes, but the call needs {needed}")
    return out


cdef object index_arg(object obj, str name):
    """An integer (int, numpy integer, IntEnum...), never a str or None. A float is truncated, as
    NVIDIA's bindings do (their examples size grids with `/`)."""
    if type(obj) is int:
        return obj
    if isinstance(obj, float):
        return int(obj)  # nan and inf raise ValueError / OverflowError
    try:
        return operator.index(obj)
    except TypeError:
        raise TypeError(f"{name} must be an int, not {type(obj).__name__}") from None


cdef uintptr_t address_arg(object obj, str name) except? 0:
    """An address: an int, None for NULL, or a ctypes pointer / function pointer."""
    if obj is None:
        return 0
    if isinstance(obj, int):
        return obj
    if hasattr(obj, "_b_base_") or hasattr(obj, "_objects"):  # a ctypes object
        import ctypes

        value = ctypes.cast(obj, ctypes.c_void_p).value
        return value or 0
    if hasattr(obj, "getPtr"):
        # A handle or function-pointer class (CUhostFn(addr), cudaStreamCallback_t(_ptr=...)) is
        # its value; a struct is where it lives.
        return int(obj) if hasattr(obj, "__index__") else obj.getPtr()
    if isinstance(obj, _Record):  # cufile's structs (Descr, IOParams...): where they live
        return obj.ptr
    raise TypeError(f"{name} must be an int address, a ctypes pointer or None, not {type(obj).__name__}")


cdef bytes cstr_arg(object obj, str name):
    """bytes for a C string (the reference bindings take bytes, not str)."""
    if type(obj) is bytes:
        return <bytes>obj
    if isinstance(obj, (bytes, bytearray)):
        return bytes(obj)
    raise TypeError(f"{name} must be bytes, not {type(obj).__name__}")


cdef bytes cstr_or_str_arg(object obj, str name):
    """A C string given as str (UTF-8) or bytes."""
    if isinstance(obj, str):
        return (<str>obj).encode()
    if isinstance(obj, (bytes, bytearray)):
        return bytes(obj)
    raise TypeError(f"{name} must be str or bytes, not {type(obj).__name__}")


# Handle types that name the same kind of C object: either is accepted where another of its
# group is asked for (a CUstream where a cudaStream_t is, and back), as callers mix the two APIs.
# A CUkernel may be used where a CUfunction is (the driver documents the cast), and so its twins.
_TWIN_GROUPS = (
    ("CUstream", "cudaStream_t"),
    ("CUevent", "cudaEvent_t"),
    ("CUgraph", "cudaGraph_t"),
    ("CUgraphNode", "cudaGraphNode_t"),
    ("CUgraphExec", "cudaGraphExec_t"),
    ("CUgraphDeviceNode", "cudaGraphDeviceNode_t"),
    ("CUfunction", "cudaFunction_t", "CUkernel", "cudaKernel_t"),
    ("CUlibrary", "cudaLibrary_t"),
    ("CUmemoryPool", "cudaMemPool_t"),
    ("CUuserObject", "cudaUserObject_t"),
    ("CUexternalMemory", "cudaExternalMemory_t"),
    ("CUexternalSemaphore", "cudaExternalSemaphore_t"),
    ("CUarray", "cudaArray_t"),
    ("CUmipmappedArray", "cudaMipmappedArray_t"),
    ("CUgraphicsResource", "cudaGraphicsResource_t"),
    ("CUeglStreamConnection", "cudaEglStreamConnection"),
    ("CUlogsCallbackHandle", "cudaLogsCallbackHandle"),
)
cdef dict _TWINS = {name: frozenset(group) - {name} for group in _TWIN_GROUPS for name in group}
_BINDING_MODULES = ("cuda.bindings.driver", "cuda.bindings.runtime")


cdef bint _is_twin(object obj, object cls):
    """obj is the other API's handle for the same C object as cls (or one of a tuple of classes)."""
    twins = _TWINS.get(type(obj).__name__)
    if twins is None or type(obj).__module__ not in _BINDING_MODULES:
        return False
    for c in (cls if isinstance(cls, tuple) else (cls,)):
        if c.__name__ in twins:
            return True
    return False


cdef bint _is_device_pointer(object cls):
    for c in (cls if isinstance(cls, tuple) else (cls,)):
        if c.__name__.startswith("CUdeviceptr"):
            return True
    return False


cdef uintptr_t handle_value(object obj, object cls, str name) except? 0:
    """The value of a handle given as its class (or one of a tuple of classes), its twin or as an int."""
    if isinstance(obj, cls):
        return int(obj)
    if isinstance(obj, int):
        return obj
    if obj is None:
        return 0  # NULL: the library answers with its own error code
    if _is_twin(obj, cls):
        return int(obj)
    if isinstance(obj, float) and _is_device_pointer(cls):
        return <uintptr_t>int(obj)  # address arithmetic done in floats (NVIDIA's examples): truncated
    names = " or ".join(c.__name__ for c in cls) if isinstance(cls, tuple) else cls.__name__
    raise TypeError(f"{name} must be a {names}, an int or None, not {type(obj).__name__}")


cdef uintptr_t handle_ref(object obj, type cls, str name) except? 0:
    """Where a handle is kept, for calls that update it (destroy sets it to NULL).

    A handle object (or its twin) gives its own storage; an int is taken as the
    address of a handle variable (as the reference bindings do); None is NULL.
    """
    if isinstance(obj, cls) or _is_twin(obj, cls):
        return obj.getPtr()
    if isinstance(obj, int):
        return obj
    if obj is None:
        return 0
    raise TypeError(f"{name} must be a {cls.__name__}, an int address or None, not {type(obj).__name__}")


cdef BufferArg void_ptr_arg(object obj, str name):
    """A void* argument: an int address, None (NULL), a value class (CUdeviceptr), or any buffer."""
    cdef BufferArg out = BufferArg.__new__(BufferArg)
    out.length = -1
    if obj is None:
        return out
    if isinstance(obj, int):
        out.ptr = <void*><uintptr_t>obj
        return out
    if hasattr(obj, "getPtr") and hasattr(obj, "__int__"):
        out.ptr = <void*><uintptr_t>int(obj)
        return out
    # PyBUF_SIMPLE: a read-only buffer (bytes, a read-only numpy array, np.char.array) is
    # as good as a writable one for a const input; writable buffers stay writable through it.
    try:
        PyObject_GetBuffer(obj, &out.view, PyBUF_SIMPLE)
    except TypeError:
        raise TypeError(f"{name} must be an int address, None, or a buffer, not {type(obj).__name__}") from None
    out.has_view = True
    out.ptr = out.view.buf
    out.length = out.view.len
    return out


cdef class PointerArray:
    """A C array of void*, each from a Python value; the buffers it points into stay alive with it."""

    def __dealloc__(self):
        free(self.ptrs)


cdef PointerArray pointer_array(object items, Py_ssize_t count, str name):
    """items: a list or tuple of at least count values, each an int (an enum member, a flag or an
    address, stored in the pointer itself as the driver's option values are), None for NULL, a value
    class (CUdeviceptr) or a buffer (a log bytearray). None is an empty list, refused for a nonzero count."""
    cdef PointerArray out = PointerArray.__new__(PointerArray)
    cdef Py_ssize_t i
    cdef BufferArg arg
    out.keep = []
    if count <= 0:
        return out
    if items is None:
        raise ValueError(f"{name} is None but its count is {count}")
    if not isinstance(items, (list, tuple)):
        raise TypeError(f"{name} must be a list or tuple, not {type(items).__name__}")
    if len(items) < count:
        raise ValueError(f"{name} has {len(items)} entries, fewer than its count ({count})")
    out.ptrs = <void**>malloc(count * sizeof(void*))
    if out.ptrs == NULL:
        raise MemoryError()
    for i in range(count):
        arg = void_ptr_arg(items[i], f"{name}[{i}]")
        out.keep.append(arg)
        out.ptrs[i] = arg.ptr
    return out
