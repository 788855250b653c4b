# SPDX-License-Identifier: Apache-2.0
"""Device resources for green contexts: SM partitions and work-queue configurations.

Device.resources.sm is the device's whole SM resource; SMResource.split() partitions it:
groups of one size through cuDevSmResourceSplitByCount (any CUDA 13 driver), groups of
different sizes, co-scheduling counts or backfill through cuDevSmResourceSplit (a CUDA 13.1+
driver: on an older one the call raises FunctionNotFoundError naming the version it needs).
Device.resources.workqueue is the work-queue configuration (CUDA 13.1+ drivers); configure()
sets its concurrency limit and sharing scope. Device.create_context(ContextOptions(resources=
[...])) makes a green context of SM groups and a work-queue configuration
(cuDevResourceGenerateDesc + cuGreenCtxCreate).
"""

from libc.stdint cimport uintptr_t
from libc.stdlib cimport free, malloc
from libc.string cimport memset

from cuda.bindings cimport cydriver

include "cuda/core/_cuda_line.pxi"  # calls and values that differ between the toolkit lines
from cuda.core._errors cimport check

from cuda.core._object_options import SMResourceOptions, WorkqueueResourceOptions

# WorkqueueSharingScopeType values in the order of CUdevWorkqueueConfigScope
_SCOPES = ("device_ctx", "green_ctx_balanced")


cdef class WorkqueueResource:
    """A work-queue configuration of a device or context (Device.resources.workqueue): how many
    stream-ordered workloads may run concurrently, and how green contexts share work queues."""

    cdef cydriver.CUdevResource _res
    cdef int _device_id

    def __init__(self, *args, **kwargs):
        raise RuntimeError("WorkqueueResource objects come from Device.resources.workqueue")

    @property
    def handle(self):
        """The address of the CUdevResource struct this object holds."""
        return <uintptr_t>&self._res

    @property
    def device(self):
        from cuda.core._device import Device

        return Device(self._device_id)

    @property
    def concurrency_limit(self):
        """The expected maximum number of concurrent stream-ordered workloads."""
        cdef unsigned int limit
        cdef int scope
        line_wq_get(&self._res, &limit, &scope)
        return limit

    @property
    def sharing_scope(self):
        """A WorkqueueSharingScopeType: DEVICE_CTX or GREEN_CTX_BALANCED."""
        from cuda.core.typing import WorkqueueSharingScopeType

        cdef unsigned int limit
        cdef int scope
        line_wq_get(&self._res, &limit, &scope)
        return WorkqueueSharingScopeType(_SCOPES[scope])

    def configure(self, options):
        """Set what ``options`` (a WorkqueueResourceOptions) gives; None fields stay. A context
        made of this resource afterwards gets the configuration."""
        if not isinstance(options, WorkqueueResourceOptions):
            raise TypeError(f"options must be a WorkqueueResourceOptions, not {type(options).__name__}")
        from cuda.core.typing import WorkqueueSharingScopeType

        cdef long long limit = -1 if options.concurrency_limit is None else options.concurrency_limit
        cdef int scope = -1
        if options.sharing_scope is not None:  # the type or its value, as the options take it
            scope = _SCOPES.index(WorkqueueSharingScopeType(options.sharing_scope).value)
        line_wq_set(&self._res, limit, scope)

    def __repr__(self):
        return (f"<WorkqueueResource concurrency_limit={self.concurrency_limit} "
                f"sharing_scope={self.sharing_scope.value!r} device={self._device_id}>")


cdef WorkqueueResource _workqueue(cydriver.CUdevResource* res, int device_id):
    cdef WorkqueueResource r = WorkqueueResource.__new__(WorkqueueResource)
    r._res = res[0]
    r._device_id = device_id
    return r


cdef class SMResource:
    """A set of SMs: the device's, a split group, or a remainder. Not constructed directly."""

    cdef cydriver.CUdevResource _res
    cdef int _device_id
    cdef bint _usable

    def __init__(self, *args, **kwargs):
        raise RuntimeError("SMResource objects come from DeviceResources.sm or SMResource.split()")

    @property
    def handle(self):
        """The address of the CUdevResource struct this object holds."""
        return <uintptr_t>&self._res

    @property
    def sm_count(self):
        return self._res.sm.smCount

    cdef tuple _sizes(self):
        cdef unsigned int min_size = 0, alignment = 0, flags = 0
        line_sm_sizes(&self._res, self._device_id, &min_size, &alignment, &flags)
        return min_size, alignment, flags

    @property
    def min_partition_size(self):
        return self._sizes()[0]

    @property
    def coscheduled_alignment(self):
        return self._sizes()[1]

    @property
    def flags(self):
        """CUdevSmResourceGroup_flags of this resource (CU_DEV_SM_RESOURCE_GROUP_BACKFILL...)."""
        return self._sizes()[2]

    def split(self, options, *, dry_run=False):
        """Partition these SMs: returns (groups, remainder), each group an SMResource.

        ``count=None`` (or 0) lets the driver pick the size: one group of the smallest partition
        it allows. A dry run returns the groups it would make, which cannot make a context.
        """
        if not isinstance(options, SMResourceOptions):
            raise TypeError(f"options must be an SMResourceOptions, not {type(options).__name__}")
        count = options.count
        scalar = count is None or isinstance(count, int)
        counts = [count] if scalar else list(count)
        if not counts or any(c is not None and (type(c) is bool or not isinstance(c, int)) for c in counts):
            raise TypeError("SMResourceOptions.count must be None, an int or a sequence of ints")
        if any(c is not None and c < 0 for c in counts):
            raise ValueError(f"SMResourceOptions.count must be non-negative, got {count!r}")
        for name in ("coscheduled_sm_count", "preferred_coscheduled_sm_count"):
            value = getattr(options, name)
            if value is None or isinstance(value, int):
                continue
            if scalar:
                raise ValueError(f"SMResourceOptions.{name} is a sequence but count is scalar: give count as "
                                 f"a sequence too, one value per group")
            if len(value) != len(counts):
                raise ValueError(f"SMResourceOptions.{name} has {len(value)} values, expected {len(counts)} "
                                 f"(one per group of count)")
        general = (len(set(counts)) != 1 or options.backfill or options.coscheduled_sm_count
                   or options.preferred_coscheduled_sm_count)
        if general:
            return self._split_groups(options, counts, dry_run)
        counts = [self.min_partition_size if not c else c for c in counts]
        cdef unsigned int n = len(counts)
        cdef cydriver.CUdevResource* out = <cydriver.CUdevResource*>malloc(n * sizeof(cydriver.CUdevResource))
        cdef cydriver.CUdevResource rest
        if out == NULL:
            raise MemoryError()
        try:
            memset(out, 0, n * sizeof(cydriver.CUdevResource))
            memset(&rest, 0, sizeof(rest))
            check(cydriver.cuDevSmResourceSplitByCount(out, &n, &self._res, &rest, 0, counts[0]))
            groups = [_sm(&out[i], self._device_id, not dry_run) for i in range(n)]
            return groups, _sm(&rest, self._device_id, not dry_run)
        finally:
            free(out)

    def _split_groups(self, options, list counts, bint dry_run):
        """split() through cuDevSmResourceSplit: a group per count, each with its own constraints."""
        cdef unsigned int n = len(counts)
        cdef unsigned int* ints  # per group: SM count, co-scheduled count, preferred co-scheduled count
        cdef cydriver.CUdevResource* out
        cdef cydriver.CUdevResource rest
        per_group = {}
        for name in ("coscheduled_sm_count", "preferred_coscheduled_sm_count"):
            value = getattr(options, name)
            per_group[name] = [value or 0] * n if value is None or isinstance(value, int) else list(value)
        ints = <unsigned int*>malloc(3 * n * sizeof(unsigned int))
        out = <cydriver.CUdevResource*>malloc(n * sizeof(cydriver.CUdevResource))
        try:
            if ints == NULL or out == NULL:
                raise MemoryError()
            memset(out, 0, n * sizeof(cydriver.CUdevResource))
            memset(&rest, 0, sizeof(rest))
            for i in range(n):
                ints[i] = counts[i] or 0  # 0: as many as the constraints allow
                ints[n + i] = per_group["coscheduled_sm_count"][i]
                ints[2 * n + i] = per_group["preferred_coscheduled_sm_count"][i]
            check(line_split_groups(out, n, &self._res, &rest, ints, ints + n, ints + 2 * n, options.backfill))
            groups = [_sm(&out[i], self._device_id, not dry_run) for i in range(n)]
            return groups, _sm(&rest, self._device_id, not dry_run)
        finally:
            free(ints)
            free(out)

    def __repr__(self):
        return f"<SMResource sm_count={self.sm_count} device={self._device_id}>"


cdef SMResource _sm(cydriver.CUdevResource* res, int device_id, bint usable):
    cdef SMResource r = SMResource.__new__(SMResource)
    r._res = res[0]
    r._device_id = device_id
    r._usable = usable
    return r


class DeviceResources:
    """The resources of a device or context: ``sm`` (an SMResource), ``workqueue``."""

    __slots__ = ("_sm", "_device_id", "_owner")

    def __init__(self, *args, **kwargs):
        raise RuntimeError("DeviceResources come from Device.resources, Context.resources or Stream.resources")

    @classmethod
    def _make(cls, sm, device_id, owner=None):
        self = object.__new__(cls)
        self._sm = sm
        self._device_id = device_id
        self._owner = owner  # the green context or context the resources are read from (None: the device)
        return self

    @classmethod
    def _of_device(cls, device):
        cdef cydriver.CUdevResource res
        cdef cydriver.CUdevice dev = 0
        check(cydriver.cuDeviceGet(&dev, device.device_id))
        check(cydriver.cuDeviceGetDevResource(dev, &res, cydriver.CU_DEV_RESOURCE_TYPE_SM))
        return cls._make(_sm(&res, device.device_id, True), device.device_id)

    @classmethod
    def _of_context(cls, context):
        cdef cydriver.CUdevResource res
        green = int(context._green_handle())
        if green:
            check(cydriver.cuGreenCtxGetDevResource(<cydriver.CUgreenCtx><uintptr_t>green, &res,
                                                    cydriver.CU_DEV_RESOURCE_TYPE_SM))
        else:
            check(cydriver.cuCtxGetDevResource(<cydriver.CUcontext><uintptr_t>int(context.handle), &res,
                                               cydriver.CU_DEV_RESOURCE_TYPE_SM))
        device_id = context.device.device_id
        return cls._make(_sm(&res, device_id, True), device_id, context)

    @property
    def sm(self):
        return self._sm

    @property
    def workqueue(self):
        """The work-queue configuration (a WorkqueueResource; CUDA 13.1+ drivers, else a CUDAError)."""
        cdef cydriver.CUdevResource res
        cdef cydriver.CUdevice dev = 0
        cdef cydriver.CUdevResourceType kind = <cydriver.CUdevResourceType>LINE_DEV_RESOURCE_TYPE_WORKQUEUE_CONFIG
        context = self._owner
        if context is None:
            check(cydriver.cuDeviceGet(&dev, self._device_id))
            check(cydriver.cuDeviceGetDevResource(dev, &res, kind))
        else:
            green = int(context._green_handle())
            if green:
                check(cydriver.cuGreenCtxGetDevResource(<cydriver.CUgreenCtx><uintptr_t>green, &res, kind))
            else:
                check(cydriver.cuCtxGetDevResource(<cydriver.CUcontext><uintptr_t>int(context.handle), &res, kind))
        return _workqueue(&res, self._device_id)


def _create_green_context(device, resources):
    """A green Context owning the resources listed (SMResource objects from split())."""
    from cuda.core._device import Context

    if resources is None:
        raise ValueError("resources must be provided: ContextOptions(resources=[...]) lists the SMResource "
                         "groups (from SMResource.split) the context gets")
    items = [resources] if isinstance(resources, (SMResource, WorkqueueResource)) else list(resources)
    if not items:
        raise ValueError("ContextOptions.resources is empty")
    for r in items:
        if isinstance(r, WorkqueueResource):
            continue
        if not isinstance(r, SMResource):
            raise TypeError(f"resources must be SMResource or WorkqueueResource objects, not {type(r).__name__}")
        if not (<SMResource>r)._usable:
            raise ValueError("a dry-run SMResource (from split(dry_run=True)) cannot make a context")
    cdef unsigned int n = len(items)
    cdef cydriver.CUdevResource* arr = <cydriver.CUdevResource*>malloc(n * sizeof(cydriver.CUdevResource))
    cdef cydriver.CUdevResourceDesc desc = NULL
    cdef cydriver.CUgreenCtx green = NULL
    cdef cydriver.CUcontext ctx = NULL
    cdef cydriver.CUdevice dev = 0
    if arr == NULL:
        raise MemoryError()
    try:
        for i in range(n):
            if isinstance(items[i], WorkqueueResource):
                arr[i] = (<WorkqueueResource>items[i])._res
            else:
                arr[i] = (<SMResource>items[i])._res
        check(cydriver.cuDevResourceGenerateDesc(&desc, arr, n))
    finally:
        free(arr)
    check(cydriver.cuDeviceGet(&dev, device.device_id))
    check(cydriver.cuGreenCtxCreate(&green, desc, dev, cydriver.CU_GREEN_CTX_DEFAULT_STREAM))
    check(cydriver.cuCtxFromGreenCtx(&ctx, green))
    return Context._from_handle(<uintptr_t>ctx, device.device_id, <uintptr_t>green, True)
