/* SPDX-License-Identifier: Apache-2.0 */
/* C twin of peer_copy.py: device 0 -> device 1 copies with cudaMemcpyPeerAsync, peer access
   enabled, timed by wall clock around a synchronized batch (as the Python side is).
   usage: peer_copy_twin <path of libcudart.so> <bytes> <repeat>; prints JSON {"GBps": ...}. */
#include "bench_common.h"

typedef int (*fn_i)(int);
typedef int (*fn_ii)(int, unsigned);
typedef int (*fn_malloc)(void **, size_t);
typedef int (*fn_peer)(void *, int, const void *, int, size_t, void *);
typedef int (*fn_sync)(void);

#define CHECK(call)                                                \
    do {                                                           \
        int e_ = (call);                                           \
        if (e_) {                                                  \
            fprintf(stderr, "%s failed: %d\n", #call, e_);         \
            exit(1);                                               \
        }                                                          \
    } while (0)

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s libcudart.so bytes repeat\n", argv[0]);
        return 2;
    }
    void *lib = dlopen(argv[1], RTLD_NOW);
    if (!lib) {
        fprintf(stderr, "%s\n", dlerror());
        return 1;
    }
    size_t bytes = strtoull(argv[2], NULL, 10);
    int repeat = atoi(argv[3]);
    fn_i setDevice = (fn_i)sym(lib, "cudaSetDevice");
    fn_ii enablePeer = (fn_ii)sym(lib, "cudaDeviceEnablePeerAccess");
    fn_malloc malloc_ = (fn_malloc)sym(lib, "cudaMalloc");
    fn_peer peer = (fn_peer)sym(lib, "cudaMemcpyPeerAsync");
    fn_sync sync = (fn_sync)sym(lib, "cudaDeviceSynchronize");
    void *src, *dst;
    CHECK(setDevice(1));
    CHECK(malloc_(&dst, bytes));
    CHECK(setDevice(0));
    CHECK(malloc_(&src, bytes));
    int e = enablePeer(1, 0);
    if (e && e != 704 /* cudaErrorPeerAccessAlreadyEnabled */) CHECK(e);
    CHECK(peer(dst, 1, src, 0, bytes, NULL)); /* warm-up */
    CHECK(sync());
    double t = now();
    for (int i = 0; i < repeat; i++) CHECK(peer(dst, 1, src, 0, bytes, NULL));
    CHECK(sync());
    t = now() - t;
    printf("{\"GBps\": %.3f, \"bytes\": %zu, \"repeat\": %d}\n", (double)bytes * repeat / t / 1e9, bytes, repeat);
    return 0;
}
