/* C twin of core_calls.py: the driver calls under cuda.core's Device, Stream, Event, allocate
   and launch, straight from C through cuGetProcAddress_v2. usage: core_twin <cubin>; prints JSON.
   Launches use cuLaunchKernelEx with a prepared CUlaunchConfig and CUkernel handles from
   cuLibraryLoadData/cuLibraryGetKernel (cast to CUfunction), as cuda.core does. */
#include <cuda.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}
static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef CUresult (*getproc_t)(const char *, void **, int, cuuint64_t, CUdriverProcAddressQueryResult *);
static getproc_t getproc;
static void *fn(const char *name) {
    void *p = NULL;
    CUdriverProcAddressQueryResult q;
    if (getproc(name, &p, CUDA_VERSION, 0, &q) != CUDA_SUCCESS || !p) {
        fprintf(stderr, "no %s\n", name);
        exit(1);
    }
    return p;
}
#define LOAD(name) __typeof__(&name) p_##name = (__typeof__(&name))fn(#name)
#define CHECK(x) do { CUresult r_ = (x); if (r_) { fprintf(stderr, "%s: %d\n", #x, r_); exit(1); } } while (0)

#define PER_CALL(out, n, stmt)                                   \
    do {                                                         \
        double best_ = 1e30;                                     \
        for (int rep_ = 0; rep_ < 5; rep_++) {                   \
            double t0_ = now();                                  \
            for (int i_ = 0; i_ < (n); i_++) { stmt; }           \
            double per_ = (now() - t0_) / (n);                   \
            if (per_ < best_) best_ = per_;                      \
        }                                                        \
        out = best_ * 1e9;                                       \
    } while (0)

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: core_twin <cubin>\n"); return 2; }
    void *lib = dlopen("libcuda.so.1", RTLD_NOW);
    if (!lib) { fprintf(stderr, "%s\n", dlerror()); return 1; }
    getproc = (getproc_t)dlsym(lib, "cuGetProcAddress_v2");
    LOAD(cuInit); LOAD(cuDeviceGet); LOAD(cuDevicePrimaryCtxRetain); LOAD(cuCtxSetCurrent);
    LOAD(cuStreamCreate); LOAD(cuStreamSynchronize); LOAD(cuEventCreate); LOAD(cuEventRecord);
    LOAD(cuMemAllocAsync); LOAD(cuMemFreeAsync); LOAD(cuMemAlloc); LOAD(cuModuleLoadData);
    LOAD(cuModuleGetFunction); LOAD(cuLaunchKernel); LOAD(cuLaunchKernelEx);
    LOAD(cuLibraryLoadData); LOAD(cuLibraryGetKernel);

    CUdevice dev; CUcontext ctx; CUstream s; CUevent e; CUdeviceptr d;
    CHECK(p_cuInit(0)); CHECK(p_cuDeviceGet(&dev, 0)); CHECK(p_cuDevicePrimaryCtxRetain(&ctx, dev));
    CHECK(p_cuCtxSetCurrent(ctx)); CHECK(p_cuStreamCreate(&s, CU_STREAM_NON_BLOCKING));
    CHECK(p_cuEventCreate(&e, CU_EVENT_DISABLE_TIMING)); CHECK(p_cuMemAlloc(&d, 1 << 20));

    double t_set, t_sync, t_record, t_alloc;
    CUdeviceptr p;
    PER_CALL(t_set, 1000000, p_cuCtxSetCurrent(ctx));
    PER_CALL(t_sync, 100000, p_cuStreamSynchronize(s));
    PER_CALL(t_record, 20000, p_cuEventRecord(e, s));
    PER_CALL(t_alloc, 20000, p_cuMemAllocAsync(&p, 1 << 20, s); p_cuMemFreeAsync(p, s));
    CHECK(p_cuStreamSynchronize(s));

    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 1; }
    fseek(f, 0, SEEK_END); long size = ftell(f); fseek(f, 0, SEEK_SET);
    char *image = malloc(size);
    if (fread(image, 1, size, f) != (size_t)size) { fprintf(stderr, "short read\n"); return 1; }
    fclose(f);
    CUmodule mod; CUfunction spin, k0, k4, k16;
    CHECK(p_cuModuleLoadData(&mod, image));
    CHECK(p_cuModuleGetFunction(&spin, mod, "spin"));
    CUlibrary lib_; CUkernel kk0, kk4, kk16;
    CHECK(p_cuLibraryLoadData(&lib_, image, NULL, NULL, 0, NULL, NULL, 0));
    CHECK(p_cuLibraryGetKernel(&kk0, lib_, "k0")); CHECK(p_cuLibraryGetKernel(&kk4, lib_, "k4"));
    CHECK(p_cuLibraryGetKernel(&kk16, lib_, "k16"));
    k0 = (CUfunction)kk0; k4 = (CUfunction)kk4; k16 = (CUfunction)kk16;

    float a = 1.5f, f1 = 1, f2 = 2, f3 = 3, f4 = 4; unsigned long long u7 = 7, u5 = 5, u6 = 6, cycles = 20000000;
    int i1 = 1, i2 = 2, i3 = 3, i4 = 4; double d7 = 7, d8 = 8;
    void *args4[] = {&a, &d, &d, &u7};
    void *args16[] = {&d, &d, &d, &d, &i1, &i2, &i3, &i4, &f1, &f2, &f3, &f4, &u5, &u6, &d7, &d8};
    void *spin_args[] = {&cycles};
    CUfunction kernels[3] = {k0, k4, k16};
    void **params[3] = {NULL, args4, args16};
    CUlaunchConfig cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.gridDimX = cfg.gridDimY = cfg.gridDimZ = 1;
    cfg.blockDimX = 32; cfg.blockDimY = cfg.blockDimZ = 1;
    cfg.hStream = s;
    double launch[3];
    for (int k = 0; k < 3; k++) {
        double batches[25];
        for (int b = 0; b < 25; b++) {
            CHECK(p_cuLaunchKernel(spin, 1, 1, 1, 1, 1, 1, 0, s, spin_args, NULL));
            double t0 = now();
            for (int i = 0; i < 400; i++) p_cuLaunchKernelEx(&cfg, kernels[k], params[k], NULL);
            batches[b] = (now() - t0) / 400;
            CHECK(p_cuStreamSynchronize(s));
        }
        qsort(batches, 25, sizeof(double), cmp);
        launch[k] = batches[12] * 1e6;
    }
    printf("{\"Device(0)\": 0, \"set_current\": %.2f, \"Stream.sync\": %.1f, \"Stream.record\": %.1f, "
           "\"allocate+close\": %.1f, \"launch_0\": %.3f, \"launch_4\": %.3f, \"launch_16\": %.3f}\n",
           t_set, t_sync, t_record, t_alloc, launch[0], launch[1], launch[2]);
    return 0;
}
