/* SPDX-License-Identifier: Apache-2.0 */
/* CUDA arrays, texture and surface objects, green contexts and device resources, checkpoints,
   tensor maps and a few small device queries (see cpu_driver.h). Arrays are host memory that
   memory.c's copies reach through emu_array_data; texture and surface objects are table entries
   that remember what they describe, since no kernel samples them here. */
#include "cpu_driver.h"

#include <cudaProfiler.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LOCK() pthread_mutex_lock(&emu_lock)
#define UNLOCK() pthread_mutex_unlock(&emu_lock)
#define DEV_OK(d) ((d) >= 0 && (d) < EMU_DEVICE_COUNT)

/* ================================ CUDA arrays ================================ */

struct CUarray_st {
    unsigned tag;
    CUDA_ARRAY3D_DESCRIPTOR desc; /* as created: Height/Depth 0 for 1D/2D */
    size_t pitch, rows, layers;   /* storage: rows of pitch bytes, rows a layer */
    char *data;
    void *raw;                    /* what free() takes; NULL where the storage is another's */
    struct CUmipmappedArray_st *mip; /* a level of this mipmapped array, or NULL */
    struct CUarray_st *parent;    /* a plane of this array, or NULL */
    struct CUarray_st *planes[3];
    CUcontext ctx;
};

struct CUmipmappedArray_st {
    unsigned tag;
    CUDA_ARRAY3D_DESCRIPTOR desc;
    unsigned nlevels;
    struct CUarray_st **levels;
    CUcontext ctx;
};

/* Multi-planar formats: bytes a component, and per plane the subsampling (log2) and channels. */
struct planar {
    unsigned fmt, comp, nplanes;
    struct { unsigned xs, ys, ch; } p[3];
};
static const struct planar PLANAR[] = {
    {CU_AD_FORMAT_NV12, 1, 2, {{0, 0, 1}, {1, 1, 2}}},
    {CU_AD_FORMAT_P010, 2, 2, {{0, 0, 1}, {1, 1, 2}}},
    {CU_AD_FORMAT_P016, 2, 2, {{0, 0, 1}, {1, 1, 2}}},
    {CU_AD_FORMAT_NV16, 1, 2, {{0, 0, 1}, {1, 0, 2}}},
    {CU_AD_FORMAT_P210, 2, 2, {{0, 0, 1}, {1, 0, 2}}},
    {CU_AD_FORMAT_P216, 2, 2, {{0, 0, 1}, {1, 0, 2}}},
    {CU_AD_FORMAT_Y444_PLANAR8, 1, 3, {{0, 0, 1}, {0, 0, 1}, {0, 0, 1}}},
    {CU_AD_FORMAT_Y444_PLANAR10, 2, 3, {{0, 0, 1}, {0, 0, 1}, {0, 0, 1}}},
    {CU_AD_FORMAT_YUV444_8bit_SemiPlanar, 1, 2, {{0, 0, 1}, {0, 0, 2}}},
    {CU_AD_FORMAT_YUV444_16bit_SemiPlanar, 2, 2, {{0, 0, 1}, {0, 0, 2}}},
    {0x53, 1, 2, {{0, 0, 1}, {1, 1, 2}}}, /* UINT8_SEMIPLANAR_420 */
    {0x54, 2, 2, {{0, 0, 1}, {1, 1, 2}}}, /* UINT16_SEMIPLANAR_420 */
    {0x55, 1, 2, {{0, 0, 1}, {1, 0, 2}}}, /* UINT8_SEMIPLANAR_422 */
    {0x56, 2, 2, {{0, 0, 1}, {1, 0, 2}}}, /* UINT16_SEMIPLANAR_422 */
    {0x57, 1, 2, {{0, 0, 1}, {0, 0, 2}}}, /* UINT8_SEMIPLANAR_444 */
    {0x58, 2, 2, {{0, 0, 1}, {0, 0, 2}}}, /* UINT16_SEMIPLANAR_444 */
    {0x59, 1, 3, {{0, 0, 1}, {1, 1, 1}, {1, 1, 1}}}, /* UINT8_PLANAR_420 */
    {0x5a, 2, 3, {{0, 0, 1}, {1, 1, 1}, {1, 1, 1}}}, /* UINT16_PLANAR_420 */
    {0x5b, 1, 3, {{0, 0, 1}, {1, 0, 1}, {1, 0, 1}}}, /* UINT8_PLANAR_422 */
    {0x5c, 2, 3, {{0, 0, 1}, {1, 0, 1}, {1, 0, 1}}}, /* UINT16_PLANAR_422 */
    {0x5d, 1, 3, {{0, 0, 1}, {0, 0, 1}, {0, 0, 1}}}, /* UINT8_PLANAR_444 */
    {0x5e, 2, 3, {{0, 0, 1}, {0, 0, 1}, {0, 0, 1}}}, /* UINT16_PLANAR_444 */
};
static const struct planar *planar_of(unsigned fmt) {
    for (size_t i = 0; i < sizeof PLANAR / sizeof *PLANAR; i++)
        if (PLANAR[i].fmt == fmt) return &PLANAR[i];
    return NULL;
}

/* bytes of one component of the eight plain formats, 0 for any other */
static unsigned plain_size(unsigned fmt) {
    switch (fmt) {
    case CU_AD_FORMAT_UNSIGNED_INT8: case CU_AD_FORMAT_SIGNED_INT8: return 1;
    case CU_AD_FORMAT_UNSIGNED_INT16: case CU_AD_FORMAT_SIGNED_INT16: case CU_AD_FORMAT_HALF: return 2;
    case CU_AD_FORMAT_UNSIGNED_INT32: case CU_AD_FORMAT_SIGNED_INT32: case CU_AD_FORMAT_FLOAT: return 4;
    default: return 0;
    }
}

/* Element layout of a format: bytes an element (a 4x4 block where *block is 4), or
   CUDA_ERROR_INVALID_VALUE for an unknown format or a channel count it cannot have. */
static CUresult layout_of(unsigned fmt, unsigned nch, unsigned *elem, unsigned *block) {
    *block = 1;
    unsigned plain = plain_size(fmt);
    if (plain) {
        if (nch != 1 && nch != 2 && nch != 4) return CUDA_ERROR_INVALID_VALUE;
        *elem = plain * nch;
        return CUDA_SUCCESS;
    }
    if (nch < 1 || nch > 4) return CUDA_ERROR_INVALID_VALUE;
    switch (fmt) {
    /* normalized integers: the channel count is part of the format */
    case CU_AD_FORMAT_UNORM_INT8X1: case CU_AD_FORMAT_SNORM_INT8X1: *elem = 1; break;
    case CU_AD_FORMAT_UNORM_INT8X2: case CU_AD_FORMAT_SNORM_INT8X2: *elem = 2; break;
    case CU_AD_FORMAT_UNORM_INT8X4: case CU_AD_FORMAT_SNORM_INT8X4: *elem = 4; break;
    case CU_AD_FORMAT_UNORM_INT16X1: case CU_AD_FORMAT_SNORM_INT16X1: *elem = 2; break;
    case CU_AD_FORMAT_UNORM_INT16X2: case CU_AD_FORMAT_SNORM_INT16X2: *elem = 4; break;
    case CU_AD_FORMAT_UNORM_INT16X4: case CU_AD_FORMAT_SNORM_INT16X4: *elem = 8; break;
    /* block-compressed: 4x4 texels a block of 8 or 16 bytes */
    case CU_AD_FORMAT_BC1_UNORM: case CU_AD_FORMAT_BC1_UNORM_SRGB: case CU_AD_FORMAT_BC4_UNORM:
    case CU_AD_FORMAT_BC4_SNORM: *elem = 8; *block = 4; break;
    case CU_AD_FORMAT_BC2_UNORM: case CU_AD_FORMAT_BC2_UNORM_SRGB: case CU_AD_FORMAT_BC3_UNORM:
    case CU_AD_FORMAT_BC3_UNORM_SRGB: case CU_AD_FORMAT_BC5_UNORM: case CU_AD_FORMAT_BC5_SNORM:
    case CU_AD_FORMAT_BC6H_UF16: case CU_AD_FORMAT_BC6H_SF16: case CU_AD_FORMAT_BC7_UNORM:
    case CU_AD_FORMAT_BC7_UNORM_SRGB: *elem = 16; *block = 4; break;
    /* packed video formats: bytes a pixel */
    case CU_AD_FORMAT_YUY2: case 0x51 /* UINT8_PACKED_422 */: *elem = 2; break;
    case CU_AD_FORMAT_Y210: case CU_AD_FORMAT_Y216: case CU_AD_FORMAT_AYUV: case CU_AD_FORMAT_Y410:
    case CU_AD_FORMAT_UNORM_INT_101010_2: case 0x52 /* UINT8_PACKED_444 */: *elem = 4; break;
    case CU_AD_FORMAT_Y416: *elem = 8; break;
    default: {
        const struct planar *pl = planar_of(fmt);
        if (!pl) return CUDA_ERROR_INVALID_VALUE;
        *elem = pl->comp; /* plane 0: one component a pixel */
    }
    }
    return CUDA_SUCCESS;
}

#define ARRAY_FLAGS 0x1ffu /* CUDA_ARRAY3D_LAYERED ... CUDA_ARRAY3D_VIDEO_ENCODE_DECODE */

/* The extents an H100 allows (cuda.h's table for cuArray3DCreate, with this device's limits). */
static CUresult check_extents(const CUDA_ARRAY3D_DESCRIPTOR *d, int mipmapped) {
    unsigned w = d->Width, h = d->Height, dep = d->Depth, f = d->Flags;
    int layered = f & CUDA_ARRAY3D_LAYERED, cube = f & CUDA_ARRAY3D_CUBEMAP;
    int surf = f & CUDA_ARRAY3D_SURFACE_LDST, gather = f & CUDA_ARRAY3D_TEXTURE_GATHER;
    if (!w || (f & ~ARRAY_FLAGS)) return CUDA_ERROR_INVALID_VALUE;
    if (cube) {
        if (h != w || w > 32768) return CUDA_ERROR_INVALID_VALUE;
        if (layered ? (!dep || dep % 6 || dep > 2046) : dep != 6) return CUDA_ERROR_INVALID_VALUE;
    } else if (layered) {
        if (!dep || dep > 2048 || w > 32768 || h > 32768) return CUDA_ERROR_INVALID_VALUE;
    } else if (dep) { /* 3D */
        if (!h) return CUDA_ERROR_INVALID_VALUE;
        int normal = w <= 16384 && h <= 16384 && dep <= 16384;
        int alternate = !surf && w <= 8192 && h <= 8192 && dep <= 32768;
        if (!normal && !alternate) return CUDA_ERROR_INVALID_VALUE;
    } else if (h) { /* 2D */
        unsigned mw = gather || mipmapped ? 32768 : 131072, mh = gather || mipmapped ? 32768 : 65536;
        if (w > mw || h > mh) return CUDA_ERROR_INVALID_VALUE;
    } else { /* 1D */
        if (w > (surf || mipmapped ? 32768u : 131072u)) return CUDA_ERROR_INVALID_VALUE;
    }
    if (gather && (!h || dep || layered || cube)) return CUDA_ERROR_INVALID_VALUE; /* 2D only */
    return CUDA_SUCCESS;
}

static CUresult check_descriptor(const CUDA_ARRAY3D_DESCRIPTOR *d, int mipmapped) {
    unsigned elem, block;
    CUresult r = layout_of(d->Format, d->NumChannels, &elem, &block);
    if (r) return r;
    if (planar_of(d->Format) && (!d->Height || d->Depth || (d->Flags & (CUDA_ARRAY3D_LAYERED | CUDA_ARRAY3D_CUBEMAP))))
        return CUDA_ERROR_INVALID_VALUE; /* multi-planar arrays are 2D */
    return check_extents(d, mipmapped);
}

/* A new array with storage for d (already checked); NULL when memory runs out. */
static struct CUarray_st *new_array(const CUDA_ARRAY3D_DESCRIPTOR *d, CUcontext ctx) {
    unsigned elem, block;
    layout_of(d->Format, d->NumChannels, &elem, &block);
    size_t w = d->Width, h = d->Height ? d->Height : 1;
    size_t pitch = (w + block - 1) / block * elem, rows = (h + block - 1) / block;
    const struct planar *pl = planar_of(d->Format);
    if (pl) { /* planes one after another, each row padded to the widest plane's */
        pitch = rows = 0;
        for (unsigned i = 0; i < pl->nplanes; i++) {
            size_t pw = (w + (1u << pl->p[i].xs) - 1) >> pl->p[i].xs, ph = (h + (1u << pl->p[i].ys) - 1) >> pl->p[i].ys;
            if (pw * pl->comp * pl->p[i].ch > pitch) pitch = pw * pl->comp * pl->p[i].ch;
            rows += ph;
        }
    }
    size_t layers = d->Depth ? d->Depth : 1;
    size_t bytes = pitch * rows * layers;
    if (bytes > EMU_TOTAL_MEM) return NULL;
    void *raw = calloc(1, bytes ? bytes : 1); /* not emu_calloc: a too-large array is an error, not an abort */
    if (!raw) return NULL;
    struct CUarray_st *a = emu_calloc(1, sizeof *a);
    a->tag = TAG_ARRAY;
    a->desc = *d;
    a->pitch = pitch;
    a->rows = rows;
    a->layers = layers;
    a->data = a->raw = raw;
    a->ctx = ctx;
    return a;
}

static void kill_array(struct CUarray_st *a) {
    if (!a || a->tag != TAG_ARRAY) return;
    a->tag = TAG_DEAD; /* the struct stays: a stale handle is refused, not followed */
    for (int i = 0; i < 3; i++) kill_array(a->planes[i]);
    free(a->raw);
    a->raw = a->data = NULL;
}

void *emu_array_data(CUarray a, size_t *pitch, size_t *height) {
    LOCK();
    void *p = NULL;
    if (emu_valid(a, TAG_ARRAY)) {
        p = a->data;
        if (pitch) *pitch = a->pitch;
        if (height) *height = a->rows;
    }
    UNLOCK();
    return p;
}

static CUresult create_array(CUarray *ph, const CUDA_ARRAY3D_DESCRIPTOR *d) {
    CUcontext ctx;
    CUresult r = emu_current_ctx(&ctx);
    if (r) return r;
    if (!ph || !d) return CUDA_ERROR_INVALID_VALUE;
    if ((r = check_descriptor(d, 0))) return r;
    struct CUarray_st *a = new_array(d, ctx);
    if (!a) return CUDA_ERROR_OUT_OF_MEMORY;
    *ph = a;
    return CUDA_SUCCESS;
}

CUresult CUDAAPI cuArrayCreate(CUarray *pHandle, const CUDA_ARRAY_DESCRIPTOR *pAllocateArray) {
    CUcontext ctx;
    CUresult r = emu_current_ctx(&ctx);
    if (r) return r;
    if (!pHandle || !pAllocateArray) return CUDA_ERROR_INVALID_VALUE;
    if (pAllocateArray->Width > 0xffffffffu || pAllocateArray->Height > 0xffffffffu) return CUDA_ERROR_INVALID_VALUE;
    CUDA_ARRAY3D_DESCRIPTOR d = {.Width = pAllocateArray->Width, .Height = pAllocateArray->Height,
                                 .Format = pAllocateArray->Format, .NumChannels = pAllocateArray->NumChannels};
    return create_array(pHandle, &d);
}
CUresult CUDAAPI cuArray3DCreate(CUarray *pHandle, const CUDA_ARRAY3D_DESCRIPTOR *pAllocateArray) {
    return create_array(pHandle, pAllocateArray);
}

/* a live array, or the error cuda.h gives for a stale one */
static CUresult live_array(CUarray a) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!emu_valid(a, TAG_ARRAY)) return CUDA_ERROR_INVALID_HANDLE;
    return CUDA_SUCCESS;
}

CUresult CUDAAPI cuArrayGetDescriptor(CUDA_ARRAY_DESCRIPTOR *pArrayDescriptor, CUarray hArray) {
    CUresult r = live_array(hArray);
    if (r) return r;
    if (!pArrayDescriptor) return CUDA_ERROR_INVALID_VALUE;
    pArrayDescriptor->Width = hArray->desc.Width;
    pArrayDescriptor->Height = hArray->desc.Height;
    pArrayDescriptor->Format = hArray->desc.Format;
    pArrayDescriptor->NumChannels = hArray->desc.NumChannels;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuArray3DGetDescriptor(CUDA_ARRAY3D_DESCRIPTOR *pArrayDescriptor, CUarray hArray) {
    CUresult r = live_array(hArray);
    if (r) return r;
    if (!pArrayDescriptor) return CUDA_ERROR_INVALID_VALUE;
    *pArrayDescriptor = hArray->desc;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuArrayDestroy(CUarray hArray) {
    CUresult r = live_array(hArray);
    if (r) return r;
    if (hArray->mip || hArray->parent) return CUDA_ERROR_INVALID_HANDLE; /* owned by its mipmap or array */
    LOCK();
    kill_array(hArray);
    UNLOCK();
    return CUDA_SUCCESS;
}

CUresult CUDAAPI cuArrayGetPlane(CUarray *pPlaneArray, CUarray hArray, unsigned int planeIdx) {
    CUresult r = live_array(hArray);
    if (r) return r;
    const struct planar *pl = planar_of(hArray->desc.Format);
    if (!pPlaneArray || !pl || planeIdx >= pl->nplanes) return CUDA_ERROR_INVALID_VALUE;
    LOCK();
    if (!hArray->planes[planeIdx]) {
        /* a view of the plane's rows inside the parent's storage */
        struct CUarray_st *p = emu_calloc(1, sizeof *p);
        size_t h = hArray->desc.Height ? hArray->desc.Height : 1, offset_rows = 0;
        for (unsigned i = 0; i < planeIdx; i++) offset_rows += (h + (1u << pl->p[i].ys) - 1) >> pl->p[i].ys;
        p->tag = TAG_ARRAY;
        p->desc.Width = (hArray->desc.Width + (1u << pl->p[planeIdx].xs) - 1) >> pl->p[planeIdx].xs;
        p->desc.Height = (h + (1u << pl->p[planeIdx].ys) - 1) >> pl->p[planeIdx].ys;
        p->desc.Format = pl->comp == 1 ? CU_AD_FORMAT_UNSIGNED_INT8 : CU_AD_FORMAT_UNSIGNED_INT16;
        p->desc.NumChannels = pl->p[planeIdx].ch;
        p->desc.Flags = hArray->desc.Flags;
        p->pitch = hArray->pitch;
        p->rows = p->desc.Height;
        p->layers = 1;
        p->data = hArray->data + offset_rows * hArray->pitch;
        p->parent = hArray;
        p->ctx = hArray->ctx;
        hArray->planes[planeIdx] = p;
    }
    *pPlaneArray = hArray->planes[planeIdx];
    UNLOCK();
    return CUDA_SUCCESS;
}

/* ---- sparse properties and memory requirements ---- */
static size_t array_bytes(const struct CUarray_st *a) { return a->pitch * a->rows * a->layers; }

/* the 64 KiB tile of a sparse array of elem-byte elements */
static void sparse_tile(unsigned elem, int is3d, unsigned *tw, unsigned *th, unsigned *td) {
    unsigned shift = 0;
    while ((1u << shift) < elem && shift < 4) shift++; /* log2 of 1..16 bytes */
    if (is3d) {
        static const unsigned T3[5][3] = {{64, 32, 32}, {32, 32, 32}, {32, 32, 16}, {32, 16, 16}, {16, 16, 16}};
        *tw = T3[shift][0]; *th = T3[shift][1]; *td = T3[shift][2];
    } else {
        static const unsigned T2[5][2] = {{256, 256}, {256, 128}, {128, 128}, {128, 64}, {64, 64}};
        *tw = T2[shift][0]; *th = T2[shift][1]; *td = 1;
    }
}

CUresult CUDAAPI cuArrayGetSparseProperties(CUDA_ARRAY_SPARSE_PROPERTIES *sparseProperties, CUarray array) {
    CUresult r = live_array(array);
    if (r) return r == CUDA_ERROR_INVALID_HANDLE ? CUDA_ERROR_INVALID_VALUE : r;
    if (!sparseProperties || !(array->desc.Flags & CUDA_ARRAY3D_SPARSE) || array->mip || array->parent)
        return CUDA_ERROR_INVALID_VALUE;
    unsigned elem, block;
    layout_of(array->desc.Format, array->desc.NumChannels, &elem, &block);
    memset(sparseProperties, 0, sizeof *sparseProperties);
    int is3d = array->desc.Depth && !(array->desc.Flags & (CUDA_ARRAY3D_LAYERED | CUDA_ARRAY3D_CUBEMAP));
    sparse_tile(elem, is3d, &sparseProperties->tileExtent.width, &sparseProperties->tileExtent.height,
                &sparseProperties->tileExtent.depth);
    return CUDA_SUCCESS;
}

CUresult CUDAAPI cuArrayGetMemoryRequirements(CUDA_ARRAY_MEMORY_REQUIREMENTS *memoryRequirements, CUarray array,
                                              CUdevice device) {
    CUresult r = live_array(array);
    if (r) return r == CUDA_ERROR_INVALID_HANDLE ? CUDA_ERROR_INVALID_VALUE : r;
    if (!DEV_OK(device)) return CUDA_ERROR_INVALID_DEVICE;
    if (!memoryRequirements || !(array->desc.Flags & CUDA_ARRAY3D_DEFERRED_MAPPING)) return CUDA_ERROR_INVALID_VALUE;
    memset(memoryRequirements, 0, sizeof *memoryRequirements);
    memoryRequirements->size = (array_bytes(array) + 0xffff) & ~(size_t)0xffff;
    memoryRequirements->alignment = 2u << 20; /* the VMM granularity */
    return CUDA_SUCCESS;
}

/* ---- mipmapped arrays ---- */
static unsigned max_levels(const CUDA_ARRAY3D_DESCRIPTOR *d) {
    unsigned m = d->Width;
    if (d->Height > m) m = d->Height;
    if (!(d->Flags & (CUDA_ARRAY3D_LAYERED | CUDA_ARRAY3D_CUBEMAP)) && d->Depth > m) m = d->Depth; /* depth, not layers */
    unsigned n = 1;
    while (m >>= 1) n++;
    return n;
}

CUresult CUDAAPI cuMipmappedArrayCreate(CUmipmappedArray *pHandle, const CUDA_ARRAY3D_DESCRIPTOR *pMipmappedArrayDesc,
                                        unsigned int numMipmapLevels) {
    CUcontext ctx;
    CUresult r = emu_current_ctx(&ctx);
    if (r) return r;
    const CUDA_ARRAY3D_DESCRIPTOR *d = pMipmappedArrayDesc;
    if (!pHandle || !d) return CUDA_ERROR_INVALID_VALUE;
    if ((r = check_descriptor(d, 1))) return r;
    if (planar_of(d->Format)) return CUDA_ERROR_INVALID_VALUE;
    /* cuda.h says the count is clamped, and driver 580 takes more levels than the extents have (H200) */
    if (numMipmapLevels > max_levels(d)) numMipmapLevels = max_levels(d);
    if (!numMipmapLevels) numMipmapLevels = 1;
    struct CUmipmappedArray_st *m = emu_calloc(1, sizeof *m);
    m->tag = TAG_MIPMAP;
    m->desc = *d;
    m->nlevels = numMipmapLevels;
    m->levels = emu_calloc(numMipmapLevels, sizeof *m->levels);
    m->ctx = ctx;
    int is3d = d->Depth && !(d->Flags & (CUDA_ARRAY3D_LAYERED | CUDA_ARRAY3D_CUBEMAP));
    for (unsigned l = 0; l < numMipmapLevels; l++) {
        CUDA_ARRAY3D_DESCRIPTOR ld = *d;
        ld.Width = d->Width >> l ? d->Width >> l : 1;
        if (d->Height) ld.Height = d->Height >> l ? d->Height >> l : 1;
        if (is3d) ld.Depth = d->Depth >> l ? d->Depth >> l : 1;
        struct CUarray_st *a = new_array(&ld, ctx);
        if (!a) {
            for (unsigned i = 0; i < l; i++) kill_array(m->levels[i]);
            m->tag = TAG_DEAD;
            return CUDA_ERROR_OUT_OF_MEMORY;
        }
        a->mip = m;
        m->levels[l] = a;
    }
    *pHandle = m;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuMipmappedArrayGetLevel(CUarray *pLevelArray, CUmipmappedArray hMipmappedArray, unsigned int level) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!emu_valid(hMipmappedArray, TAG_MIPMAP)) return CUDA_ERROR_INVALID_HANDLE;
    if (!pLevelArray || level >= hMipmappedArray->nlevels) return CUDA_ERROR_INVALID_VALUE;
    *pLevelArray = hMipmappedArray->levels[level];
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuMipmappedArrayDestroy(CUmipmappedArray hMipmappedArray) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!emu_valid(hMipmappedArray, TAG_MIPMAP)) return CUDA_ERROR_INVALID_HANDLE;
    LOCK();
    hMipmappedArray->tag = TAG_DEAD;
    for (unsigned l = 0; l < hMipmappedArray->nlevels; l++) kill_array(hMipmappedArray->levels[l]);
    UNLOCK();
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuMipmappedArrayGetSparseProperties(CUDA_ARRAY_SPARSE_PROPERTIES *sparseProperties,
                                                     CUmipmappedArray mipmap) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!sparseProperties || !emu_valid(mipmap, TAG_MIPMAP) || !(mipmap->desc.Flags & CUDA_ARRAY3D_SPARSE))
        return CUDA_ERROR_INVALID_VALUE;
    unsigned elem, block;
    layout_of(mipmap->desc.Format, mipmap->desc.NumChannels, &elem, &block);
    memset(sparseProperties, 0, sizeof *sparseProperties);
    int is3d = mipmap->desc.Depth && !(mipmap->desc.Flags & (CUDA_ARRAY3D_LAYERED | CUDA_ARRAY3D_CUBEMAP));
    unsigned tw, th, td;
    sparse_tile(elem, is3d, &tw, &th, &td);
    sparseProperties->tileExtent.width = tw;
    sparseProperties->tileExtent.height = th;
    sparseProperties->tileExtent.depth = td;
    /* the mip tail: every level smaller than a tile in some extent, per layer */
    unsigned first = mipmap->nlevels;
    unsigned long long tail = 0;
    for (unsigned l = 0; l < mipmap->nlevels; l++) {
        const struct CUarray_st *a = mipmap->levels[l];
        size_t h = a->desc.Height ? a->desc.Height : 1, d = is3d ? a->desc.Depth : 1;
        if (first == mipmap->nlevels && (a->desc.Width < tw || h < th || d < td)) first = l;
        if (l >= first) tail += array_bytes(a) / a->layers;
    }
    if (tail) {
        sparseProperties->miptailFirstLevel = first;
        sparseProperties->miptailSize = (tail + 0xffff) & ~0xffffull;
    }
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuMipmappedArrayGetMemoryRequirements(CUDA_ARRAY_MEMORY_REQUIREMENTS *memoryRequirements,
                                                       CUmipmappedArray mipmap, CUdevice device) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!DEV_OK(device)) return CUDA_ERROR_INVALID_DEVICE;
    if (!memoryRequirements || !emu_valid(mipmap, TAG_MIPMAP) || !(mipmap->desc.Flags & CUDA_ARRAY3D_DEFERRED_MAPPING))
        return CUDA_ERROR_INVALID_VALUE;
    size_t total = 0;
    for (unsigned l = 0; l < mipmap->nlevels; l++) total += array_bytes(mipmap->levels[l]);
    memset(memoryRequirements, 0, sizeof *memoryRequirements);
    memoryRequirements->size = (total + 0xffff) & ~(size_t)0xffff;
    memoryRequirements->alignment = 2u << 20;
    return CUDA_SUCCESS;
}

/* ============================ texture and surface objects ============================ */

struct texobj {
    unsigned long long id;
    int surface, live, has_view;
    CUDA_RESOURCE_DESC res;
    CUDA_TEXTURE_DESC tex;
    CUDA_RESOURCE_VIEW_DESC view;
};
static struct texobj *texobjs;
static size_t ntexobjs, cap_texobjs;

/* the live object with this id and kind, or NULL (lock held) */
static struct texobj *find_texobj(unsigned long long id, int surface) {
    for (size_t i = 0; i < ntexobjs; i++)
        if (texobjs[i].id == id) return texobjs[i].live && texobjs[i].surface == surface ? &texobjs[i] : NULL;
    return NULL;
}
static unsigned long long add_texobj(const struct texobj *t) {
    LOCK();
    if (ntexobjs == cap_texobjs) {
        size_t cap = cap_texobjs ? 2 * cap_texobjs : 64;
        struct texobj *n = realloc(texobjs, cap * sizeof *n);
        if (!n) abort();
        texobjs = n;
        cap_texobjs = cap;
    }
    struct texobj *e = &texobjs[ntexobjs++];
    *e = *t;
    e->id = emu_next_id(); /* nonzero, never reused */
    e->live = 1;
    unsigned long long id = e->id;
    UNLOCK();
    return id;
}

/* a linear range (pointer, bytes) that lies inside one allocation */
static int linear_ok(CUdeviceptr p, size_t bytes) {
    if (!p || (p & 255)) return 0; /* the 256 bytes every allocation here is aligned to */
    LOCK();
    struct emu_alloc *a = emu_find_alloc((uintptr_t)p);
    int ok = a && bytes <= a->size - ((uintptr_t)p - a->base);
    UNLOCK();
    return ok;
}

static int is_bc_view(unsigned f) { return f >= CU_RES_VIEW_FORMAT_UNSIGNED_BC1 && f <= CU_RES_VIEW_FORMAT_UNSIGNED_BC7; }

/* The resource of a texture (surface = 0) or surface (surface = 1): CUDA_SUCCESS or the error. */
static CUresult check_resource(const CUDA_RESOURCE_DESC *r, int surface) {
    if (r->flags) return CUDA_ERROR_INVALID_VALUE;
    switch (r->resType) {
    case CU_RESOURCE_TYPE_ARRAY:
        if (!emu_valid(r->res.array.hArray, TAG_ARRAY)) return CUDA_ERROR_INVALID_VALUE;
        if (surface && !(r->res.array.hArray->desc.Flags & CUDA_ARRAY3D_SURFACE_LDST)) return CUDA_ERROR_INVALID_VALUE;
        return CUDA_SUCCESS;
    case CU_RESOURCE_TYPE_MIPMAPPED_ARRAY:
        return !surface && emu_valid(r->res.mipmap.hMipmappedArray, TAG_MIPMAP) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
    case CU_RESOURCE_TYPE_LINEAR: {
        unsigned sz = plain_size(r->res.linear.format), n = r->res.linear.numChannels;
        if (surface || !sz || (n != 1 && n != 2 && n != 4) || !r->res.linear.sizeInBytes) return CUDA_ERROR_INVALID_VALUE;
        if (r->res.linear.sizeInBytes / (sz * n) > (1u << 28)) return CUDA_ERROR_INVALID_VALUE; /* TEXTURE1D_LINEAR_WIDTH */
        return linear_ok(r->res.linear.devPtr, r->res.linear.sizeInBytes) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
    }
    case CU_RESOURCE_TYPE_PITCH2D: {
        unsigned sz = plain_size(r->res.pitch2D.format), n = r->res.pitch2D.numChannels;
        size_t w = r->res.pitch2D.width, h = r->res.pitch2D.height, pitch = r->res.pitch2D.pitchInBytes;
        if (surface || !sz || (n != 1 && n != 2 && n != 4)) return CUDA_ERROR_INVALID_VALUE;
        /* H100: 2D linear textures up to 131072 x 65000, pitch 32-byte aligned, at most 2 MiB - 32 */
        if (!w || !h || w > 131072 || h > 65000 || (pitch & 31) || pitch < w * sz * n || pitch > 2097120)
            return CUDA_ERROR_INVALID_VALUE;
        return linear_ok(r->res.pitch2D.devPtr, pitch * (h - 1) + w * sz * n) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
    }
    default:
        return CUDA_ERROR_INVALID_VALUE;
    }
}

static CUresult check_texture_desc(const CUDA_TEXTURE_DESC *t, const CUDA_RESOURCE_DESC *r) {
    for (int i = 0; i < 3; i++)
        if ((unsigned)t->addressMode[i] > CU_TR_ADDRESS_MODE_BORDER) return CUDA_ERROR_INVALID_VALUE;
    if ((unsigned)t->filterMode > CU_TR_FILTER_MODE_LINEAR || (unsigned)t->mipmapFilterMode > CU_TR_FILTER_MODE_LINEAR)
        return CUDA_ERROR_INVALID_VALUE;
    unsigned known = CU_TRSF_READ_AS_INTEGER | CU_TRSF_NORMALIZED_COORDINATES | CU_TRSF_SRGB |
                     CU_TRSF_DISABLE_TRILINEAR_OPTIMIZATION | CU_TRSF_SEAMLESS_CUBEMAP;
    if (t->flags & ~known) return CUDA_ERROR_INVALID_VALUE;
    if (t->flags & CU_TRSF_SEAMLESS_CUBEMAP) { /* only over cubemaps */
        unsigned f = r->resType == CU_RESOURCE_TYPE_ARRAY ? r->res.array.hArray->desc.Flags
                     : r->resType == CU_RESOURCE_TYPE_MIPMAPPED_ARRAY ? r->res.mipmap.hMipmappedArray->desc.Flags : 0;
        if (!(f & CUDA_ARRAY3D_CUBEMAP)) return CUDA_ERROR_INVALID_VALUE;
    }
    return CUDA_SUCCESS;
}

static CUresult check_view(const CUDA_RESOURCE_VIEW_DESC *v, const CUDA_RESOURCE_DESC *r) {
    const CUDA_ARRAY3D_DESCRIPTOR *d;
    unsigned levels = 1;
    if (r->resType == CU_RESOURCE_TYPE_ARRAY) d = &r->res.array.hArray->desc;
    else if (r->resType == CU_RESOURCE_TYPE_MIPMAPPED_ARRAY) {
        d = &r->res.mipmap.hMipmappedArray->desc;
        levels = r->res.mipmap.hMipmappedArray->nlevels;
    } else return CUDA_ERROR_INVALID_VALUE; /* views only of arrays */
    unsigned elem, block;
    layout_of(d->Format, d->NumChannels, &elem, &block);
    if (block != 1 || (unsigned)v->format > CU_RES_VIEW_FORMAT_UNSIGNED_BC7) return CUDA_ERROR_INVALID_VALUE;
    size_t scale = is_bc_view(v->format) ? 4 : 1; /* a block-compressed view is 4x the texels */
    if (v->format != CU_RES_VIEW_FORMAT_NONE && (v->width != d->Width * scale || v->height != d->Height * scale ||
                                                 v->depth != d->Depth))
        return CUDA_ERROR_INVALID_VALUE;
    if (v->firstMipmapLevel > v->lastMipmapLevel || v->lastMipmapLevel >= levels) return CUDA_ERROR_INVALID_VALUE;
    int layered = d->Flags & (CUDA_ARRAY3D_LAYERED | CUDA_ARRAY3D_CUBEMAP);
    if (layered ? v->firstLayer > v->lastLayer || v->lastLayer >= d->Depth : v->firstLayer || v->lastLayer)
        return CUDA_ERROR_INVALID_VALUE;
    return CUDA_SUCCESS;
}

CUresult CUDAAPI cuTexObjectCreate(CUtexObject *pTexObject, const CUDA_RESOURCE_DESC *pResDesc,
                                   const CUDA_TEXTURE_DESC *pTexDesc, const CUDA_RESOURCE_VIEW_DESC *pResViewDesc) {
    CUcontext ctx;
    CUresult r = emu_current_ctx(&ctx);
    if (r) return r;
    if (!pTexObject || !pResDesc || !pTexDesc) return CUDA_ERROR_INVALID_VALUE;
    if ((r = check_resource(pResDesc, 0)) || (r = check_texture_desc(pTexDesc, pResDesc))) return r;
    if (pResViewDesc && (r = check_view(pResViewDesc, pResDesc))) return r;
    struct texobj t = {.res = *pResDesc, .tex = *pTexDesc, .has_view = pResViewDesc != NULL};
    if (pResViewDesc) t.view = *pResViewDesc;
    *pTexObject = add_texobj(&t);
    return CUDA_SUCCESS;
}

/* the texture (surface = 0) or surface object, copied out under the lock */
static CUresult get_texobj(unsigned long long id, int surface, struct texobj *out) {
    CUresult r = emu_need_init();
    if (r) return r;
    LOCK();
    struct texobj *t = find_texobj(id, surface);
    if (t) *out = *t;
    UNLOCK();
    return t ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}
static CUresult destroy_texobj(unsigned long long id, int surface) {
    CUresult r = emu_need_init();
    if (r) return r;
    LOCK();
    struct texobj *t = find_texobj(id, surface);
    if (t) t->live = 0;
    UNLOCK();
    return t ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}

CUresult CUDAAPI cuTexObjectDestroy(CUtexObject texObject) { return destroy_texobj(texObject, 0); }
CUresult CUDAAPI cuTexObjectGetResourceDesc(CUDA_RESOURCE_DESC *pResDesc, CUtexObject texObject) {
    struct texobj t;
    CUresult r = get_texobj(texObject, 0, &t);
    if (r) return r;
    if (!pResDesc) return CUDA_ERROR_INVALID_VALUE;
    *pResDesc = t.res;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuTexObjectGetTextureDesc(CUDA_TEXTURE_DESC *pTexDesc, CUtexObject texObject) {
    struct texobj t;
    CUresult r = get_texobj(texObject, 0, &t);
    if (r) return r;
    if (!pTexDesc) return CUDA_ERROR_INVALID_VALUE;
    *pTexDesc = t.tex;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuTexObjectGetResourceViewDesc(CUDA_RESOURCE_VIEW_DESC *pResViewDesc, CUtexObject texObject) {
    struct texobj t;
    CUresult r = get_texobj(texObject, 0, &t);
    if (r) return r;
    if (!pResViewDesc || !t.has_view) return CUDA_ERROR_INVALID_VALUE;
    *pResViewDesc = t.view;
    return CUDA_SUCCESS;
}

CUresult CUDAAPI cuSurfObjectCreate(CUsurfObject *pSurfObject, const CUDA_RESOURCE_DESC *pResDesc) {
    CUcontext ctx;
    CUresult r = emu_current_ctx(&ctx);
    if (r) return r;
    if (!pSurfObject || !pResDesc) return CUDA_ERROR_INVALID_VALUE;
    if ((r = check_resource(pResDesc, 1))) return r;
    struct texobj t = {.surface = 1, .res = *pResDesc};
    *pSurfObject = add_texobj(&t);
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuSurfObjectDestroy(CUsurfObject surfObject) { return destroy_texobj(surfObject, 1); }
CUresult CUDAAPI cuSurfObjectGetResourceDesc(CUDA_RESOURCE_DESC *pResDesc, CUsurfObject surfObject) {
    struct texobj t;
    CUresult r = get_texobj(surfObject, 1, &t);
    if (r) return r;
    if (!pResDesc) return CUDA_ERROR_INVALID_VALUE;
    *pResDesc = t.res;
    return CUDA_SUCCESS;
}

/* ======================= green contexts and device resources ======================= */

#define SM_COUNT 132
#define SM_MIN_PARTITION 8 /* compute capability 9.0: partitions of 8, aligned to 8 */
#define SM_ALIGNMENT 8

struct CUdevResourceDesc_st {
    unsigned tag;
    CUdevice device;
    unsigned sm_count, min_partition, alignment;
};
struct CUgreenCtx_st {
    unsigned tag;
    CUdevice device;
    unsigned sm_count, min_partition, alignment;
    unsigned long long id;
    struct CUctx_st *ctx; /* what cuCtxFromGreenCtx hands out */
    struct CUgreenCtx_st *next;
};
static struct CUgreenCtx_st *greens; /* every green context made, live or not */

/* The driver's own bookkeeping in a resource's padding: which device, which split made it. */
struct res_mark { unsigned magic; int device; unsigned long long split; };
#define RES_MAGIC 0x52534d31u

static void mark_resource(CUdevResource *r, CUdevice dev, unsigned long long split) {
    struct res_mark m = {RES_MAGIC, dev, split};
    memcpy(r->_internal_padding, &m, sizeof m);
}
static struct res_mark read_mark(const CUdevResource *r) {
    struct res_mark m;
    memcpy(&m, r->_internal_padding, sizeof m);
    if (m.magic != RES_MAGIC) m.device = 0, m.split = 0; /* not one of ours: taken as device 0's */
    return m;
}
static void fill_sm(CUdevResource *r, CUdevice dev, unsigned count, unsigned min_partition, unsigned alignment,
                    unsigned long long split) {
    memset(r, 0, sizeof *r);
    r->type = CU_DEV_RESOURCE_TYPE_SM;
    r->sm.smCount = count;
    r->sm.minSmPartitionSize = min_partition;
    r->sm.smCoscheduledAlignment = alignment;
    mark_resource(r, dev, split);
}

/* the green context a context stands for, or NULL (a plain or primary context) */
static struct CUgreenCtx_st *green_of(CUcontext ctx) {
    for (struct CUgreenCtx_st *g = greens; g; g = g->next)
        if (g->ctx == ctx) return g;
    return NULL;
}

/* resources of a device (g NULL) or of a green context */
static CUresult get_resource(CUdevice dev, struct CUgreenCtx_st *g, CUdevResource *res, CUdevResourceType type) {
    if (!res) return CUDA_ERROR_INVALID_VALUE;
    if (type != CU_DEV_RESOURCE_TYPE_SM) return CUDA_ERROR_INVALID_RESOURCE_TYPE; /* workqueues: 13.1+ */
    if (g) fill_sm(res, g->device, g->sm_count, g->min_partition, g->alignment, 0);
    else fill_sm(res, dev, SM_COUNT, SM_MIN_PARTITION, SM_ALIGNMENT, 0);
    return CUDA_SUCCESS;
}

CUresult CUDAAPI cuDeviceGetDevResource(CUdevice device, CUdevResource *resource, CUdevResourceType type) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!DEV_OK(device)) return CUDA_ERROR_INVALID_DEVICE;
    return get_resource(device, NULL, resource, type);
}
CUresult CUDAAPI cuCtxGetDevResource(CUcontext hCtx, CUdevResource *resource, CUdevResourceType type) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!emu_valid(hCtx, TAG_CTX)) return CUDA_ERROR_INVALID_CONTEXT;
    LOCK();
    r = get_resource(hCtx->device, green_of(hCtx), resource, type);
    UNLOCK();
    return r;
}
CUresult CUDAAPI cuGreenCtxGetDevResource(CUgreenCtx hCtx, CUdevResource *resource, CUdevResourceType type) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!emu_valid(hCtx, TAG_GREEN)) return CUDA_ERROR_INVALID_CONTEXT;
    return get_resource(hCtx->device, hCtx, resource, type);
}
CUresult CUDAAPI cuStreamGetDevResource(CUstream hStream, CUdevResource *resource, CUdevResourceType type) {
    CUresult r = emu_stream_check(&hStream);
    if (r) return r;
    LOCK();
    struct CUgreenCtx_st *g = emu_valid(hStream->green, TAG_GREEN) ? hStream->green : green_of(hStream->ctx);
    r = get_resource(hStream->ctx->device, g, resource, type);
    UNLOCK();
    return r;
}

CUresult CUDAAPI cuDevSmResourceSplitByCount(CUdevResource *result, unsigned int *nbGroups, const CUdevResource *input,
                                             CUdevResource *remainder, unsigned int flags, unsigned int minCount) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!nbGroups || !input) return CUDA_ERROR_INVALID_VALUE;
    if (input->type != CU_DEV_RESOURCE_TYPE_SM) return CUDA_ERROR_INVALID_RESOURCE_TYPE;
    if (flags & ~(unsigned)(CU_DEV_SM_RESOURCE_SPLIT_IGNORE_SM_COSCHEDULING | CU_DEV_SM_RESOURCE_SPLIT_MAX_POTENTIAL_CLUSTER_SIZE))
        return CUDA_ERROR_INVALID_VALUE;
    unsigned total = input->sm.smCount;
    if (minCount > total) return CUDA_ERROR_INVALID_VALUE;
    struct res_mark mark = read_mark(input);
    if (!DEV_OK(mark.device)) return CUDA_ERROR_INVALID_DEVICE;
    /* groups of minCount rounded up to the granularity; without co-scheduling SMs go in pairs */
    unsigned min_part = input->sm.minSmPartitionSize ? input->sm.minSmPartitionSize : SM_MIN_PARTITION;
    unsigned align = input->sm.smCoscheduledAlignment ? input->sm.smCoscheduledAlignment : SM_ALIGNMENT;
    if (flags & CU_DEV_SM_RESOURCE_SPLIT_IGNORE_SM_COSCHEDULING) min_part = align = 2;
    unsigned size = (minCount + align - 1) / align * align;
    if (size < min_part) size = min_part;
    unsigned possible = size ? total / size : 0;
    unsigned n = possible;
    if (result) {
        if (!*nbGroups) return CUDA_ERROR_INVALID_VALUE;
        if (!possible) return CUDA_ERROR_INVALID_RESOURCE_CONFIGURATION;
        if (*nbGroups < n) n = *nbGroups;
        unsigned long long split = emu_next_id();
        for (unsigned i = 0; i < n; i++) fill_sm(&result[i], mark.device, size, min_part, align, split);
        if (remainder) {
            if (total > n * size) fill_sm(remainder, mark.device, total - n * size, min_part, align, split);
            else memset(remainder, 0, sizeof *remainder); /* CU_DEV_RESOURCE_TYPE_INVALID: nothing left */
        }
    } else if (remainder) { /* a query: the remainder the full split would leave */
        if (total > n * size) fill_sm(remainder, mark.device, total - n * size, min_part, align, 0);
        else memset(remainder, 0, sizeof *remainder);
    }
    *nbGroups = n;
    return CUDA_SUCCESS;
}

CUresult CUDAAPI cuDevSmResourceSplit(CUdevResource *result, unsigned int nbGroups, const CUdevResource *input,
                                      CUdevResource *remainder, unsigned int flags,
                                      CU_DEV_SM_RESOURCE_GROUP_PARAMS *groupParams) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!input || !nbGroups || !groupParams || flags) return CUDA_ERROR_INVALID_VALUE;
    if (input->type != CU_DEV_RESOURCE_TYPE_SM) return CUDA_ERROR_INVALID_RESOURCE_TYPE;
    struct res_mark mark = read_mark(input);
    if (!DEV_OK(mark.device)) return CUDA_ERROR_INVALID_DEVICE;
    unsigned total = input->sm.smCount, left = total;
    unsigned def_cos = input->sm.smCoscheduledAlignment ? input->sm.smCoscheduledAlignment : SM_ALIGNMENT;
    unsigned known = CU_DEV_SM_RESOURCE_GROUP_BACKFILL | CU_DEV_SM_RESOURCE_GROUP_LOCALITY_DOMAIN_ID |
                     CU_DEV_SM_RESOURCE_GROUP_LOCALITY_DOMAIN_SUPPLEMENTAL_SMS;
    /* check every entry before writing anything back */
    unsigned *counts = emu_calloc(nbGroups, sizeof *counts);
    for (unsigned i = 0; i < nbGroups && !r; i++) {
        CU_DEV_SM_RESOURCE_GROUP_PARAMS *p = &groupParams[i];
        unsigned cos = p->coscheduledSmCount ? p->coscheduledSmCount : def_cos;
        int backfill = p->flags & CU_DEV_SM_RESOURCE_GROUP_BACKFILL;
        for (int k = 0; k < 11; k++)
            if (p->reserved[k]) r = CUDA_ERROR_INVALID_VALUE;
        if (p->flags & ~known || cos > 32 || cos % 2) r = CUDA_ERROR_INVALID_VALUE;
        if (p->preferredCoscheduledSmCount && p->preferredCoscheduledSmCount % cos) r = CUDA_ERROR_INVALID_VALUE;
        if ((p->flags & CU_DEV_SM_RESOURCE_GROUP_LOCALITY_DOMAIN_ID) && p->localityDomainId &&
            p->localityDomainId != CU_DEV_SM_RESOURCE_GROUP_LOCALITY_DOMAIN_ID_ANY)
            r = CUDA_ERROR_INVALID_RESOURCE_CONFIGURATION; /* one locality domain here: 0 */
        if (r) break;
        unsigned want = p->smCount;
        if (!want) /* discovery: as many as the constraints allow */
            want = backfill ? left : left / cos * cos;
        else if (want < 2 || want > total || want % 2 || (!backfill && want % cos))
            r = CUDA_ERROR_INVALID_VALUE;
        else if (want > left)
            r = CUDA_ERROR_INVALID_RESOURCE_CONFIGURATION;
        if (!r && result && (!want || (want < cos && !backfill))) r = CUDA_ERROR_INVALID_RESOURCE_CONFIGURATION;
        counts[i] = want;
        left -= r ? 0 : want;
    }
    if (!r) {
        unsigned long long split = emu_next_id();
        for (unsigned i = 0; i < nbGroups; i++) {
            CU_DEV_SM_RESOURCE_GROUP_PARAMS *p = &groupParams[i];
            if (!p->smCount) p->smCount = counts[i];
            if (result) {
                unsigned cos = p->coscheduledSmCount ? p->coscheduledSmCount : def_cos;
                fill_sm(&result[i], mark.device, counts[i], cos, cos, split);
                result[i].sm.flags = p->flags;
                result[i].sm.localityDomainId = p->localityDomainId;
            }
        }
        if (remainder) {
            if (left) fill_sm(remainder, mark.device, left, 2, 2, split); /* unstructured */
            else memset(remainder, 0, sizeof *remainder);
        }
    }
    free(counts);
    return r;
}

CUresult CUDAAPI cuDevResourceGenerateDesc(CUdevResourceDesc *phDesc, CUdevResource *resources, unsigned int nbResources) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!phDesc || !resources || !nbResources) return CUDA_ERROR_INVALID_VALUE;
    struct res_mark first = read_mark(&resources[0]);
    unsigned count = 0, min_part = 0, align = 0;
    for (unsigned i = 0; i < nbResources; i++) {
        if (resources[i].type != CU_DEV_RESOURCE_TYPE_SM) return CUDA_ERROR_INVALID_RESOURCE_TYPE;
        struct res_mark m = read_mark(&resources[i]);
        if (!DEV_OK(m.device)) return CUDA_ERROR_INVALID_DEVICE;
        /* several SM resources: one device, one split, one alignment */
        if (m.device != first.device || (nbResources > 1 && (m.split != first.split || !m.split)))
            return CUDA_ERROR_INVALID_RESOURCE_CONFIGURATION;
        if (i && resources[i].sm.smCoscheduledAlignment != align) return CUDA_ERROR_INVALID_RESOURCE_CONFIGURATION;
        if (!resources[i].sm.smCount) return CUDA_ERROR_INVALID_RESOURCE_CONFIGURATION;
        count += resources[i].sm.smCount;
        align = resources[i].sm.smCoscheduledAlignment;
        if (!min_part || resources[i].sm.minSmPartitionSize < min_part) min_part = resources[i].sm.minSmPartitionSize;
    }
    if (count > SM_COUNT) return CUDA_ERROR_INVALID_RESOURCE_CONFIGURATION;
    struct CUdevResourceDesc_st *d = emu_calloc(1, sizeof *d);
    d->tag = TAG_DESC;
    d->device = first.device;
    d->sm_count = count;
    d->min_partition = min_part ? min_part : SM_MIN_PARTITION;
    d->alignment = align ? align : SM_ALIGNMENT;
    *phDesc = d; /* valid for the life of the process, as documented */
    return CUDA_SUCCESS;
}

CUresult CUDAAPI cuGreenCtxCreate(CUgreenCtx *phCtx, CUdevResourceDesc desc, CUdevice dev, unsigned int flags) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!DEV_OK(dev)) return CUDA_ERROR_INVALID_DEVICE;
    if (!phCtx || !emu_valid(desc, TAG_DESC) || flags != CU_GREEN_CTX_DEFAULT_STREAM) return CUDA_ERROR_INVALID_VALUE;
    if (desc->device != dev) return CUDA_ERROR_INVALID_DEVICE;
    struct CUgreenCtx_st *g = emu_calloc(1, sizeof *g);
    struct CUctx_st *c = emu_calloc(1, sizeof *c);
    c->tag = TAG_CTX;
    c->device = dev;
    c->primary = 0;
    c->id = emu_next_id();
    g->tag = TAG_GREEN;
    g->device = dev;
    g->sm_count = desc->sm_count;
    g->min_partition = desc->min_partition;
    g->alignment = desc->alignment;
    g->id = emu_next_id();
    g->ctx = c;
    LOCK();
    g->next = greens;
    greens = g;
    UNLOCK();
    *phCtx = g;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuGreenCtxDestroy(CUgreenCtx hCtx) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!hCtx) return CUDA_ERROR_INVALID_CONTEXT;
    if (hCtx->tag == TAG_DEAD) return CUDA_ERROR_CONTEXT_IS_DESTROYED;
    if (hCtx->tag != TAG_GREEN) return CUDA_ERROR_INVALID_CONTEXT;
    LOCK();
    hCtx->tag = TAG_DEAD;
    hCtx->ctx->tag = TAG_DEAD; /* its streams now fail as their context's */
    UNLOCK();
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuCtxFromGreenCtx(CUcontext *pContext, CUgreenCtx hCtx) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!pContext) return CUDA_ERROR_INVALID_VALUE;
    if (!emu_valid(hCtx, TAG_GREEN)) return CUDA_ERROR_INVALID_CONTEXT;
    *pContext = hCtx->ctx;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuGreenCtxGetId(CUgreenCtx greenCtx, unsigned long long *greenCtxId) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!greenCtx) { /* the current context's green context */
        CUcontext cur;
        if ((r = emu_current_ctx(&cur))) return r;
        LOCK();
        greenCtx = green_of(cur);
        UNLOCK();
        if (!greenCtx) return CUDA_ERROR_INVALID_CONTEXT;
    }
    if (greenCtx->tag == TAG_DEAD) return CUDA_ERROR_CONTEXT_IS_DESTROYED;
    if (greenCtx->tag != TAG_GREEN) return CUDA_ERROR_INVALID_CONTEXT;
    if (!greenCtxId) return CUDA_ERROR_INVALID_VALUE;
    *greenCtxId = greenCtx->id;
    return CUDA_SUCCESS;
}

CUresult CUDAAPI cuGreenCtxStreamCreate(CUstream *phStream, CUgreenCtx greenCtx, unsigned int flags, int priority) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!emu_valid(greenCtx, TAG_GREEN)) return CUDA_ERROR_INVALID_CONTEXT;
    if (!phStream || flags != CU_STREAM_NON_BLOCKING) return CUDA_ERROR_INVALID_VALUE;
    struct CUstream_st *s = emu_calloc(1, sizeof *s);
    s->tag = TAG_STREAM;
    s->ctx = greenCtx->ctx;
    s->flags = flags;
    s->priority = priority > 0 ? 0 : priority < -5 ? -5 : priority; /* clamped to the priority range */
    s->id = emu_next_id();
    s->green = greenCtx;
    *phStream = s;
    return CUDA_SUCCESS;
}

/* ---- events recorded and waited for by a whole context ---- */
/* Contexts whose events may be recorded there: the same one, or the primary context and the
   green contexts made on its device. */
static int same_family(CUcontext a, CUcontext b) {
    if (a == b) return 1;
    if (!emu_valid(a, TAG_CTX) || !emu_valid(b, TAG_CTX) || a->device != b->device) return 0;
    LOCK();
    int ok = (a->primary || green_of(a)) && (b->primary || green_of(b));
    UNLOCK();
    return ok;
}
static CUresult ctx_record(CUcontext ctx, CUevent e) {
    if (!emu_valid(e, TAG_EVENT) || !same_family(ctx, e->ctx)) return CUDA_ERROR_INVALID_HANDLE;
    e->recorded = 1;
    e->ms = emu_now_ms();
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuCtxRecordEvent(CUcontext hCtx, CUevent hEvent) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!emu_valid(hCtx, TAG_CTX)) return hCtx && hCtx->tag == TAG_DEAD ? CUDA_ERROR_CONTEXT_IS_DESTROYED
                                                                        : CUDA_ERROR_INVALID_CONTEXT;
    return ctx_record(hCtx, hEvent);
}
CUresult CUDAAPI cuCtxWaitEvent(CUcontext hCtx, CUevent hEvent) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!emu_valid(hCtx, TAG_CTX)) return CUDA_ERROR_INVALID_CONTEXT;
    return emu_valid(hEvent, TAG_EVENT) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE; /* work is already done */
}
CUresult CUDAAPI cuGreenCtxRecordEvent(CUgreenCtx hCtx, CUevent hEvent) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!emu_valid(hCtx, TAG_GREEN)) return CUDA_ERROR_INVALID_CONTEXT;
    return ctx_record(hCtx->ctx, hEvent);
}
CUresult CUDAAPI cuGreenCtxWaitEvent(CUgreenCtx hCtx, CUevent hEvent) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!emu_valid(hCtx, TAG_GREEN)) return CUDA_ERROR_INVALID_CONTEXT;
    return emu_valid(hEvent, TAG_EVENT) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}

/* ================================ checkpointing ================================ */
/* Only the calling process can be checkpointed here: its state moves as the driver's would,
   while its memory simply stays where it is. */
static CUprocessState cp_state = CU_PROCESS_STATE_RUNNING;

static CUresult cp_self(int pid) {
    CUresult r = emu_need_init();
    if (r) return r;
    return pid > 0 && pid == getpid() ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE;
}
static int all_zero(const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i]) return 0;
    return 1;
}
/* move from one state to another, or CUDA_ERROR_ILLEGAL_STATE */
static CUresult cp_move(CUprocessState from, CUprocessState to) {
    LOCK();
    CUresult r = cp_state == from ? CUDA_SUCCESS : CUDA_ERROR_ILLEGAL_STATE;
    if (!r) cp_state = to;
    UNLOCK();
    return r;
}

CUresult CUDAAPI cuCheckpointProcessGetRestoreThreadId(int pid, int *tid) {
    CUresult r = cp_self(pid);
    if (r) return r;
    if (!tid) return CUDA_ERROR_INVALID_VALUE;
    *tid = (int)syscall(SYS_gettid);
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuCheckpointProcessGetState(int pid, CUprocessState *state) {
    CUresult r = cp_self(pid);
    if (r) return r;
    if (!state) return CUDA_ERROR_INVALID_VALUE;
    *state = cp_state;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuCheckpointProcessLock(int pid, CUcheckpointLockArgs *args) {
    CUresult r = cp_self(pid);
    if (r) return r;
    if (args && (args->reserved0 || !all_zero(args->reserved1, sizeof args->reserved1))) return CUDA_ERROR_INVALID_VALUE;
    return cp_move(CU_PROCESS_STATE_RUNNING, CU_PROCESS_STATE_LOCKED);
}
CUresult CUDAAPI cuCheckpointProcessCheckpoint(int pid, CUcheckpointCheckpointArgs *args) {
    CUresult r = cp_self(pid);
    if (r) return r;
    if (args && !all_zero(args->reserved, sizeof args->reserved)) return CUDA_ERROR_INVALID_VALUE;
    if (args && args->customStorageInfo_out) return CUDA_ERROR_NOT_SUPPORTED; /* not for the calling process */
    return cp_move(CU_PROCESS_STATE_LOCKED, CU_PROCESS_STATE_CHECKPOINTED);
}
CUresult CUDAAPI cuCheckpointProcessRestore(int pid, CUcheckpointRestoreArgs *args) {
    CUresult r = cp_self(pid);
    if (r) return r;
    if (args) {
        if (args->padding0 || !all_zero(args->reserved, sizeof args->reserved)) return CUDA_ERROR_INVALID_VALUE;
        if (args->customStorageInfo_out) return CUDA_ERROR_NOT_SUPPORTED;
        if (args->gpuPairsCount && !args->gpuPairs) return CUDA_ERROR_INVALID_VALUE;
        if (args->gpuPairsCount) { /* the mapping must name the one GPU, onto a GPU here */
            CUuuid ours;
            cuDeviceGetUuid(&ours, 0);
            int old_seen = 0;
            for (unsigned i = 0; i < args->gpuPairsCount; i++) {
                if (memcmp(&args->gpuPairs[i].newUuid, &ours, sizeof ours)) return CUDA_ERROR_INVALID_VALUE;
                old_seen |= !memcmp(&args->gpuPairs[i].oldUuid, &ours, sizeof ours);
            }
            if (!old_seen) return CUDA_ERROR_INVALID_VALUE;
        }
    }
    return cp_move(CU_PROCESS_STATE_CHECKPOINTED, CU_PROCESS_STATE_LOCKED);
}
CUresult CUDAAPI cuCheckpointProcessUnlock(int pid, CUcheckpointUnlockArgs *args) {
    CUresult r = cp_self(pid);
    if (r) return r;
    if (args && !all_zero(args->reserved, sizeof args->reserved)) return CUDA_ERROR_INVALID_VALUE;
    return cp_move(CU_PROCESS_STATE_LOCKED, CU_PROCESS_STATE_RUNNING);
}
CUresult CUDAAPI cuCheckpointOperationComplete(CUcheckpointOperationHandle handle) {
    CUresult r = emu_need_init();
    (void)handle;
    return r ? r : CUDA_ERROR_INVALID_VALUE; /* no custom-storage operation is ever started here */
}

/* ================================== tensor maps ================================== */
/* The 128-byte map holds a readable encoding: a magic word, the kind and the enums, the address,
   the extents and strides, the box and the element strides. Nothing reads it but this file. */
#define TMAP_MAGIC 0x50414d54554d45ull /* "EMUTMAP" */
enum { TMAP_TILED = 1, TMAP_IM2COL, TMAP_IM2COL_WIDE };

/* bits of one element of a tensor data type (the packed types as they lie in memory), 0 if unknown */
static unsigned tmap_bits(unsigned t) {
    static const unsigned bits[] = {8, 16, 32, 32, 64, 64, 16, 32, 64, 16, 32, 32, 32, 4, 8, 8};
    return t < sizeof bits / sizeof *bits ? bits[t] : 0;
}
static int tmap_packed16(unsigned t) {
    return t == CU_TENSOR_MAP_DATA_TYPE_16U4_ALIGN16B || t == CU_TENSOR_MAP_DATA_TYPE_16U6_ALIGN16B;
}
static int tmap_float(unsigned t) {
    return t == CU_TENSOR_MAP_DATA_TYPE_FLOAT16 || t == CU_TENSOR_MAP_DATA_TYPE_FLOAT32 ||
           t == CU_TENSOR_MAP_DATA_TYPE_FLOAT64 || t == CU_TENSOR_MAP_DATA_TYPE_BFLOAT16 ||
           t == CU_TENSOR_MAP_DATA_TYPE_FLOAT32_FTZ || t == CU_TENSOR_MAP_DATA_TYPE_TFLOAT32 ||
           t == CU_TENSOR_MAP_DATA_TYPE_TFLOAT32_FTZ;
}
static unsigned swizzle_span(unsigned s) {
    static const unsigned span[] = {0, 32, 64, 128, 128, 128, 128};
    return s < sizeof span / sizeof *span ? span[s] : 0;
}

/* What every encoding checks: the map, type, address, extents, strides, element strides and
   enums. inner_bytes is what the box reads along dimension 0 (checked against the swizzle). */
static CUresult tmap_common(const CUtensorMap *map, unsigned type, unsigned rank, unsigned min_rank, const void *addr,
                            const cuuint64_t *dims, const cuuint64_t *strides, const cuuint32_t *estrides,
                            unsigned interleave, unsigned swizzle, unsigned l2, unsigned oob) {
    if (!map || ((uintptr_t)map & 63)) return CUDA_ERROR_INVALID_VALUE; /* 64-byte aligned */
    unsigned bits = tmap_bits(type);
    if (!bits || rank < min_rank || rank > 5) return CUDA_ERROR_INVALID_VALUE;
    if (interleave > CU_TENSOR_MAP_INTERLEAVE_32B || swizzle > CU_TENSOR_MAP_SWIZZLE_128B_ATOM_64B ||
        l2 > CU_TENSOR_MAP_L2_PROMOTION_L2_256B || oob > CU_TENSOR_MAP_FLOAT_OOB_FILL_NAN_REQUEST_ZERO_FMA)
        return CUDA_ERROR_INVALID_VALUE;
    if (interleave != CU_TENSOR_MAP_INTERLEAVE_NONE && rank < 3) return CUDA_ERROR_INVALID_VALUE;
    if (interleave == CU_TENSOR_MAP_INTERLEAVE_32B && swizzle != CU_TENSOR_MAP_SWIZZLE_32B) return CUDA_ERROR_INVALID_VALUE;
    if (oob && !tmap_float(type)) return CUDA_ERROR_INVALID_VALUE;
    if (type == CU_TENSOR_MAP_DATA_TYPE_16U6_ALIGN16B && interleave) return CUDA_ERROR_INVALID_VALUE;
    unsigned align = interleave == CU_TENSOR_MAP_INTERLEAVE_32B || tmap_packed16(type) ? 32 : 16;
    if (!addr || ((uintptr_t)addr % align)) return CUDA_ERROR_INVALID_VALUE;
    if (!dims || !estrides || (rank > 1 && !strides)) return CUDA_ERROR_INVALID_VALUE;
    for (unsigned i = 0; i < rank; i++) {
        if (!dims[i] || dims[i] > (1ull << 32)) return CUDA_ERROR_INVALID_VALUE;
        if (!estrides[i] || estrides[i] > 8) return CUDA_ERROR_INVALID_VALUE;
    }
    if (tmap_packed16(type) && dims[0] % 128) return CUDA_ERROR_INVALID_VALUE;
    if (type == CU_TENSOR_MAP_DATA_TYPE_16U4_ALIGN8B && dims[0] % 2) return CUDA_ERROR_INVALID_VALUE;
    for (unsigned i = 0; i + 1 < rank; i++)
        if (strides[i] % align || strides[i] >= (1ull << 40)) return CUDA_ERROR_INVALID_VALUE;
    return CUDA_SUCCESS;
}
/* the swizzle against the bytes the box reads along dimension 0 */
static CUresult tmap_swizzle(unsigned type, unsigned interleave, unsigned swizzle, unsigned long long inner_bytes) {
    if (interleave == CU_TENSOR_MAP_INTERLEAVE_NONE && swizzle && inner_bytes > swizzle_span(swizzle))
        return CUDA_ERROR_INVALID_VALUE;
    if (type == CU_TENSOR_MAP_DATA_TYPE_16U6_ALIGN16B && swizzle != CU_TENSOR_MAP_SWIZZLE_NONE &&
        swizzle != CU_TENSOR_MAP_SWIZZLE_128B && swizzle != CU_TENSOR_MAP_SWIZZLE_128B_ATOM_32B &&
        swizzle != CU_TENSOR_MAP_SWIZZLE_128B_ATOM_64B)
        return CUDA_ERROR_INVALID_VALUE;
    if (type == CU_TENSOR_MAP_DATA_TYPE_16U4_ALIGN16B && swizzle != CU_TENSOR_MAP_SWIZZLE_NONE &&
        swizzle != CU_TENSOR_MAP_SWIZZLE_128B && swizzle != CU_TENSOR_MAP_SWIZZLE_128B_ATOM_32B)
        return CUDA_ERROR_INVALID_VALUE;
    return CUDA_SUCCESS;
}

static void tmap_write(CUtensorMap *map, unsigned kind, unsigned type, unsigned rank, const void *addr,
                       const cuuint64_t *dims, const cuuint64_t *strides, const cuuint32_t *estrides,
                       unsigned interleave, unsigned swizzle, unsigned l2, unsigned oob, cuuint64_t extra0,
                       cuuint64_t extra1) {
    cuuint64_t *q = map->opaque;
    unsigned align = interleave == CU_TENSOR_MAP_INTERLEAVE_32B || tmap_packed16(type) ? 32 : 16;
    memset(map, 0, sizeof *map);
    q[0] = TMAP_MAGIC | (cuuint64_t)kind << 56;
    q[1] = (uintptr_t)addr;
    q[2] = type | rank << 8 | interleave << 16 | swizzle << 24 | (cuuint64_t)l2 << 32 | (cuuint64_t)oob << 40 |
           (cuuint64_t)align << 48;
    for (unsigned i = 0; i < rank; i++) {
        q[3 + i] = dims[i];                                   /* q3..q7 */
        if (i + 1 < rank) q[8 + i] = strides[i];              /* q8..q11 */
        q[12] |= (cuuint64_t)(estrides[i] & 0xff) << (8 * i); /* q12 */
    }
    q[13] = extra0; /* the box (tiled) or the im2col corners and sizes */
    q[14] = extra1;
}

CUresult CUDAAPI cuTensorMapEncodeTiled(CUtensorMap *tensorMap, CUtensorMapDataType tensorDataType,
                                        cuuint32_t tensorRank, void *globalAddress, const cuuint64_t *globalDim,
                                        const cuuint64_t *globalStrides, const cuuint32_t *boxDim,
                                        const cuuint32_t *elementStrides, CUtensorMapInterleave interleave,
                                        CUtensorMapSwizzle swizzle, CUtensorMapL2promotion l2Promotion,
                                        CUtensorMapFloatOOBfill oobFill) {
    CUresult r = emu_need_init();
    if (r) return r;
    if ((r = tmap_common(tensorMap, tensorDataType, tensorRank, 1, globalAddress, globalDim, globalStrides,
                         elementStrides, interleave, swizzle, l2Promotion, oobFill)))
        return r;
    if (!boxDim) return CUDA_ERROR_INVALID_VALUE;
    cuuint64_t box = 0;
    for (unsigned i = 0; i < tensorRank; i++) {
        if (!boxDim[i] || boxDim[i] > 256) return CUDA_ERROR_INVALID_VALUE;
        box |= (cuuint64_t)(boxDim[i] - 1) << (8 * i); /* 1..256 in a byte each */
    }
    unsigned long long inner = (unsigned long long)boxDim[0] * tmap_bits(tensorDataType) / 8;
    if (interleave == CU_TENSOR_MAP_INTERLEAVE_NONE && inner % 16) return CUDA_ERROR_INVALID_VALUE;
    if (tmap_packed16(tensorDataType) && boxDim[0] != 128) return CUDA_ERROR_INVALID_VALUE;
    if ((r = tmap_swizzle(tensorDataType, interleave, swizzle, inner))) return r;
    tmap_write(tensorMap, TMAP_TILED, tensorDataType, tensorRank, globalAddress, globalDim, globalStrides,
               elementStrides, interleave, swizzle, l2Promotion, oobFill, box, 0);
    return CUDA_SUCCESS;
}

/* channels and pixels of an im2col box, as both im2col encodings check them */
static CUresult im2col_sizes(unsigned type, unsigned channels, unsigned pixels, int check_pixels) {
    if (!channels || channels > 256 || (tmap_packed16(type) && channels != 128)) return CUDA_ERROR_INVALID_VALUE;
    if (check_pixels && (!pixels || pixels > 1024)) return CUDA_ERROR_INVALID_VALUE;
    return CUDA_SUCCESS;
}

CUresult CUDAAPI cuTensorMapEncodeIm2col(CUtensorMap *tensorMap, CUtensorMapDataType tensorDataType,
                                         cuuint32_t tensorRank, void *globalAddress, const cuuint64_t *globalDim,
                                         const cuuint64_t *globalStrides, const int *pixelBoxLowerCorner,
                                         const int *pixelBoxUpperCorner, cuuint32_t channelsPerPixel,
                                         cuuint32_t pixelsPerColumn, const cuuint32_t *elementStrides,
                                         CUtensorMapInterleave interleave, CUtensorMapSwizzle swizzle,
                                         CUtensorMapL2promotion l2Promotion, CUtensorMapFloatOOBfill oobFill) {
    CUresult r = emu_need_init();
    if (r) return r;
    if ((r = tmap_common(tensorMap, tensorDataType, tensorRank, 3, globalAddress, globalDim, globalStrides,
                         elementStrides, interleave, swizzle, l2Promotion, oobFill)))
        return r;
    if (!pixelBoxLowerCorner || !pixelBoxUpperCorner) return CUDA_ERROR_INVALID_VALUE;
    /* {D, H, W} offsets, as many as spatial dimensions; their range narrows as they multiply */
    unsigned n = tensorRank - 2;
    int limit = n == 1 ? 32768 : n == 2 ? 128 : 16;
    cuuint64_t corners = 0;
    for (unsigned j = 0; j < n; j++) {
        int lo = pixelBoxLowerCorner[j], hi = pixelBoxUpperCorner[j];
        if (lo < -limit || lo >= limit || hi < -limit || hi >= limit) return CUDA_ERROR_INVALID_VALUE;
        /* offset j (in D, H, W order) applies to globalDim[n - j]; the box must not be empty */
        if ((long long)globalDim[n - j] + hi - lo <= 0) return CUDA_ERROR_INVALID_VALUE;
        /* a (lower, upper) pair a 32-bit word: rank 5's three pairs fit in 8-bit halves */
        cuuint64_t pair = n == 3 ? (cuuint64_t)(uint8_t)lo | (cuuint64_t)(uint8_t)hi << 8
                                 : (cuuint64_t)(uint16_t)lo | (cuuint64_t)(uint16_t)hi << 16;
        corners |= pair << (n == 3 ? 16 * j : 32 * j);
    }
    if ((r = im2col_sizes(tensorDataType, channelsPerPixel, pixelsPerColumn, 1))) return r;
    unsigned long long inner = (unsigned long long)channelsPerPixel * tmap_bits(tensorDataType) / 8;
    if ((r = tmap_swizzle(tensorDataType, interleave, swizzle, inner))) return r;
    tmap_write(tensorMap, TMAP_IM2COL, tensorDataType, tensorRank, globalAddress, globalDim, globalStrides,
               elementStrides, interleave, swizzle, l2Promotion, oobFill, corners,
               channelsPerPixel | (cuuint64_t)pixelsPerColumn << 32);
    return CUDA_SUCCESS;
}

CUresult CUDAAPI cuTensorMapEncodeIm2colWide(CUtensorMap *tensorMap, CUtensorMapDataType tensorDataType,
                                             cuuint32_t tensorRank, void *globalAddress, const cuuint64_t *globalDim,
                                             const cuuint64_t *globalStrides, int pixelBoxLowerCornerWidth,
                                             int pixelBoxUpperCornerWidth, cuuint32_t channelsPerPixel,
                                             cuuint32_t pixelsPerColumn, const cuuint32_t *elementStrides,
                                             CUtensorMapInterleave interleave, CUtensorMapIm2ColWideMode mode,
                                             CUtensorMapSwizzle swizzle, CUtensorMapL2promotion l2Promotion,
                                             CUtensorMapFloatOOBfill oobFill) {
    CUresult r = emu_need_init();
    if (r) return r;
    if ((r = tmap_common(tensorMap, tensorDataType, tensorRank, 3, globalAddress, globalDim, globalStrides,
                         elementStrides, interleave, swizzle, l2Promotion, oobFill)))
        return r;
    int lo = pixelBoxLowerCornerWidth, hi = pixelBoxUpperCornerWidth;
    if ((unsigned)mode > CU_TENSOR_MAP_IM2COL_WIDE_MODE_W128) return CUDA_ERROR_INVALID_VALUE;
    if (lo < -32768 || lo > 32767 || hi < -32768 || hi > 32767 || (long long)globalDim[1] + hi - lo <= 0)
        return CUDA_ERROR_INVALID_VALUE;
    if (swizzle != CU_TENSOR_MAP_SWIZZLE_64B && swizzle != CU_TENSOR_MAP_SWIZZLE_128B &&
        swizzle != CU_TENSOR_MAP_SWIZZLE_128B_ATOM_32B)
        return CUDA_ERROR_INVALID_VALUE; /* the only swizzles of the wide mode */
    if ((r = im2col_sizes(tensorDataType, channelsPerPixel, pixelsPerColumn, mode == CU_TENSOR_MAP_IM2COL_WIDE_MODE_W)))
        return r;
    unsigned long long inner = (unsigned long long)channelsPerPixel * tmap_bits(tensorDataType) / 8;
    if ((r = tmap_swizzle(tensorDataType, interleave, swizzle, inner))) return r;
    tmap_write(tensorMap, TMAP_IM2COL_WIDE, tensorDataType, tensorRank, globalAddress, globalDim, globalStrides,
               elementStrides, interleave, swizzle, l2Promotion, oobFill,
               (cuuint64_t)(uint16_t)lo | (cuuint64_t)(uint16_t)hi << 16 | (cuuint64_t)mode << 32,
               channelsPerPixel | (cuuint64_t)pixelsPerColumn << 32);
    return CUDA_SUCCESS;
}

CUresult CUDAAPI cuTensorMapReplaceAddress(CUtensorMap *tensorMap, void *globalAddress) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!tensorMap || ((uintptr_t)tensorMap & 63)) return CUDA_ERROR_INVALID_VALUE;
    cuuint64_t *q = tensorMap->opaque;
    if ((q[0] & ((1ull << 56) - 1)) != TMAP_MAGIC) return CUDA_ERROR_INVALID_VALUE; /* not an encoded map */
    unsigned align = (unsigned)(q[2] >> 48 & 0xff);
    if (!globalAddress || (uintptr_t)globalAddress % (align ? align : 16)) return CUDA_ERROR_INVALID_VALUE;
    q[1] = (uintptr_t)globalAddress;
    return CUDA_SUCCESS;
}

/* ============================== small device queries ============================== */

CUresult CUDAAPI cuDeviceGetHostAtomicCapabilities(unsigned int *capabilities, const CUatomicOperation *operations,
                                                   unsigned int count, CUdevice dev) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!DEV_OK(dev)) return CUDA_ERROR_INVALID_DEVICE;
    if (!capabilities || !operations || !count) return CUDA_ERROR_INVALID_VALUE;
    for (unsigned i = 0; i < count; i++)
        if ((unsigned)operations[i] >= CU_ATOMIC_OPERATION_MAX) return CUDA_ERROR_INVALID_VALUE;
    for (unsigned i = 0; i < count; i++) capabilities[i] = 0; /* no native atomics over the host link */
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuDeviceGetNvSciSyncAttributes(void *nvSciSyncAttrList, CUdevice dev, int flags) {
    CUresult r = emu_need_init();
    if (r) return r;
    (void)nvSciSyncAttrList; (void)flags;
    return DEV_OK(dev) ? CUDA_ERROR_NOT_SUPPORTED : CUDA_ERROR_INVALID_DEVICE; /* NvSci is Tegra/DRIVE's */
}

/* ---- coredump settings: one global table, and per-context values set over it ---- */
struct coredump {
    int set[CU_COREDUMP_MAX];       /* which values this table holds (per context: overrides) */
    bool flag[CU_COREDUMP_MAX];     /* the boolean settings */
    unsigned gen_flags;
    char file[1024], pipe[1024];
};
struct ctx_coredump { CUcontext ctx; struct coredump cd; struct ctx_coredump *next; };
static struct coredump cd_global;
static int cd_ready;
static struct ctx_coredump *cd_contexts;

static void cd_init(void) { /* the documented defaults (lock held) */
    if (cd_ready) return;
    char host[256] = "localhost";
    gethostname(host, sizeof host - 1);
    cd_global.flag[CU_COREDUMP_TRIGGER_HOST] = true;
    snprintf(cd_global.file, sizeof cd_global.file, "core.cuda.%s.%d", host, (int)getpid());
    snprintf(cd_global.pipe, sizeof cd_global.pipe, "corepipe.cuda.%s.%d", host, (int)getpid());
    cd_ready = 1;
}
static int cd_is_string(CUcoredumpSettings a) { return a == CU_COREDUMP_FILE || a == CU_COREDUMP_PIPE; }

/* the table a call reads or writes: the global one, or the current context's (lock held) */
static CUresult cd_table(int global, int create, struct coredump **out) {
    cd_init();
    if (global) { *out = &cd_global; return CUDA_SUCCESS; }
    CUcontext ctx;
    CUresult r = emu_current_ctx(&ctx);
    if (r) return r;
    struct ctx_coredump *c;
    for (c = cd_contexts; c && c->ctx != ctx; c = c->next) {}
    if (!c && create) {
        c = emu_calloc(1, sizeof *c);
        c->ctx = ctx;
        c->next = cd_contexts;
        cd_contexts = c;
    }
    *out = c ? &c->cd : NULL;
    return CUDA_SUCCESS;
}

static CUresult coredump_get(int global, CUcoredumpSettings attrib, void *value, size_t *size) {
    CUresult r = emu_need_init();
    if (r && !global) return r;
    if (!size || attrib < CU_COREDUMP_ENABLE_ON_EXCEPTION || attrib >= CU_COREDUMP_MAX) return CUDA_ERROR_INVALID_VALUE;
    LOCK();
    struct coredump *t;
    r = cd_table(global, 0, &t);
    if (!r) {
        const struct coredump *src = t && t->set[attrib] ? t : &cd_global; /* a context falls back to the global value */
        size_t need = cd_is_string(attrib) ? strlen(attrib == CU_COREDUMP_FILE ? src->file : src->pipe) + 1
                      : attrib == CU_COREDUMP_GENERATION_FLAGS ? sizeof(unsigned) : sizeof(bool);
        if (!value) *size = need; /* the size the value takes */
        else if (*size < need) r = CUDA_ERROR_INVALID_VALUE;
        else if (cd_is_string(attrib)) {
            memcpy(value, attrib == CU_COREDUMP_FILE ? src->file : src->pipe, need);
            *size = need;
        } else if (attrib == CU_COREDUMP_GENERATION_FLAGS) {
            memcpy(value, &src->gen_flags, sizeof src->gen_flags);
            *size = need;
        } else { /* a bool; cleared up to an int's width so that an int reader sees it too */
            memset(value, 0, *size < sizeof(int) ? *size : sizeof(int));
            *(bool *)value = src->flag[attrib];
            *size = need;
        }
    }
    UNLOCK();
    return r;
}

static CUresult coredump_set(int global, CUcoredumpSettings attrib, void *value, size_t *size) {
    CUresult r = emu_need_init();
    if (r && !global) return r;
    if (!size || attrib < CU_COREDUMP_ENABLE_ON_EXCEPTION || attrib >= CU_COREDUMP_MAX) return CUDA_ERROR_INVALID_VALUE;
    if (!value) { /* the size the value takes */
        *size = cd_is_string(attrib) ? 1024 : attrib == CU_COREDUMP_GENERATION_FLAGS ? sizeof(unsigned) : sizeof(bool);
        return CUDA_SUCCESS;
    }
    if (!global && (attrib == CU_COREDUMP_ENABLE_USER_TRIGGER || attrib == CU_COREDUMP_PIPE))
        return CUDA_ERROR_NOT_PERMITTED; /* process-wide settings only */
    LOCK();
    struct coredump *t;
    r = cd_table(global, 1, &t);
    if (!r) {
        if (cd_is_string(attrib)) {
            const char *s = value;
            size_t len = strnlen(s, *size);
            char *dst = attrib == CU_COREDUMP_FILE ? t->file : t->pipe;
            if (len > 1023) r = CUDA_ERROR_INVALID_VALUE; /* the size may count the NUL or not */
            else if (attrib == CU_COREDUMP_PIPE && cd_global.flag[CU_COREDUMP_ENABLE_USER_TRIGGER])
                r = CUDA_ERROR_NOT_PERMITTED; /* fixed once user triggers are on */
            else memcpy(dst, s, len), dst[len] = 0;
        } else if (attrib == CU_COREDUMP_GENERATION_FLAGS) {
            if (*size < sizeof(unsigned)) r = CUDA_ERROR_INVALID_VALUE;
            else memcpy(&t->gen_flags, value, sizeof t->gen_flags);
        } else {
            if (!*size) r = CUDA_ERROR_INVALID_VALUE;
            else { /* a C bool, or any wider integer: nonzero is true */
                size_t n = *size < sizeof(int) ? *size : sizeof(int);
                t->flag[attrib] = !all_zero(value, n);
            }
        }
        if (!r) t->set[attrib] = 1;
    }
    UNLOCK();
    return r;
}

CUresult CUDAAPI cuCoredumpGetAttribute(CUcoredumpSettings attrib, void *value, size_t *size) {
    return coredump_get(0, attrib, value, size);
}
CUresult CUDAAPI cuCoredumpGetAttributeGlobal(CUcoredumpSettings attrib, void *value, size_t *size) {
    return coredump_get(1, attrib, value, size);
}
CUresult CUDAAPI cuCoredumpSetAttribute(CUcoredumpSettings attrib, void *value, size_t *size) {
    return coredump_set(0, attrib, value, size);
}
CUresult CUDAAPI cuCoredumpSetAttributeGlobal(CUcoredumpSettings attrib, void *value, size_t *size) {
    return coredump_set(1, attrib, value, size);
}

/* ---- profiler, logs, async notifications: accepted; there is nothing to profile or log ---- */
/* cudaProfiler.h declares these, and cpu_driver.h does not include it: spelt with a space before
   the parenthesis, build.py leaves them out of the entry-point table (driver.c could not name
   them). Once cpu_driver.h includes <cudaProfiler.h>, drop the spaces to list them. */
CUresult CUDAAPI cuProfilerStart(void) {
    CUcontext ctx;
    return emu_current_ctx(&ctx);
}
CUresult CUDAAPI cuProfilerStop(void) {
    CUcontext ctx;
    return emu_current_ctx(&ctx);
}

struct CUlogsCallbackEntry_st { unsigned tag; CUlogsCallback fn; void *data; };
struct CUasyncCallbackEntry_st { unsigned tag; CUdevice dev; CUasyncCallback fn; void *data; };
#define TAG_LOGCB 0x4c4f4731u
#define TAG_ASYNCCB 0x41534e31u

CUresult CUDAAPI cuLogsRegisterCallback(CUlogsCallback callbackFunc, void *userData, CUlogsCallbackHandle *callback_out) {
    if (!callbackFunc) return CUDA_ERROR_INVALID_VALUE;
    struct CUlogsCallbackEntry_st *e = emu_calloc(1, sizeof *e);
    e->tag = TAG_LOGCB;
    e->fn = callbackFunc;
    e->data = userData;
    if (callback_out) *callback_out = e;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuLogsUnregisterCallback(CUlogsCallbackHandle callback) {
    if (!emu_valid(callback, TAG_LOGCB)) return CUDA_ERROR_INVALID_VALUE;
    callback->tag = TAG_DEAD;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuLogsCurrent(CUlogIterator *iterator_out, unsigned int flags) {
    if (!iterator_out || flags) return CUDA_ERROR_INVALID_VALUE;
    *iterator_out = 0; /* the log is always empty */
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuLogsDumpToFile(CUlogIterator *iterator, const char *pathToFile, unsigned int flags) {
    if (!pathToFile || flags) return CUDA_ERROR_INVALID_VALUE;
    FILE *f = fopen(pathToFile, "a"); /* nothing to write, but the file is where it was asked to be */
    if (!f) return CUDA_ERROR_INVALID_VALUE;
    fclose(f);
    if (iterator) *iterator = 0;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuLogsDumpToMemory(CUlogIterator *iterator, char *buffer, size_t *size, unsigned int flags) {
    if (!buffer || !size || flags) return CUDA_ERROR_INVALID_VALUE;
    if (*size) buffer[0] = 0;
    *size = 0; /* no messages */
    if (iterator) *iterator = 0;
    return CUDA_SUCCESS;
}

CUresult CUDAAPI cuDeviceRegisterAsyncNotification(CUdevice device, CUasyncCallback callbackFunc, void *userData,
                                                   CUasyncCallbackHandle *callback) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!DEV_OK(device)) return CUDA_ERROR_INVALID_DEVICE;
    if (!callbackFunc || !callback) return CUDA_ERROR_INVALID_VALUE;
    struct CUasyncCallbackEntry_st *e = emu_calloc(1, sizeof *e);
    e->tag = TAG_ASYNCCB;
    e->dev = device;
    e->fn = callbackFunc;
    e->data = userData;
    *callback = e; /* never called: no over-budget or similar notice comes here */
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuDeviceUnregisterAsyncNotification(CUdevice device, CUasyncCallbackHandle callback) {
    CUresult r = emu_need_init();
    if (r) return r;
    if (!DEV_OK(device)) return CUDA_ERROR_INVALID_DEVICE;
    if (!emu_valid(callback, TAG_ASYNCCB) || callback->dev != device) return CUDA_ERROR_INVALID_VALUE;
    callback->tag = TAG_DEAD;
    return CUDA_SUCCESS;
}
