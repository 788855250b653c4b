/* SPDX-License-Identifier: Apache-2.0 */
/* Streams and events (see cpu_driver.h). Work runs when it is issued, so every stream is
   always idle and every recorded event complete; what a capture turns into nodes is graph.c's. */
#include "cpu_driver.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct CUstream_st *make_stream(CUcontext ctx, unsigned flags, int priority) {
    struct CUstream_st *s = emu_calloc(1, sizeof *s);
    s->tag = TAG_STREAM;
    s->ctx = ctx;
    s->flags = flags;
    s->priority = priority;
    s->id = emu_next_id();
    return s;
}

CUresult emu_stream_check(CUstream *s) {
    CUcontext ctx;
    if (!*s || *s == CU_STREAM_LEGACY || *s == CU_STREAM_PER_THREAD) {
        CUresult r = emu_current_ctx(&ctx);
        if (r) return r;
        pthread_mutex_lock(&emu_lock);
        if (!ctx->null_stream) ctx->null_stream = make_stream(ctx, 0, 0);
        *s = ctx->null_stream;
        pthread_mutex_unlock(&emu_lock);
        return CUDA_SUCCESS;
    }
    if (!emu_valid(*s, TAG_STREAM)) return CUDA_ERROR_INVALID_HANDLE;
    if (!emu_valid((*s)->ctx, TAG_CTX)) return CUDA_ERROR_CONTEXT_IS_DESTROYED;
    return CUDA_SUCCESS;
}

CUresult CUDAAPI cuStreamCreate(CUstream *ph, unsigned flags) {
    CUcontext ctx;
    CUresult r = emu_current_ctx(&ctx);
    if (r) return r;
    if (!ph || (flags & ~(unsigned)CU_STREAM_NON_BLOCKING)) return CUDA_ERROR_INVALID_VALUE;
    *ph = make_stream(ctx, flags, 0);
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuStreamCreateWithPriority(CUstream *ph, unsigned flags, int priority) {
    CUresult r = cuStreamCreate(ph, flags);
    if (r) return r;
    (*ph)->priority = priority > 0 ? 0 : priority < -5 ? -5 : priority; /* clamped, as documented */
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuStreamDestroy(CUstream s) {
    if (!emu_valid(s, TAG_STREAM)) return CUDA_ERROR_INVALID_HANDLE;
    s->tag = TAG_DEAD;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuStreamGetPriority(CUstream s, int *priority) {
    CUresult r = emu_stream_check(&s);
    if (r) return r;
    if (!priority) return CUDA_ERROR_INVALID_VALUE;
    *priority = s->priority;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuStreamGetFlags(CUstream s, unsigned *flags) {
    CUresult r = emu_stream_check(&s);
    if (r) return r;
    if (!flags) return CUDA_ERROR_INVALID_VALUE;
    *flags = s->flags;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuStreamGetId(CUstream s, unsigned long long *id) {
    CUresult r = emu_stream_check(&s);
    if (r) return r;
    if (!id) return CUDA_ERROR_INVALID_VALUE;
    *id = s->id;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuStreamGetCtx(CUstream s, CUcontext *ctx) {
    CUresult r = emu_stream_check(&s);
    if (r) return r;
    if (!ctx) return CUDA_ERROR_INVALID_VALUE;
    *ctx = s->ctx;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuStreamGetCtx_v2(CUstream s, CUcontext *ctx, CUgreenCtx *green) {
    CUresult r = cuStreamGetCtx(s, ctx);
    if (r) return r;
    if (green) *green = emu_valid(s, TAG_STREAM) ? s->green : NULL;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuStreamGetDevice(CUstream s, CUdevice *dev) {
    CUresult r = emu_stream_check(&s);
    if (r) return r;
    if (!dev) return CUDA_ERROR_INVALID_VALUE;
    *dev = s->ctx->device;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuStreamQuery(CUstream s) {
    CUresult r = emu_stream_check(&s);
    if (r) return r;
    return emu_capturing(s) ? CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED : CUDA_SUCCESS;
}
CUresult CUDAAPI cuStreamSynchronize(CUstream s) {
    CUresult r = emu_stream_check(&s);
    if (r) return r;
    return emu_capturing(s) ? CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED : CUDA_SUCCESS;
}
CUresult CUDAAPI cuStreamWaitEvent(CUstream s, CUevent e, unsigned flags) {
    CUresult r = emu_stream_check(&s);
    if (r) return r;
    if (!emu_valid(e, TAG_EVENT) || (flags & ~1u)) return CUDA_ERROR_INVALID_HANDLE;
    int captured;
    return emu_capture_wait_event(s, e, &captured);
}
CUresult CUDAAPI cuStreamCopyAttributes(CUstream dst, CUstream src) {
    CUresult r = emu_stream_check(&dst);
    return r ? r : emu_stream_check(&src);
}
CUresult CUDAAPI cuStreamGetAttribute(CUstream s, CUstreamAttrID attr, CUstreamAttrValue *value) {
    CUresult r = emu_stream_check(&s);
    if (r) return r;
    if (!value) return CUDA_ERROR_INVALID_VALUE;
    memset(value, 0, sizeof *value);
    if (attr == CU_LAUNCH_ATTRIBUTE_PRIORITY) value->priority = s->priority;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuStreamSetAttribute(CUstream s, CUstreamAttrID attr, const CUstreamAttrValue *value) {
    CUresult r = emu_stream_check(&s);
    if (r) return r;
    if (!value) return CUDA_ERROR_INVALID_VALUE;
    if (attr == CU_LAUNCH_ATTRIBUTE_PRIORITY) s->priority = value->priority;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuStreamAttachMemAsync(CUstream s, CUdeviceptr p, size_t n, unsigned flags) {
    (void)p; (void)n; (void)flags;
    return emu_stream_check(&s);
}

/* host work: called now, or made a host node during a capture */
CUresult CUDAAPI cuLaunchHostFunc(CUstream s, CUhostFn fn, void *data) {
    CUresult r = emu_stream_check(&s);
    if (r) return r;
    if (!fn) return CUDA_ERROR_INVALID_VALUE;
    CUgraphNodeParams gp = {.type = CU_GRAPH_NODE_TYPE_HOST};
    gp.host.fn = fn;
    gp.host.userData = data;
    int captured;
    r = emu_capture_node(s, &gp, &captured);
    if (r || captured) return r;
    fn(data);
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuLaunchHostFunc_v2(CUstream s, CUhostFn fn, void *data, unsigned flags) {
    (void)flags;
    return cuLaunchHostFunc(s, fn, data);
}
CUresult CUDAAPI cuStreamAddCallback(CUstream s, CUstreamCallback cb, void *data, unsigned flags) {
    CUstream given = s;
    CUresult r = emu_stream_check(&s);
    if (r) return r;
    if (!cb || flags) return CUDA_ERROR_INVALID_VALUE;
    if (emu_capturing(s)) return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
    cb(given, CUDA_SUCCESS, data);
    return CUDA_SUCCESS;
}

/* stream memory operations: the values are there at once */
static CUresult wait_value(CUstream s, CUdeviceptr addr, cuuint64_t value, unsigned flags, int wide) {
    CUresult r = emu_stream_check(&s);
    if (r) return r;
    if (!addr) return CUDA_ERROR_INVALID_VALUE;
    cuuint64_t have = wide ? *(volatile cuuint64_t *)addr : *(volatile cuuint32_t *)addr;
    int ok;
    switch (flags & 0xf) {
    case CU_STREAM_WAIT_VALUE_GEQ: ok = wide ? have >= value : (int32_t)((uint32_t)have - (uint32_t)value) >= 0; break;
    case CU_STREAM_WAIT_VALUE_EQ: ok = have == value; break;
    case CU_STREAM_WAIT_VALUE_AND: ok = (have & value) != 0; break;
    case CU_STREAM_WAIT_VALUE_NOR: ok = ~(have | value) != 0; break;
    default: return CUDA_ERROR_INVALID_VALUE;
    }
    return ok ? CUDA_SUCCESS : CUDA_ERROR_NOT_SUPPORTED; /* a wait nothing would end */
}
CUresult CUDAAPI cuStreamWaitValue32(CUstream s, CUdeviceptr a, cuuint32_t v, unsigned f) { return wait_value(s, a, v, f, 0); }
CUresult CUDAAPI cuStreamWaitValue64(CUstream s, CUdeviceptr a, cuuint64_t v, unsigned f) { return wait_value(s, a, v, f, 1); }
CUresult CUDAAPI cuStreamWriteValue32(CUstream s, CUdeviceptr a, cuuint32_t v, unsigned f) {
    (void)f;
    CUresult r = emu_stream_check(&s);
    if (r || !a) return r ? r : CUDA_ERROR_INVALID_VALUE;
    *(volatile cuuint32_t *)a = v;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuStreamWriteValue64(CUstream s, CUdeviceptr a, cuuint64_t v, unsigned f) {
    (void)f;
    CUresult r = emu_stream_check(&s);
    if (r || !a) return r ? r : CUDA_ERROR_INVALID_VALUE;
    *(volatile cuuint64_t *)a = v;
    return CUDA_SUCCESS;
}

/* ---- events ---- */
CUresult CUDAAPI cuEventCreate(CUevent *ph, unsigned flags) {
    CUcontext ctx;
    CUresult r = emu_current_ctx(&ctx);
    if (r) return r;
    if (!ph || (flags & ~0xfu)) return CUDA_ERROR_INVALID_VALUE;
    if ((flags & CU_EVENT_INTERPROCESS) && !(flags & CU_EVENT_DISABLE_TIMING)) return CUDA_ERROR_INVALID_VALUE;
    struct CUevent_st *e = emu_calloc(1, sizeof *e);
    e->tag = TAG_EVENT;
    e->ctx = ctx;
    e->flags = flags;
    *ph = e;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuEventDestroy(CUevent e) {
    if (!emu_valid(e, TAG_EVENT)) return CUDA_ERROR_INVALID_HANDLE;
    e->tag = TAG_DEAD;
    free(e->cap_deps);
    e->cap_deps = NULL;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuEventRecord(CUevent e, CUstream s) {
    if (!emu_valid(e, TAG_EVENT)) return CUDA_ERROR_INVALID_HANDLE;
    CUresult r = emu_stream_check(&s);
    if (r) return r;
    int captured;
    r = emu_capture_event_record(s, e, &captured);
    if (r || captured) return r;
    e->recorded = 1;
    e->ms = emu_now_ms();
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuEventRecordWithFlags(CUevent e, CUstream s, unsigned flags) {
    if (flags & ~(unsigned)CU_EVENT_RECORD_EXTERNAL) return CUDA_ERROR_INVALID_VALUE;
    return cuEventRecord(e, s);
}
CUresult CUDAAPI cuEventQuery(CUevent e) {
    return emu_valid(e, TAG_EVENT) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}
CUresult CUDAAPI cuEventSynchronize(CUevent e) {
    return emu_valid(e, TAG_EVENT) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}
CUresult CUDAAPI cuEventElapsedTime(float *ms, CUevent start, CUevent end) {
    if (!ms) return CUDA_ERROR_INVALID_VALUE;
    if (!emu_valid(start, TAG_EVENT) || !emu_valid(end, TAG_EVENT)) return CUDA_ERROR_INVALID_HANDLE;
    if ((start->flags | end->flags) & CU_EVENT_DISABLE_TIMING) return CUDA_ERROR_INVALID_HANDLE;
    if (!start->recorded || !end->recorded) return CUDA_ERROR_INVALID_HANDLE;
    *ms = (float)(end->ms - start->ms);
    return CUDA_SUCCESS;
}

/* IPC: an event handle names its process and event. Work is done when issued here, so an event
   opened in another process is one that is always complete. */
struct emu_ipc { unsigned magic; int pid; void *object; };
CUresult CUDAAPI cuIpcGetEventHandle(CUipcEventHandle *h, CUevent e) {
    if (!h || !emu_valid(e, TAG_EVENT) || !(e->flags & CU_EVENT_INTERPROCESS)) return CUDA_ERROR_INVALID_VALUE;
    memset(h, 0, sizeof *h);
    struct emu_ipc ipc = {0x49504345, getpid(), e};
    memcpy(h->reserved, &ipc, sizeof ipc);
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuIpcOpenEventHandle(CUevent *ph, CUipcEventHandle h) {
    struct emu_ipc ipc;
    memcpy(&ipc, h.reserved, sizeof ipc);
    if (!ph || ipc.magic != 0x49504345) return CUDA_ERROR_INVALID_VALUE;
    if (ipc.pid == getpid()) return CUDA_ERROR_INVALID_CONTEXT; /* as the driver: not in the same process */
    CUresult r = cuEventCreate(ph, CU_EVENT_DISABLE_TIMING | CU_EVENT_INTERPROCESS);
    if (!r) (*ph)->recorded = 1;
    return r;
}
