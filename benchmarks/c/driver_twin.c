/* SPDX-License-Identifier: Apache-2.0 */
/* C twin of driver_calls.py: the same driver calls, straight from C, through
   cuGetProcAddress_v2 as our bindings load them. usage: driver_twin <cubin>; prints JSON. */
#include <cuda.h>

#include "bench_common.h"

int main(int argc, char **argv) {
    load_driver();
    LOAD(cuInit); LOAD(cuDeviceGet); LOAD(cuDevicePrimaryCtxRetain); LOAD(cuCtxSetCurrent);
    LOAD(cuCtxGetCurrent); LOAD(cuDeviceGetAttribute); LOAD(cuStreamCreate); LOAD(cuStreamQuery);
    LOAD(cuEventCreate); LOAD(cuEventRecord); LOAD(cuMemAllocAsync); LOAD(cuMemFreeAsync); LOAD(cuMemAlloc);
    LOAD(cuPointerGetAttribute); LOAD(cuModuleLoadData); LOAD(cuModuleGetFunction); LOAD(cuLaunchKernel);
    LOAD(cuStreamSynchronize);

    CUdevice dev; CUcontext ctx; CUstream s; CUevent e;
    CHECK(p_cuInit(0)); CHECK(p_cuDeviceGet(&dev, 0)); CHECK(p_cuDevicePrimaryCtxRetain(&ctx, dev));
    CHECK(p_cuCtxSetCurrent(ctx)); CHECK(p_cuStreamCreate(&s, CU_STREAM_NON_BLOCKING));
    CHECK(p_cuEventCreate(&e, CU_EVENT_DISABLE_TIMING)); CHECK(p_cuMemAlloc(&launch_ptr, 1 << 20));

    double t_ctx, t_attr, t_query, t_record, t_alloc, t_ptr;
    CUcontext c; int v; unsigned int mt; CUdeviceptr p;
    PER_CALL(t_ctx, 1000000, p_cuCtxGetCurrent(&c));
    PER_CALL(t_attr, 1000000, p_cuDeviceGetAttribute(&v, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, dev));
    PER_CALL(t_query, 20000, p_cuStreamQuery(s));
    PER_CALL(t_record, 20000, p_cuEventRecord(e, s));
    PER_CALL(t_alloc, 20000, p_cuMemAllocAsync(&p, 1 << 20, s); p_cuMemFreeAsync(p, s));
    PER_CALL(t_ptr, 100000, p_cuPointerGetAttribute(&mt, CU_POINTER_ATTRIBUTE_MEMORY_TYPE, launch_ptr));
    CHECK(p_cuStreamSynchronize(s));

    char *image = read_file(argv[1]);
    CUmodule mod; CUfunction spin, k0, k4, k16;
    CHECK(p_cuModuleLoadData(&mod, image));
    CHECK(p_cuModuleGetFunction(&spin, mod, "spin")); CHECK(p_cuModuleGetFunction(&k0, mod, "k0"));
    CHECK(p_cuModuleGetFunction(&k4, mod, "k4")); CHECK(p_cuModuleGetFunction(&k16, mod, "k16"));

    CUfunction kernels[3] = {k0, k4, k16};
    double launch[3];
    LAUNCH_MEDIANS(launch, spin, s, p_cuLaunchKernel(kernels[k], 1, 1, 1, 32, 1, 1, 0, s, launch_params[k], NULL));
    printf("{\"cuCtxGetCurrent\": %.2f, \"cuDeviceGetAttribute\": %.2f, \"cuStreamQuery\": %.1f, "
           "\"cuEventRecord\": %.1f, \"cuMemAllocAsync+cuMemFreeAsync\": %.1f, \"cuPointerGetAttribute\": %.1f, "
           "\"launch_0\": %.3f, \"launch_4\": %.3f, \"launch_16\": %.3f}\n",
           t_ctx, t_attr, t_query, t_record, t_alloc, t_ptr, launch[0], launch[1], launch[2]);
    return 0;
}
