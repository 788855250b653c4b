# SPDX-License-Identifier: Apache-2.0
# The 12.x twin of _cuda_line_13.pxi (which says how the pair is used): the same names and
# signatures over the 12.9 line of cuda.bindings. Where 12.x has the 13.x call under a versioned
# name (cuGraphAddNode_v2...), that; where it has none, the call raises NotImplementedError naming
# the CUDA version it needs. The values 13.x added are its numbers: a 13.x driver answers them.

from libc.stdlib cimport calloc, free



cdef cydriver.CUresult _needs_13(const char* name, const char* version="13.0") except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    with gil:
        raise NotImplementedError(
            f"{name.decode()} needs CUDA {version.decode()} or newer: this cuda-core is built on the 12.9 line "
            "of cuda-bindings (the 13.x line, cuda-bindings>=13, and a 13.x driver have it)"
        )

cdef enum:  # 13.x's numbers (cuda.h of CUDA 13.x)
    LINE_MEM_LOCATION_TYPE_NONE = 0
    LINE_MEM_ALLOCATION_TYPE_MANAGED = 2
    LINE_DEV_RESOURCE_TYPE_WORKQUEUE_CONFIG = 1000
    LINE_ATTR_HOST_MEMORY_POOLS = 144
    LINE_ATTR_HOST_VMM = 145
    LINE_ATTR_HOST_ALLOC_DMA_BUF = 146
    LINE_ATTR_ONLY_PARTIAL_HOST_ATOMIC = 147


cdef inline cydriver.CUresult line_memcpy_batch(cydriver.CUdeviceptr* dsts, cydriver.CUdeviceptr* srcs, size_t* sizes, size_t count, cydriver.CUmemcpyAttributes* attrs, size_t* idxs, size_t nattrs, cydriver.CUstream s) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    cdef size_t fail = 0
    return cydriver.cuMemcpyBatchAsync(dsts, srcs, sizes, count, attrs, idxs, nattrs, &fail, s)

cdef inline cydriver.CUresult line_prefetch_batch(cydriver.CUdeviceptr* ptrs, size_t* sizes, size_t count, cydriver.CUmemLocation* locs, size_t* idxs, size_t nlocs, unsigned long long flags, cydriver.CUstream s) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return _needs_13(b"cuMemPrefetchBatchAsync")

cdef inline cydriver.CUresult line_discard_batch(cydriver.CUdeviceptr* ptrs, size_t* sizes, size_t count, unsigned long long flags, cydriver.CUstream s) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return _needs_13(b"cuMemDiscardBatchAsync")

cdef inline cydriver.CUresult line_discard_prefetch_batch(cydriver.CUdeviceptr* ptrs, size_t* sizes, size_t count, cydriver.CUmemLocation* locs, size_t* idxs, size_t nlocs, unsigned long long flags, cydriver.CUstream s) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return _needs_13(b"cuMemDiscardAndPrefetchBatchAsync")

cdef inline cydriver.CUresult line_mem_advise(cydriver.CUdeviceptr p, size_t n, cydriver.CUmem_advise advice, cydriver.CUmemLocation loc) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return cydriver.cuMemAdvise_v2(p, n, advice, loc)

cdef inline cydriver.CUresult line_prefetch(cydriver.CUdeviceptr p, size_t n, cydriver.CUmemLocation loc, unsigned int flags, cydriver.CUstream s) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return cydriver.cuMemPrefetchAsync_v2(p, n, loc, flags, s)

cdef inline cydriver.CUresult line_get_mem_pool(cydriver.CUmemoryPool* pool, cydriver.CUmemLocation* loc, cydriver.CUmemAllocationType kind) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return _needs_13(b"cuMemGetMemPool")

cdef inline cydriver.CUresult line_graph_get_edges(cydriver.CUgraph g, cydriver.CUgraphNode* src, cydriver.CUgraphNode* dst, cydriver.CUgraphEdgeData* data, size_t* n) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return cydriver.cuGraphGetEdges_v2(g, src, dst, data, n)

cdef inline cydriver.CUresult line_node_dependencies(cydriver.CUgraphNode node, cydriver.CUgraphNode* nodes, cydriver.CUgraphEdgeData* data, size_t* n) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return cydriver.cuGraphNodeGetDependencies_v2(node, nodes, data, n)

cdef inline cydriver.CUresult line_node_dependents(cydriver.CUgraphNode node, cydriver.CUgraphNode* nodes, cydriver.CUgraphEdgeData* data, size_t* n) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return cydriver.cuGraphNodeGetDependentNodes_v2(node, nodes, data, n)

cdef inline cydriver.CUresult line_add_dependencies(cydriver.CUgraph g, const cydriver.CUgraphNode* a, const cydriver.CUgraphNode* b, const cydriver.CUgraphEdgeData* data, size_t n) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return cydriver.cuGraphAddDependencies_v2(g, a, b, data, n)

cdef inline cydriver.CUresult line_remove_dependencies(cydriver.CUgraph g, const cydriver.CUgraphNode* a, const cydriver.CUgraphNode* b, const cydriver.CUgraphEdgeData* data, size_t n) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return cydriver.cuGraphRemoveDependencies_v2(g, a, b, data, n)

cdef inline cydriver.CUresult line_graph_add_node(cydriver.CUgraphNode* out, cydriver.CUgraph g, const cydriver.CUgraphNode* deps, const cydriver.CUgraphEdgeData* data, size_t n, cydriver.CUgraphNodeParams* p) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return cydriver.cuGraphAddNode_v2(out, g, deps, data, n, p)

cdef inline cydriver.CUresult line_stream_capture_info(cydriver.CUstream s, cydriver.CUstreamCaptureStatus* status, cydriver.cuuint64_t* ident, cydriver.CUgraph* g, const cydriver.CUgraphNode** deps, const cydriver.CUgraphEdgeData** data, size_t* n) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return cydriver.cuStreamGetCaptureInfo_v3(s, status, ident, g, deps, data, n)

cdef inline cydriver.CUresult line_update_capture_dependencies(cydriver.CUstream s, cydriver.CUgraphNode* deps, const cydriver.CUgraphEdgeData* data, size_t n, unsigned int flags) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return cydriver.cuStreamUpdateCaptureDependencies_v2(s, deps, data, n, flags)


# Work-queue configurations and general SM splits: CUDA 13.1's (CUdevResource.wqConfig,
# cuDevSmResourceSplit); none of it is in the 12.x headers.
cdef inline int line_wq_get(const cydriver.CUdevResource* r, unsigned int* limit, int* scope) except -1 nogil:
    _needs_13(b"Workqueue resources", b"13.1")
    return -1


cdef inline int line_sm_sizes(const cydriver.CUdevResource* r, int device, unsigned int* min_size,
                              unsigned int* alignment, unsigned int* flags) except -1 nogil:
    # 12.x's CUdevSmResource has smCount alone: the driver's granularity by architecture (8 SMs
    # from compute capability 9.0, as 13.x drivers report on H100 and B200; 2 before)
    cdef int major = 0
    cydriver.cuDeviceGetAttribute(&major, cydriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, device)
    min_size[0] = alignment[0] = 8 if major >= 9 else 2
    flags[0] = 0
    return 0


cdef inline int line_wq_set(cydriver.CUdevResource* r, long long limit, int scope) except -1 nogil:
    _needs_13(b"Workqueue resources", b"13.1")
    return -1


cdef inline cydriver.CUresult line_split_groups(cydriver.CUdevResource* out, unsigned int n,
                                                 const cydriver.CUdevResource* res, cydriver.CUdevResource* rest,
                                                 const unsigned int* sm, const unsigned int* cosched,
                                                 const unsigned int* preferred, bint backfill) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return _needs_13(b"SMResource.split into groups of different sizes, or with backfill,", b"13.1")


cdef inline cydriver.CUresult line_node_get_params(cydriver.CUgraphNode node, cydriver.CUgraphNodeParams* p) except ?cydriver.CUDA_ERROR_NOT_FOUND nogil:
    return cydriver.CUDA_ERROR_NOT_SUPPORTED  # 12.x has no way to read a node back
