/* SPDX-License-Identifier: Apache-2.0 */
/* Libraries, modules, kernels and launches (see cpu_driver.h). Kernel names, parameter
   offsets and sizes and globals are read from the image (cubin ELF, PTX, or a fatbin
   holding uncompressed ones), so that queries answer as the driver does; launches are
   checked and then do nothing. */
#include "cpu_driver.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct emu_global { char *name; void *data; size_t size; struct emu_global *next; };
struct emu_image { struct emu_global *globals; int known; /* names were read from the image */ };

static struct CUkern_st *add_kernel(CUlibrary lib, const char *name, size_t len) {
    struct CUkern_st *k = emu_calloc(1, sizeof *k);
    k->tag = TAG_KERNEL;
    k->name = strndup(name, len);
    k->lib = lib;
    k->nparams = -1;
    struct CUfunc_st *f = emu_calloc(1, sizeof *f);
    f->tag = TAG_FUNC;
    f->kernel = k;
    f->attrs[CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES] = 49152;
    f->attrs[CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT] = -1;
    k->func = f;
    lib->kernels = realloc(lib->kernels, (lib->nkernels + 1) * sizeof *lib->kernels);
    lib->kernels[lib->nkernels++] = k;
    return k;
}
static struct CUkern_st *find_kernel(CUlibrary lib, const char *name) {
    for (int i = 0; i < lib->nkernels; i++)
        if (!strcmp(lib->kernels[i]->name, name)) return lib->kernels[i];
    return NULL;
}
static struct emu_image *image_of(CUlibrary lib) { return (struct emu_image *)(lib + 1); }
static void add_global(CUlibrary lib, const char *name, size_t len, size_t size, const void *init) {
    struct emu_global *g = emu_calloc(1, sizeof *g);
    g->name = strndup(name, len);
    g->size = size;
    g->data = emu_device_alloc(size, NULL, MEM_DEVICE);
    if (init) memcpy(g->data, init, size);
    else memset(g->data, 0, size);
    g->next = image_of(lib)->globals;
    image_of(lib)->globals = g;
}

/* ---- cubin (ELF): entry functions, their .nv.info parameter records, and data objects ---- */
static int read_elf(CUlibrary lib, const unsigned char *p) {
    const Elf64_Ehdr *h = (const void *)p;
    if (h->e_ident[EI_CLASS] != ELFCLASS64 || !h->e_shoff) return 0;
    const Elf64_Shdr *sh = (const void *)(p + h->e_shoff);
    const char *shstr = (const char *)p + sh[h->e_shstrndx].sh_offset;
    for (int i = 0; i < h->e_shnum; i++) {
        if (sh[i].sh_type != SHT_SYMTAB) continue;
        const Elf64_Sym *sym = (const void *)(p + sh[i].sh_offset);
        const char *str = (const char *)p + sh[sh[i].sh_link].sh_offset;
        for (size_t j = 0; j < sh[i].sh_size / sizeof *sym; j++) {
            const char *name = str + sym[j].st_name;
            if (ELF64_ST_TYPE(sym[j].st_info) == STT_FUNC && (sym[j].st_other & 0x10)) {
                struct CUkern_st *k = add_kernel(lib, name, strlen(name));
                char want[512];
                snprintf(want, sizeof want, ".nv.info.%s", name);
                k->nparams = 0;
                for (int s = 0; s < h->e_shnum; s++) {
                    if (strcmp(shstr + sh[s].sh_name, want)) continue;
                    const unsigned char *a = p + sh[s].sh_offset, *end = a + sh[s].sh_size;
                    while (a + 4 <= end) { /* records: format, attribute, then a value or a sized payload */
                        unsigned fmt = a[0], attr = a[1], size = a[2] | a[3] << 8;
                        if (fmt != 0x04) { a += 4; continue; } /* a value in the record itself */
                        if (attr == 0x17 && size >= 12) { /* EIATTR_KPARAM_INFO */
                            unsigned ordinal = a[8] | a[9] << 8, offset = a[10] | a[11] << 8;
                            unsigned flags = a[12] | a[13] << 8 | a[14] << 16 | (unsigned)a[15] << 24;
                            if ((int)ordinal >= k->nparams) {
                                k->params = realloc(k->params, (ordinal + 1) * sizeof *k->params);
                                for (int o = k->nparams; o <= (int)ordinal; o++) k->params[o] = (struct emu_param){0, 0};
                                k->nparams = ordinal + 1;
                            }
                            k->params[ordinal] = (struct emu_param){offset, flags >> 18};
                        }
                        a += 4 + size;
                    }
                }
            } else if (ELF64_ST_TYPE(sym[j].st_info) == STT_OBJECT && sym[j].st_size && sym[j].st_shndx < h->e_shnum) {
                const Elf64_Shdr *in = &sh[sym[j].st_shndx];
                const void *init = in->sh_type == SHT_PROGBITS ? p + in->sh_offset + sym[j].st_value : NULL;
                add_global(lib, name, strlen(name), sym[j].st_size, init);
            }
        }
    }
    return 1;
}

/* ---- PTX: .entry names and their .param list; .global variables ---- */
static size_t ptx_type_size(const char *t) { /* ".u32", ".f64", ".b8": the bits after the letter */
    if (*t == '.') t++;
    while (*t >= 'a' && *t <= 'z') t++;
    return strtoul(t, NULL, 10) / 8;
}
static int read_ptx(CUlibrary lib, const char *ptx) {
    for (const char *e = ptx; (e = strstr(e, ".entry ")); ) {
        e += 7;
        while (*e == ' ') e++;
        size_t len = strcspn(e, " (\n\t");
        struct CUkern_st *k = add_kernel(lib, e, len);
        k->nparams = 0;
        const char *open = strchr(e, '('), *body = strchr(e, '{');
        if (!open || (body && open > body)) continue;
        const char *close = strchr(open, ')');
        size_t off = 0;
        for (const char *q = open; (q = strstr(q, ".param")) && q < close; ) {
            q += 6;
            size_t align = 0, size;
            while (*q == ' ') q++;
            if (!strncmp(q, ".align", 6)) { align = strtoul(q + 6, (char **)&q, 10); while (*q == ' ') q++; }
            if (!strncmp(q, ".ptr", 4)) { q += 4; while (*q == ' ') q++; }
            size = ptx_type_size(q);
            const char *name = q + strcspn(q, " ");
            const char *bracket = strchr(name, '[');
            const char *next = strpbrk(name, ",)");
            if (bracket && bracket < next) size *= strtoul(bracket + 1, NULL, 10);
            if (!align) align = ptx_type_size(q);
            if (align) off = (off + align - 1) / align * align;
            k->params = realloc(k->params, (k->nparams + 1) * sizeof *k->params);
            k->params[k->nparams++] = (struct emu_param){off, size};
            off += size;
        }
    }
    for (const char *g = ptx; (g = strstr(g, ".global ")); g++) {
        const char *line_end = strchr(g, ';');
        if (!line_end) break;
        const char *t = g + 8;
        while (*t == ' ') t++;
        if (!strncmp(t, ".align", 6)) { strtoul(t + 6, (char **)&t, 10); while (*t == ' ') t++; }
        size_t size = ptx_type_size(t);
        const char *name = t + strcspn(t, " ");
        while (*name == ' ') name++;
        size_t len = strcspn(name, "[ =;");
        if (name[len] == '[') size *= strtoul(name + len + 1, NULL, 10);
        if (size && name < line_end) add_global(lib, name, len, size, NULL);
    }
    return 1;
}

/* ---- images ---- */
static int read_image(CUlibrary lib, const unsigned char *p) {
    if (!memcmp(p, ELFMAG, SELFMAG)) return read_elf(lib, p);
    if (*(const uint32_t *)p == 0xBA55ED50u) { /* fatbin: read the ELF and PTX entries it holds uncompressed */
        size_t header = *(const uint16_t *)(p + 6), total = header + *(const uint64_t *)(p + 8);
        int any = 0;
        for (size_t at = header; at + 64 <= total; ) {
            const unsigned char *e = p + at;
            unsigned kind = *(const uint16_t *)e, eheader = *(const uint32_t *)(e + 4);
            uint64_t payload = *(const uint64_t *)(e + 8);
            uint64_t flags = *(const uint64_t *)(e + 24), uncompressed = *(const uint64_t *)(e + 56);
            if (!eheader || !payload) break;
            int compressed = (flags & 0x2000) || uncompressed;
            if (!compressed && kind == 2 && !memcmp(e + eheader, ELFMAG, SELFMAG)) any |= read_elf(lib, e + eheader);
            else if (!compressed && kind == 1) any |= read_ptx(lib, (const char *)e + eheader);
            at += eheader + payload;
        }
        return any ? 1 : -1; /* compressed: the names are asked for, not known */
    }
    const char *text = (const char *)p;
    if (strstr(text, ".version") && strstr(text, ".target")) return read_ptx(lib, text);
    return 0;
}
static CUresult load(CUlibrary *out, const void *code, int as_module) {
    CUcontext ctx;
    CUresult r = emu_need_init();
    if (r) return r;
    if (!out || !code) return CUDA_ERROR_INVALID_VALUE;
    if (as_module && (r = emu_current_ctx(&ctx))) return r;
    struct CUlib_st *lib = emu_calloc(1, sizeof *lib + sizeof(struct emu_image));
    lib->tag = TAG_LIB;
    lib->is_module = as_module;
    int ok = read_image(lib, code);
    if (!ok) {
        lib->tag = TAG_DEAD;
        return strstr(code, ".version") || strstr(code, ".entry") ? CUDA_ERROR_INVALID_PTX : CUDA_ERROR_INVALID_IMAGE;
    }
    image_of(lib)->known = ok > 0;
    struct CUmod_st *m = emu_calloc(1, sizeof *m);
    m->tag = TAG_MOD;
    m->lib = lib;
    lib->module = m;
    *out = lib;
    return CUDA_SUCCESS;
}
static void *read_file(const char *path) {
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = emu_calloc(1, n + 1);
    if (fread(buf, 1, n, f) != (size_t)n) { free(buf); buf = NULL; }
    fclose(f);
    return buf;
}

CUresult CUDAAPI cuLibraryLoadData(CUlibrary *lib, const void *code, CUjit_option *jo, void **jv, unsigned njo,
                                   CUlibraryOption *lo, void **lv, unsigned nlo) {
    (void)jo; (void)jv; (void)lo; (void)lv;
    if ((njo && (!jo || !jv)) || (nlo && (!lo || !lv))) return CUDA_ERROR_INVALID_VALUE;
    return load(lib, code, 0);
}
CUresult CUDAAPI cuLibraryLoadFromFile(CUlibrary *lib, const char *path, CUjit_option *jo, void **jv, unsigned njo,
                                       CUlibraryOption *lo, void **lv, unsigned nlo) {
    void *code = read_file(path);
    if (!code) return CUDA_ERROR_FILE_NOT_FOUND;
    CUresult r = cuLibraryLoadData(lib, code, jo, jv, njo, lo, lv, nlo);
    free(code);
    return r;
}
CUresult CUDAAPI cuLibraryUnload(CUlibrary lib) {
    if (!emu_valid(lib, TAG_LIB) || lib->is_module) return CUDA_ERROR_INVALID_HANDLE;
    lib->tag = TAG_DEAD;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuLibraryGetKernel(CUkernel *pk, CUlibrary lib, const char *name) {
    if (!pk || !name) return CUDA_ERROR_INVALID_VALUE;
    if (!emu_valid(lib, TAG_LIB)) return CUDA_ERROR_INVALID_HANDLE;
    pthread_mutex_lock(&emu_lock);
    struct CUkern_st *k = find_kernel(lib, name);
    if (!k && !image_of(lib)->known) k = add_kernel(lib, name, strlen(name));
    pthread_mutex_unlock(&emu_lock);
    if (!k) return CUDA_ERROR_NOT_FOUND;
    *pk = k;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuLibraryGetKernelCount(unsigned *count, CUlibrary lib) {
    if (!count) return CUDA_ERROR_INVALID_VALUE;
    if (!emu_valid(lib, TAG_LIB)) return CUDA_ERROR_INVALID_HANDLE;
    *count = lib->nkernels;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuLibraryEnumerateKernels(CUkernel *ks, unsigned n, CUlibrary lib) {
    if (!ks) return CUDA_ERROR_INVALID_VALUE;
    if (!emu_valid(lib, TAG_LIB)) return CUDA_ERROR_INVALID_HANDLE;
    if (n > (unsigned)lib->nkernels) return CUDA_ERROR_INVALID_VALUE;
    for (unsigned i = 0; i < n; i++) ks[i] = lib->kernels[i];
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuLibraryGetModule(CUmodule *m, CUlibrary lib) {
    if (!m) return CUDA_ERROR_INVALID_VALUE;
    if (!emu_valid(lib, TAG_LIB)) return CUDA_ERROR_INVALID_HANDLE;
    CUcontext ctx;
    CUresult r = emu_current_ctx(&ctx);
    if (r) return r;
    *m = lib->module;
    return CUDA_SUCCESS;
}
static CUresult get_global(CUdeviceptr *dptr, size_t *bytes, CUlibrary lib, const char *name) {
    if (!name) return CUDA_ERROR_INVALID_VALUE;
    if (!emu_valid(lib, TAG_LIB)) return CUDA_ERROR_INVALID_HANDLE;
    for (struct emu_global *g = image_of(lib)->globals; g; g = g->next)
        if (!strcmp(g->name, name)) {
            if (dptr) *dptr = (CUdeviceptr)g->data;
            if (bytes) *bytes = g->size;
            return CUDA_SUCCESS;
        }
    return CUDA_ERROR_NOT_FOUND;
}
CUresult CUDAAPI cuLibraryGetGlobal(CUdeviceptr *d, size_t *n, CUlibrary lib, const char *name) { return get_global(d, n, lib, name); }
CUresult CUDAAPI cuLibraryGetManaged(CUdeviceptr *d, size_t *n, CUlibrary lib, const char *name) {
    (void)d; (void)n; (void)name;
    return emu_valid(lib, TAG_LIB) ? CUDA_ERROR_NOT_FOUND : CUDA_ERROR_INVALID_HANDLE;
}

CUresult CUDAAPI cuModuleLoadData(CUmodule *m, const void *image) {
    if (!m) return CUDA_ERROR_INVALID_VALUE;
    CUlibrary lib;
    CUresult r = load(&lib, image, 1);
    if (!r) *m = lib->module;
    return r;
}
CUresult CUDAAPI cuModuleLoadDataEx(CUmodule *m, const void *image, unsigned n, CUjit_option *o, void **v) {
    if (n && (!o || !v)) return CUDA_ERROR_INVALID_VALUE;
    return cuModuleLoadData(m, image);
}
CUresult CUDAAPI cuModuleLoadFatBinary(CUmodule *m, const void *fatbin) { return cuModuleLoadData(m, fatbin); }
CUresult CUDAAPI cuModuleLoad(CUmodule *m, const char *path) {
    void *code = read_file(path);
    if (!code) return CUDA_ERROR_FILE_NOT_FOUND;
    CUresult r = cuModuleLoadData(m, code);
    free(code);
    return r;
}
CUresult CUDAAPI cuModuleUnload(CUmodule m) {
    if (!emu_valid(m, TAG_MOD)) return CUDA_ERROR_INVALID_HANDLE;
    m->tag = TAG_DEAD;
    if (m->lib->is_module) m->lib->tag = TAG_DEAD;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuModuleGetLoadingMode(CUmoduleLoadingMode *mode) {
    if (!mode) return CUDA_ERROR_INVALID_VALUE;
    *mode = CU_MODULE_LAZY_LOADING;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuModuleGetFunction(CUfunction *f, CUmodule m, const char *name) {
    if (!f || !name) return CUDA_ERROR_INVALID_VALUE;
    if (!emu_valid(m, TAG_MOD)) return CUDA_ERROR_INVALID_HANDLE;
    CUkernel k;
    CUresult r = cuLibraryGetKernel(&k, m->lib, name);
    if (!r) *f = k->func;
    return r;
}
CUresult CUDAAPI cuModuleGetFunctionCount(unsigned *count, CUmodule m) {
    if (!emu_valid(m, TAG_MOD)) return CUDA_ERROR_INVALID_HANDLE;
    return cuLibraryGetKernelCount(count, m->lib);
}
CUresult CUDAAPI cuModuleEnumerateFunctions(CUfunction *fs, unsigned n, CUmodule m) {
    if (!fs) return CUDA_ERROR_INVALID_VALUE;
    if (!emu_valid(m, TAG_MOD)) return CUDA_ERROR_INVALID_HANDLE;
    if (n > (unsigned)m->lib->nkernels) return CUDA_ERROR_INVALID_VALUE;
    for (unsigned i = 0; i < n; i++) fs[i] = m->lib->kernels[i]->func;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuModuleGetGlobal(CUdeviceptr *d, size_t *n, CUmodule m, const char *name) {
    if (!emu_valid(m, TAG_MOD)) return CUDA_ERROR_INVALID_HANDLE;
    return get_global(d, n, m->lib, name);
}

/* ---- kernels and functions ---- */
CUfunction emu_as_function(void *h) {
    if (emu_valid(h, TAG_FUNC)) return h;
    if (emu_valid(h, TAG_KERNEL)) return ((struct CUkern_st *)h)->func;
    return NULL;
}
CUresult CUDAAPI cuKernelGetFunction(CUfunction *f, CUkernel k) {
    if (!f) return CUDA_ERROR_INVALID_VALUE;
    if (!emu_valid(k, TAG_KERNEL)) return CUDA_ERROR_INVALID_HANDLE;
    CUcontext ctx;
    CUresult r = emu_current_ctx(&ctx);
    if (r) return r;
    *f = k->func;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuKernelGetLibrary(CUlibrary *lib, CUkernel k) {
    if (!lib) return CUDA_ERROR_INVALID_VALUE;
    if (!emu_valid(k, TAG_KERNEL)) return CUDA_ERROR_INVALID_HANDLE;
    *lib = k->lib;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuFuncGetModule(CUmodule *m, CUfunction f) {
    if (!m) return CUDA_ERROR_INVALID_VALUE;
    if (!emu_valid(f, TAG_FUNC)) return CUDA_ERROR_INVALID_HANDLE;
    *m = f->kernel->lib->module;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuFuncGetName(const char **name, CUfunction f) {
    if (!name) return CUDA_ERROR_INVALID_VALUE;
    CUfunction fn = emu_as_function(f);
    if (!fn) return CUDA_ERROR_INVALID_HANDLE;
    *name = fn->kernel->name;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuKernelGetName(const char **name, CUkernel k) { return cuFuncGetName(name, (CUfunction)k); }
CUresult CUDAAPI cuFuncGetParamInfo(CUfunction f, size_t i, size_t *offset, size_t *size) {
    CUfunction fn = emu_as_function(f);
    if (!fn) return CUDA_ERROR_INVALID_HANDLE;
    struct CUkern_st *k = fn->kernel;
    if (k->nparams < 0) return CUDA_ERROR_NOT_SUPPORTED; /* the image was compressed: not known here */
    if (i >= (size_t)k->nparams) return CUDA_ERROR_INVALID_VALUE;
    if (offset) *offset = k->params[i].offset;
    if (size) *size = k->params[i].size;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuKernelGetParamInfo(CUkernel k, size_t i, size_t *offset, size_t *size) {
    return cuFuncGetParamInfo((CUfunction)k, i, offset, size);
}
CUresult CUDAAPI cuFuncGetParamCount(CUfunction f, size_t *count) {
    CUfunction fn = emu_as_function(f);
    if (!fn) return CUDA_ERROR_INVALID_HANDLE;
    if (!count) return CUDA_ERROR_INVALID_VALUE;
    if (fn->kernel->nparams < 0) return CUDA_ERROR_NOT_SUPPORTED;
    *count = fn->kernel->nparams;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuKernelGetParamCount(CUkernel k, size_t *count) { return cuFuncGetParamCount((CUfunction)k, count); }
CUresult CUDAAPI cuFuncIsLoaded(CUfunctionLoadingState *state, CUfunction f) {
    if (!state) return CUDA_ERROR_INVALID_VALUE;
    if (!emu_as_function(f)) return CUDA_ERROR_INVALID_HANDLE;
    *state = CU_FUNCTION_LOADING_STATE_LOADED;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuFuncLoad(CUfunction f) { return emu_as_function(f) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE; }

static CUresult func_attribute(int *pi, CUfunction_attribute a, CUfunction fn) {
    if (!pi) return CUDA_ERROR_INVALID_VALUE;
    switch (a) {
    case CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK: *pi = 1024; break;
    case CU_FUNC_ATTRIBUTE_NUM_REGS: *pi = 16; break;
    case CU_FUNC_ATTRIBUTE_PTX_VERSION: case CU_FUNC_ATTRIBUTE_BINARY_VERSION: *pi = 90; break;
    case CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES: case CU_FUNC_ATTRIBUTE_CONST_SIZE_BYTES:
    case CU_FUNC_ATTRIBUTE_LOCAL_SIZE_BYTES: case CU_FUNC_ATTRIBUTE_CACHE_MODE_CA: *pi = 0; break;
    default:
        if (a < 0 || a >= CU_FUNC_ATTRIBUTE_MAX || a >= 16) return CUDA_ERROR_INVALID_VALUE;
        *pi = fn->attrs[a];
    }
    return CUDA_SUCCESS;
}
static CUresult set_func_attribute(CUfunction_attribute a, int v, CUfunction fn) {
    switch (a) {
    case CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES:
        if (v < 0 || v > 232448) return CUDA_ERROR_INVALID_VALUE;
        break;
    case CU_FUNC_ATTRIBUTE_PREFERRED_SHARED_MEMORY_CARVEOUT:
        if (v < -1 || v > 100) return CUDA_ERROR_INVALID_VALUE;
        break;
    case CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_WIDTH: case CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_HEIGHT:
    case CU_FUNC_ATTRIBUTE_REQUIRED_CLUSTER_DEPTH: case CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED:
    case CU_FUNC_ATTRIBUTE_CLUSTER_SCHEDULING_POLICY_PREFERENCE:
        break;
    default: return CUDA_ERROR_INVALID_VALUE;
    }
    fn->attrs[a] = v;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuFuncGetAttribute(int *pi, CUfunction_attribute a, CUfunction f) {
    CUfunction fn = emu_as_function(f);
    return fn ? func_attribute(pi, a, fn) : CUDA_ERROR_INVALID_HANDLE;
}
CUresult CUDAAPI cuFuncSetAttribute(CUfunction f, CUfunction_attribute a, int v) {
    CUfunction fn = emu_as_function(f);
    return fn ? set_func_attribute(a, v, fn) : CUDA_ERROR_INVALID_HANDLE;
}
CUresult CUDAAPI cuKernelGetAttribute(int *pi, CUfunction_attribute a, CUkernel k, CUdevice dev) {
    if (dev < 0 || dev >= EMU_DEVICE_COUNT) return CUDA_ERROR_INVALID_DEVICE;
    if (!emu_valid(k, TAG_KERNEL)) return CUDA_ERROR_INVALID_HANDLE;
    return func_attribute(pi, a, k->func);
}
CUresult CUDAAPI cuKernelSetAttribute(CUfunction_attribute a, int v, CUkernel k, CUdevice dev) {
    if (dev < 0 || dev >= EMU_DEVICE_COUNT) return CUDA_ERROR_INVALID_DEVICE;
    if (!emu_valid(k, TAG_KERNEL)) return CUDA_ERROR_INVALID_HANDLE;
    return set_func_attribute(a, v, k->func);
}
CUresult CUDAAPI cuFuncSetCacheConfig(CUfunction f, CUfunc_cache c) {
    (void)c;
    return emu_as_function(f) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}
CUresult CUDAAPI cuKernelSetCacheConfig(CUkernel k, CUfunc_cache c, CUdevice dev) {
    (void)c; (void)dev;
    return emu_valid(k, TAG_KERNEL) ? CUDA_SUCCESS : CUDA_ERROR_INVALID_HANDLE;
}

/* ---- launches: checked as the driver checks them, then nothing runs ---- */
CUresult emu_check_launch(CUfunction f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                          unsigned bz, unsigned shmem) {
    CUfunction fn = emu_as_function(f);
    if (!fn) return CUDA_ERROR_INVALID_HANDLE;
    if (!gx || !gy || !gz || !bx || !by || !bz) return CUDA_ERROR_INVALID_VALUE;
    if (gy > 65535 || gz > 65535 || bx > 1024 || by > 1024 || bz > 64) return CUDA_ERROR_INVALID_VALUE;
    if ((unsigned long long)bx * by * bz > 1024) return CUDA_ERROR_INVALID_VALUE;
    if (shmem > (unsigned)fn->attrs[CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES] && shmem > 49152)
        return CUDA_ERROR_INVALID_VALUE;
    return CUDA_SUCCESS;
}
static CUresult launch(CUfunction f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                       unsigned shmem, CUstream s, void **params, void **extra) {
    CUcontext ctx;
    CUresult r = emu_current_ctx(&ctx);
    if (r) return r;
    if ((r = emu_check_launch(f, gx, gy, gz, bx, by, bz, shmem))) return r;
    if (params && extra) return CUDA_ERROR_INVALID_VALUE;
    CUfunction fn = emu_as_function(f);
    if (!params && !extra && fn->kernel->nparams > 0) return CUDA_ERROR_INVALID_VALUE;
    if ((r = emu_stream_check(&s))) return r;
    CUgraphNodeParams gp = {.type = CU_GRAPH_NODE_TYPE_KERNEL};
    gp.kernel.func = fn;
    gp.kernel.gridDimX = gx; gp.kernel.gridDimY = gy; gp.kernel.gridDimZ = gz;
    gp.kernel.blockDimX = bx; gp.kernel.blockDimY = by; gp.kernel.blockDimZ = bz;
    gp.kernel.sharedMemBytes = shmem;
    gp.kernel.kernelParams = params;
    gp.kernel.extra = extra;
    gp.kernel.ctx = ctx;
    int captured;
    return emu_capture_node(s, &gp, &captured);
}
CUresult CUDAAPI cuLaunchKernel(CUfunction f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by,
                                unsigned bz, unsigned shmem, CUstream s, void **params, void **extra) {
    return launch(f, gx, gy, gz, bx, by, bz, shmem, s, params, extra);
}
CUresult CUDAAPI cuLaunchCooperativeKernel(CUfunction f, unsigned gx, unsigned gy, unsigned gz, unsigned bx,
                                           unsigned by, unsigned bz, unsigned shmem, CUstream s, void **params) {
    if ((unsigned long long)gx * gy * gz > 132ull * 32) return CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE;
    return launch(f, gx, gy, gz, bx, by, bz, shmem, s, params, NULL);
}
CUresult CUDAAPI cuLaunchKernelEx(const CUlaunchConfig *c, CUfunction f, void **params, void **extra) {
    if (!c) return CUDA_ERROR_INVALID_VALUE;
    if (c->numAttrs && !c->attrs) return CUDA_ERROR_INVALID_VALUE;
    for (unsigned i = 0; i < c->numAttrs; i++) {
        const CUlaunchAttribute *a = &c->attrs[i];
        if (a->id == CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION) {
            unsigned x = a->value.clusterDim.x, y = a->value.clusterDim.y, z = a->value.clusterDim.z;
            if (!x || !y || !z || c->gridDimX % x || c->gridDimY % y || c->gridDimZ % z || x * y * z > 8)
                return CUDA_ERROR_INVALID_CLUSTER_SIZE;
        }
        if (a->id == CU_LAUNCH_ATTRIBUTE_COOPERATIVE && a->value.cooperative &&
            (unsigned long long)c->gridDimX * c->gridDimY * c->gridDimZ > 132ull * 32)
            return CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE;
    }
    return launch(f, c->gridDimX, c->gridDimY, c->gridDimZ, c->blockDimX, c->blockDimY, c->blockDimZ,
                  c->sharedMemBytes, c->hStream, params, extra);
}

/* ---- occupancy: an H100's limits, 16 registers a thread, no static shared memory ---- */
static int blocks_per_sm(int block) { int b = 2048 / (block > 0 ? block : 1); return b > 32 ? 32 : b; }
CUresult CUDAAPI cuOccupancyMaxActiveBlocksPerMultiprocessor(int *n, CUfunction f, int block, size_t shmem) {
    if (!n || block <= 0 || block > 1024) return CUDA_ERROR_INVALID_VALUE;
    if (!emu_as_function(f)) return CUDA_ERROR_INVALID_HANDLE;
    int b = blocks_per_sm(block);
    if (shmem) { int by_smem = (int)(233472 / (shmem + 1024)); if (by_smem < b) b = by_smem; }
    *n = b;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuOccupancyMaxActiveBlocksPerMultiprocessorWithFlags(int *n, CUfunction f, int block, size_t shmem, unsigned flags) {
    (void)flags;
    return cuOccupancyMaxActiveBlocksPerMultiprocessor(n, f, block, shmem);
}
CUresult CUDAAPI cuOccupancyMaxPotentialBlockSize(int *grid, int *block, CUfunction f, CUoccupancyB2DSize smem_of,
                                                  size_t shmem, int limit) {
    if (!grid || !block) return CUDA_ERROR_INVALID_VALUE;
    if (!emu_as_function(f)) return CUDA_ERROR_INVALID_HANDLE;
    int b = limit > 0 && limit < 1024 ? limit : 1024;
    size_t need = smem_of ? smem_of(b) : shmem;
    int per_sm = blocks_per_sm(b);
    if (need) { int by_smem = (int)(233472 / (need + 1024)); if (by_smem < per_sm) per_sm = by_smem; }
    *block = b;
    *grid = per_sm * 132;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuOccupancyMaxPotentialBlockSizeWithFlags(int *grid, int *block, CUfunction f, CUoccupancyB2DSize smem_of,
                                                           size_t shmem, int limit, unsigned flags) {
    (void)flags;
    return cuOccupancyMaxPotentialBlockSize(grid, block, f, smem_of, shmem, limit);
}
CUresult CUDAAPI cuOccupancyAvailableDynamicSMemPerBlock(size_t *smem, CUfunction f, int nblocks, int block) {
    if (!smem || nblocks <= 0 || block <= 0) return CUDA_ERROR_INVALID_VALUE;
    if (!emu_as_function(f)) return CUDA_ERROR_INVALID_HANDLE;
    size_t per = 233472 / nblocks;
    *smem = per > 1024 ? per - 1024 : 0;
    if (*smem > 232448) *smem = 232448;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuOccupancyMaxPotentialClusterSize(int *size, CUfunction f, const CUlaunchConfig *c) {
    if (!size || !c) return CUDA_ERROR_INVALID_VALUE;
    if (!emu_as_function(f)) return CUDA_ERROR_INVALID_HANDLE;
    *size = 8;
    return CUDA_SUCCESS;
}
CUresult CUDAAPI cuOccupancyMaxActiveClusters(int *n, CUfunction f, const CUlaunchConfig *c) {
    if (!n || !c) return CUDA_ERROR_INVALID_VALUE;
    if (!emu_as_function(f)) return CUDA_ERROR_INVALID_HANDLE;
    unsigned cluster = 1;
    for (unsigned i = 0; i < c->numAttrs; i++)
        if (c->attrs[i].id == CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION)
            cluster = c->attrs[i].value.clusterDim.x * c->attrs[i].value.clusterDim.y * c->attrs[i].value.clusterDim.z;
    *n = cluster ? 132 / cluster : 0;
    return CUDA_SUCCESS;
}
