# SPDX-License-Identifier: Apache-2.0
# A context for driver calls made on threads that have none: multiprocessing pickles what a Queue
# sends on its feeder thread, where exporting an IPC handle would fail with INVALID_CONTEXT.
from cuda.bindings cimport cydriver
from cuda.core._errors cimport check


# Make `ctx` current if this thread has no current context; returns 1 when it pushed one.
cdef inline int enter_context(cydriver.CUcontext ctx) except -1:
    cdef cydriver.CUcontext current = NULL
    check(cydriver.cuCtxGetCurrent(&current))
    if current != NULL or ctx == NULL:
        return 0
    check(cydriver.cuCtxPushCurrent(ctx))
    return 1


cdef inline void leave_context(int pushed) noexcept:
    cdef cydriver.CUcontext popped = NULL
    if pushed:
        cydriver.cuCtxPopCurrent(&popped)


# The same with the primary context of `device` (0 when not known, for host pools), retained while
# it is current: for exports of pools and their pointers, which have no context of their own.
cdef inline int enter_primary_context(int device) except -1:
    cdef cydriver.CUcontext current = NULL
    cdef cydriver.CUcontext ctx = NULL
    cdef cydriver.CUdevice dev = 0
    check(cydriver.cuCtxGetCurrent(&current))
    if current != NULL:
        return 0
    check(cydriver.cuDeviceGet(&dev, device if device >= 0 else 0))
    check(cydriver.cuDevicePrimaryCtxRetain(&ctx, dev))
    if cydriver.cuCtxPushCurrent(ctx) != cydriver.CUDA_SUCCESS:
        cydriver.cuDevicePrimaryCtxRelease(dev)
        raise RuntimeError("could not make the device's primary context current on this thread")
    return 1


cdef inline void leave_primary_context(int pushed, int device) noexcept:
    cdef cydriver.CUcontext popped = NULL
    cdef cydriver.CUdevice dev = 0
    if pushed:
        cydriver.cuCtxPopCurrent(&popped)
        if cydriver.cuDeviceGet(&dev, device if device >= 0 else 0) == cydriver.CUDA_SUCCESS:
            cydriver.cuDevicePrimaryCtxRelease(dev)
