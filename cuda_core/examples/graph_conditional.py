# SPDX-License-Identifier: Apache-2.0
"""Square roots by Newton's method in one CUDA graph that loops on the GPU, checked against numpy.

    python graph_conditional.py

The graph is built node by node (cuda.core.graph.GraphDefinition): copy the input in, then a
while-loop node whose body runs one Newton step on every element and a check kernel that keeps
the loop's condition set while any element has not converged; then copy the result out and call
back into Python. One launch runs the whole loop: the host never waits between iterations.
"""

from __future__ import annotations

import sys

import numpy as np

from cuda.core import Device, LaunchConfig, LegacyPinnedMemoryResource, Program, ProgramOptions
from cuda.core.graph import GraphDefinition

SOURCE = r"""
// The device runtime's setter of a graph condition (cuda_device_runtime_api.h declares it only
// when the device runtime header is included, which NVRTC does not do by default).
extern "C" __device__ __cudart_builtin__ void CUDARTAPI cudaGraphSetConditional(cudaGraphConditionalHandle handle,
                                                                                unsigned int value);

extern "C" __global__ void newton_step(double* x, const double* a, int* unconverged, long long n) {
    long long i = blockIdx.x * (long long)blockDim.x + threadIdx.x;
    if (i < n) {
        double next = 0.5 * (x[i] + a[i] / x[i]);
        if (fabs(next - x[i]) > 1e-12 * next) atomicExch(unconverged, 1);
        x[i] = next;
    }
}

// One thread: keep looping while any element moved, count the iterations, reset the flag.
extern "C" __global__ void check(unsigned long long condition, int* unconverged, int* iterations) {
    *iterations += 1;
    cudaGraphSetConditional((cudaGraphConditionalHandle)condition, *unconverged && *iterations < 100);
    *unconverged = 0;
}
"""


def main(n: int = 1 << 16) -> int:
    dev = Device(0)
    dev.set_current()
    stream = dev.create_stream()
    code = Program(SOURCE, "c++", ProgramOptions(arch=f"sm_{dev.arch}")).compile("cubin")
    newton_step, check = code.get_kernel("newton_step"), code.get_kernel("check")

    a_host = np.random.default_rng(1).uniform(0.5, 1e6, n)
    pinned = LegacyPinnedMemoryResource()
    a_in, x_out, counts = pinned.allocate(a_host.nbytes), pinned.allocate(a_host.nbytes), pinned.allocate(8)
    np.from_dlpack(a_in).view(np.float64)[:] = a_host
    a, x = dev.allocate(a_host.nbytes, stream=stream), dev.allocate(a_host.nbytes, stream=stream)
    flags = dev.allocate(8, stream=stream)  # [unconverged, iterations]
    done = []

    graph = GraphDefinition()
    condition = graph.create_condition(default_value=1)  # enter the loop
    start = graph.memcpy(a, a_in, a_host.nbytes).memcpy(x, a, a_host.nbytes).memset(flags, 0, 8)
    loop = start.while_loop(condition)
    body = loop.body
    step = body.launch(LaunchConfig(grid=(n + 255) // 256, block=256), newton_step, x, a, flags, n)
    step.launch(LaunchConfig(grid=1, block=1), check, condition, flags, int(flags.handle) + 4)
    loop.memcpy(x_out, x, a_host.nbytes).memcpy(counts, flags, 8).callback(lambda: done.append(True))

    executable = graph.instantiate()
    executable.launch(stream)
    stream.sync()

    result = np.from_dlpack(x_out).view(np.float64)
    iterations = np.from_dlpack(counts).view(np.int32)
    ok = bool(np.allclose(result, np.sqrt(a_host), rtol=1e-12)) and done == [True] and 1 < iterations[1] < 100
    print(f"{n} square roots in {iterations[1]} loop iterations of one graph launch: {'ok' if ok else 'MISMATCH'}")
    for buf in (a, x, flags, a_in, x_out, counts):
        buf.close(stream)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
