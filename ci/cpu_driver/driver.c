/* SPDX-License-Identifier: Apache-2.0 */
/* Entry points, errors, the device and contexts (see cpu_driver.h). */
#include "cpu_driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

pthread_mutex_t emu_lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static int initialized;
static const char *stub_names[4096];
static int stub_count;

static CUresult emu_unimplemented(int i) {
    if (getenv("CPU_DRIVER_TRACE")) fprintf(stderr, "cpu_driver: %s is not emulated\n", stub_names[i]);
    return CUDA_ERROR_NOT_SUPPORTED;
}

#include "generated.inc"

void *emu_calloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) abort();
    return p;
}
double emu_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}
unsigned long long emu_next_id(void) {
    static unsigned long long next = 1;
    return __atomic_fetch_add(&next, 1, __ATOMIC_RELAXED);
}
int emu_valid(const void *h, unsigned tag) { return h && *(const unsigned *)h == tag; }
CUresult emu_need_init(void) { return initialized ? CUDA_SUCCESS : CUDA_ERROR_NOT_INITIALIZED; }

/* ---- entry points ---- */
CUresult CUDAAPI cuGetProcAddress(const char *symbol, void **pfn, int cudaVersion, cuuint64_t flags,
                                  CUdriverProcAddressQueryResult *status) {
    (void)cudaVersion; (void)flags;
    if (!symbol || !pfn) return CUDA_ERROR_INVALID_VALUE;
    if (getenv("CPU_DRIVER_TRACE") && !strcmp(getenv("CPU_DRIVER_TRACE"), "2"))
        fprintf(stderr, "cpu_driver: cuGetProcAddress(%s, %d, %llu)\n", symbol, cudaVersion, (unsigned long long)flags);
    char base[256];
    snprintf(base, sizeof base, "%s", symbol);
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < sizeof ENTRY_POINTS / sizeof *ENTRY_POINTS; i++)
            if (!strcmp(ENTRY_POINTS[i].name, base)) {
                *pfn = ENTRY_POINTS[i].fn;
                if (status) *status = CU_GET_PROC_ADDRESS_SUCCESS;
                return CUDA_SUCCESS;
            }
        char *v = strstr(base, "_v"); /* cuMemAlloc_v2 asked by its versioned name */
        if (!v) break;
        *v = 0;
    }
    pthread_mutex_lock(&emu_lock);
    int i;
    for (i = 0; i < stub_count && strcmp(stub_names[i], symbol); i++) {}
    if (i == stub_count && stub_count < STUBS) stub_names[stub_count++] = strdup(symbol);
    pthread_mutex_unlock(&emu_lock);
    if (i >= STUBS) {
        *pfn = NULL;
        if (status) *status = CU_GET_PROC_ADDRESS_SYMBOL_NOT_FOUND;
        return CUDA_ERROR_NOT_FOUND;
    }
    *pfn = STUB_FNS[i];
    if (status) *status = CU_GET_PROC_ADDRESS_SUCCESS;
    return CUDA_SUCCESS;
}

CUresult CUDAAPI cuInit(unsigned int flags) {
    if (flags) return CUDA_ERROR_INVALID_VALUE;
    initialized = 1;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuDriverGetVersion(int *v) {
    if (!v) return CUDA_ERROR_INVALID_VALUE;
    *v = EMU_DRIVER_VERSION;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuGetErrorName(CUresult error, const char **s) {
    if (!s) return CUDA_ERROR_INVALID_VALUE;
    for (size_t i = 0; i < sizeof ERRORS / sizeof *ERRORS; i++)
        if (ERRORS[i].code == (int)error) { *s = ERRORS[i].name; return CUDA_SUCCESS; }
    *s = NULL;
    return CUDA_ERROR_INVALID_VALUE;
}
CUresult CUDAAPI cuGetErrorString(CUresult error, const char **s) {
    if (!s) return CUDA_ERROR_INVALID_VALUE;
    for (size_t i = 0; i < sizeof ERRORS / sizeof *ERRORS; i++)
        if (ERRORS[i].code == (int)error) { *s = ERRORS[i].text; return CUDA_SUCCESS; }
    *s = NULL;
    return CUDA_ERROR_INVALID_VALUE;
}

/* ---- the device ---- */
#define CHECK_DEV(d) do { CUresult r_ = emu_need_init(); if (r_) return r_; \
    if ((d) < 0 || (d) >= EMU_DEVICE_COUNT) return CUDA_ERROR_INVALID_DEVICE; } while (0)

CUresult CUDAAPI cuDeviceGetCount(int *count) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!count) return CUDA_ERROR_INVALID_VALUE;
    *count = EMU_DEVICE_COUNT;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuDeviceGet(CUdevice *dev, int ordinal) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!dev) return CUDA_ERROR_INVALID_VALUE;
    if (ordinal < 0 || ordinal >= EMU_DEVICE_COUNT) return CUDA_ERROR_INVALID_DEVICE;
    *dev = ordinal;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuDeviceGetName(char *name, int len, CUdevice dev) {
    CHECK_DEV(dev);
    if (!name || len <= 0) return CUDA_ERROR_INVALID_VALUE;
    snprintf(name, len, "CPU-emulated CUDA device");
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuDeviceGetUuid(CUuuid *uuid, CUdevice dev) {
    CHECK_DEV(dev);
    if (!uuid) return CUDA_ERROR_INVALID_VALUE;
    for (int i = 0; i < 16; i++) uuid->bytes[i] = (char)(0xc0 + i + dev);
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuDeviceGetLuid(char *luid, unsigned *mask, CUdevice dev) {
    CHECK_DEV(dev);
    (void)luid; (void)mask;
    return CUDA_ERROR_NOT_SUPPORTED; /* Windows only */
}
CUresult CUDAAPI cuDeviceTotalMem(size_t *bytes, CUdevice dev) {
    CHECK_DEV(dev);
    if (!bytes) return CUDA_ERROR_INVALID_VALUE;
    *bytes = EMU_TOTAL_MEM;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuDeviceGetAttribute(int *pi, CUdevice_attribute attrib, CUdevice dev) {
    CHECK_DEV(dev);
    if (!pi || attrib < 0 || attrib >= CU_DEVICE_ATTRIBUTE_MAX) return CUDA_ERROR_INVALID_VALUE;
    *pi = 0;
    for (size_t i = 0; i < sizeof ATTRIBUTE_VALUES / sizeof *ATTRIBUTE_VALUES; i++)
        if (ATTRIBUTE_VALUES[i].attr == (int)attrib) *pi = ATTRIBUTE_VALUES[i].value;
    if (attrib == CU_DEVICE_ATTRIBUTE_PCI_BUS_ID) *pi += dev;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuDeviceGetPCIBusId(char *id, int len, CUdevice dev) {
    CHECK_DEV(dev);
    if (!id || len <= 0) return CUDA_ERROR_INVALID_VALUE;
    snprintf(id, len, "0000:%02X:00.0", 0x19 + dev);
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuDeviceGetByPCIBusId(CUdevice *dev, const char *id) {
    CUresult r = emu_need_init();
    if (r) return r;
    unsigned dom, bus, d, fn;
    if (!dev || !id || sscanf(id, "%x:%x:%x.%x", &dom, &bus, &d, &fn) != 4) return CUDA_ERROR_INVALID_VALUE;
    if (dom || bus < 0x19 || bus >= 0x19 + EMU_DEVICE_COUNT) return CUDA_ERROR_INVALID_DEVICE;
    *dev = bus - 0x19;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuDeviceComputeCapability(int *major, int *minor, CUdevice dev) {
    CHECK_DEV(dev);
    *major = 9; *minor = 0;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuDeviceCanAccessPeer(int *can, CUdevice dev, CUdevice peer) {
    CHECK_DEV(dev);
    CHECK_DEV(peer);
    *can = dev != peer;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuDeviceGetP2PAttribute(int *value, CUdevice_P2PAttribute attrib, CUdevice src, CUdevice dst) {
    CHECK_DEV(src);
    CHECK_DEV(dst);
    (void)attrib;
    if (src == dst) return CUDA_ERROR_INVALID_DEVICE;
    *value = 0;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuDeviceGetDefaultMemPool(CUmemoryPool *pool, CUdevice dev);
CUresult CUDAAPI cuDeviceGetTexture1DLinearMaxWidth(size_t *w, CUarray_format f, unsigned n, CUdevice dev) {
    CHECK_DEV(dev);
    (void)f; (void)n;
    *w = 1ull << 28;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuDeviceGetExecAffinitySupport(int *pi, CUexecAffinityType type, CUdevice dev) {
    CHECK_DEV(dev);
    *pi = type == CU_EXEC_AFFINITY_TYPE_SM_COUNT;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuFlushGPUDirectRDMAWrites(CUflushGPUDirectRDMAWritesTarget t, CUflushGPUDirectRDMAWritesScope s) {
    (void)t; (void)s;
    return CUDA_SUCCESS;
}

/* ---- contexts: one primary per device, a stack of current ones per thread ---- */
static struct CUctx_st *primary[EMU_DEVICE_COUNT];
static int primary_refs[EMU_DEVICE_COUNT];
static unsigned primary_flags[EMU_DEVICE_COUNT];
static __thread CUcontext stack[64];
static __thread int depth;

static struct CUctx_st *new_ctx(CUdevice dev, unsigned flags, int is_primary) {
    struct CUctx_st *c = emu_calloc(1, sizeof *c);
    c->tag = TAG_CTX;
    c->device = dev;
    c->flags = flags;
    c->primary = is_primary;
    c->id = emu_next_id();
    return c;
}
CUresult emu_current_ctx(CUcontext *ctx) {
    CUresult r = emu_need_init();
    if (r) return r;
    *ctx = depth ? stack[depth - 1] : NULL;
    if (!*ctx) return CUDA_ERROR_INVALID_CONTEXT;
    if (!emu_valid(*ctx, TAG_CTX)) return CUDA_ERROR_CONTEXT_IS_DESTROYED;
    return CUDA_SUCCESS;
}

CUresult CUDAAPI cuDevicePrimaryCtxRetain(CUcontext *pctx, CUdevice dev) {
    CHECK_DEV(dev);
    if (!pctx) return CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_lock(&emu_lock);
    if (!primary[dev]) primary[dev] = new_ctx(dev, primary_flags[dev], 1);
    primary_refs[dev]++;
    *pctx = primary[dev];
    pthread_mutex_unlock(&emu_lock);
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuDevicePrimaryCtxRelease(CUdevice dev) {
    CHECK_DEV(dev);
    pthread_mutex_lock(&emu_lock);
    CUresult r = primary_refs[dev] > 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_CONTEXT;
    if (!r) --primary_refs[dev]; /* the context stays: handles made in it stay usable */
    pthread_mutex_unlock(&emu_lock);
    return r;
}
CUresult CUDAAPI cuDevicePrimaryCtxGetState(CUdevice dev, unsigned *flags, int *active) {
    CHECK_DEV(dev);
    if (!flags || !active) return CUDA_ERROR_INVALID_VALUE;
    *flags = primary_flags[dev];
    *active = primary_refs[dev] > 0;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuDevicePrimaryCtxSetFlags(CUdevice dev, unsigned flags) {
    CHECK_DEV(dev);
    if (flags & ~0x1fu) return CUDA_ERROR_INVALID_VALUE;
    primary_flags[dev] = flags;
    if (primary[dev]) primary[dev]->flags = flags;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuDevicePrimaryCtxReset(CUdevice dev) {
    CHECK_DEV(dev);
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuCtxCreate(CUcontext *pctx, CUctxCreateParams *params, unsigned flags, CUdevice dev) {
    CHECK_DEV(dev);
    if (!pctx) return CUDA_ERROR_INVALID_VALUE;
    (void)params;
    *pctx = new_ctx(dev, flags, 0);
    if (depth < 64) stack[depth++] = *pctx;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuCtxDestroy(CUcontext ctx) {
    if (!emu_valid(ctx, TAG_CTX) || ctx->primary) return CUDA_ERROR_INVALID_VALUE;
    for (int i = 0; i < depth; i++)
        if (stack[i] == ctx) { memmove(stack + i, stack + i + 1, (depth - i - 1) * sizeof *stack); depth--; i--; }
    ctx->tag = TAG_DEAD; /* never freed: a stale handle stays readable and is refused */
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuCtxGetCurrent(CUcontext *pctx) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!pctx) return CUDA_ERROR_INVALID_VALUE;
    *pctx = depth ? stack[depth - 1] : NULL;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuCtxSetCurrent(CUcontext ctx) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (ctx && !emu_valid(ctx, TAG_CTX)) return CUDA_ERROR_INVALID_CONTEXT;
    if (!ctx) { if (depth) depth--; return CUDA_SUCCESS; }
    if (depth) stack[depth - 1] = ctx;
    else stack[depth++] = ctx;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuCtxPushCurrent(CUcontext ctx) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!emu_valid(ctx, TAG_CTX)) return CUDA_ERROR_INVALID_CONTEXT;
    if (depth >= 64) return CUDA_ERROR_OUT_OF_MEMORY;
    stack[depth++] = ctx;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuCtxPopCurrent(CUcontext *pctx) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!depth) return CUDA_ERROR_INVALID_CONTEXT;
    CUcontext c = stack[--depth];
    if (pctx) *pctx = c;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuCtxGetDevice(CUdevice *dev) {
    CUcontext c;
    CUresult r = emu_current_ctx(&c);
    if (r) return r;
    if (!dev) return CUDA_ERROR_INVALID_VALUE;
    *dev = c->device;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuCtxGetDevice_v2(CUdevice *dev, CUcontext ctx) {
    if (!ctx) return cuCtxGetDevice(dev);
    if (!emu_valid(ctx, TAG_CTX)) return CUDA_ERROR_INVALID_CONTEXT;
    *dev = ctx->device;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuCtxGetFlags(unsigned *flags) {
    CUcontext c;
    CUresult r = emu_current_ctx(&c);
    if (r) return r;
    *flags = c->flags;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuCtxSetFlags(unsigned flags) {
    CUcontext c;
    CUresult r = emu_current_ctx(&c);
    if (r) return r;
    c->flags = flags;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuCtxGetId(CUcontext ctx, unsigned long long *id) {
    if (!ctx) { CUresult r = emu_current_ctx(&ctx); if (r) return r; }
    if (!emu_valid(ctx, TAG_CTX)) return CUDA_ERROR_INVALID_CONTEXT;
    if (!id) return CUDA_ERROR_INVALID_VALUE;
    *id = ctx->id;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuCtxGetApiVersion(CUcontext ctx, unsigned *version) {
    if (!ctx) { CUresult r = emu_current_ctx(&ctx); if (r) return r; }
    if (!emu_valid(ctx, TAG_CTX)) return CUDA_ERROR_INVALID_CONTEXT;
    *version = 3020;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuCtxSynchronize(void) {
    CUcontext c;
    return emu_current_ctx(&c);
}
CUresult CUDAAPI cuCtxSynchronize_v2(CUcontext ctx) {
    if (ctx && !emu_valid(ctx, TAG_CTX)) return CUDA_ERROR_INVALID_CONTEXT;
    return ctx ? CUDA_SUCCESS : cuCtxSynchronize();
}
static size_t limits[CU_LIMIT_MAX] = {[CU_LIMIT_STACK_SIZE] = 1024, [CU_LIMIT_PRINTF_FIFO_SIZE] = 1 << 20,
                                      [CU_LIMIT_MALLOC_HEAP_SIZE] = 8 << 20, [CU_LIMIT_DEV_RUNTIME_SYNC_DEPTH] = 2,
                                      [CU_LIMIT_DEV_RUNTIME_PENDING_LAUNCH_COUNT] = 2048,
                                      [CU_LIMIT_MAX_L2_FETCH_GRANULARITY] = 32};
CUresult CUDAAPI cuCtxGetLimit(size_t *value, CUlimit limit) {
    CUcontext c;
    CUresult r = emu_current_ctx(&c);
    if (r) return r;
    if (!value || limit < 0 || limit >= CU_LIMIT_MAX) return CUDA_ERROR_INVALID_VALUE;
    *value = limits[limit];
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuCtxSetLimit(CUlimit limit, size_t value) {
    CUcontext c;
    CUresult r = emu_current_ctx(&c);
    if (r) return r;
    if (limit < 0 || limit >= CU_LIMIT_MAX) return CUDA_ERROR_INVALID_VALUE;
    limits[limit] = value;
    return CUDA_SUCCESS;
}
static CUfunc_cache cache_config;
CUresult CUDAAPI cuCtxGetCacheConfig(CUfunc_cache *c) { *c = cache_config; return CUDA_SUCCESS; }
CUresult CUDAAPI cuCtxSetCacheConfig(CUfunc_cache c) { cache_config = c; return CUDA_SUCCESS; }
CUresult CUDAAPI cuCtxGetStreamPriorityRange(int *least, int *greatest) {
    if (least) *least = 0;
    if (greatest) *greatest = -5;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuCtxResetPersistingL2Cache(void) { return CUDA_SUCCESS; }
CUresult CUDAAPI cuCtxEnablePeerAccess(CUcontext peer, unsigned flags) {
    if (!emu_valid(peer, TAG_CTX) || flags) return CUDA_ERROR_INVALID_VALUE;
    return CUDA_ERROR_PEER_ACCESS_UNSUPPORTED;
}
CUresult CUDAAPI cuCtxDisablePeerAccess(CUcontext peer) {
    (void)peer;
    return CUDA_ERROR_PEER_ACCESS_NOT_ENABLED;
}
CUresult CUDAAPI cuCtxGetExecAffinity(CUexecAffinityParam *p, CUexecAffinityType type) {
    CUcontext c;
    CUresult r = emu_current_ctx(&c);
    if (r) return r;
    if (type != CU_EXEC_AFFINITY_TYPE_SM_COUNT) return CUDA_ERROR_INVALID_VALUE;
    p->type = type;
    p->param.smCount.val = 132;
    return CUDA_SUCCESS;
}

/* Private tables of the driver's own libraries. NVRTC looks for this entry point whenever a
   libcuda is loadable and follows what it finds, so it must exist; none is offered. */
CUresult CUDAAPI cuGetExportTable(const void **table, const CUuuid *id) {
    if (!table || !id) return CUDA_ERROR_INVALID_VALUE;
    *table = NULL;
    return CUDA_ERROR_NOT_SUPPORTED;
}
