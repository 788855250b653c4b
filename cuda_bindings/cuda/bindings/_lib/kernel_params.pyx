# SPDX-License-Identifier: Apache-2.0
# cython: language_level=3
"""kernelParams for cuLaunchKernel, cuLaunchKernelEx, cudaLaunchKernel, in every form callers use:

- None or 0: no parameters (NULL);
- an int: the address of a ready void*[] array;
- an object with getPtr(): its address is the array;
- an object with the buffer protocol (a ctypes array of c_void_p, a numpy
  uint64 array): its memory is the array;
- a pair (values, types): one value per kernel parameter with its ctypes type
  (the value may be a Python value or an instance of that type), or None as
  the type for a cuda.bindings object (CUdeviceptr, a handle, a struct), whose
  own storage is passed, a ctypes instance (its memory), or an enum member
  (a C enum: 4 bytes).

The common ctypes scalar types are packed straight into the caller's slots
(8 bytes each, on the C stack of the launch), with no ctypes object and no
allocation per argument; other ctypes types (structures, arrays) go through
ctypes and are kept alive in `keep` until the call returns.
"""

from cpython.float cimport PyFloat_Check
from cpython.long cimport PyLong_AsUnsignedLongLongMask, PyLong_Check
from cpython.tuple cimport PyTuple_GET_ITEM, PyTuple_GET_SIZE
from libc.stdint cimport int8_t, int16_t, int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t, uintptr_t
from libc.string cimport memcpy, memset

from cuda.bindings._lib.args cimport BufferArg, buffer_arg

import operator

# How a kernel argument of a common ctypes type is packed (the table is _codes()).
cdef enum Code:
    I8 = 1
    I16
    I32
    I64
    U8
    U16
    U32
    U64
    F32
    F64
    PTR
    BOOL

cdef dict _CODES = None  # ctypes type -> packing code, made at the first packed launch


cdef dict _codes():
    global _CODES
    if _CODES is None:
        import ctypes  # not at import: ctypes costs a millisecond that most programs never need here

        sizes = {1: (I8, U8), 2: (I16, U16), 4: (I32, U32), 8: (I64, U64)}
        codes = {}
        for t in (ctypes.c_byte, ctypes.c_short, ctypes.c_int, ctypes.c_long, ctypes.c_longlong,
                  ctypes.c_ssize_t, ctypes.c_int8, ctypes.c_int16, ctypes.c_int32, ctypes.c_int64):
            codes[t] = sizes[ctypes.sizeof(t)][0]
        for t in (ctypes.c_ubyte, ctypes.c_ushort, ctypes.c_uint, ctypes.c_ulong, ctypes.c_ulonglong,
                  ctypes.c_size_t, ctypes.c_uint8, ctypes.c_uint16, ctypes.c_uint32, ctypes.c_uint64):
            codes[t] = sizes[ctypes.sizeof(t)][1]
        codes[ctypes.c_float] = F32
        codes[ctypes.c_double] = F64
        codes[ctypes.c_void_p] = PTR
        codes[ctypes.c_bool] = BOOL
        codes[ctypes.c_char] = I8
        _CODES = codes
    return _CODES


cdef tuple _DEVICE_POINTERS = None  # (CUdeviceptr, CUdeviceptr_v2, c_void_p), at the first packed address


cdef tuple _device_pointers():
    global _DEVICE_POINTERS
    if _DEVICE_POINTERS is None:
        import ctypes

        from cuda.bindings import driver  # loaded already: its launch functions are the callers

        _DEVICE_POINTERS = (driver.CUdeviceptr, driver.CUdeviceptr_v2, ctypes.c_void_p)
    return _DEVICE_POINTERS


cdef inline uint64_t _as_address(object value) except? 0:
    if value is None:
        return 0
    if PyLong_Check(value):
        return PyLong_AsUnsignedLongLongMask(value)
    # By type identity: type(value).__name__ of a compiled class is a new str per call, which
    # cost ~150 ns per pointer argument (launch_4/launch_16 of benchmarks.binding_overhead).
    kinds = _device_pointers()
    t = type(value)
    if t is kinds[0] or t is kinds[1]:  # a CUdeviceptr is a device address: its value
        return int(value)
    if t is kinds[2]:
        return value.value or 0
    if hasattr(value, "getPtr"):
        # any other cuda.bindings object (a struct, a handle made with _ptr=) is passed by where
        # it lives, as NVIDIA's bindings do
        return value.getPtr()
    raise TypeError(f"a c_void_p kernel argument must be an int, None or a device pointer, not {type(value).__name__}")


cdef int _pack_one(object value, int code, void* slot) except -1:
    if code < F32 and not PyLong_Check(value):
        value = operator.index(value)  # integers only: a float here is a mistake, not a truncation
    # The whole 8-byte slot is zeroed first: a kernel whose parameter is wider than the type given
    # (size_t passed as c_uint, as NVIDIA's simple_cuda_graphs example does) reads zeros above it,
    # as it does from the zero-filled ctypes objects of NVIDIA's bindings.
    (<uint64_t*>slot)[0] = 0
    if code == F32:
        (<float*>slot)[0] = value
    elif code == F64:
        (<double*>slot)[0] = value
    elif code == PTR:
        (<uint64_t*>slot)[0] = _as_address(value)
    elif code == BOOL:
        (<uint8_t*>slot)[0] = 1 if value else 0
    elif code == I8:
        (<int8_t*>slot)[0] = value
    elif code == I16:
        (<int16_t*>slot)[0] = value
    elif code == I32:
        (<int32_t*>slot)[0] = value
    elif code == I64:
        (<int64_t*>slot)[0] = value
    elif code == U8:
        (<uint8_t*>slot)[0] = value
    elif code == U16:
        (<uint16_t*>slot)[0] = value
    elif code == U32:
        (<uint32_t*>slot)[0] = value
    else:
        (<uint64_t*>slot)[0] = value
    return 0


cdef void** _buffer_array(object params, list keep) except NULL:
    """kernelParams given as any buffer (a ctypes c_void_p array, a numpy uint64 array): the array,
    its view kept (in `keep`) until the launch returns."""
    cdef BufferArg held
    try:
        held = buffer_arg(params, False, "kernelParams", -1, False)
    except (TypeError, BufferError, ValueError):
        raise TypeError(
            "kernelParams must be None, an int address, a buffer holding the void* array, or a pair "
            f"(values, ctypes types), not {type(params).__name__}"
        ) from None
    keep.append(held)
    if held.ptr == NULL:
        raise ValueError("kernelParams: the buffer is empty")
    return <void**>held.ptr


cdef bint _is_ctypes_instance(object value):
    import ctypes

    return isinstance(value, (ctypes._SimpleCData, ctypes.Structure, ctypes.Union, ctypes.Array))


cdef bint _is_ctypes_type(object t):
    import ctypes

    return issubclass(t, ctypes._SimpleCData | ctypes.Structure | ctypes.Union | ctypes.Array)


cdef void** pack_kernel_params(object params, void** ptrs, uint64_t* slots, Py_ssize_t capacity, list keep) except? NULL:
    """The void** to pass as kernelParams; ptrs and slots hold `capacity` entries (the caller's stack)."""
    cdef Py_ssize_t i, n
    cdef object values, types, value, t
    cdef int code
    cdef dict codes
    if params is None:
        return NULL
    if PyLong_Check(params):
        return <void**><uintptr_t>PyLong_AsUnsignedLongLongMask(params)
    if type(params) is not tuple or PyTuple_GET_SIZE(params) != 2:
        if hasattr(params, "getPtr"):
            return <void**><uintptr_t>params.getPtr()
        return _buffer_array(params, keep)
    values = <object>PyTuple_GET_ITEM(params, 0)
    types = <object>PyTuple_GET_ITEM(params, 1)
    if type(values) is not tuple:
        values = tuple(values)
    if type(types) is not tuple:
        types = tuple(types)
    n = PyTuple_GET_SIZE(values)
    if PyTuple_GET_SIZE(types) != n:
        raise ValueError(f"kernelParams: {n} values but {PyTuple_GET_SIZE(types)} types")
    if n > capacity:
        holder = bytearray(n * (sizeof(void*) + sizeof(uint64_t)))
        keep.append(holder)
        ptrs = <void**><char*>holder
        slots = <uint64_t*>(<char*>holder + n * sizeof(void*))
    codes = _codes()
    for i in range(n):
        value = <object>PyTuple_GET_ITEM(values, i)
        t = <object>PyTuple_GET_ITEM(types, i)
        code = codes.get(t, 0)
        # the fast path packs Python numbers (and addresses); a ctypes instance, bytes or str takes
        # the ctypes path below
        if code and (code == PTR or PyLong_Check(value) or PyFloat_Check(value)):
            _pack_one(value, code, &slots[i])
            ptrs[i] = &slots[i]
        elif t is None:
            if hasattr(value, "getPtr"):
                keep.append(value)
                ptrs[i] = <void*><uintptr_t>value.getPtr()
            elif isinstance(value, int) and type(value) is not int and type(value) is not bool:  # an enum member
                slots[i] = 0
                (<int32_t*>&slots[i])[0] = value
                ptrs[i] = &slots[i]
            elif _is_ctypes_instance(value):
                import ctypes

                keep.append(value)
                ptrs[i] = <void*><uintptr_t>ctypes.addressof(value)
            else:
                raise TypeError(f"kernelParams[{i}]: with type None the value must be a cuda.bindings object "
                                f"(it has getPtr()), a ctypes instance or an enum member, not {type(value).__name__}")
        elif isinstance(t, type) and _is_ctypes_type(t):
            import ctypes

            if not isinstance(value, t) and _is_ctypes_instance(value) and hasattr(value, "value"):
                value = value.value  # a ctypes number of another type (c_float for c_double)
            obj = value if isinstance(value, t) else t(value)
            keep.append(obj)
            ptrs[i] = <void*><uintptr_t>ctypes.addressof(obj)
        else:
            raise TypeError(f"kernelParams[{i}]: the type must be a ctypes type or None, not {t!r}")
    return ptrs


def _packed(params, bint whole_slots=False):
    """Test hook: the bytes each kernel argument is passed as (the C stack slots, read back; all 8
    bytes of each with whole_slots, the stack filled with 0xff before packing)."""
    cdef void* ptrs[64]
    cdef uint64_t slots[64]
    cdef list keep = []
    memset(slots, 0xFF, sizeof(slots))
    cdef void** packed = pack_kernel_params(params, ptrs, slots, 64, keep)
    if packed == NULL:
        return None
    if type(params) is not tuple:  # an address or a buffer: the array it gave
        return <uintptr_t>packed
    import ctypes

    values, types = params
    sizes = [8 if whole_slots or t is None else ctypes.sizeof(t) for t in types]
    return [(<char*>packed[i])[: sizes[i]] for i in range(len(sizes))]
