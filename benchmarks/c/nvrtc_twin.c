/* SPDX-License-Identifier: Apache-2.0 */
/* C twin of bindings_small_libs.py: the same nvrtc calls, straight from C.
   usage: nvrtc_twin <path to libnvrtc> <path to libnvrtc-builtins> ; prints JSON.
   (libnvrtc loads its builtins by soname; outside the loader path they are preloaded.) */
#include "bench_common.h"

typedef int (*version_fn)(int *, int *);
typedef int (*create_fn)(void **, const char *, const char *, int, const char *const *, const char *const *);
typedef int (*compile_fn)(void *, int, const char *const *);
typedef int (*size_fn)(void *, size_t *);
typedef int (*get_fn)(void *, char *);
typedef int (*destroy_fn)(void **);

int main(int argc, char **argv) {
    if (argc > 2 && !dlopen(argv[2], RTLD_NOW | RTLD_GLOBAL)) { fprintf(stderr, "%s\n", dlerror()); return 1; }
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_GLOBAL);
    if (!lib) { fprintf(stderr, "%s\n", dlerror()); return 1; }
    version_fn version = (version_fn)sym(lib, "nvrtcVersion");
    create_fn create = (create_fn)sym(lib, "nvrtcCreateProgram");
    compile_fn compile = (compile_fn)sym(lib, "nvrtcCompileProgram");
    size_fn cubin_size = (size_fn)sym(lib, "nvrtcGetCUBINSize");
    get_fn get_cubin = (get_fn)sym(lib, "nvrtcGetCUBIN");
    destroy_fn destroy = (destroy_fn)sym(lib, "nvrtcDestroyProgram");

    int major, minor;
    double version_ns;
    PER_CALL(version_ns, 1000000, version(&major, &minor));

    const char *src = "extern \"C\" __global__ void saxpy(float a, const float* x, float* y, unsigned long long n) {"
                      " unsigned long long i = blockIdx.x * (unsigned long long)blockDim.x + threadIdx.x;"
                      " if (i < n) y[i] = a * x[i] + y[i]; }";
    const char *opts[] = {"-arch=sm_90"};
    double times[21];
    for (int rep = 0; rep < 21; rep++) {
        double t0 = now();
        void *prog;
        size_t size;
        if (create(&prog, src, "saxpy.cu", 0, NULL, NULL) || compile(prog, 1, opts) || cubin_size(prog, &size)) {
            fprintf(stderr, "nvrtc failed\n");
            return 1;
        }
        char *cubin = malloc(size);
        get_cubin(prog, cubin);
        destroy(&prog);
        free(cubin);
        times[rep] = now() - t0;
    }
    qsort(times, 21, sizeof(double), cmp);
    printf("{\"version_ns\": %.2f, \"compile_ms\": %.3f}\n", version_ns, times[10] * 1e3);
    return 0;
}
