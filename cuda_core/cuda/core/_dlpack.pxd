# SPDX-License-Identifier: Apache-2.0
# DLPack ABI (dlpack.h, v1.x): the few structs cuda.core exports and consumes, declared here
# so no dlpack.h is needed to build. Field order and types follow the C header exactly.

from cpython.pycapsule cimport PyCapsule_Destructor, PyCapsule_GetPointer, PyCapsule_IsValid, PyCapsule_New
from cpython.ref cimport Py_DECREF, Py_INCREF
from libc.stdint cimport int32_t, int64_t, uint8_t, uint16_t, uint32_t, uint64_t
from libc.stdlib cimport free, malloc


cdef extern from "Python.h":
    int Py_IsInitialized() nogil  # safe to call without the GIL


cdef enum:
    kDLCPU = 1
    kDLCUDA = 2
    kDLCUDAHost = 3
    kDLCUDAManaged = 13

cdef enum:
    kDLInt = 0
    kDLUInt = 1
    kDLFloat = 2
    kDLOpaqueHandle = 3
    kDLBfloat = 4
    kDLComplex = 5
    kDLBool = 6
    kDLFloat8_e3m4 = 7
    kDLFloat8_e4m3 = 8
    kDLFloat8_e4m3b11fnuz = 9
    kDLFloat8_e4m3fn = 10
    kDLFloat8_e4m3fnuz = 11
    kDLFloat8_e5m2 = 12
    kDLFloat8_e5m2fnuz = 13
    kDLFloat8_e8m0fnu = 14

cdef enum:
    DLPACK_MAJOR_VERSION = 1
    DLPACK_MINOR_VERSION = 0
    DLPACK_FLAG_BITMASK_READ_ONLY = 1
    DLPACK_FLAG_BITMASK_IS_COPIED = 2

cdef struct DLPackVersion:
    uint32_t major
    uint32_t minor

cdef struct DLDevice:
    int32_t device_type  # DLDeviceType: a C enum, int-sized
    int32_t device_id

cdef struct DLDataType:
    uint8_t code
    uint8_t bits
    uint16_t lanes

cdef struct DLTensor:
    void* data
    DLDevice device
    int32_t ndim
    DLDataType dtype
    int64_t* shape
    int64_t* strides
    uint64_t byte_offset

cdef struct DLManagedTensor:
    DLTensor dl_tensor
    void* manager_ctx
    void (*deleter)(DLManagedTensor*) noexcept nogil

cdef struct DLManagedTensorVersioned:
    DLPackVersion version
    void* manager_ctx
    void (*deleter)(DLManagedTensorVersioned*) noexcept nogil
    uint64_t flags
    DLTensor dl_tensor


# ---------------------------------------------------------------------------------------------
# Export, shared by Buffer and StridedMemoryView: one malloc'ed block holds the managed tensor
# and, behind it, its shape and strides; manager_ctx holds a reference to the exporting object,
# which the tensor's deleter drops. dl_export_new makes the block (shape and strides left for
# the caller to fill); dl_export_capsule hands it out. An unconsumed capsule still owns its
# tensor (its destructor calls the deleter); a consumed one belongs to the consumer.

cdef inline void dl_deleter(DLManagedTensor* t) noexcept nogil:
    if t != NULL:
        # A consumer may free its tensor after Python has shut down (C++ static destructors):
        # taking the GIL then would abort, so the exporter's reference is left behind.
        if Py_IsInitialized():
            with gil:
                Py_DECREF(<object>t.manager_ctx)
        free(t)


cdef inline void dl_deleter_v(DLManagedTensorVersioned* t) noexcept nogil:
    if t != NULL:
        # A consumer may free its tensor after Python has shut down (C++ static destructors):
        # taking the GIL then would abort, so the exporter's reference is left behind.
        if Py_IsInitialized():
            with gil:
                Py_DECREF(<object>t.manager_ctx)
        free(t)


cdef inline void dl_capsule_dtor(object capsule) noexcept:
    cdef DLManagedTensor* t
    cdef DLManagedTensorVersioned* tv
    if PyCapsule_IsValid(capsule, b"dltensor_versioned"):
        tv = <DLManagedTensorVersioned*>PyCapsule_GetPointer(capsule, b"dltensor_versioned")
        tv.deleter(tv)
    elif PyCapsule_IsValid(capsule, b"dltensor"):
        t = <DLManagedTensor*>PyCapsule_GetPointer(capsule, b"dltensor")
        t.deleter(t)


cdef inline DLTensor* dl_export_new(object owner, bint versioned, bint readonly, void* data, int devtype,
                                    int devid, int ndim, DLDataType dtype, void** block) except NULL:
    """A new block for ``owner``'s tensor; dl.shape and dl.strides (ndim each) are the caller's to fill."""
    cdef DLTensor* dl
    cdef size_t head = sizeof(DLManagedTensorVersioned) if versioned else sizeof(DLManagedTensor)
    block[0] = malloc(head + 2 * max(ndim, 1) * sizeof(int64_t))
    if block[0] == NULL:
        raise MemoryError()
    cdef int64_t* dims = <int64_t*>(<char*>block[0] + head)
    if versioned:
        dl = &(<DLManagedTensorVersioned*>block[0]).dl_tensor
        (<DLManagedTensorVersioned*>block[0]).version.major = DLPACK_MAJOR_VERSION
        (<DLManagedTensorVersioned*>block[0]).version.minor = DLPACK_MINOR_VERSION
        (<DLManagedTensorVersioned*>block[0]).flags = DLPACK_FLAG_BITMASK_READ_ONLY if readonly else 0
        (<DLManagedTensorVersioned*>block[0]).deleter = dl_deleter_v
        (<DLManagedTensorVersioned*>block[0]).manager_ctx = <void*>owner
    else:
        dl = &(<DLManagedTensor*>block[0]).dl_tensor
        (<DLManagedTensor*>block[0]).deleter = dl_deleter
        (<DLManagedTensor*>block[0]).manager_ctx = <void*>owner
    dl.data = data
    dl.device.device_type = devtype
    dl.device.device_id = devid
    dl.ndim = ndim
    dl.dtype = dtype
    dl.shape = dims
    dl.strides = dims + ndim
    dl.byte_offset = 0
    return dl


cdef inline object dl_export_capsule(void* block, object owner, bint versioned):
    """The capsule of a block from dl_export_new; it takes a reference to ``owner``."""
    Py_INCREF(owner)
    try:
        return PyCapsule_New(block, b"dltensor_versioned" if versioned else b"dltensor",
                             <PyCapsule_Destructor>dl_capsule_dtor)
    except BaseException:
        if versioned:
            dl_deleter_v(<DLManagedTensorVersioned*>block)
        else:
            dl_deleter(<DLManagedTensor*>block)
        raise
