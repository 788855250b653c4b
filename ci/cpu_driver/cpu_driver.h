/* SPDX-License-Identifier: Apache-2.0 */
/* A libcuda.so.1 that runs on the host: one emulated device whose memory is host memory.
   It lets tests that need a device run on a machine without one, against NVIDIA's packages
   and ours alike, so their behaviour can be compared where no GPU is lent. Kernels are
   accepted and launched as no-ops (their results are never right); copies, sets, host
   callbacks, events, streams, memory pools, virtual memory, graphs and stream capture do what
   the driver documents, synchronously. Functions it lacks return CUDA_ERROR_NOT_SUPPORTED
   (CPU_DRIVER_TRACE=1 names each on stderr). Build: python ci/cpu_driver/build.py OUTDIR */
#ifndef CPU_DRIVER_H
#define CPU_DRIVER_H

#define _GNU_SOURCE
#include <cuda.h>
#include <cudaProfiler.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define EMU_DRIVER_VERSION 13000
#define EMU_DEVICE_COUNT 1
#define EMU_TOTAL_MEM (80ull << 30)

/* Every handle starts with a tag so that a stale or foreign handle is refused, not followed. */
enum emu_tag {
    TAG_CTX = 0x43545831, TAG_STREAM, TAG_EVENT, TAG_GRAPH, TAG_NODE, TAG_EXEC, TAG_POOL,
    TAG_LIB, TAG_MOD, TAG_KERNEL, TAG_FUNC, TAG_ARRAY, TAG_MIPMAP, TAG_GREEN, TAG_DESC,
    TAG_MEMHANDLE, TAG_LINK, TAG_USEROBJ, TAG_DEAD = 0x44454144
};

extern pthread_mutex_t emu_lock; /* one lock for all driver state: tests, not throughput */

struct CUctx_st {
    unsigned tag;
    CUdevice device;
    unsigned flags;
    int primary;
    unsigned long long id;
    CUstream null_stream;
};

/* Stream capture state; graph.c owns it. */
struct emu_capture {
    CUstreamCaptureStatus status;
    CUstreamCaptureMode mode;
    CUgraph graph;
    CUgraphNode *deps;
    size_t ndeps;
    unsigned long long id;
    int owns_graph; /* begun with cuStreamBeginCapture (not ...ToGraph) */
};

struct CUstream_st {
    unsigned tag;
    CUcontext ctx;
    unsigned flags;
    int priority;
    unsigned long long id;
    struct emu_capture cap;
    CUgreenCtx green;
};

struct CUevent_st {
    unsigned tag;
    CUcontext ctx;
    unsigned flags;
    int recorded;
    double ms; /* host time when recorded */
    /* recorded during a capture: the graph and the nodes a waiting stream will depend on */
    CUgraph cap_graph;
    CUgraphNode *cap_deps;
    size_t cap_ndeps;
    unsigned long long cap_id;
};

struct emu_param { size_t offset, size; };

struct CUkern_st {
    unsigned tag;
    char *name;
    CUlibrary lib;
    struct emu_param *params;
    int nparams; /* -1: unknown */
    struct CUfunc_st *func;
};
struct CUfunc_st {
    unsigned tag;
    struct CUkern_st *kernel;
    int attrs[16];
};
struct CUlib_st {
    unsigned tag;
    struct CUkern_st **kernels;
    int nkernels;
    CUmodule module;
    int is_module; /* loaded with cuModuleLoad*: the lib behind a module */
};
struct CUmod_st {
    unsigned tag;
    CUlibrary lib;
};

struct CUmemPoolHandle_st {
    unsigned tag;
    CUmemPoolProps props;
    int is_default;
    cuuint64_t release_threshold;
    int reuse[3];
    cuuint64_t used_high, reserved_high;
    CUmemAccess_flags access[EMU_DEVICE_COUNT + 1];
    /* a pool that can be shared with other processes keeps its memory in one memfd, mapped at
       base in each process: a pointer crosses as its offset */
    int fd, imported;
    uintptr_t base;
    size_t next;
};

/* allocation registry (memory.c) */
enum emu_kind { MEM_DEVICE = 1, MEM_HOST, MEM_MANAGED, MEM_REGISTERED, MEM_VMM };
struct emu_alloc {
    uintptr_t base;
    size_t size;
    enum emu_kind kind;
    CUcontext ctx;
    CUmemoryPool pool;
    unsigned long long id;
    unsigned flags;
    int sync_memops;
    void *raw; /* what free() takes */
    /* managed memory's advice and prefetches (whole allocations: ranges are not split) */
    int read_mostly, accessed_by;
    CUmemLocation preferred, prefetched;
};
struct emu_alloc *emu_find_alloc(uintptr_t p); /* the allocation holding p, or NULL (lock held) */
void *emu_device_alloc(size_t size, CUmemoryPool pool, enum emu_kind kind);
CUresult emu_device_free(uintptr_t p, int from_pool);

/* common helpers (driver.c) */
CUresult emu_need_init(void);
CUresult emu_current_ctx(CUcontext *ctx); /* CUDA_ERROR_INVALID_CONTEXT where none */
int emu_valid(const void *h, unsigned tag);
double emu_now_ms(void);
unsigned long long emu_next_id(void);
CUresult emu_stream_check(CUstream *s); /* maps NULL/legacy/per-thread to the context's */

/* OpenGL interop (graphics.c): cudaGL.h is not included (it needs the GL headers); GLuint and
   GLenum are unsigned int */
CUresult CUDAAPI cuGraphicsGLRegisterBuffer(CUgraphicsResource *res, unsigned int buffer, unsigned int flags);
CUresult CUDAAPI cuGraphicsGLRegisterImage(CUgraphicsResource *res, unsigned int image, unsigned int target,
                                           unsigned int flags);
void *emu_calloc(size_t n, size_t size);

/* stream capture hooks (graph.c): when s is capturing, the work becomes a node and
   *captured is set; otherwise nothing happens and the caller does the work. */
CUresult emu_capture_node(CUstream s, CUgraphNodeParams *params, int *captured);
CUresult emu_capture_event_record(CUstream s, CUevent e, int *captured);
CUresult emu_capture_wait_event(CUstream s, CUevent e, int *captured);
int emu_capturing(CUstream s);
/* work done when a stream or graph runs it (memory.c, module.c) */
CUresult emu_do_memcpy3d(const CUDA_MEMCPY3D *p);
CUresult emu_do_memset(CUdeviceptr dst, size_t pitch, unsigned value, unsigned elem, size_t width, size_t height);
CUresult emu_check_launch(CUfunction f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                          unsigned bz, unsigned shmem);
CUfunction emu_as_function(void *f); /* CUfunction or CUkernel: the function, or NULL */
/* a CUDA array's storage, rows of *pitch bytes, *height rows a layer (misc.c); NULL if not an array */
void *emu_array_data(CUarray a, size_t *pitch, size_t *height);

#endif
