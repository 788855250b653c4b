# SPDX-License-Identifier: Apache-2.0
# Hand-written, included by the generated runtime.pyx: the header's inline helpers (they build a
# struct and call nothing), and the version of the libcudart this module loaded.


def make_cudaPitchedPtr(d, size_t p, size_t xsz, size_t ysz):
    """A cudaPitchedPtr with ptr d (an address or a buffer), pitch p and logical size xsz by ysz."""
    cdef cudaPitchedPtr out = cudaPitchedPtr()
    cdef BufferArg data = _void_ptr(d, "d")
    out._owner = data  # a buffer given as d stays alive while the struct points into it
    out._ptr[0].ptr = data.ptr
    out._ptr[0].pitch = p
    out._ptr[0].xsize = xsz
    out._ptr[0].ysize = ysz
    return out


def make_cudaPos(size_t x, size_t y, size_t z):
    """A cudaPos of x, y, z."""
    cdef cudaPos out = cudaPos()
    out._ptr[0].x = x
    out._ptr[0].y = y
    out._ptr[0].z = z
    return out


def make_cudaExtent(size_t w, size_t h, size_t d):
    """A cudaExtent of width w (bytes, or elements for arrays), height h and depth d."""
    cdef cudaExtent out = cudaExtent()
    out._ptr[0].width = w
    out._ptr[0].height = h
    out._ptr[0].depth = d
    return out


def cudaCreateChannelDesc(int x, int y, int z, int w, f):
    """(cudaSuccess, cudaChannelFormatDesc) with x, y, z, w bits per component and format kind f."""
    cdef cyruntime.cudaChannelFormatKind kind = <cyruntime.cudaChannelFormatKind><int>_index(f, "f")
    cdef cudaChannelFormatDesc out = cudaChannelFormatDesc()
    out._ptr[0].x = x
    out._ptr[0].y = y
    out._ptr[0].z = z
    out._ptr[0].w = w
    out._ptr[0].f = kind
    return (_success, out)


def getLocalRuntimeVersion():
    """(cudaError_t, version) of the libcudart this module loaded (1000 * major + 10 * minor)."""
    cdef int version = 0
    cdef cyruntime.cudaError_t status = cyruntime.cudaRuntimeGetVersion(&version)
    if status != cyruntime.cudaSuccess:
        return (_result(status), None)
    return (_success, version)


cdef object _shareable_handle(int handle_type, uint64_t* raw):
    """cudaMemPoolExportToShareableHandle's handle as the Python type of its handle type."""
    if handle_type == cyruntime.cudaMemHandleTypeFabric:
        fabric = cudaMemFabricHandle_st()
        memcpy(<void*><uintptr_t>fabric.getPtr(), raw, sizeof(cyruntime.cudaMemFabricHandle_st))
        return fabric
    if handle_type == cyruntime.cudaMemHandleTypePosixFileDescriptor:
        return (<int*>raw)[0]
    if handle_type == cyruntime.cudaMemHandleTypeWin32Kmt:
        return (<unsigned int*>raw)[0]
    return <uintptr_t>(<void**>raw)[0]  # a Win32 HANDLE
