# SPDX-License-Identifier: Apache-2.0
# Hand-written, included by the generated cudla.pyx: what cudla.h's types alone do not say.


def check_status(status):
    """Raise CudlaError unless `status` is cudlaSuccess (0)."""
    if _index(status, "status") != 0:
        raise CudlaError(status)


_COUNTS = {
    cycudla.CUDLA_INPUT_TENSOR_DESCRIPTORS: cycudla.CUDLA_NUM_INPUT_TENSORS,
    cycudla.CUDLA_OUTPUT_TENSOR_DESCRIPTORS: cycudla.CUDLA_NUM_OUTPUT_TENSORS,
    cycudla.CUDLA_OUTPUT_TASK_STATISTICS_DESCRIPTORS: cycudla.CUDLA_NUM_OUTPUT_TASK_STATISTICS,
}


def module_get_attributes(h_module, attr_type):
    """An attribute of a loaded module: a count (int) for the NUM_* types, else the list of its
    tensor descriptors (ModuleTensorDescriptor), asked for after their count.

    cudlaModuleAttribute is a union whose member depends on attr_type: a count, or a pointer
    to an array the caller allocates, as long as the count the NUM_* type gives.
    """
    cdef cycudla.cudlaModule module = <cycudla.cudlaModule><uintptr_t>_address(h_module, "h_module")
    cdef int kind = _index(attr_type, "attr_type")
    cdef cycudla.cudlaModuleAttribute attribute
    cdef cycudla.cudlaStatus status
    if kind in _COUNTS.values():
        with nogil:
            status = cycudla.cudlaModuleGetAttributes(module, <cycudla.cudlaModuleAttributeType>kind, &attribute)
        check_status(status)
        return attribute.numInputTensors
    if kind not in _COUNTS:
        raise ValueError(f"attr_type must be a ModuleAttributeType, not {attr_type!r}")
    count = module_get_attributes(h_module, _COUNTS[kind])
    descriptors = ModuleTensorDescriptor(max(count, 1))
    attribute.inputTensorDesc = <cycudla.cudlaModuleTensorDescriptor*><uintptr_t>descriptors.ptr
    with nogil:
        status = cycudla.cudlaModuleGetAttributes(module, <cycudla.cudlaModuleAttributeType>kind, &attribute)
    check_status(status)
    return [descriptors[i] for i in range(count)]
