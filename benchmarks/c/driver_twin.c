/* C twin of driver_calls.py: the same driver calls, straight from C, through
   cuGetProcAddress_v2 as our bindings load them. usage: driver_twin <cubin>; prints JSON. */
#include <cuda.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
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
    void *lib = dlopen("libcuda.so.1", RTLD_NOW);
    if (!lib) { fprintf(stderr, "%s\n", dlerror()); return 1; }
    getproc = (getproc_t)dlsym(lib, "cuGetProcAddress_v2");
    LOAD(cuInit); LOAD(cuDeviceGet); LOAD(cuDevicePrimaryCtxRetain); LOAD(cuCtxSetCurrent);
    LOAD(cuCtxGetCurrent); LOAD(cuDeviceGetAttribute); LOAD(cuStreamCreate); LOAD(cuStreamQuery);
    LOAD(cuEventCreate); LOAD(cuEventRecord); LOAD(cuMemAllocAsync); LOAD(cuMemFreeAsync); LOAD(cuMemAlloc);
    LOAD(cuPointerGetAttribute); LOAD(cuModuleLoadData); LOAD(cuModuleGetFunction); LOAD(cuLaunchKernel);
    LOAD(cuStreamSynchronize);

    CUdevice dev; CUcontext ctx; CUstream s; CUevent e; CUdeviceptr d;
    CHECK(p_cuInit(0)); CHECK(p_cuDeviceGet(&dev, 0)); CHECK(p_cuDevicePrimaryCtxRetain(&ctx, dev));
    CHECK(p_cuCtxSetCurrent(ctx)); CHECK(p_cuStreamCreate(&s, CU_STREAM_NON_BLOCKING));
    CHECK(p_cuEventCreate(&e, CU_EVENT_DISABLE_TIMING)); CHECK(p_cuMemAlloc(&d, 1 << 20));

    double t_ctx, t_attr, t_query, t_record, t_alloc, t_ptr;
    CUcontext c; int v; unsigned int mt; CUdeviceptr p;
    PER_CALL(t_ctx, 1000000, p_cuCtxGetCurrent(&c));
    PER_CALL(t_attr, 1000000, p_cuDeviceGetAttribute(&v, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev));
    PER_CALL(t_query, 20000, p_cuStreamQuery(s));
    PER_CALL(t_record, 20000, p_cuEventRecord(e, s));
    PER_CALL(t_alloc, 20000, p_cuMemAllocAsync(&p, 1 << 20, s); p_cuMemFreeAsync(p, s));
    PER_CALL(t_ptr, 100000, p_cuPointerGetAttribute(&mt, CU_POINTER_ATTRIBUTE_MEMORY_TYPE, d));
    CHECK(p_cuStreamSynchronize(s));

    FILE *f = fopen(argv[1], "rb");
    fseek(f, 0, SEEK_END); long size = ftell(f); fseek(f, 0, SEEK_SET);
    char *image = malloc(size);
    if (fread(image, 1, size, f) != (size_t)size) { fprintf(stderr, "short read\n"); return 1; }
    fclose(f);
    CUmodule mod; CUfunction spin, k0, k4, k16;
    CHECK(p_cuModuleLoadData(&mod, image));
    CHECK(p_cuModuleGetFunction(&spin, mod, "spin")); CHECK(p_cuModuleGetFunction(&k0, mod, "k0"));
    CHECK(p_cuModuleGetFunction(&k4, mod, "k4")); CHECK(p_cuModuleGetFunction(&k16, mod, "k16"));

    /* the same values as the Python side, packed as the C API wants them */
    float a = 1.5f, f1 = 1, f2 = 2, f3 = 3, f4 = 4; unsigned long long u7 = 7, u5 = 5, u6 = 6, cycles = 20000000;
    int i1 = 1, i2 = 2, i3 = 3, i4 = 4; double d7 = 7, d8 = 8;
    void *args4[] = {&a, &d, &d, &u7};
    void *args16[] = {&d, &d, &d, &d, &i1, &i2, &i3, &i4, &f1, &f2, &f3, &f4, &u5, &u6, &d7, &d8};
    void *spin_args[] = {&cycles};
    CUfunction kernels[3] = {k0, k4, k16};
    void **params[3] = {NULL, args4, args16};
    double launch[3];
    for (int k = 0; k < 3; k++) {
        double batches[25];
        for (int b = 0; b < 25; b++) {
            CHECK(p_cuLaunchKernel(spin, 1, 1, 1, 1, 1, 1, 0, s, spin_args, NULL));
            double t0 = now();
            for (int i = 0; i < 400; i++) p_cuLaunchKernel(kernels[k], 1, 1, 1, 32, 1, 1, 0, s, params[k], NULL);
            batches[b] = (now() - t0) / 400;
            CHECK(p_cuStreamSynchronize(s));
        }
        qsort(batches, 25, sizeof(double), cmp);
        launch[k] = batches[12] * 1e6;
    }
    printf("{\"cuCtxGetCurrent\": %.2f, \"cuDeviceGetAttribute\": %.2f, \"cuStreamQuery\": %.1f, "
           "\"cuEventRecord\": %.1f, \"cuMemAllocAsync+cuMemFreeAsync\": %.1f, \"cuPointerGetAttribute\": %.1f, "
           "\"launch_0\": %.3f, \"launch_4\": %.3f, \"launch_16\": %.3f}\n",
           t_ctx, t_attr, t_query, t_record, t_alloc, t_ptr, launch[0], launch[1], launch[2]);
    return 0;
}
