/* SPDX-License-Identifier: Apache-2.0 */
/* C twin of core_calls.py: the driver calls under cuda.core's Device, Stream, Event, allocate
   and launch, straight from C through cuGetProcAddress_v2. usage: core_twin <cubin>; prints JSON.
   Launches use cuLaunchKernelEx with a prepared CUlaunchConfig and CUkernel handles from
   cuLibraryLoadData/cuLibraryGetKernel (cast to CUfunction), as cuda.core does. */
#include <cuda.h>
#include <string.h>

#include "bench_common.h"

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: core_twin <cubin>\n"); return 2; }
    load_driver();
    LOAD(cuInit); LOAD(cuDeviceGet); LOAD(cuDevicePrimaryCtxRetain); LOAD(cuCtxSetCurrent);
    LOAD(cuStreamCreate); LOAD(cuStreamSynchronize); LOAD(cuEventCreate); LOAD(cuEventRecord);
    LOAD(cuMemAllocAsync); LOAD(cuMemFreeAsync); LOAD(cuMemAlloc); LOAD(cuModuleLoadData);
    LOAD(cuModuleGetFunction); LOAD(cuLaunchKernel); LOAD(cuLaunchKernelEx);
    LOAD(cuLibraryLoadData); LOAD(cuLibraryGetKernel);

    CUdevice dev; CUcontext ctx; CUstream s; CUevent e;
    CHECK(p_cuInit(0)); CHECK(p_cuDeviceGet(&dev, 0)); CHECK(p_cuDevicePrimaryCtxRetain(&ctx, dev));
    CHECK(p_cuCtxSetCurrent(ctx)); CHECK(p_cuStreamCreate(&s, CU_STREAM_NON_BLOCKING));
    CHECK(p_cuEventCreate(&e, CU_EVENT_DISABLE_TIMING)); CHECK(p_cuMemAlloc(&launch_ptr, 1 << 20));

    double t_set, t_sync, t_record, t_alloc;
    CUdeviceptr p;
    PER_CALL(t_set, 1000000, p_cuCtxSetCurrent(ctx));
    PER_CALL(t_sync, 100000, p_cuStreamSynchronize(s));
    PER_CALL(t_record, 20000, p_cuEventRecord(e, s));
    PER_CALL(t_alloc, 20000, p_cuMemAllocAsync(&p, 1 << 20, s); p_cuMemFreeAsync(p, s));
    CHECK(p_cuStreamSynchronize(s));

    char *image = read_file(argv[1]);
    CUmodule mod; CUfunction spin, k0, k4, k16;
    CHECK(p_cuModuleLoadData(&mod, image));
    CHECK(p_cuModuleGetFunction(&spin, mod, "spin"));
    CUlibrary lib_; CUkernel kk0, kk4, kk16;
    CHECK(p_cuLibraryLoadData(&lib_, image, NULL, NULL, 0, NULL, NULL, 0));
    CHECK(p_cuLibraryGetKernel(&kk0, lib_, "k0")); CHECK(p_cuLibraryGetKernel(&kk4, lib_, "k4"));
    CHECK(p_cuLibraryGetKernel(&kk16, lib_, "k16"));
    k0 = (CUfunction)kk0; k4 = (CUfunction)kk4; k16 = (CUfunction)kk16;

    CUfunction kernels[3] = {k0, k4, k16};
    CUlaunchConfig cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.gridDimX = cfg.gridDimY = cfg.gridDimZ = 1;
    cfg.blockDimX = 32; cfg.blockDimY = cfg.blockDimZ = 1;
    cfg.hStream = s;
    double launch[3];
    LAUNCH_MEDIANS(launch, spin, s, p_cuLaunchKernelEx(&cfg, kernels[k], launch_params[k], NULL));
    printf("{\"Device(0)\": 0, \"set_current\": %.2f, \"Stream.sync\": %.1f, \"Stream.record\": %.1f, "
           "\"allocate+close\": %.1f, \"launch_0\": %.3f, \"launch_4\": %.3f, \"launch_16\": %.3f}\n",
           t_set, t_sync, t_record, t_alloc, launch[0], launch[1], launch[2]);
    return 0;
}
