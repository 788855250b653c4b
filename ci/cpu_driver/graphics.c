/* SPDX-License-Identifier: Apache-2.0 */
/* OpenGL interop (cudaGL.h), emulated without OpenGL: any nonzero GL name registers. A buffer is
   backed by EMU_GL_BUFFER_BYTES of emulated device memory that mapping hands out; an image maps,
   but not as a pointer (as the driver answers for images). Map and unmap follow the driver's
   rules: mapping a mapped resource, unmapping an unmapped one, or asking an unmapped one for its
   pointer fail with the driver's codes. */
#include "cpu_driver.h"

#include <stdlib.h>

#define EMU_GL_BUFFER_BYTES 4096
#define TAG_GRAPHICS 0x47524658 /* a tag of this file's own: "GRFX" */

struct CUgraphicsResource_st {
    unsigned tag;
    int is_image;
    int mapped;
    unsigned flags;
    CUdeviceptr mem;
};

/* GLuint and GLenum are unsigned int (cudaGL.h takes them from the GL headers) */
static CUresult gl_register(CUgraphicsResource *res, unsigned name, unsigned flags, int is_image) {
    CUcontext ctx;
    CUresult r = emu_current_ctx(&ctx);
    if (r) return r;
    if (!res || flags > 0xF) return CUDA_ERROR_INVALID_VALUE;
    if (!name) return CUDA_ERROR_INVALID_GRAPHICS_CONTEXT; /* no GL object of that name */
    struct CUgraphicsResource_st *g = emu_calloc(1, sizeof *g);
    g->tag = TAG_GRAPHICS;
    g->is_image = is_image;
    g->flags = flags;
    if (!is_image) g->mem = (CUdeviceptr)emu_device_alloc(EMU_GL_BUFFER_BYTES, NULL, MEM_DEVICE);
    *res = g;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuGraphicsGLRegisterBuffer(CUgraphicsResource *res, unsigned int buffer, unsigned int flags) {
    return gl_register(res, buffer, flags, 0);
}
CUresult CUDAAPI cuGraphicsGLRegisterImage(CUgraphicsResource *res, unsigned int image, unsigned int target,
                                           unsigned int flags) {
    (void)target;
    return gl_register(res, image, flags, 1);
}

static CUresult map_all(unsigned count, CUgraphicsResource *res, CUstream s, int map) {
    CUresult r = emu_stream_check(&s);
    if (r) return r;
    if (!count || !res) return CUDA_ERROR_INVALID_VALUE;
    pthread_mutex_lock(&emu_lock);
    for (unsigned i = 0; i < count && !r; i++) { /* check every one before changing any */
        if (!emu_valid(res[i], TAG_GRAPHICS)) r = CUDA_ERROR_INVALID_HANDLE;
        else if (res[i]->mapped == map) r = map ? CUDA_ERROR_ALREADY_MAPPED : CUDA_ERROR_NOT_MAPPED;
    }
    for (unsigned i = 0; i < count && !r; i++) res[i]->mapped = map;
    pthread_mutex_unlock(&emu_lock);
    return r;
}
CUresult CUDAAPI cuGraphicsMapResources(unsigned int count, CUgraphicsResource *res, CUstream s) {
    return map_all(count, res, s, 1);
}
CUresult CUDAAPI cuGraphicsUnmapResources(unsigned int count, CUgraphicsResource *res, CUstream s) {
    return map_all(count, res, s, 0);
}

CUresult CUDAAPI cuGraphicsResourceGetMappedPointer(CUdeviceptr *ptr, size_t *size, CUgraphicsResource g) {
    if (!emu_valid(g, TAG_GRAPHICS)) return CUDA_ERROR_INVALID_HANDLE;
    if (!g->mapped) return CUDA_ERROR_NOT_MAPPED;
    if (g->is_image) return CUDA_ERROR_NOT_MAPPED_AS_POINTER;
    if (!ptr || !size) return CUDA_ERROR_INVALID_VALUE;
    *ptr = g->mem;
    *size = EMU_GL_BUFFER_BYTES;
    return CUDA_SUCCESS;
}

CUresult CUDAAPI cuGraphicsUnregisterResource(CUgraphicsResource g) {
    if (!emu_valid(g, TAG_GRAPHICS)) return CUDA_ERROR_INVALID_HANDLE;
    g->tag = TAG_DEAD; /* kept, not freed: a stale handle stays recognisable */
    if (g->mem) emu_device_free(g->mem, 0);
    g->mem = 0;
    return CUDA_SUCCESS;
}
