/* SPDX-License-Identifier: Apache-2.0 */
/* Memory (see cpu_driver.h): allocations are host memory, registered so that pointer
   queries, frees and pools answer as the driver does; copies and sets run at once. */
#include "cpu_driver.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static struct emu_alloc *allocs;
static size_t nallocs, capallocs;

struct emu_alloc *emu_find_alloc(uintptr_t p) {
    for (size_t i = 0; i < nallocs; i++)
        if (p >= allocs[i].base && (p < allocs[i].base + allocs[i].size || p == allocs[i].base)) return &allocs[i];
    return NULL;
}
static struct emu_alloc *add_alloc(uintptr_t base, size_t size, enum emu_kind kind, void *raw) {
    if (nallocs == capallocs) {
        capallocs = capallocs ? 2 * capallocs : 64;
        allocs = realloc(allocs, capallocs * sizeof *allocs);
        if (!allocs) abort();
    }
    struct emu_alloc *a = &allocs[nallocs++];
    memset(a, 0, sizeof *a);
    a->base = base;
    a->size = size;
    a->kind = kind;
    a->raw = raw;
    a->id = emu_next_id();
    a->sync_memops = 0;
    emu_current_ctx(&a->ctx);
    return a;
}
static void drop_alloc(struct emu_alloc *a) { *a = allocs[--nallocs]; }

/* Device memory comes from its own address range, as on a GPU with unified addressing: an
   address there is device memory whatever the copy says, so a use after free is caught (and
   addresses are never handed out twice) instead of landing in the host heap. */
#define ARENA_SIZE (1ull << 40)
#define SHARED_POOL_SIZE (1ull << 36)
static uintptr_t arena, arena_next;

static void *arena_alloc(size_t size) {
    if (!arena) {
        void *p = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) return NULL;
        arena = arena_next = (uintptr_t)p;
    }
    size_t n = size ? (size + 255) & ~(size_t)255 : 256; /* 256-byte aligned as cudaMalloc's; never empty */
    if (arena_next + n > arena + ARENA_SIZE) return NULL;
    void *p = (void *)arena_next;
    arena_next += n;
    return p;
}
static void arena_free(void *raw, size_t size) { /* the pages go back; the addresses stay unused */
    uintptr_t lo = ((uintptr_t)raw + 4095) & ~(uintptr_t)4095, hi = ((uintptr_t)raw + size) & ~(uintptr_t)4095;
    if (hi > lo) madvise((void *)lo, hi - lo, MADV_DONTNEED);
}
static uintptr_t shared_maps[64];
static int nshared_maps;
static int in_arena(uintptr_t p) {
    if (arena && p >= arena && p < arena_next) return 1;
    for (int i = 0; i < nshared_maps; i++)
        if (p >= shared_maps[i] && p < shared_maps[i] + SHARED_POOL_SIZE) return 1;
    return 0;
}

void *emu_device_alloc(size_t size, CUmemoryPool pool, enum emu_kind kind) {
    pthread_mutex_lock(&emu_lock);
    void *p = arena_alloc(size);
    if (!p) {
        pthread_mutex_unlock(&emu_lock);
        return NULL;
    }
    struct emu_alloc *a = add_alloc((uintptr_t)p, size, kind, p);
    a->pool = pool;
    pthread_mutex_unlock(&emu_lock);
    return p;
}
CUresult emu_device_free(uintptr_t p, int from_pool) {
    pthread_mutex_lock(&emu_lock);
    struct emu_alloc *a = emu_find_alloc(p);
    CUresult r = CUDA_SUCCESS;
    if (!a || a->base != p || (a->kind != MEM_DEVICE && a->kind != MEM_MANAGED && !(a->kind == MEM_HOST && a->pool)))
        r = CUDA_ERROR_INVALID_VALUE;
    else if (from_pool && !a->pool) r = CUDA_ERROR_INVALID_VALUE;
    else {
        if (a->raw) arena_free(a->raw, a->size); /* NULL: in a shared pool's mapping */
        drop_alloc(a);
    }
    pthread_mutex_unlock(&emu_lock);
    return r;
}

#define NEED_CTX() do { CUcontext c_; CUresult r_ = emu_current_ctx(&c_); if (r_) return r_; } while (0)

CUresult CUDAAPI cuMemAlloc(CUdeviceptr *dptr, size_t size) {
    NEED_CTX();
    if (!dptr || !size) return CUDA_ERROR_INVALID_VALUE;
    if (size > EMU_TOTAL_MEM) return CUDA_ERROR_OUT_OF_MEMORY;
    void *p = emu_device_alloc(size, NULL, MEM_DEVICE);
    if (!p) return CUDA_ERROR_OUT_OF_MEMORY;
    *dptr = (CUdeviceptr)p;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuMemAllocPitch(CUdeviceptr *dptr, size_t *pitch, size_t w, size_t h, unsigned elem) {
    NEED_CTX();
    if (!dptr || !pitch || !w || !h || (elem != 4 && elem != 8 && elem != 16)) return CUDA_ERROR_INVALID_VALUE;
    *pitch = (w + 511) & ~(size_t)511;
    return cuMemAlloc(dptr, *pitch * h);
}
CUresult CUDAAPI cuMemFree(CUdeviceptr p) {
    NEED_CTX();
    if (!p) return CUDA_SUCCESS;
    return emu_device_free(p, 0);
}
CUresult CUDAAPI cuMemAllocManaged(CUdeviceptr *dptr, size_t size, unsigned flags) {
    NEED_CTX();
    if (!dptr || !size || (flags != CU_MEM_ATTACH_GLOBAL && flags != CU_MEM_ATTACH_HOST)) return CUDA_ERROR_INVALID_VALUE;
    void *p = emu_device_alloc(size, NULL, MEM_MANAGED);
    if (!p) return CUDA_ERROR_OUT_OF_MEMORY;
    *dptr = (CUdeviceptr)p;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuMemHostAlloc(void **pp, size_t size, unsigned flags) {
    NEED_CTX();
    if (!pp || !size || (flags & ~0xfu)) return CUDA_ERROR_INVALID_VALUE;
    void *p = NULL;
    if (posix_memalign(&p, 4096, size)) return CUDA_ERROR_OUT_OF_MEMORY;
    pthread_mutex_lock(&emu_lock);
    add_alloc((uintptr_t)p, size, MEM_HOST, p)->flags = flags;
    pthread_mutex_unlock(&emu_lock);
    *pp = p;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuMemAllocHost(void **pp, size_t size) { return cuMemHostAlloc(pp, size, 0); }
CUresult CUDAAPI cuMemFreeHost(void *p) {
    NEED_CTX();
    pthread_mutex_lock(&emu_lock);
    struct emu_alloc *a = emu_find_alloc((uintptr_t)p);
    CUresult r = CUDA_ERROR_INVALID_VALUE;
    if (a && a->base == (uintptr_t)p && a->kind == MEM_HOST) {
        free(a->raw);
        drop_alloc(a);
        r = CUDA_SUCCESS;
    }
    pthread_mutex_unlock(&emu_lock);
    return r;
}
CUresult CUDAAPI cuMemHostGetDevicePointer(CUdeviceptr *d, void *p, unsigned flags) {
    NEED_CTX();
    if (!d || flags) return CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_lock(&emu_lock);
    struct emu_alloc *a = emu_find_alloc((uintptr_t)p);
    CUresult r = a && (a->kind == MEM_HOST || a->kind == MEM_REGISTERED) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_unlock(&emu_lock);
    if (!r) *d = (CUdeviceptr)p;
    return r;
}
CUresult CUDAAPI cuMemHostGetFlags(unsigned *flags, void *p) {
    NEED_CTX();
    pthread_mutex_lock(&emu_lock);
    struct emu_alloc *a = emu_find_alloc((uintptr_t)p);
    CUresult r = a && (a->kind == MEM_HOST || a->kind == MEM_REGISTERED) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
    if (!r) *flags = a->flags;
    pthread_mutex_unlock(&emu_lock);
    return r;
}
CUresult CUDAAPI cuMemHostRegister(void *p, size_t size, unsigned flags) {
    NEED_CTX();
    if (!p || !size) return CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_lock(&emu_lock);
    CUresult r = emu_find_alloc((uintptr_t)p) ? CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED : CUDA_SUCCESS;
    if (!r) add_alloc((uintptr_t)p, size, MEM_REGISTERED, NULL)->flags = flags;
    pthread_mutex_unlock(&emu_lock);
    return r;
}
CUresult CUDAAPI cuMemHostUnregister(void *p) {
    NEED_CTX();
    pthread_mutex_lock(&emu_lock);
    struct emu_alloc *a = emu_find_alloc((uintptr_t)p);
    CUresult r = a && a->kind == MEM_REGISTERED && a->base == (uintptr_t)p ? CUDA_SUCCESS : CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED;
    if (!r) drop_alloc(a);
    pthread_mutex_unlock(&emu_lock);
    return r;
}
CUresult CUDAAPI cuMemGetInfo(size_t *free_, size_t *total) {
    NEED_CTX();
    size_t used = 0;
    pthread_mutex_lock(&emu_lock);
    for (size_t i = 0; i < nallocs; i++)
        if (allocs[i].kind == MEM_DEVICE || allocs[i].kind == MEM_VMM) used += allocs[i].size;
    pthread_mutex_unlock(&emu_lock);
    if (free_) *free_ = EMU_TOTAL_MEM - used;
    if (total) *total = EMU_TOTAL_MEM;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuMemGetAddressRange(CUdeviceptr *base, size_t *size, CUdeviceptr p) {
    NEED_CTX();
    pthread_mutex_lock(&emu_lock);
    struct emu_alloc *a = emu_find_alloc(p);
    CUresult r = a && a->kind != MEM_HOST && a->kind != MEM_REGISTERED ? CUDA_SUCCESS : CUDA_ERROR_NOT_FOUND;
    if (!r) {
        if (base) *base = a->base;
        if (size) *size = a->size;
    }
    pthread_mutex_unlock(&emu_lock);
    return r;
}

/* ---- pointer attributes ---- */
static CUresult pointer_attribute(void *out, CUpointer_attribute attr, CUdeviceptr p, int lenient) {
    struct emu_alloc *a = emu_find_alloc(p);
    if (!a) {
        if (!lenient) return CUDA_ERROR_INVALID_VALUE;
        switch (attr) { /* cuPointerGetAttributes: a foreign pointer reads as nothing */
        case CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL: *(int *)out = -2; return CUDA_SUCCESS;
        case CU_POINTER_ATTRIBUTE_CONTEXT: case CU_POINTER_ATTRIBUTE_DEVICE_POINTER:
        case CU_POINTER_ATTRIBUTE_HOST_POINTER: case CU_POINTER_ATTRIBUTE_RANGE_START_ADDR:
        case CU_POINTER_ATTRIBUTE_RANGE_SIZE: case CU_POINTER_ATTRIBUTE_MEMPOOL_HANDLE:
        case CU_POINTER_ATTRIBUTE_BUFFER_ID: case CU_POINTER_ATTRIBUTE_MEMORY_BLOCK_ID:
            *(void **)out = NULL; return CUDA_SUCCESS;
        default: *(int *)out = 0; return CUDA_SUCCESS;
        }
    }
    int host = a->kind == MEM_HOST || a->kind == MEM_REGISTERED;
    switch (attr) {
    case CU_POINTER_ATTRIBUTE_CONTEXT: *(CUcontext *)out = a->pool ? NULL : a->ctx; break;
    case CU_POINTER_ATTRIBUTE_MEMORY_TYPE: *(unsigned *)out = host ? CU_MEMORYTYPE_HOST : CU_MEMORYTYPE_DEVICE; break;
    case CU_POINTER_ATTRIBUTE_DEVICE_POINTER: *(CUdeviceptr *)out = p; break;
    case CU_POINTER_ATTRIBUTE_HOST_POINTER:
        if (!host && a->kind != MEM_MANAGED) return CUDA_ERROR_INVALID_VALUE;
        *(void **)out = (void *)p; break;
    case CU_POINTER_ATTRIBUTE_SYNC_MEMOPS: *(int *)out = a->sync_memops; break;
    case CU_POINTER_ATTRIBUTE_BUFFER_ID: *(unsigned long long *)out = a->id; break;
    case CU_POINTER_ATTRIBUTE_MEMORY_BLOCK_ID: *(unsigned long long *)out = a->id; break;
    case CU_POINTER_ATTRIBUTE_IS_MANAGED: *(int *)out = a->kind == MEM_MANAGED; break;
    case CU_POINTER_ATTRIBUTE_DEVICE_ORDINAL: *(int *)out = host ? -1 : 0; break;
    case CU_POINTER_ATTRIBUTE_IS_LEGACY_CUDA_IPC_CAPABLE: *(int *)out = a->kind == MEM_DEVICE && !a->pool; break;
    case CU_POINTER_ATTRIBUTE_RANGE_START_ADDR: *(CUdeviceptr *)out = a->base; break;
    case CU_POINTER_ATTRIBUTE_RANGE_SIZE: *(size_t *)out = a->size; break;
    case CU_POINTER_ATTRIBUTE_MAPPED: *(int *)out = 1; break;
    case CU_POINTER_ATTRIBUTE_ALLOWED_HANDLE_TYPES:
        *(unsigned long long *)out = a->pool ? a->pool->props.handleTypes : 0; break;
    case CU_POINTER_ATTRIBUTE_IS_GPU_DIRECT_RDMA_CAPABLE: *(int *)out = 0; break;
    case CU_POINTER_ATTRIBUTE_ACCESS_FLAGS: *(int *)out = CU_POINTER_ATTRIBUTE_ACCESS_FLAG_READWRITE; break;
    case CU_POINTER_ATTRIBUTE_MEMPOOL_HANDLE: *(CUmemoryPool *)out = a->pool; break;
    case CU_POINTER_ATTRIBUTE_IS_HW_DECOMPRESS_CAPABLE: *(int *)out = 0; break;
    default: return CUDA_ERROR_INVALID_VALUE;
    }
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuPointerGetAttribute(void *data, CUpointer_attribute attr, CUdeviceptr p) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!data) return CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_lock(&emu_lock);
    r = pointer_attribute(data, attr, p, 0);
    pthread_mutex_unlock(&emu_lock);
    return r;
}
CUresult CUDAAPI cuPointerGetAttributes(unsigned n, CUpointer_attribute *attrs, void **data, CUdeviceptr p) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!attrs || !data) return CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_lock(&emu_lock);
    for (unsigned i = 0; i < n && !r; i++)
        if (data[i]) r = pointer_attribute(data[i], attrs[i], p, 1);
    pthread_mutex_unlock(&emu_lock);
    return r;
}
CUresult CUDAAPI cuPointerSetAttribute(const void *value, CUpointer_attribute attr, CUdeviceptr p) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!value || attr != CU_POINTER_ATTRIBUTE_SYNC_MEMOPS) return CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_lock(&emu_lock);
    struct emu_alloc *a = emu_find_alloc(p);
    r = a ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
    if (a) a->sync_memops = *(const int *)value != 0;
    pthread_mutex_unlock(&emu_lock);
    return r;
}

/* ---- copies and sets: run at once (streams are synchronous here) ---- */
/* Device memory is host memory here, so writing through a freed device pointer would corrupt
   the host heap: a device range that no live allocation (device, managed or pinned host)
   holds is refused, as a GPU faults on it. */
static int device_range_ok(uintptr_t p, size_t n) {
    pthread_mutex_lock(&emu_lock);
    struct emu_alloc *a = emu_find_alloc(p);
    int ok = a && p + n <= a->base + (a->size ? a->size : 1); /* pinned host memory too: addressing is unified */
    pthread_mutex_unlock(&emu_lock);
    return ok;
}
CUresult emu_do_memcpy3d(const CUDA_MEMCPY3D *p) {
    if (!p) return CUDA_ERROR_INVALID_VALUE;
    const char *src = p->srcMemoryType == CU_MEMORYTYPE_HOST ? p->srcHost : (const char *)p->srcDevice;
    char *dst = p->dstMemoryType == CU_MEMORYTYPE_HOST ? p->dstHost : (char *)p->dstDevice;
    size_t spitch = p->srcPitch ? p->srcPitch : p->WidthInBytes, dpitch = p->dstPitch ? p->dstPitch : p->WidthInBytes;
    size_t sheight = p->srcHeight ? p->srcHeight : p->Height, dheight = p->dstHeight ? p->dstHeight : p->Height;
    if (p->srcMemoryType == CU_MEMORYTYPE_ARRAY && !(src = emu_array_data(p->srcArray, &spitch, &sheight)))
        return CUDA_ERROR_INVALID_VALUE;
    if (p->dstMemoryType == CU_MEMORYTYPE_ARRAY && !(dst = emu_array_data(p->dstArray, &dpitch, &dheight)))
        return CUDA_ERROR_INVALID_VALUE;
    if ((!src || !dst) && p->WidthInBytes) return CUDA_ERROR_INVALID_VALUE;
    size_t h = p->Height ? p->Height : 1, d = p->Depth ? p->Depth : 1;
    int src_device = p->srcMemoryType == CU_MEMORYTYPE_DEVICE || (p->srcMemoryType == CU_MEMORYTYPE_UNIFIED && in_arena((uintptr_t)src));
    int dst_device = p->dstMemoryType == CU_MEMORYTYPE_DEVICE || (p->dstMemoryType == CU_MEMORYTYPE_UNIFIED && in_arena((uintptr_t)dst));
    if (src_device &&
        !device_range_ok((uintptr_t)src + p->srcXInBytes, ((p->srcZ + d - 1) * sheight + p->srcY + h - 1) * spitch + p->WidthInBytes))
        return CUDA_ERROR_INVALID_VALUE;
    if (dst_device &&
        !device_range_ok((uintptr_t)dst + p->dstXInBytes, ((p->dstZ + d - 1) * dheight + p->dstY + h - 1) * dpitch + p->WidthInBytes))
        return CUDA_ERROR_INVALID_VALUE;
    for (size_t z = 0; z < d; z++)
        for (size_t y = 0; y < h; y++)
            memmove(dst + p->dstXInBytes + (p->dstY + y + (p->dstZ + z) * dheight) * dpitch,
                    src + p->srcXInBytes + (p->srcY + y + (p->srcZ + z) * sheight) * spitch, p->WidthInBytes);
    return CUDA_SUCCESS;
}
CUresult emu_do_memset(CUdeviceptr dst, size_t pitch, unsigned value, unsigned elem, size_t width, size_t height) {
    if (!dst || (elem != 1 && elem != 2 && elem != 4)) return CUDA_ERROR_INVALID_VALUE;
    if (!height) height = 1;
    if (!device_range_ok(dst, (height - 1) * (pitch ? pitch : width * elem) + width * elem)) return CUDA_ERROR_INVALID_VALUE;
    for (size_t y = 0; y < height; y++) {
        char *row = (char *)dst + y * (pitch ? pitch : width * elem);
        for (size_t x = 0; x < width; x++) {
            if (elem == 1) ((uint8_t *)row)[x] = (uint8_t)value;
            else if (elem == 2) ((uint16_t *)row)[x] = (uint16_t)value;
            else ((uint32_t *)row)[x] = value;
        }
    }
    return CUDA_SUCCESS;
}
enum { U = CU_MEMORYTYPE_UNIFIED, D = CU_MEMORYTYPE_DEVICE, H = CU_MEMORYTYPE_HOST };
static CUresult copy_typed(CUdeviceptr dst, int dt, CUdeviceptr src, int st, size_t n, CUstream s, int async) {
    NEED_CTX();
    if (!n) return CUDA_SUCCESS;
    if (!dst || !src) return CUDA_ERROR_INVALID_VALUE;
    CUDA_MEMCPY3D p = {.srcMemoryType = st, .dstMemoryType = dt, .WidthInBytes = n, .Height = 1, .Depth = 1};
    if (st == H) p.srcHost = (const void *)src; else p.srcDevice = src;
    if (dt == H) p.dstHost = (void *)dst; else p.dstDevice = dst;
    if (async) {
        CUresult r = emu_stream_check(&s);
        if (r) return r;
        CUgraphNodeParams gp = {.type = CU_GRAPH_NODE_TYPE_MEMCPY};
        gp.memcpy.copyParams = p;
        emu_current_ctx(&gp.memcpy.copyCtx);
        int captured;
        r = emu_capture_node(s, &gp, &captured);
        if (r || captured) return r;
    }
    return emu_do_memcpy3d(&p);
}
static CUresult copy_linear(CUdeviceptr dst, CUdeviceptr src, size_t n, CUstream s, int async) {
    return copy_typed(dst, U, src, U, n, s, async);
}
CUresult CUDAAPI cuMemcpy(CUdeviceptr d, CUdeviceptr s, size_t n) { return copy_linear(d, s, n, NULL, 0); }
CUresult CUDAAPI cuMemcpyAsync(CUdeviceptr d, CUdeviceptr s, size_t n, CUstream st) { return copy_linear(d, s, n, st, 1); }
CUresult CUDAAPI cuMemcpyHtoD(CUdeviceptr d, const void *s, size_t n) { return copy_typed(d, D, (CUdeviceptr)s, H, n, NULL, 0); }
CUresult CUDAAPI cuMemcpyDtoH(void *d, CUdeviceptr s, size_t n) { return copy_typed((CUdeviceptr)d, H, s, D, n, NULL, 0); }
CUresult CUDAAPI cuMemcpyDtoD(CUdeviceptr d, CUdeviceptr s, size_t n) { return copy_typed(d, D, s, D, n, NULL, 0); }
CUresult CUDAAPI cuMemcpyHtoDAsync(CUdeviceptr d, const void *s, size_t n, CUstream st) {
    return copy_typed(d, D, (CUdeviceptr)s, H, n, st, 1);
}
CUresult CUDAAPI cuMemcpyDtoHAsync(void *d, CUdeviceptr s, size_t n, CUstream st) {
    return copy_typed((CUdeviceptr)d, H, s, D, n, st, 1);
}
CUresult CUDAAPI cuMemcpyDtoDAsync(CUdeviceptr d, CUdeviceptr s, size_t n, CUstream st) { return copy_typed(d, D, s, D, n, st, 1); }
CUresult CUDAAPI cuMemcpyPeer(CUdeviceptr d, CUcontext dc, CUdeviceptr s, CUcontext sc, size_t n) {
    (void)dc; (void)sc;
    return copy_linear(d, s, n, NULL, 0);
}
CUresult CUDAAPI cuMemcpyPeerAsync(CUdeviceptr d, CUcontext dc, CUdeviceptr s, CUcontext sc, size_t n, CUstream st) {
    (void)dc; (void)sc;
    return copy_linear(d, s, n, st, 1);
}
static CUresult copy3d(const CUDA_MEMCPY3D *p, CUstream s, int async) {
    NEED_CTX();
    if (!p) return CUDA_ERROR_INVALID_VALUE;
    if (async) {
        CUresult r = emu_stream_check(&s);
        if (r) return r;
        CUgraphNodeParams gp = {.type = CU_GRAPH_NODE_TYPE_MEMCPY};
        gp.memcpy.copyParams = *p;
        emu_current_ctx(&gp.memcpy.copyCtx);
        int captured;
        r = emu_capture_node(s, &gp, &captured);
        if (r || captured) return r;
    }
    return emu_do_memcpy3d(p);
}
static CUDA_MEMCPY3D from2d(const CUDA_MEMCPY2D *p) {
    CUDA_MEMCPY3D q = {.srcXInBytes = p->srcXInBytes, .srcY = p->srcY, .srcMemoryType = p->srcMemoryType,
                       .srcHost = p->srcHost, .srcDevice = p->srcDevice, .srcArray = p->srcArray, .srcPitch = p->srcPitch,
                       .dstXInBytes = p->dstXInBytes, .dstY = p->dstY, .dstMemoryType = p->dstMemoryType,
                       .dstHost = p->dstHost, .dstDevice = p->dstDevice, .dstArray = p->dstArray, .dstPitch = p->dstPitch,
                       .WidthInBytes = p->WidthInBytes, .Height = p->Height, .Depth = 1};
    return q;
}
CUresult CUDAAPI cuMemcpy2D(const CUDA_MEMCPY2D *p) {
    if (!p) return CUDA_ERROR_INVALID_VALUE;
    CUDA_MEMCPY3D q = from2d(p);
    return copy3d(&q, NULL, 0);
}
CUresult CUDAAPI cuMemcpy2DUnaligned(const CUDA_MEMCPY2D *p) { return cuMemcpy2D(p); }
CUresult CUDAAPI cuMemcpy2DAsync(const CUDA_MEMCPY2D *p, CUstream s) {
    if (!p) return CUDA_ERROR_INVALID_VALUE;
    CUDA_MEMCPY3D q = from2d(p);
    return copy3d(&q, s, 1);
}
CUresult CUDAAPI cuMemcpy3D(const CUDA_MEMCPY3D *p) { return copy3d(p, NULL, 0); }
CUresult CUDAAPI cuMemcpy3DAsync(const CUDA_MEMCPY3D *p, CUstream s) { return copy3d(p, s, 1); }
CUresult CUDAAPI cuMemcpyBatchAsync(CUdeviceptr *dsts, CUdeviceptr *srcs, size_t *sizes, size_t count,
                                    CUmemcpyAttributes *attrs, size_t *attrIdxs, size_t numAttrs, CUstream s) {
    NEED_CTX();
    (void)attrs; (void)attrIdxs;
    if (!count || !dsts || !srcs || !sizes || !numAttrs) return CUDA_ERROR_INVALID_VALUE;
    CUresult r = emu_stream_check(&s);
    for (size_t i = 0; i < count && !r; i++) r = copy_linear(dsts[i], srcs[i], sizes[i], s, 1);
    return r;
}

static CUresult set(CUdeviceptr d, size_t pitch, unsigned v, unsigned elem, size_t w, size_t h, CUstream s, int async) {
    NEED_CTX();
    if (!w || !h) return CUDA_SUCCESS;
    if (async) {
        CUresult r = emu_stream_check(&s);
        if (r) return r;
        CUgraphNodeParams gp = {.type = CU_GRAPH_NODE_TYPE_MEMSET};
        gp.memset.dst = d;
        gp.memset.pitch = pitch;
        gp.memset.value = v;
        gp.memset.elementSize = elem;
        gp.memset.width = w;
        gp.memset.height = h;
        emu_current_ctx(&gp.memset.ctx);
        int captured;
        r = emu_capture_node(s, &gp, &captured);
        if (r || captured) return r;
    }
    return emu_do_memset(d, pitch, v, elem, w, h);
}
CUresult CUDAAPI cuMemsetD8(CUdeviceptr d, unsigned char v, size_t n) { return set(d, 0, v, 1, n, 1, NULL, 0); }
CUresult CUDAAPI cuMemsetD16(CUdeviceptr d, unsigned short v, size_t n) { return set(d, 0, v, 2, n, 1, NULL, 0); }
CUresult CUDAAPI cuMemsetD32(CUdeviceptr d, unsigned v, size_t n) { return set(d, 0, v, 4, n, 1, NULL, 0); }
CUresult CUDAAPI cuMemsetD8Async(CUdeviceptr d, unsigned char v, size_t n, CUstream s) { return set(d, 0, v, 1, n, 1, s, 1); }
CUresult CUDAAPI cuMemsetD16Async(CUdeviceptr d, unsigned short v, size_t n, CUstream s) { return set(d, 0, v, 2, n, 1, s, 1); }
CUresult CUDAAPI cuMemsetD32Async(CUdeviceptr d, unsigned v, size_t n, CUstream s) { return set(d, 0, v, 4, n, 1, s, 1); }
CUresult CUDAAPI cuMemsetD2D8(CUdeviceptr d, size_t p, unsigned char v, size_t w, size_t h) { return set(d, p, v, 1, w, h, NULL, 0); }
CUresult CUDAAPI cuMemsetD2D16(CUdeviceptr d, size_t p, unsigned short v, size_t w, size_t h) { return set(d, p, v, 2, w, h, NULL, 0); }
CUresult CUDAAPI cuMemsetD2D32(CUdeviceptr d, size_t p, unsigned v, size_t w, size_t h) { return set(d, p, v, 4, w, h, NULL, 0); }
CUresult CUDAAPI cuMemsetD2D8Async(CUdeviceptr d, size_t p, unsigned char v, size_t w, size_t h, CUstream s) {
    return set(d, p, v, 1, w, h, s, 1);
}
CUresult CUDAAPI cuMemsetD2D16Async(CUdeviceptr d, size_t p, unsigned short v, size_t w, size_t h, CUstream s) {
    return set(d, p, v, 2, w, h, s, 1);
}
CUresult CUDAAPI cuMemsetD2D32Async(CUdeviceptr d, size_t p, unsigned v, size_t w, size_t h, CUstream s) {
    return set(d, p, v, 4, w, h, s, 1);
}

/* ---- managed memory hints: recorded for the range queries, nothing to move ---- */
static int location_ok(CUmemLocation loc);
CUresult CUDAAPI cuMemPrefetchAsync(CUdeviceptr p, size_t n, CUmemLocation loc, unsigned flags, CUstream s) {
    NEED_CTX();
    (void)n;
    if (flags || !location_ok(loc)) return CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_lock(&emu_lock);
    struct emu_alloc *a = emu_find_alloc(p);
    CUresult r = a && a->kind == MEM_MANAGED ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
    if (!r) a->prefetched = loc;
    pthread_mutex_unlock(&emu_lock);
    return r ? r : emu_stream_check(&s);
}
static int location_ok(CUmemLocation loc) {
    switch (loc.type) {
    case CU_MEM_LOCATION_TYPE_DEVICE: return loc.id >= 0 && loc.id < EMU_DEVICE_COUNT;
    case CU_MEM_LOCATION_TYPE_HOST: case CU_MEM_LOCATION_TYPE_HOST_NUMA_CURRENT: return 1;
    case CU_MEM_LOCATION_TYPE_HOST_NUMA: return loc.id == 0;
    default: return 0;
    }
}
CUresult CUDAAPI cuMemAdvise(CUdeviceptr p, size_t n, CUmem_advise advice, CUmemLocation loc) {
    NEED_CTX();
    (void)n;
    int needs_location = advice == CU_MEM_ADVISE_SET_PREFERRED_LOCATION || advice == CU_MEM_ADVISE_SET_ACCESSED_BY ||
                         advice == CU_MEM_ADVISE_UNSET_ACCESSED_BY;
    if (needs_location && !location_ok(loc)) return CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_lock(&emu_lock);
    struct emu_alloc *a = emu_find_alloc(p);
    CUresult r = a && a->kind == MEM_MANAGED ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
    if (!r) switch (advice) {
        case CU_MEM_ADVISE_SET_READ_MOSTLY: a->read_mostly = 1; break;
        case CU_MEM_ADVISE_UNSET_READ_MOSTLY: a->read_mostly = 0; break;
        case CU_MEM_ADVISE_SET_PREFERRED_LOCATION: a->preferred = loc; break;
        case CU_MEM_ADVISE_UNSET_PREFERRED_LOCATION: a->preferred = (CUmemLocation){0}; break;
        case CU_MEM_ADVISE_SET_ACCESSED_BY: if (loc.type == CU_MEM_LOCATION_TYPE_DEVICE) a->accessed_by |= 1 << loc.id; break;
        case CU_MEM_ADVISE_UNSET_ACCESSED_BY: if (loc.type == CU_MEM_LOCATION_TYPE_DEVICE) a->accessed_by &= ~(1 << loc.id); break;
        default: r = CUDA_ERROR_INVALID_VALUE;
        }
    pthread_mutex_unlock(&emu_lock);
    return r;
}
static int legacy_id(CUmemLocation loc) { /* a device ordinal, CU_DEVICE_CPU or CU_DEVICE_INVALID */
    if (loc.type == CU_MEM_LOCATION_TYPE_DEVICE) return loc.id;
    if (loc.type == CU_MEM_LOCATION_TYPE_HOST || loc.type == CU_MEM_LOCATION_TYPE_HOST_NUMA) return CU_DEVICE_CPU;
    return CU_DEVICE_INVALID;
}
CUresult CUDAAPI cuMemRangeGetAttribute(void *data, size_t size, CUmem_range_attribute attr, CUdeviceptr p, size_t n) {
    NEED_CTX();
    (void)n;
    if (!data || !size) return CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_lock(&emu_lock);
    struct emu_alloc *a = emu_find_alloc(p);
    CUresult r = a && a->kind == MEM_MANAGED ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
    int *out = data;
    if (!r && attr != CU_MEM_RANGE_ATTRIBUTE_ACCESSED_BY && size != 4) r = CUDA_ERROR_INVALID_VALUE;
    if (!r) switch (attr) {
        case CU_MEM_RANGE_ATTRIBUTE_READ_MOSTLY: *out = a->read_mostly; break;
        case CU_MEM_RANGE_ATTRIBUTE_PREFERRED_LOCATION: *out = legacy_id(a->preferred); break;
        case CU_MEM_RANGE_ATTRIBUTE_PREFERRED_LOCATION_TYPE: *out = a->preferred.type; break;
        case CU_MEM_RANGE_ATTRIBUTE_PREFERRED_LOCATION_ID: *out = a->preferred.id; break;
        case CU_MEM_RANGE_ATTRIBUTE_LAST_PREFETCH_LOCATION: *out = legacy_id(a->prefetched); break;
        case CU_MEM_RANGE_ATTRIBUTE_LAST_PREFETCH_LOCATION_TYPE: *out = a->prefetched.type; break;
        case CU_MEM_RANGE_ATTRIBUTE_LAST_PREFETCH_LOCATION_ID: *out = a->prefetched.id; break;
        case CU_MEM_RANGE_ATTRIBUTE_ACCESSED_BY:
            if (size % 4) { r = CUDA_ERROR_INVALID_VALUE; break; }
            for (size_t i = 0, k = 0; i < size / 4; i++) {
                while (k < EMU_DEVICE_COUNT && !(a->accessed_by & (1 << k))) k++;
                out[i] = k < EMU_DEVICE_COUNT ? (int)k++ : CU_DEVICE_INVALID;
            }
            break;
        default: r = CUDA_ERROR_INVALID_VALUE;
        }
    pthread_mutex_unlock(&emu_lock);
    return r;
}
CUresult CUDAAPI cuMemRangeGetAttributes(void **data, size_t *sizes, CUmem_range_attribute *attrs, size_t n, CUdeviceptr p,
                                         size_t count) {
    if (!data || !sizes || !attrs || !n) return CUDA_ERROR_INVALID_VALUE;
    CUresult r = CUDA_SUCCESS;
    for (size_t i = 0; i < n && !r; i++) r = cuMemRangeGetAttribute(data[i], sizes[i], attrs[i], p, count);
    return r;
}
CUresult CUDAAPI cuMemDiscardBatchAsync(CUdeviceptr *p, size_t *n, size_t count, unsigned long long flags, CUstream s) {
    (void)p; (void)n; (void)count; (void)flags;
    return emu_stream_check(&s);
}

/* ---- stream-ordered allocation and memory pools ---- */
static struct CUmemPoolHandle_st *default_pool[EMU_DEVICE_COUNT], *current_pool[EMU_DEVICE_COUNT];
static struct CUmemPoolHandle_st *host_pool[2], *current_host_pool[2]; /* [0] HOST, [1] HOST_NUMA node 0 */
/* managed pools, by preferred location: [0] none, [1] host, [2] host NUMA node 0, [3 + d] device d */
#define MANAGED_SLOTS (3 + EMU_DEVICE_COUNT)
static struct CUmemPoolHandle_st *managed_pool[MANAGED_SLOTS], *current_managed_pool[MANAGED_SLOTS];

static uintptr_t map_pool(int fd) {
    void *m = mmap(NULL, SHARED_POOL_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
    if (m == MAP_FAILED) return 0;
    pthread_mutex_lock(&emu_lock);
    if (nshared_maps < 64) shared_maps[nshared_maps++] = (uintptr_t)m;
    pthread_mutex_unlock(&emu_lock);
    return (uintptr_t)m;
}
static CUmemoryPool new_pool(const CUmemPoolProps *props, int is_default) {
    struct CUmemPoolHandle_st *p = emu_calloc(1, sizeof *p);
    p->fd = -1;
    if (props->handleTypes & CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR) {
        p->fd = memfd_create("cpu_driver_pool", MFD_CLOEXEC);
        if (p->fd < 0 || ftruncate(p->fd, SHARED_POOL_SIZE) || !(p->base = map_pool(p->fd))) {
            free(p);
            return NULL;
        }
    }
    p->tag = TAG_POOL;
    p->props = *props;
    p->is_default = is_default;
    p->reuse[0] = p->reuse[1] = p->reuse[2] = 1;
    p->access[0] = CU_MEM_ACCESS_FLAGS_PROT_READWRITE;
    return p;
}
/* *slot, the default pool of a location and allocation type, made on first use */
static CUresult default_pool_in(CUmemoryPool *slot, CUmemAllocationType type, const CUmemLocation *loc,
                                CUmemoryPool *pool) {
    pthread_mutex_lock(&emu_lock);
    if (!*slot) {
        CUmemPoolProps props = {.allocType = type, .location = *loc};
        *slot = new_pool(&props, 1);
    }
    *pool = *slot;
    pthread_mutex_unlock(&emu_lock);
    return *pool ? CUDA_SUCCESS : CUDA_ERROR_OUT_OF_MEMORY;
}
CUresult CUDAAPI cuDeviceGetDefaultMemPool(CUmemoryPool *pool, CUdevice dev) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!pool) return CUDA_ERROR_INVALID_VALUE;
    if (dev < 0 || dev >= EMU_DEVICE_COUNT) return CUDA_ERROR_INVALID_DEVICE;
    CUmemLocation loc = {.type = CU_MEM_LOCATION_TYPE_DEVICE, .id = dev};
    return default_pool_in(&default_pool[dev], CU_MEM_ALLOCATION_TYPE_PINNED, &loc, pool);
}
CUresult CUDAAPI cuDeviceGetMemPool(CUmemoryPool *pool, CUdevice dev) {
    if (dev >= 0 && dev < EMU_DEVICE_COUNT && current_pool[dev]) {
        *pool = current_pool[dev];
        return CUDA_SUCCESS;
    }
    return cuDeviceGetDefaultMemPool(pool, dev);
}
CUresult CUDAAPI cuDeviceSetMemPool(CUdevice dev, CUmemoryPool pool) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (dev < 0 || dev >= EMU_DEVICE_COUNT) return CUDA_ERROR_INVALID_DEVICE;
    if (!emu_valid(pool, TAG_POOL) || pool->props.location.type != CU_MEM_LOCATION_TYPE_DEVICE ||
        pool->props.allocType != CU_MEM_ALLOCATION_TYPE_PINNED)
        return CUDA_ERROR_INVALID_VALUE;
    current_pool[dev] = pool;
    return CUDA_SUCCESS;
}
static int host_slot(const CUmemLocation *loc) {
    if (loc->type == CU_MEM_LOCATION_TYPE_HOST) return 0;
    if (loc->type == CU_MEM_LOCATION_TYPE_HOST_NUMA && loc->id == 0) return 1;
    return -1;
}
static int managed_slot(const CUmemLocation *loc) {
    switch (loc->type) {
    case CU_MEM_LOCATION_TYPE_NONE: return 0;
    case CU_MEM_LOCATION_TYPE_HOST: return 1;
    case CU_MEM_LOCATION_TYPE_HOST_NUMA: return loc->id == 0 ? 2 : -1;
    case CU_MEM_LOCATION_TYPE_DEVICE: return loc->id >= 0 && loc->id < EMU_DEVICE_COUNT ? 3 + loc->id : -1;
    default: return -1;
    }
}
CUresult CUDAAPI cuMemGetDefaultMemPool(CUmemoryPool *pool, CUmemLocation *loc, CUmemAllocationType type) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (pool && loc && type == CU_MEM_ALLOCATION_TYPE_MANAGED) {
        int slot = managed_slot(loc);
        return slot < 0 ? CUDA_ERROR_INVALID_VALUE : default_pool_in(&managed_pool[slot], type, loc, pool);
    }
    if (!pool || !loc || type != CU_MEM_ALLOCATION_TYPE_PINNED) return CUDA_ERROR_INVALID_VALUE;
    if (loc->type == CU_MEM_LOCATION_TYPE_DEVICE) return cuDeviceGetDefaultMemPool(pool, loc->id);
    int slot = host_slot(loc);
    return slot < 0 ? CUDA_ERROR_INVALID_VALUE : default_pool_in(&host_pool[slot], type, loc, pool);
}
CUresult CUDAAPI cuMemGetMemPool(CUmemoryPool *pool, CUmemLocation *loc, CUmemAllocationType type) {
    if (pool && loc && type == CU_MEM_ALLOCATION_TYPE_MANAGED) {
        int slot = managed_slot(loc);
        if (slot >= 0 && current_managed_pool[slot]) {
            *pool = current_managed_pool[slot];
            return CUDA_SUCCESS;
        }
        return cuMemGetDefaultMemPool(pool, loc, type);
    }
    if (!pool || !loc || type != CU_MEM_ALLOCATION_TYPE_PINNED) return CUDA_ERROR_INVALID_VALUE;
    if (loc->type == CU_MEM_LOCATION_TYPE_DEVICE) return cuDeviceGetMemPool(pool, loc->id);
    int slot = host_slot(loc);
    if (slot >= 0 && current_host_pool[slot]) {
        *pool = current_host_pool[slot];
        return CUDA_SUCCESS;
    }
    return cuMemGetDefaultMemPool(pool, loc, type);
}
CUresult CUDAAPI cuMemSetMemPool(CUmemLocation *loc, CUmemAllocationType type, CUmemoryPool pool) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!loc || !emu_valid(pool, TAG_POOL) || pool->props.allocType != type) return CUDA_ERROR_INVALID_VALUE;
    if (type == CU_MEM_ALLOCATION_TYPE_MANAGED) {
        int slot = managed_slot(loc);
        if (slot < 0) return CUDA_ERROR_INVALID_VALUE;
        current_managed_pool[slot] = pool;
        return CUDA_SUCCESS;
    }
    if (type != CU_MEM_ALLOCATION_TYPE_PINNED) return CUDA_ERROR_INVALID_VALUE;
    if (loc->type == CU_MEM_LOCATION_TYPE_DEVICE) return cuDeviceSetMemPool(loc->id, pool);
    int slot = host_slot(loc);
    if (slot < 0 || pool->props.location.type != loc->type) return CUDA_ERROR_INVALID_VALUE;
    current_host_pool[slot] = pool;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuMemPoolCreate(CUmemoryPool *pool, const CUmemPoolProps *props) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!pool || !props) return CUDA_ERROR_INVALID_VALUE;
    if (props->allocType == CU_MEM_ALLOCATION_TYPE_MANAGED) { /* no IPC, no size limit (the driver's rules) */
        if (managed_slot(&props->location) < 0 || props->handleTypes || props->maxSize) return CUDA_ERROR_INVALID_VALUE;
        *pool = new_pool(props, 0);
        return *pool ? CUDA_SUCCESS : CUDA_ERROR_OUT_OF_MEMORY;
    }
    if (props->allocType != CU_MEM_ALLOCATION_TYPE_PINNED) return CUDA_ERROR_INVALID_VALUE;
    switch (props->location.type) {
    case CU_MEM_LOCATION_TYPE_DEVICE:
        if (props->location.id < 0 || props->location.id >= EMU_DEVICE_COUNT) return CUDA_ERROR_INVALID_DEVICE;
        break;
    case CU_MEM_LOCATION_TYPE_HOST: case CU_MEM_LOCATION_TYPE_HOST_NUMA:
        if (props->location.type == CU_MEM_LOCATION_TYPE_HOST_NUMA && props->location.id != 0) return CUDA_ERROR_INVALID_VALUE;
        break;
    default: return CUDA_ERROR_INVALID_VALUE;
    }
    if (props->handleTypes & ~(unsigned)(CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR | CU_MEM_HANDLE_TYPE_FABRIC))
        return CUDA_ERROR_NOT_SUPPORTED;
    *pool = new_pool(props, 0);
    return *pool ? CUDA_SUCCESS : CUDA_ERROR_OUT_OF_MEMORY;
}
static size_t pool_used(CUmemoryPool pool) {
    size_t used = 0;
    for (size_t i = 0; i < nallocs; i++)
        if (allocs[i].pool == pool) used += allocs[i].size;
    return used;
}
CUresult CUDAAPI cuMemPoolDestroy(CUmemoryPool pool) {
    if (!emu_valid(pool, TAG_POOL) || pool->is_default) return CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_lock(&emu_lock);
    for (size_t i = 0; i < nallocs; i++) /* outstanding allocations go with the pool, as on a GPU */
        if (allocs[i].pool == pool) {
            if (allocs[i].raw) arena_free(allocs[i].raw, allocs[i].size);
            drop_alloc(&allocs[i]);
            i--;
        }
    for (int d = 0; d < EMU_DEVICE_COUNT; d++)
        if (current_pool[d] == pool) current_pool[d] = NULL;
    for (int h = 0; h < 2; h++)
        if (current_host_pool[h] == pool) current_host_pool[h] = NULL;
    for (int m = 0; m < MANAGED_SLOTS; m++)
        if (current_managed_pool[m] == pool) current_managed_pool[m] = NULL;
    pool->tag = TAG_DEAD;
    pthread_mutex_unlock(&emu_lock);
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuMemPoolTrimTo(CUmemoryPool pool, size_t keep) {
    (void)keep;
    return emu_valid(pool, TAG_POOL) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}
CUresult CUDAAPI cuMemPoolSetAttribute(CUmemoryPool pool, CUmemPool_attribute attr, void *value) {
    if (!emu_valid(pool, TAG_POOL) || !value) return CUDA_ERROR_INVALID_VALUE;
    switch (attr) {
    case CU_MEMPOOL_ATTR_REUSE_FOLLOW_EVENT_DEPENDENCIES: case CU_MEMPOOL_ATTR_REUSE_ALLOW_OPPORTUNISTIC:
    case CU_MEMPOOL_ATTR_REUSE_ALLOW_INTERNAL_DEPENDENCIES:
        pool->reuse[attr - CU_MEMPOOL_ATTR_REUSE_FOLLOW_EVENT_DEPENDENCIES] = *(int *)value;
        return CUDA_SUCCESS;
    case CU_MEMPOOL_ATTR_RELEASE_THRESHOLD: pool->release_threshold = *(cuuint64_t *)value; return CUDA_SUCCESS;
    case CU_MEMPOOL_ATTR_RESERVED_MEM_HIGH: case CU_MEMPOOL_ATTR_USED_MEM_HIGH:
        if (*(cuuint64_t *)value) return CUDA_ERROR_INVALID_VALUE;
        pthread_mutex_lock(&emu_lock);
        pool->used_high = pool->reserved_high = pool_used(pool);
        pthread_mutex_unlock(&emu_lock);
        return CUDA_SUCCESS;
    default: return CUDA_ERROR_INVALID_VALUE;
    }
}
CUresult CUDAAPI cuMemPoolGetAttribute(CUmemoryPool pool, CUmemPool_attribute attr, void *value) {
    if (!emu_valid(pool, TAG_POOL) || !value) return CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_lock(&emu_lock);
    cuuint64_t used = pool_used(pool);
    pthread_mutex_unlock(&emu_lock);
    if (used > pool->used_high) pool->used_high = pool->reserved_high = used;
    switch (attr) {
    case CU_MEMPOOL_ATTR_REUSE_FOLLOW_EVENT_DEPENDENCIES: case CU_MEMPOOL_ATTR_REUSE_ALLOW_OPPORTUNISTIC:
    case CU_MEMPOOL_ATTR_REUSE_ALLOW_INTERNAL_DEPENDENCIES:
        *(int *)value = pool->reuse[attr - CU_MEMPOOL_ATTR_REUSE_FOLLOW_EVENT_DEPENDENCIES];
        return CUDA_SUCCESS;
    case CU_MEMPOOL_ATTR_RELEASE_THRESHOLD: *(cuuint64_t *)value = pool->release_threshold; return CUDA_SUCCESS;
    case CU_MEMPOOL_ATTR_RESERVED_MEM_CURRENT: case CU_MEMPOOL_ATTR_USED_MEM_CURRENT:
        *(cuuint64_t *)value = used; return CUDA_SUCCESS;
    case CU_MEMPOOL_ATTR_RESERVED_MEM_HIGH: *(cuuint64_t *)value = pool->reserved_high; return CUDA_SUCCESS;
    case CU_MEMPOOL_ATTR_USED_MEM_HIGH: *(cuuint64_t *)value = pool->used_high; return CUDA_SUCCESS;
    case CU_MEMPOOL_ATTR_ALLOCATION_TYPE: *(int *)value = pool->props.allocType; return CUDA_SUCCESS;
    case CU_MEMPOOL_ATTR_EXPORT_HANDLE_TYPES: *(int *)value = pool->props.handleTypes; return CUDA_SUCCESS;
    case CU_MEMPOOL_ATTR_LOCATION_ID: *(int *)value = pool->props.location.id; return CUDA_SUCCESS;
    case CU_MEMPOOL_ATTR_LOCATION_TYPE: *(int *)value = pool->props.location.type; return CUDA_SUCCESS;
    case CU_MEMPOOL_ATTR_MAX_POOL_SIZE: *(cuuint64_t *)value = pool->props.maxSize; return CUDA_SUCCESS;
    case CU_MEMPOOL_ATTR_HW_DECOMPRESS_ENABLED: *(int *)value = 0; return CUDA_SUCCESS;
    default: return CUDA_ERROR_INVALID_VALUE;
    }
}
CUresult CUDAAPI cuMemPoolSetAccess(CUmemoryPool pool, const CUmemAccessDesc *map, size_t count) {
    if (!emu_valid(pool, TAG_POOL) || (count && !map)) return CUDA_ERROR_INVALID_VALUE;
    for (size_t i = 0; i < count; i++) {
        if (map[i].location.type != CU_MEM_LOCATION_TYPE_DEVICE) return CUDA_ERROR_INVALID_VALUE;
        if (map[i].location.id < 0 || map[i].location.id >= EMU_DEVICE_COUNT) return CUDA_ERROR_INVALID_DEVICE;
        pool->access[map[i].location.id] = map[i].flags;
    }
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuMemPoolGetAccess(CUmemAccess_flags *flags, CUmemoryPool pool, CUmemLocation *loc) {
    if (!emu_valid(pool, TAG_POOL) || !flags || !loc) return CUDA_ERROR_INVALID_VALUE;
    if (loc->type != CU_MEM_LOCATION_TYPE_DEVICE || loc->id < 0 || loc->id >= EMU_DEVICE_COUNT) return CUDA_ERROR_INVALID_VALUE;
    *flags = pool->props.location.type == CU_MEM_LOCATION_TYPE_DEVICE && pool->props.location.id == loc->id
                 ? CU_MEM_ACCESS_FLAGS_PROT_READWRITE : pool->access[loc->id];
    return CUDA_SUCCESS;
}
static CUresult alloc_async(CUdeviceptr *dptr, size_t size, CUmemoryPool pool, CUstream s) {
    NEED_CTX();
    if (!dptr || !emu_valid(pool, TAG_POOL)) return CUDA_ERROR_INVALID_VALUE;
    CUresult r = emu_stream_check(&s);
    if (r) return r;
    if (pool->props.maxSize && pool_used(pool) + size > pool->props.maxSize) return CUDA_ERROR_OUT_OF_MEMORY;
    if (emu_capturing(s)) { /* becomes a graph allocation node; its address is fixed now */
        CUgraphNodeParams gp = {.type = CU_GRAPH_NODE_TYPE_MEM_ALLOC};
        gp.alloc.poolProps = pool->props;
        gp.alloc.bytesize = size;
        int captured;
        r = emu_capture_node(s, &gp, &captured);
        if (!r) *dptr = gp.alloc.dptr;
        return r;
    }
    int host = pool->props.location.type != CU_MEM_LOCATION_TYPE_DEVICE;
    if (pool->props.allocType == CU_MEM_ALLOCATION_TYPE_MANAGED) {
        void *p = emu_device_alloc(size, pool, MEM_MANAGED);
        if (!p) return CUDA_ERROR_OUT_OF_MEMORY;
        *dptr = (CUdeviceptr)p;
        return CUDA_SUCCESS;
    }
    if (pool->base) { /* in the pool's shared mapping, addresses never reused */
        if (pool->imported) return CUDA_ERROR_INVALID_VALUE;
        pthread_mutex_lock(&emu_lock);
        size_t n = size ? (size + 255) & ~(size_t)255 : 256;
        if (pool->next + n > SHARED_POOL_SIZE) {
            pthread_mutex_unlock(&emu_lock);
            return CUDA_ERROR_OUT_OF_MEMORY;
        }
        struct emu_alloc *a = add_alloc(pool->base + pool->next, size, host ? MEM_HOST : MEM_DEVICE, NULL);
        a->pool = pool;
        pool->next += n;
        *dptr = a->base;
        pthread_mutex_unlock(&emu_lock);
        return CUDA_SUCCESS;
    }
    void *p = emu_device_alloc(size, pool, host ? MEM_HOST : MEM_DEVICE);
    if (!p) return CUDA_ERROR_OUT_OF_MEMORY;
    *dptr = (CUdeviceptr)p;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuMemAllocAsync(CUdeviceptr *dptr, size_t size, CUstream s) {
    CUmemoryPool pool;
    CUresult r = cuDeviceGetMemPool(&pool, 0);
    return r ? r : alloc_async(dptr, size, pool, s);
}
CUresult CUDAAPI cuMemAllocFromPoolAsync(CUdeviceptr *dptr, size_t size, CUmemoryPool pool, CUstream s) {
    return alloc_async(dptr, size, pool, s);
}
CUresult CUDAAPI cuMemFreeAsync(CUdeviceptr p, CUstream s) {
    NEED_CTX();
    CUresult r = emu_stream_check(&s);
    if (r) return r;
    if (emu_capturing(s)) {
        CUgraphNodeParams gp = {.type = CU_GRAPH_NODE_TYPE_MEM_FREE};
        gp.free.dptr = p;
        int captured;
        return emu_capture_node(s, &gp, &captured);
    }
    return emu_device_free(p, 0);
}
CUresult CUDAAPI cuMemPoolExportToShareableHandle(void *handle, CUmemoryPool pool, CUmemAllocationHandleType type,
                                                  unsigned long long flags) {
    if (!handle || flags || !emu_valid(pool, TAG_POOL) || !(pool->props.handleTypes & type)) return CUDA_ERROR_INVALID_VALUE;
    if (type != CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR || pool->fd < 0) return CUDA_ERROR_NOT_SUPPORTED;
    *(int *)handle = dup(pool->fd); /* the caller owns the descriptor, as with the driver */
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuMemPoolImportFromShareableHandle(CUmemoryPool *out, void *handle, CUmemAllocationHandleType type,
                                                    unsigned long long flags) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!out || flags || type != CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR) return CUDA_ERROR_INVALID_VALUE;
    int fd = dup((int)(intptr_t)handle);
    if (fd < 0 || lseek(fd, 0, SEEK_END) != (off_t)SHARED_POOL_SIZE) {
        if (fd >= 0) close(fd);
        return CUDA_ERROR_INVALID_VALUE;
    }
    CUmemPoolProps props = {.allocType = CU_MEM_ALLOCATION_TYPE_PINNED, .handleTypes = type,
                            .location = {.type = CU_MEM_LOCATION_TYPE_DEVICE, .id = 0}};
    struct CUmemPoolHandle_st *p = emu_calloc(1, sizeof *p);
    p->tag = TAG_POOL;
    p->props = props;
    p->fd = fd;
    p->imported = 1;
    p->reuse[0] = p->reuse[1] = p->reuse[2] = 1;
    if (!(p->base = map_pool(fd))) {
        close(fd);
        p->tag = TAG_DEAD;
        return CUDA_ERROR_OUT_OF_MEMORY;
    }
    *out = p;
    return CUDA_SUCCESS;
}
struct emu_export { unsigned magic; size_t offset, size; };
CUresult CUDAAPI cuMemPoolExportPointer(CUmemPoolPtrExportData *out, CUdeviceptr ptr) {
    if (!out) return CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_lock(&emu_lock);
    struct emu_alloc *a = emu_find_alloc(ptr);
    CUresult r = a && a->base == ptr && a->pool && a->pool->base && !a->pool->imported ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
    if (!r) {
        struct emu_export e = {0x45585054, a->base - a->pool->base, a->size};
        memset(out, 0, sizeof *out);
        memcpy(out->reserved, &e, sizeof e);
    }
    pthread_mutex_unlock(&emu_lock);
    return r;
}
CUresult CUDAAPI cuMemPoolImportPointer(CUdeviceptr *out, CUmemoryPool pool, CUmemPoolPtrExportData *data) {
    struct emu_export e;
    if (!out || !data || !emu_valid(pool, TAG_POOL) || !pool->imported) return CUDA_ERROR_INVALID_VALUE;
    memcpy(&e, data->reserved, sizeof e);
    if (e.magic != 0x45585054 || e.offset + e.size > SHARED_POOL_SIZE) return CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_lock(&emu_lock);
    struct emu_alloc *a = emu_find_alloc(pool->base + e.offset);
    CUresult r = a && a->base == pool->base + e.offset ? CUDA_ERROR_ALREADY_MAPPED : CUDA_SUCCESS;
    if (!r) {
        a = add_alloc(pool->base + e.offset, e.size, MEM_DEVICE, NULL);
        a->pool = pool;
        *out = a->base;
    }
    pthread_mutex_unlock(&emu_lock);
    return r;
}

/* ---- virtual memory: a memfd per physical allocation, mapped into reserved ranges ---- */
struct emu_memhandle {
    unsigned tag;
    int fd;
    size_t size;
    CUmemAllocationProp prop;
};
#define GRANULARITY (2u << 20)

CUresult CUDAAPI cuMemGetAllocationGranularity(size_t *g, const CUmemAllocationProp *prop, CUmemAllocationGranularity_flags o) {
    (void)o;
    if (!g || !prop) return CUDA_ERROR_INVALID_VALUE;
    *g = GRANULARITY;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuMemCreate(CUmemGenericAllocationHandle *handle, size_t size, const CUmemAllocationProp *prop,
                             unsigned long long flags) {
    NEED_CTX();
    if (!handle || !prop || flags || !size || size % GRANULARITY) return CUDA_ERROR_INVALID_VALUE;
    if (prop->type != CU_MEM_ALLOCATION_TYPE_PINNED && prop->type != CU_MEM_ALLOCATION_TYPE_MANAGED) return CUDA_ERROR_INVALID_VALUE;
    int fd = memfd_create("cpu_driver", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, size)) return CUDA_ERROR_OUT_OF_MEMORY;
    struct emu_memhandle *h = emu_calloc(1, sizeof *h);
    h->tag = TAG_MEMHANDLE;
    h->fd = fd;
    h->size = size;
    h->prop = *prop;
    *handle = (CUmemGenericAllocationHandle)h;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuMemRelease(CUmemGenericAllocationHandle handle) {
    struct emu_memhandle *h = (void *)handle;
    if (!emu_valid(h, TAG_MEMHANDLE)) return CUDA_ERROR_INVALID_VALUE;
    close(h->fd); /* mappings keep the memory until unmapped */
    h->tag = TAG_DEAD;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuMemGetAllocationPropertiesFromHandle(CUmemAllocationProp *prop, CUmemGenericAllocationHandle handle) {
    struct emu_memhandle *h = (void *)handle;
    if (!prop || !emu_valid(h, TAG_MEMHANDLE)) return CUDA_ERROR_INVALID_VALUE;
    *prop = h->prop;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuMemAddressReserve(CUdeviceptr *ptr, size_t size, size_t align, CUdeviceptr addr, unsigned long long flags) {
    NEED_CTX();
    (void)align;
    if (!ptr || !size || flags || size % GRANULARITY) return CUDA_ERROR_INVALID_VALUE;
    void *p = mmap((void *)addr, size + GRANULARITY, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return CUDA_ERROR_OUT_OF_MEMORY;
    uintptr_t base = ((uintptr_t)p + GRANULARITY - 1) & ~(uintptr_t)(GRANULARITY - 1);
    pthread_mutex_lock(&emu_lock);
    add_alloc(base, size, MEM_VMM, p)->flags = 0;
    pthread_mutex_unlock(&emu_lock);
    *ptr = base;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuMemAddressFree(CUdeviceptr ptr, size_t size) {
    pthread_mutex_lock(&emu_lock);
    struct emu_alloc *a = emu_find_alloc(ptr);
    CUresult r = a && a->kind == MEM_VMM && a->base == ptr && a->size == size ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
    if (!r) {
        munmap(a->raw, size + GRANULARITY);
        drop_alloc(a);
    }
    pthread_mutex_unlock(&emu_lock);
    return r;
}
CUresult CUDAAPI cuMemMap(CUdeviceptr ptr, size_t size, size_t offset, CUmemGenericAllocationHandle handle,
                          unsigned long long flags) {
    struct emu_memhandle *h = (void *)handle;
    if (!emu_valid(h, TAG_MEMHANDLE) || flags || offset + size > h->size) return CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_lock(&emu_lock);
    struct emu_alloc *a = emu_find_alloc(ptr);
    CUresult r = a && a->kind == MEM_VMM && ptr + size <= a->base + a->size ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_unlock(&emu_lock);
    if (r) return r;
    /* readable and writable at once: access rights are not emulated */
    if (mmap((void *)ptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, h->fd, offset) == MAP_FAILED)
        return CUDA_ERROR_OUT_OF_MEMORY;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuMemUnmap(CUdeviceptr ptr, size_t size) {
    if (mmap((void *)ptr, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) == MAP_FAILED)
        return CUDA_ERROR_INVALID_VALUE;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuMemSetAccess(CUdeviceptr ptr, size_t size, const CUmemAccessDesc *desc, size_t count) {
    (void)ptr; (void)size;
    if (!desc || !count) return CUDA_ERROR_INVALID_VALUE;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuMemGetAccess(unsigned long long *flags, const CUmemLocation *loc, CUdeviceptr ptr) {
    (void)loc; (void)ptr;
    if (!flags) return CUDA_ERROR_INVALID_VALUE;
    *flags = CU_MEM_ACCESS_FLAGS_PROT_READWRITE;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuMemExportToShareableHandle(void *out, CUmemGenericAllocationHandle handle, CUmemAllocationHandleType type,
                                              unsigned long long flags) {
    struct emu_memhandle *h = (void *)handle;
    if (!out || !emu_valid(h, TAG_MEMHANDLE) || flags) return CUDA_ERROR_INVALID_VALUE;
    if (type != CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR || !(h->prop.requestedHandleTypes & type)) return CUDA_ERROR_INVALID_VALUE;
    *(int *)out = dup(h->fd); /* the caller owns the descriptor, as with the driver */
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuMemImportFromShareableHandle(CUmemGenericAllocationHandle *handle, void *os, CUmemAllocationHandleType type) {
    if (!handle || type != CU_MEM_HANDLE_TYPE_POSIX_FILE_DESCRIPTOR) return CUDA_ERROR_INVALID_VALUE;
    int fd = dup((int)(intptr_t)os);
    off_t size = fd < 0 ? -1 : lseek(fd, 0, SEEK_END);
    if (size <= 0) return CUDA_ERROR_INVALID_VALUE;
    struct emu_memhandle *h = emu_calloc(1, sizeof *h);
    h->tag = TAG_MEMHANDLE;
    h->fd = fd;
    h->size = size;
    h->prop.type = CU_MEM_ALLOCATION_TYPE_PINNED;
    h->prop.location.type = CU_MEM_LOCATION_TYPE_DEVICE;
    h->prop.requestedHandleTypes = type;
    *handle = (CUmemGenericAllocationHandle)h;
    return CUDA_SUCCESS;
}
