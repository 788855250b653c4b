# SPDX-License-Identifier: Apache-2.0
# The driver calls and values whose names or parameters differ between the toolkit lines, as the
# 13.x line of cuda.bindings has them. setup.py makes _cuda_line.pxi include this file or its
# 12.x twin (_cuda_line_12.pxi: the same names and signatures), by the major version of the
# cuda.bindings it builds against; a module includes _cuda_line.pxi after cimporting cydriver.

from libc.stdlib cimport calloc, free


cdef enum:
    LINE_MEM_LOCATION_TYPE_NONE = cydriver.CU_MEM_LOCATION_TYPE_NONE
    LINE_MEM_ALLOCATION_TYPE_MANAGED = cydriver.CU_MEM_ALLOCATION_TYPE_MANAGED
    LINE_DEV_RESOURCE_TYPE_WORKQUEUE_CONFIG = cydriver.CU_DEV_RESOURCE_TYPE_WORKQUEUE_CONFIG
    LINE_ATTR_HOST_MEMORY_POOLS = cydriver.CU_DEVICE_ATTRIBUTE_HOST_MEMORY_POOLS_SUPPORTED
    LINE_ATTR_HOST_VMM = cydriver.CU_DEVICE_ATTRIBUTE_HOST_VIRTUAL_MEMORY_MANAGEMENT_SUPPORTED
    LINE_ATTR_HOST_ALLOC_DMA_BUF = cydriver.CU_DEVICE_ATTRIBUTE_HOST_ALLOC_DMA_BUF_SUPPORTED
    LINE_ATTR_ONLY_PARTIAL_HOST_ATOMIC = cydriver.CU_DEVICE_ATTRIBUTE_ONLY_PARTIAL_HOST_NATIVE_ATOMIC_SUPPORTED


cdef inline cydriver.CUresult line_memcpy_batch(cydriver.CUdeviceptr* dsts, cydriver.CUdeviceptr* srcs, size_t* sizes, size_t count, cydriver.CUmemcpyAttributes* attrs, size_t* idxs, size_t nattrs, cydriver.CUstream s) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return cydriver.cuMemcpyBatchAsync(dsts, srcs, sizes, count, attrs, idxs, nattrs, s)

cdef inline cydriver.CUresult line_prefetch_batch(cydriver.CUdeviceptr* ptrs, size_t* sizes, size_t count, cydriver.CUmemLocation* locs, size_t* idxs, size_t nlocs, unsigned long long flags, cydriver.CUstream s) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return cydriver.cuMemPrefetchBatchAsync(ptrs, sizes, count, locs, idxs, nlocs, flags, s)

cdef inline cydriver.CUresult line_discard_batch(cydriver.CUdeviceptr* ptrs, size_t* sizes, size_t count, unsigned long long flags, cydriver.CUstream s) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return cydriver.cuMemDiscardBatchAsync(ptrs, sizes, count, flags, s)

cdef inline cydriver.CUresult line_discard_prefetch_batch(cydriver.CUdeviceptr* ptrs, size_t* sizes, size_t count, cydriver.CUmemLocation* locs, size_t* idxs, size_t nlocs, unsigned long long flags, cydriver.CUstream s) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return cydriver.cuMemDiscardAndPrefetchBatchAsync(ptrs, sizes, count, locs, idxs, nlocs, flags, s)

cdef inline cydriver.CUresult line_mem_advise(cydriver.CUdeviceptr p, size_t n, cydriver.CUmem_advise advice, cydriver.CUmemLocation loc) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return cydriver.cuMemAdvise(p, n, advice, loc)

cdef inline cydriver.CUresult line_prefetch(cydriver.CUdeviceptr p, size_t n, cydriver.CUmemLocation loc, unsigned int flags, cydriver.CUstream s) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return cydriver.cuMemPrefetchAsync(p, n, loc, flags, s)

cdef inline cydriver.CUresult line_get_mem_pool(cydriver.CUmemoryPool* pool, cydriver.CUmemLocation* loc, cydriver.CUmemAllocationType kind) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return cydriver.cuMemGetMemPool(pool, loc, kind)

cdef inline cydriver.CUresult line_graph_get_edges(cydriver.CUgraph g, cydriver.CUgraphNode* src, cydriver.CUgraphNode* dst, cydriver.CUgraphEdgeData* data, size_t* n) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return cydriver.cuGraphGetEdges(g, src, dst, data, n)

cdef inline cydriver.CUresult line_node_dependencies(cydriver.CUgraphNode node, cydriver.CUgraphNode* nodes, cydriver.CUgraphEdgeData* data, size_t* n) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return cydriver.cuGraphNodeGetDependencies(node, nodes, data, n)

cdef inline cydriver.CUresult line_node_dependents(cydriver.CUgraphNode node, cydriver.CUgraphNode* nodes, cydriver.CUgraphEdgeData* data, size_t* n) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return cydriver.cuGraphNodeGetDependentNodes(node, nodes, data, n)

cdef inline cydriver.CUresult line_add_dependencies(cydriver.CUgraph g, const cydriver.CUgraphNode* a, const cydriver.CUgraphNode* b, const cydriver.CUgraphEdgeData* data, size_t n) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return cydriver.cuGraphAddDependencies(g, a, b, data, n)

cdef inline cydriver.CUresult line_remove_dependencies(cydriver.CUgraph g, const cydriver.CUgraphNode* a, const cydriver.CUgraphNode* b, const cydriver.CUgraphEdgeData* data, size_t n) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return cydriver.cuGraphRemoveDependencies(g, a, b, data, n)

cdef inline cydriver.CUresult line_graph_add_node(cydriver.CUgraphNode* out, cydriver.CUgraph g, const cydriver.CUgraphNode* deps, const cydriver.CUgraphEdgeData* data, size_t n, cydriver.CUgraphNodeParams* p) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return cydriver.cuGraphAddNode(out, g, deps, data, n, p)

cdef inline cydriver.CUresult line_stream_capture_info(cydriver.CUstream s, cydriver.CUstreamCaptureStatus* status, cydriver.cuuint64_t* ident, cydriver.CUgraph* g, const cydriver.CUgraphNode** deps, const cydriver.CUgraphEdgeData** data, size_t* n) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return cydriver.cuStreamGetCaptureInfo(s, status, ident, g, deps, data, n)

cdef inline cydriver.CUresult line_update_capture_dependencies(cydriver.CUstream s, cydriver.CUgraphNode* deps, const cydriver.CUgraphEdgeData* data, size_t n, unsigned int flags) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return cydriver.cuStreamUpdateCaptureDependencies(s, deps, data, n, flags)


# Work-queue configurations and general SM splits (CUDA 13.1: CUdevResource.wqConfig,
# cuDevSmResourceSplit). limit < 0 and scope < 0 leave that field as it is.
cdef inline int line_wq_get(const cydriver.CUdevResource* r, unsigned int* limit, int* scope) except -1 nogil:
    limit[0] = r.wqConfig.wqConcurrencyLimit
    scope[0] = <int>r.wqConfig.sharingScope
    return 0


cdef inline int line_sm_sizes(const cydriver.CUdevResource* r, int device, unsigned int* min_size,
                              unsigned int* alignment, unsigned int* flags) except -1 nogil:
    """An SM resource's smallest partition, co-scheduling alignment and group flags."""
    min_size[0] = r.sm.minSmPartitionSize
    alignment[0] = r.sm.smCoscheduledAlignment
    flags[0] = r.sm.flags
    return 0


cdef inline int line_wq_set(cydriver.CUdevResource* r, long long limit, int scope) except -1 nogil:
    if limit >= 0:
        r.wqConfig.wqConcurrencyLimit = <unsigned int>limit
    if scope >= 0:
        r.wqConfig.sharingScope = <cydriver.CUdevWorkqueueConfigScope>scope
    return 0


cdef inline cydriver.CUresult line_split_groups(cydriver.CUdevResource* out, unsigned int n,
                                                 const cydriver.CUdevResource* res, cydriver.CUdevResource* rest,
                                                 const unsigned int* sm, const unsigned int* cosched,
                                                 const unsigned int* preferred, bint backfill) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    cdef cydriver.CU_DEV_SM_RESOURCE_GROUP_PARAMS* params = <cydriver.CU_DEV_SM_RESOURCE_GROUP_PARAMS*>calloc(
        n, sizeof(cydriver.CU_DEV_SM_RESOURCE_GROUP_PARAMS))
    if params == NULL:
        return cydriver.CUDA_ERROR_OUT_OF_MEMORY
    cdef unsigned int i
    for i in range(n):
        params[i].smCount = sm[i]  # 0: as many as the constraints allow
        params[i].coscheduledSmCount = cosched[i]
        params[i].preferredCoscheduledSmCount = preferred[i]
        if backfill:
            params[i].flags = cydriver.CU_DEV_SM_RESOURCE_GROUP_BACKFILL
    try:
        return cydriver.cuDevSmResourceSplit(out, n, res, rest, 0, params)
    finally:
        free(params)


cdef inline cydriver.CUresult line_node_get_params(cydriver.CUgraphNode node, cydriver.CUgraphNodeParams* p) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return cydriver.cuGraphNodeGetParams(node, p)
