/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the C twins: the clock, a best-of-5 per-call timer, a median sort, symbol loading
   and file reading. With <cuda.h> included first it adds the driver side: functions through
   cuGetProcAddress_v2 (as our bindings load them), CHECK on a CUresult, and the launch
   benchmark (the same kernel arguments as the Python side, median of 25 batches of 400
   launches queued behind a spin kernel). */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}
static inline int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* out = the best of 5 loops of n runs of stmt, in ns per run */
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

/* dlsym, exiting with the name when the symbol is missing */
static inline void *sym(void *lib, const char *name) {
    void *p = dlsym(lib, name);
    if (!p) {
        fprintf(stderr, "no %s\n", name);
        exit(1);
    }
    return p;
}

/* the whole file, malloc'ed; exits on failure */
static inline char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(1); }
    fseek(f, 0, SEEK_END); long size = ftell(f); fseek(f, 0, SEEK_SET);
    char *data = malloc(size);
    if (fread(data, 1, size, f) != (size_t)size) { fprintf(stderr, "short read\n"); exit(1); }
    fclose(f);
    return data;
}

#ifdef CUDA_VERSION
typedef CUresult (*getproc_t)(const char *, void **, int, cuuint64_t, CUdriverProcAddressQueryResult *);
static getproc_t getproc;
static inline void *fn(const char *name) {
    void *p = NULL;
    CUdriverProcAddressQueryResult q;
    if (getproc(name, &p, CUDA_VERSION, 0, &q) != CUDA_SUCCESS || !p) {
        fprintf(stderr, "no %s\n", name);
        exit(1);
    }
    return p;
}
/* dlopen libcuda and find cuGetProcAddress_v2; exits on failure */
static inline void load_driver(void) {
    void *lib = dlopen("libcuda.so.1", RTLD_NOW);
    if (!lib) { fprintf(stderr, "%s\n", dlerror()); exit(1); }
    getproc = (getproc_t)sym(lib, "cuGetProcAddress_v2");
}
#define LOAD(name) __typeof__(&name) p_##name = (__typeof__(&name))fn(#name)
#define CHECK(x) do { CUresult r_ = (x); if (r_) { fprintf(stderr, "%s: %d\n", #x, r_); exit(1); } } while (0)

/* The same values as the Python side, packed as the C API wants them: launch_params[k] are the
   arguments of k0, k4 and k16; the pointers among them point at launch_ptr (allocate it). */
static CUdeviceptr launch_ptr;
static float a_ = 1.5f, f1_ = 1, f2_ = 2, f3_ = 3, f4_ = 4;
static unsigned long long u7_ = 7, u5_ = 5, u6_ = 6;
static int i1_ = 1, i2_ = 2, i3_ = 3, i4_ = 4;
static double d7_ = 7, d8_ = 8;
static void *args4_[] = {&a_, &launch_ptr, &launch_ptr, &u7_};
static void *args16_[] = {&launch_ptr, &launch_ptr, &launch_ptr, &launch_ptr, &i1_, &i2_, &i3_, &i4_,
                          &f1_, &f2_, &f3_, &f4_, &u5_, &u6_, &d7_, &d8_};
static void **launch_params[3] = {NULL, args4_, args16_};

/* out[k] = the median of 25 batches of 400 runs of stmt (which uses k), in us per run; each
   batch is queued behind the spin kernel, then the stream s is synchronized. */
#define LAUNCH_MEDIANS(out, spin, s, stmt)                                              \
    do {                                                                                \
        static unsigned long long cycles_ = 20000000;                                   \
        void *spin_args_[] = {&cycles_};                                                \
        for (int k = 0; k < 3; k++) {                                                   \
            double batches_[25];                                                        \
            for (int b_ = 0; b_ < 25; b_++) {                                           \
                CHECK(p_cuLaunchKernel(spin, 1, 1, 1, 1, 1, 1, 0, s, spin_args_, NULL)); \
                double t0_ = now();                                                     \
                for (int i_ = 0; i_ < 400; i_++) { stmt; }                              \
                batches_[b_] = (now() - t0_) / 400;                                     \
                CHECK(p_cuStreamSynchronize(s));                                        \
            }                                                                           \
            qsort(batches_, 25, sizeof(double), cmp);                                   \
            out[k] = batches_[12] * 1e6;                                                \
        }                                                                               \
    } while (0)
#endif
#endif
