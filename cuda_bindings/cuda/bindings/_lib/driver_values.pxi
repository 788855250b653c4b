# SPDX-License-Identifier: Apache-2.0
# Hand-written, included by the generated driver.pyx: values whose C type depends on an argument.

cdef object _pointer_attribute(int attribute, uint64_t* raw):
    """cuPointerGetAttribute's value as the Python type of that attribute."""
    if attribute == cydriver.CU_POINTER_ATTRIBUTE_CONTEXT:
        return CUcontext(<uintptr_t>(<void**>raw)[0])
    if attribute == cydriver.CU_POINTER_ATTRIBUTE_MEMORY_TYPE:
        return _enum_CUmemorytype((<unsigned int*>raw)[0])
    if attribute in (cydriver.CU_POINTER_ATTRIBUTE_DEVICE_POINTER, cydriver.CU_POINTER_ATTRIBUTE_RANGE_START_ADDR):
        return CUdeviceptr(raw[0])
    if attribute == cydriver.CU_POINTER_ATTRIBUTE_MEMPOOL_HANDLE:
        return CUmemoryPool(<uintptr_t>(<void**>raw)[0])
    if attribute == cydriver.CU_POINTER_ATTRIBUTE_P2P_TOKENS:
        tokens = CUDA_POINTER_ATTRIBUTE_P2P_TOKENS()
        memcpy(<void*><uintptr_t>tokens.getPtr(), raw, sizeof(cydriver.CUDA_POINTER_ATTRIBUTE_P2P_TOKENS))
        return tokens
    if attribute in (
        cydriver.CU_POINTER_ATTRIBUTE_SYNC_MEMOPS,
        cydriver.CU_POINTER_ATTRIBUTE_IS_MANAGED,
        cydriver.CU_POINTER_ATTRIBUTE_IS_LEGACY_CUDA_IPC_CAPABLE,
        cydriver.CU_POINTER_ATTRIBUTE_MAPPED,
        cydriver.CU_POINTER_ATTRIBUTE_IS_GPU_DIRECT_RDMA_CAPABLE,
        cydriver.CU_POINTER_ATTRIBUTE_IS_HW_DECOMPRESS_CAPABLE,
    ):
        return bool((<int*>raw)[0])
    if attribute in (cydriver.CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL, cydriver.CU_POINTER_ATTRIBUTE_ACCESS_FLAGS):
        return (<int*>raw)[0]
    return raw[0]  # sizes, ids, addresses and handle-type masks: 64-bit integers


cdef object _shareable_handle(int handle_type, uint64_t* raw):
    """An exported handle as the Python type of its handle type (cuMemExportToShareableHandle & co.)."""
    if handle_type == cydriver.CU_MEM_HANDLE_TYPE_FABRIC:
        fabric = CUmemFabricHandle()
        memcpy(<void*><uintptr_t>fabric.getPtr(), raw, sizeof(cydriver.CUmemFabricHandle))
        return fabric
    if handle_type == cydriver.CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR:
        return (<int*>raw)[0]
    if handle_type == cydriver.CU_MEM_HANDLE_TYPE_WIN32_KMT:
        return (<unsigned int*>raw)[0]
    return <uintptr_t>(<void**>raw)[0]  # a Win32 HANDLE


cdef object _range_handle(int handle_type, uint64_t* raw):
    """cuMemGetHandleForAddressRange's handle: a dma-buf file descriptor (int)."""
    if handle_type == cydriver.CU_MEM_RANGE_HANDLE_TYPE_DMA_BUF_FD:
        return (<int*>raw)[0]
    return raw[0]


cdef object _coredump_value(int attrib, char* data):
    """cuCoredumpGetAttribute's value as the type of that attribute: a bool for the switches, bytes
    for the file and pipe names, an int for the generation flags."""
    if attrib in (cydriver.CU_COREDUMP_FILE, cydriver.CU_COREDUMP_PIPE):
        return <bytes>data  # NUL-terminated, at most 1023 characters
    if attrib == cydriver.CU_COREDUMP_GENERATION_FLAGS:
        return (<unsigned int*>data)[0]
    return bool((<int*>data)[0])


cdef int _coredump_set_value(int attrib, object value, char* data, size_t* size) except -1:
    """cuCoredumpSetAttribute's value from Python, into data (1024 bytes) with its size: bytes or
    str for the file and pipe names, an int for the generation flags, a bool for the switches."""
    cdef bytes raw
    memset(data, 0, 1024)
    if attrib in (cydriver.CU_COREDUMP_FILE, cydriver.CU_COREDUMP_PIPE):
        if isinstance(value, str):
            value = value.encode()
        if not isinstance(value, (bytes, bytearray)):
            raise TypeError(f"value must be bytes or str for this attribute, not {type(value).__name__}")
        raw = bytes(value)
        if len(raw) > 1023:
            raise ValueError(f"value holds at most 1023 bytes, got {len(raw)}")
        memcpy(data, <char*>raw, len(raw))
        size[0] = len(raw) + 1
    elif attrib == cydriver.CU_COREDUMP_GENERATION_FLAGS:
        (<unsigned int*>data)[0] = _index(value, "value")
        size[0] = sizeof(unsigned int)
    else:
        if not isinstance(value, (bool, int)):
            raise TypeError(f"value must be a bool for this attribute, not {type(value).__name__}")
        data[0] = 1 if value else 0  # a C bool: one byte
        size[0] = 1
    return 0


cdef int _floats_into(float* out, int n, object value, str name) except -1:
    """Up to n floats (a number, or a sequence of at most n) into out, the rest zero."""
    cdef int i
    for i in range(n):
        out[i] = 0
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        out[0] = value
        return 0
    try:
        items = list(value)
    except TypeError:
        raise TypeError(f"{name} must be a float or a sequence of floats, not {type(value).__name__}") from None
    if len(items) > n:
        raise ValueError(f"{name} takes at most {n} values, got {len(items)}")
    for i in range(len(items)):
        out[i] = items[i]
    return 0
