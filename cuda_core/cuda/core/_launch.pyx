# SPDX-License-Identifier: Apache-2.0
"""Kernel launches: LaunchConfig and launch(), the hot path of cuda.core.

How a launch is made cheap:
- A LaunchConfig validates its values once and keeps the CUlaunchConfig (and its launch
  attributes) as a C struct; a launch copies it and sets the stream.
- Each argument is packed by exact type against a small table of cached type objects: Python
  int (as a 64-bit signed integer, or unsigned when it only fits that), float (as double),
  bool (one byte), Buffer (its device pointer); complex passes its two doubles
  (cuda::std::complex<double>) from inside the object. Types seen for the first time are classified
  once and added to the table: numpy scalars and ctypes objects are then passed by the address
  of the value inside the object (checked against the buffer protocol / ctypes.addressof when
  the type is first seen), so no Python object is made per argument. Objects exposing
  ``__cuda_array_interface__`` or DLPack pass their data pointer; cuda.bindings handle objects
  (with getPtr()) pass their value; a TensorMapDescriptor passes its 128-byte CUtensorMap by value.
- Values live in one stack array (heap only past 32 arguments); the GIL is released only around
  cuLaunchKernelEx.
"""

from libc.stdint cimport int64_t, uint64_t, uintptr_t
from libc.stdlib cimport free, malloc
from libc.string cimport memset

from cpython.buffer cimport PyBUF_SIMPLE, PyBuffer_Release, PyObject_GetBuffer
from cpython.float cimport PyFloat_AS_DOUBLE
from cpython.object cimport PyObject, PyTypeObject
from cpython.pycapsule cimport PyCapsule_GetPointer, PyCapsule_IsValid

from cuda.bindings cimport cydriver
from cuda.core._dlpack cimport DLManagedTensor, DLManagedTensorVersioned, DLTensor, kDLCPU
from cuda.core._errors cimport check
from cuda.core._memory cimport Buffer
from cuda.core._module cimport Kernel
from cuda.core._stream cimport Stream, stream_handle
from cuda.core._stream import warn_foreign_stream

cdef extern from "Python.h":
    long long PyLong_AsLongLongAndOverflow(object, int*) except? -1
    unsigned long long PyLong_AsUnsignedLongLong(object) except? -1


class LaunchConfigError(TypeError, ValueError):
    """A LaunchConfig value of the wrong type: a TypeError, and a ValueError for callers that catch that."""


cdef tuple _dims(str label, object value):
    """An int or a tuple of 1 to 3 ints, each >= 1, as a 3-tuple."""
    cdef tuple t
    if type(value) is int:
        t = (value,)
    elif type(value) is tuple:
        t = <tuple>value
        if not 1 <= len(t) <= 3:
            raise ValueError(f"LaunchConfig.{label} must be an int or a tuple of 1 to 3 ints, got {value!r}")
        for v in t:
            if type(v) is bool or not isinstance(v, int):
                raise LaunchConfigError(
                    f"LaunchConfig.{label} must be an int or a tuple of 1 to 3 ints, got {value!r}"
                )
    elif isinstance(value, int) and type(value) is not bool:
        t = (int(value),)
    else:
        raise LaunchConfigError(
            f"LaunchConfig.{label} must be an int or a tuple of 1 to 3 ints, not {type(value).__name__}"
        )
    for v in t:
        if v < 1:
            raise ValueError(f"LaunchConfig.{label} values must be >= 1, got {value!r}")
        if v > 0xFFFFFFFF:
            raise ValueError(f"LaunchConfig.{label} values must fit in 32 bits, got {value!r}")
    return t + (1,) * (3 - len(t))


cdef class LaunchConfig:
    """Launch geometry and options, validated once and kept as a CUlaunchConfig.

    grid: blocks in the grid (clusters in the grid when ``cluster`` is given); block: threads
    per block; cluster: blocks per thread block cluster (compute capability 9.0 and newer);
    each an int or a tuple of 1 to 3 ints. shmem_size: dynamic shared memory per block in
    bytes (default 0). is_cooperative: a cooperative launch (grid-wide synchronization).
    programmatic_stream_serialization: allow programmatic dependent launch with the previous
    kernel on the stream.
    """

    # Its fields are declared in _launch.pxd (graph kernel nodes read them).

    def __init__(self, grid=None, cluster=None, block=None, shmem_size=None, is_cooperative=False,
                 programmatic_stream_serialization=False):
        self._grid = _dims("grid", grid)
        self._block = _dims("block", block)
        self._cluster = None if cluster is None else _dims("cluster", cluster)
        self._shmem = _shmem_value(shmem_size)
        self._coop = _flag("is_cooperative", is_cooperative)
        self._pss = _flag("programmatic_stream_serialization", programmatic_stream_serialization)
        self._build()

    cdef void _build(self):
        cdef unsigned int cx = 1, cy = 1, cz = 1
        cdef unsigned int n = 0
        memset(&self._cfg, 0, sizeof(self._cfg))
        memset(self._attrs, 0, sizeof(self._attrs))
        if self._cluster is not None:
            cx, cy, cz = self._cluster
            self._attrs[n].id = cydriver.CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION
            self._attrs[n].value.clusterDim.x = cx
            self._attrs[n].value.clusterDim.y = cy
            self._attrs[n].value.clusterDim.z = cz
            n += 1
        if self._coop:
            self._attrs[n].id = cydriver.CU_LAUNCH_ATTRIBUTE_COOPERATIVE
            self._attrs[n].value.cooperative = 1
            n += 1
        if self._pss:
            self._attrs[n].id = cydriver.CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION
            self._attrs[n].value.programmaticStreamSerializationAllowed = 1
            n += 1
        self._cfg.gridDimX = <unsigned int>self._grid[0] * cx
        self._cfg.gridDimY = <unsigned int>self._grid[1] * cy
        self._cfg.gridDimZ = <unsigned int>self._grid[2] * cz
        self._cfg.blockDimX = self._block[0]
        self._cfg.blockDimY = self._block[1]
        self._cfg.blockDimZ = self._block[2]
        self._cfg.sharedMemBytes = self._shmem
        self._cfg.attrs = self._attrs if n else NULL
        self._cfg.numAttrs = n

    @property
    def grid(self):
        return self._grid

    @grid.setter
    def grid(self, value):
        self._grid = _dims("grid", value)
        self._build()

    @property
    def block(self):
        return self._block

    @block.setter
    def block(self, value):
        self._block = _dims("block", value)
        self._build()

    @property
    def cluster(self):
        return self._cluster

    @cluster.setter
    def cluster(self, value):
        self._cluster = None if value is None else _dims("cluster", value)
        self._build()

    @property
    def shmem_size(self):
        return self._shmem

    @shmem_size.setter
    def shmem_size(self, value):
        self._shmem = _shmem_value(value)
        self._build()

    @property
    def is_cooperative(self):
        return self._coop

    @is_cooperative.setter
    def is_cooperative(self, value):
        self._coop = _flag("is_cooperative", value)
        self._build()

    @property
    def programmatic_stream_serialization(self):
        return self._pss

    @programmatic_stream_serialization.setter
    def programmatic_stream_serialization(self, value):
        self._pss = _flag("programmatic_stream_serialization", value)
        self._build()

    def __repr__(self):
        return (f"LaunchConfig(grid={self._grid}, cluster={self._cluster}, block={self._block}, "
                f"shmem_size={self._shmem}, is_cooperative={self._coop}, "
                f"programmatic_stream_serialization={self._pss})")

    def __reduce__(self):
        return LaunchConfig, (self._grid, self._cluster, self._block, self._shmem, self._coop, self._pss)

    def __eq__(self, other):
        if not isinstance(other, LaunchConfig):
            return NotImplemented
        return self.__reduce__()[1] == other.__reduce__()[1]

    def __hash__(self):
        return hash(self.__reduce__()[1])


cdef unsigned int _shmem_value(object value) except? 0xFFFFFFFF:
    if value is None:
        return 0
    if type(value) is bool or not isinstance(value, int):
        raise LaunchConfigError(f"LaunchConfig.shmem_size must be an int or None, not {type(value).__name__}")
    if not 0 <= value <= 0xFFFFFFFE:
        raise ValueError(f"LaunchConfig.shmem_size must be within [0, 2**32 - 1), got {value}")
    return value


cdef bint _flag(str label, object value) except -1:
    if type(value) is not bool and not (isinstance(value, int) and value in (0, 1)):
        raise LaunchConfigError(f"LaunchConfig.{label} must be a bool, not {type(value).__name__}")
    return bool(value)


# ---- argument packing -----------------------------------------------------------------------

cdef enum ArgKind:
    K_INLINE = 1      # the value lies at a fixed offset inside the object (numpy scalars)
    K_CTYPES = 2      # the value lies where the ctypes object's b_ptr points
    K_BUFFER = 3      # a Buffer subclass: its device pointer
    K_CAI = 4         # __cuda_array_interface__["data"][0]
    K_DLPACK = 5      # __dlpack__(): the tensor's data + byte_offset
    K_HANDLE = 6      # a cuda.bindings object with getPtr(): int(obj)
    K_INDEX = 7       # any other integer type (__index__): as a Python int

cdef struct TypeEntry:
    PyTypeObject* type
    int kind
    Py_ssize_t offset

DEF MAX_TYPES = 64
DEF STACK_ARGS = 32

cdef TypeEntry _types[MAX_TYPES]
cdef int _ntypes = 0
cdef list _type_refs = []  # keeps the cached type objects alive

cdef extern from *:
    """
    /* ctypes' CDataObject starts with PyObject_HEAD then char *b_ptr (the value's address). */
    typedef struct { PyObject_HEAD char *b_ptr; } _cuda_core_cdata;
    #define _CUDA_CORE_CDATA_PTR(o) (((_cuda_core_cdata *)(o))->b_ptr)
    """
    char* _CUDA_CORE_CDATA_PTR(PyObject*)

cdef extern from *:
    """
    /* A Python complex keeps its two doubles inline: passed as cuda::std::complex<double>. */
    #define _CUDA_CORE_COMPLEX_OFFSET ((Py_ssize_t)offsetof(PyComplexObject, cval))
    """
    Py_ssize_t _CUDA_CORE_COMPLEX_OFFSET


cdef int _classify(object arg, Py_ssize_t* offset_out) except -1:
    """Find how to pack arguments of type(arg); add it to the table. TypeError when unsupported."""
    global _ntypes
    cdef type t = type(arg)
    cdef int kind = 0
    cdef Py_ssize_t offset = 0
    cdef Py_buffer view
    import sys

    np = sys.modules.get("numpy")
    ct = sys.modules.get("ctypes")
    if isinstance(arg, Buffer):
        kind = K_BUFFER
    elif np is not None and isinstance(arg, np.generic) and not isinstance(arg, (np.flexible, np.object_)):
        PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE)
        offset = <char*>view.buf - <char*><PyObject*>arg
        PyBuffer_Release(&view)
        if not 0 < offset < t.__basicsize__:
            raise TypeError(f"kernel argument of type {t.__name__}: the numpy scalar's value is not inside it")
        kind = K_INLINE
    elif isinstance(arg, complex):  # complex and its subclasses: two doubles inside the object
        offset = _CUDA_CORE_COMPLEX_OFFSET
        kind = K_INLINE
    elif t.__name__ == "TensorMapDescriptor" and t.__module__ == "cuda.core._tensor_map":
        offset = <Py_ssize_t>(<uintptr_t>arg._address - <uintptr_t><PyObject*>arg)  # its 128-byte CUtensorMap, by value
        if not 0 < offset < t.__basicsize__:
            raise TypeError("kernel argument of type TensorMapDescriptor: unexpected object layout")
        kind = K_INLINE
    elif ct is not None and isinstance(arg, (ct._SimpleCData, ct.Structure, ct.Union, ct.Array, ct._Pointer)):
        if <uintptr_t>_CUDA_CORE_CDATA_PTR(<PyObject*>arg) != <uintptr_t>ct.addressof(arg):
            raise TypeError(f"kernel argument of type {t.__name__}: unexpected ctypes object layout")
        offset = ct.sizeof(t)
        kind = K_CTYPES
    elif hasattr(arg, "__cuda_array_interface__"):
        kind = K_CAI
    elif hasattr(arg, "__dlpack__") and hasattr(arg, "__dlpack_device__"):
        kind = K_DLPACK
    elif hasattr(arg, "getPtr") and hasattr(arg, "__int__"):
        kind = K_HANDLE
    elif hasattr(arg, "__index__") and not isinstance(arg, float):
        kind = K_INDEX
    else:
        raise TypeError(
            f"unsupported kernel argument type {t.__name__}: pass a Buffer, a Python or numpy scalar, a ctypes "
            "object, an object with __cuda_array_interface__ or DLPack, or a cuda.bindings handle"
        )
    if _ntypes < MAX_TYPES:
        _type_refs.append(t)
        _types[_ntypes].type = <PyTypeObject*>t
        _types[_ntypes].kind = kind
        _types[_ntypes].offset = offset
        _ntypes += 1
    offset_out[0] = offset
    return kind


cdef inline int _find(PyTypeObject* t, Py_ssize_t* offset):
    cdef int i
    for i in range(_ntypes):
        if _types[i].type == t:
            offset[0] = _types[i].offset
            return _types[i].kind
    return 0


cdef int _pack_int(object arg, uint64_t* slot) except -1:
    cdef int overflow = 0
    cdef long long v = PyLong_AsLongLongAndOverflow(arg, &overflow)
    if overflow == 0:
        (<int64_t*>slot)[0] = v
    elif overflow > 0:  # fits only unsigned
        slot[0] = PyLong_AsUnsignedLongLong(arg)
    else:
        raise OverflowError(f"kernel argument {arg} does not fit in 64 bits")
    return 0


cdef uintptr_t _dlpack_pointer(object arg) except? 0:
    capsule = arg.__dlpack__()
    cdef DLManagedTensor* mt
    cdef DLManagedTensorVersioned* mv
    cdef DLTensor* t
    if PyCapsule_IsValid(capsule, b"dltensor"):
        mt = <DLManagedTensor*>PyCapsule_GetPointer(capsule, b"dltensor")
        t = &mt.dl_tensor
    elif PyCapsule_IsValid(capsule, b"dltensor_versioned"):
        mv = <DLManagedTensorVersioned*>PyCapsule_GetPointer(capsule, b"dltensor_versioned")
        t = &mv.dl_tensor
    else:
        t = NULL
    if t != NULL:
        if t.device.device_type == kDLCPU:
            raise TypeError(
                f"unsupported kernel argument type {type(arg).__name__}: its DLPack data is in host memory"
            )
        return <uintptr_t>t.data + t.byte_offset
    raise TypeError(f"__dlpack__ of {type(arg).__name__} did not return a DLPack capsule")


cdef int _pack_slow(object arg, int kind, uint64_t* slot, void** ptr) except -1:
    if kind == K_BUFFER:
        slot[0] = (<Buffer>arg)._ptr
    elif kind == K_CAI:
        slot[0] = <uintptr_t>arg.__cuda_array_interface__["data"][0]
    elif kind == K_DLPACK:
        slot[0] = _dlpack_pointer(arg)
    elif kind == K_HANDLE:
        slot[0] = <uintptr_t>int(arg)
    else:  # K_INDEX
        _pack_int(arg.__index__(), slot)
    ptr[0] = slot
    return 0


cdef inline int _pack(object arg, uint64_t* slot, void** ptr) except -1:
    cdef PyTypeObject* t = (<PyObject*>arg).ob_type
    cdef Py_ssize_t offset = 0
    cdef int kind
    if t == <PyTypeObject*>int:
        _pack_int(arg, slot)
    elif t == <PyTypeObject*>float:
        (<double*>slot)[0] = PyFloat_AS_DOUBLE(arg)
    elif t == <PyTypeObject*>Buffer:
        slot[0] = (<Buffer>arg)._ptr
    elif t == <PyTypeObject*>bool:
        slot[0] = 0
        (<unsigned char*>slot)[0] = 1 if arg is True else 0
    else:
        kind = _find(t, &offset)
        if kind == 0:
            if arg is None:
                slot[0] = 0  # a null pointer
                ptr[0] = slot
                return 0
            kind = _classify(arg, &offset)
        if kind == K_INLINE:
            ptr[0] = <char*><PyObject*>arg + offset
            return 0
        if kind == K_CTYPES:
            ptr[0] = _CUDA_CORE_CDATA_PTR(<PyObject*>arg)
            return 0
        return _pack_slow(arg, kind, slot, ptr)
    ptr[0] = slot
    return 0


def launch(stream, config, kernel, *kernel_args):
    """Launch ``kernel`` on ``stream`` (a Stream, a GraphBuilder or an object with __cuda_stream__) with ``config``.

    The arguments are packed as the module's description says; they must match the kernel's
    parameters in order, size and type.
    """
    cdef cydriver.CUstream h
    cdef cydriver.CUlaunchConfig cfg
    cdef cydriver.CUfunction fn
    cdef uint64_t slots_stack[STACK_ARGS]
    cdef void* ptrs_stack[STACK_ARGS]
    cdef uint64_t* slots = slots_stack
    cdef void** ptrs = ptrs_stack
    cdef Py_ssize_t n = len(kernel_args)
    cdef Py_ssize_t i
    cdef cydriver.CUresult err

    if type(stream) is Stream:
        (<Stream>stream)._live()
        h = (<Stream>stream)._handle
    else:
        stream_handle(stream, &h)
        if not isinstance(stream, Stream) and type(stream).__name__ != "GraphBuilder":
            warn_foreign_stream()  # as NVIDIA's launch does for another library's stream object
    if type(config) is not LaunchConfig and not isinstance(config, LaunchConfig):
        raise TypeError(f"config must be a LaunchConfig, not {type(config).__name__}")
    if type(kernel) is not Kernel and not isinstance(kernel, Kernel):
        raise TypeError(f"kernel must be a Kernel, not {type(kernel).__name__}")
    fn = <cydriver.CUfunction>(<Kernel>kernel)._handle
    if fn == NULL:
        raise RuntimeError("the kernel is not loaded")
    cfg = (<LaunchConfig>config)._cfg
    cfg.hStream = h

    if n > STACK_ARGS:
        slots = <uint64_t*>malloc(n * sizeof(uint64_t))
        ptrs = <void**>malloc(n * sizeof(void*))
        if slots == NULL or ptrs == NULL:
            free(slots)
            free(ptrs)
            raise MemoryError()
    try:
        for i in range(n):
            _pack(kernel_args[i], &slots[i], &ptrs[i])
        with nogil:
            err = cydriver.cuLaunchKernelEx(&cfg, fn, ptrs if n else NULL, NULL)
        if err != cydriver.CUDA_SUCCESS:  # success stays in this module: no call on the hot path
            check(err)
    finally:
        if n > STACK_ARGS:
            free(slots)
            free(ptrs)


cdef int pack_arguments(tuple args, uint64_t* slots, void** ptrs) except -1:
    cdef Py_ssize_t i
    for i in range(len(args)):
        _pack(args[i], &slots[i], &ptrs[i])
    return 0


def _packed_arguments(*kernel_args):
    """For tests: the bytes each argument would be launched with (8 bytes, or a ctypes object's size)."""
    cdef uint64_t slot
    cdef void* ptr
    cdef Py_ssize_t offset = 0
    out = []
    for arg in kernel_args:
        _pack(arg, &slot, &ptr)
        size = 8
        if _find((<PyObject*>arg).ob_type, &offset) == K_CTYPES:
            size = offset
        elif type(arg) is bool:
            size = 1
        elif _find((<PyObject*>arg).ob_type, &offset) == K_INLINE:
            if isinstance(arg, complex):
                size = 16
            else:
                size = 128 if type(arg).__name__ == "TensorMapDescriptor" else arg.itemsize
            if size == 128:
                assert <uintptr_t>ptr == arg._address
        out.append((<char*>ptr)[:size])
    return out
