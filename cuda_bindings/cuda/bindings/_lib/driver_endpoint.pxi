# SPDX-License-Identifier: Apache-2.0
# Hand-written, included by the generated driver.pyx where the headers have logical endpoints
# (CUDA 13.x): cuLogicalEndpointExport's handle.


cdef object _endpoint_handle(int handle_type, uint64_t* raw):
    """cuLogicalEndpointExport's handle: a CUlogicalEndpointFabricHandle (the only exportable type)."""
    fabric = CUlogicalEndpointFabricHandle()
    memcpy(<void*><uintptr_t>fabric.getPtr(), raw, sizeof(cydriver.CUlogicalEndpointFabricHandle))
    return fabric
