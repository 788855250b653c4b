# SPDX-License-Identifier: Apache-2.0
# Hand-written, included by the generated nvml.pyx: what nvml.h's types alone do not say.


def check_status(status):
    """Raise the NvmlError subclass of `status` unless it is NVML_SUCCESS."""
    status = _index(status, "status")
    if status != cynvml.NVML_SUCCESS:
        _check(status, 0)


def check_status_size(status):
    """As check_status, but NVML_ERROR_INSUFFICIENT_SIZE (the answer to a size query) is no error."""
    status = _index(status, "status")
    if status != cynvml.NVML_SUCCESS and status != cynvml.NVML_ERROR_INSUFFICIENT_SIZE:
        _check(status, 0)


cdef object _field_values(values):
    """A FieldValue array: the one given, or one made from a sequence of field ids."""
    if isinstance(values, FieldValue):
        return values
    ids = [_index(v, "values") for v in values]
    if not ids:
        raise ValueError("values must name at least one field")
    array = FieldValue(len(ids))
    for i, field_id in enumerate(ids):
        array[i].field_id = field_id
    return array


cdef object _call_on_field_values(device, values, bint clear):
    """nvmlDeviceGetFieldValues or nvmlDeviceClearFieldValues on `values` (see _field_values)."""
    cdef cynvml.nvmlDevice_t handle = <cynvml.nvmlDevice_t><uintptr_t>_address(device, "device")
    array = _field_values(values)
    cdef int count = len(array)
    cdef cynvml.nvmlFieldValue_t* ptr = <cynvml.nvmlFieldValue_t*><uintptr_t>array.ptr
    cdef cynvml.nvmlReturn_t status
    with nogil:
        if clear:
            status = cynvml.nvmlDeviceClearFieldValues(handle, count, ptr)
        else:
            status = cynvml.nvmlDeviceGetFieldValues(handle, count, ptr)
    check_status(status)
    return array


def device_get_field_values(device, values):
    """Query fields of a device: `values` is a FieldValue array whose field_id (and scope_id) are
    set, or a sequence of FieldId values. Returns the FieldValue array, each entry with its own
    nvml_return (a field the device lacks fails alone, not the call)."""
    return _call_on_field_values(device, values, False)


def device_clear_field_values(device, values):
    """Clear fields of a device (a FieldValue array, or a sequence of FieldId values)."""
    _call_on_field_values(device, values, True)


def device_get_handle_by_uuidv(type, uuid):
    """The handle of the device with this UUID, given as `type` (UUIDType.ASCII: the text
    nvidia-smi shows, as bytes or str; UUIDType.BINARY: its 16 bytes)."""
    kind = _index(type, "type")
    data = uuid.encode() if isinstance(uuid, str) else bytes(uuid)
    record = UUID_v1()
    record.version = UUID_v1._itemsize | (1 << 24)
    record.type = kind
    if kind == cynvml.NVML_UUID_TYPE_BINARY:
        record.value.bytes = data  # the union's two members share their bytes
    else:
        record.value.str = data
    cdef uintptr_t ptr = record.ptr
    cdef cynvml.nvmlDevice_t handle = NULL
    cdef cynvml.nvmlReturn_t status
    with nogil:
        status = cynvml.nvmlDeviceGetHandleByUUIDV(<cynvml.nvmlUUID_t*>ptr, &handle)
    check_status(status)
    return <intptr_t>handle


def system_event_set_wait(event_set, timeout_ms, buffer_size):
    """Wait up to `timeout_ms` (0: no limit) for system events on `event_set`; returns the events
    delivered, at most `buffer_size`, as a SystemEventData_v1 array (TimeoutError: none came)."""
    cdef unsigned int size = _index(buffer_size, "buffer_size")
    if size < 1:
        raise ValueError(f"buffer_size must be at least 1, got {size}")
    data = SystemEventData_v1(size)
    request = SystemEventSetWaitRequest_v1()
    request.version = SystemEventSetWaitRequest_v1._itemsize | (1 << 24)
    request.timeoutms = _index(timeout_ms, "timeout_ms")
    request.set = _address(event_set, "event_set")
    request.data_ = data.ptr
    request.data_size = size
    cdef uintptr_t ptr = request.ptr
    cdef cynvml.nvmlReturn_t status
    with nogil:
        status = cynvml.nvmlSystemEventSetWait(<cynvml.nvmlSystemEventSetWaitRequest_t*>ptr)
    check_status(status)
    return data[:request.num_event]


from libc.string cimport memcpy, memset


def device_read_prm_counters_v1(device, counters):
    """Read a device's PRM counters into `counters` (a PRMCounter_v1 array whose counter ids and
    inputs are set); returns `counters`, each with its value and status."""
    if not isinstance(counters, PRMCounter_v1):
        raise TypeError(f"counters must be a PRMCounter_v1 array, not {type(counters).__name__}")
    cdef cynvml.nvmlDevice_t handle = <cynvml.nvmlDevice_t><uintptr_t>_address(device, "device")
    cdef cynvml.nvmlPRMCounterList_v1_t request
    request.numCounters = len(counters)
    request.counters = <cynvml.nvmlPRMCounter_v1_t*><uintptr_t>counters.ptr
    cdef cynvml.nvmlReturn_t status
    with nogil:
        status = cynvml.nvmlDeviceReadPRMCounters_v1(handle, &request)
    check_status(status)
    return counters


def device_read_write_prm_v1(device, in_data):
    """Send `in_data` (bytes in TLV format, at most 496) to the device's PRM; returns (the
    command's status, the output TLV data as bytes)."""
    if not isinstance(in_data, (bytes, bytearray)):
        raise TypeError(f"in_data must be bytes, not {type(in_data).__name__}")
    cdef Py_ssize_t n = len(in_data)
    if n > 496:
        raise ValueError(f"in_data holds at most 496 bytes (NVML_PRM_DATA_MAX_SIZE), got {n}")
    cdef bytes data = bytes(in_data)
    cdef cynvml.nvmlDevice_t handle = <cynvml.nvmlDevice_t><uintptr_t>_address(device, "device")
    cdef cynvml.nvmlPRMTLV_v1_t buffer
    memset(&buffer, 0, sizeof(buffer))
    buffer.dataSize = <unsigned int>n
    memcpy(buffer.inData, <const char*>data, n)
    cdef cynvml.nvmlReturn_t status
    with nogil:
        status = cynvml.nvmlDeviceReadWritePRM_v1(handle, &buffer)
    check_status(status)
    return buffer.status, bytes(buffer.outData[:496])


def event_set_get_context_data_v1(set, index):
    """The raw payload (bytes) of context record `index` of the event that nvmlEventSetWait_v3 last
    returned on `set`; b"" when the record has none. Asks for the size first, then copies."""
    cdef cynvml.nvmlEventSet_t handle = <cynvml.nvmlEventSet_t><uintptr_t>_address(set, "set")
    cdef cynvml.nvmlEventSetGetContextData_v1_t params
    memset(&params, 0, sizeof(params))
    params.index = <unsigned int>_index(index, "index")
    cdef cynvml.nvmlReturn_t status
    with nogil:
        status = cynvml.nvmlEventSetGetContextData_v1(handle, &params)
    check_status_size(status)
    if params.dataSize == 0:
        return b""
    cdef bytearray data = bytearray(params.dataSize)
    params.data = <void*><char*>data
    with nogil:
        status = cynvml.nvmlEventSetGetContextData_v1(handle, &params)
    check_status(status)
    return bytes(data[:params.dataSize])
