/* SPDX-License-Identifier: Apache-2.0 */
/* A stand-in libcuda.so.1 for measuring binding overhead on a machine without a GPU.
   Every entry point that cuGetProcAddress_v2 hands out returns CUDA_SUCCESS and does
   nothing (output parameters keep what the caller put there). Only for benchmarks:
   with it, a binding's cost per call is everything but the driver's own work.
   Build: cc -O2 -shared -fPIC -o libcuda.so.1 null_driver.c */
#include <stddef.h>

static int nothing(void) { return 0; }

int cuGetProcAddress_v2(const char *symbol, void **pfn, int version, unsigned long long flags, int *status) {
    (void)symbol; (void)version; (void)flags;
    *pfn = (void *)nothing;
    if (status) *status = 0;
    return 0;
}
int cuGetProcAddress(const char *symbol, void **pfn, int version, unsigned long long flags) {
    return cuGetProcAddress_v2(symbol, pfn, version, flags, NULL);
}
int cuDriverGetVersion(int *v) { *v = 13000; return 0; }
int cuInit(unsigned int flags) { (void)flags; return 0; }
