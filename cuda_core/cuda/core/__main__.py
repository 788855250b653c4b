# SPDX-License-Identifier: Apache-2.0
"""``python -m cuda.core``: compile SAXPY with NVRTC, and run it where a GPU is present.

Compiling needs no GPU (the architecture is given). With a GPU, the kernel is launched
through cuda.core (Device, Stream, launch) and the result is checked against numpy. Every
outcome ends with exit status 0 and says plainly what was and was not done.
"""

from __future__ import annotations

import sys
import time

SAXPY = r"""
template <typename T>
__global__ void saxpy(T a, const T* x, const T* y, T* out, size_t n) {
    const size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x;
    if (i < n) {
        out[i] = a * x[i] + y[i];
    }
}
"""
NAME = "saxpy<float>"


def _compile(arch):
    from cuda.core import Program, ProgramOptions

    options = ProgramOptions(arch=arch, std="c++17", name="saxpy.cu")
    program = Program(SAXPY, "c++", options)
    start = time.perf_counter()
    ptx = program.compile("ptx", name_expressions=(NAME,))
    cubin = program.compile("cubin", name_expressions=(NAME,))
    elapsed = time.perf_counter() - start
    program.close()
    return ptx, cubin, elapsed


def _gpu_reason():
    """None when a GPU can be used, else why not."""
    from cuda.bindings import driver

    try:
        (err,) = driver.cuInit(0)
    except Exception:
        return "no NVIDIA driver: libcuda.so.1 was not found"
    if err != driver.CUresult.CUDA_SUCCESS:
        return f"cuInit failed: {err.name}"
    err, count = driver.cuDeviceGetCount()
    return None if count > 0 else "the driver reports no CUDA device"


def _run_on_gpu(n=1 << 20):
    import numpy as np

    from cuda.bindings import driver
    from cuda.core import Device, LaunchConfig, launch

    dev = Device(0)
    dev.set_current()
    arch = f"sm_{dev.arch}"
    _, cubin, _ = _compile(arch)
    kernel = cubin.get_kernel(NAME)
    stream = dev.create_stream()

    rng = np.random.default_rng(1234)
    a = np.float32(rng.uniform(-2, 2))
    x = rng.random(n, dtype=np.float32)
    y = rng.random(n, dtype=np.float32)
    out = np.full(n, np.nan, dtype=np.float32)  # poisoned: the kernel must overwrite every element
    nbytes = x.nbytes
    bufs = [dev.allocate(nbytes, stream=stream) for _ in range(3)]
    stream.sync()
    for buf, host in zip(bufs[:2], (x, y)):
        (err,) = driver.cuMemcpyHtoD(int(buf.handle), host.ctypes.data, nbytes)
        if err != driver.CUresult.CUDA_SUCCESS:
            raise RuntimeError(f"cuMemcpyHtoD failed: {err.name}")
    (err,) = driver.cuMemcpyHtoD(int(bufs[2].handle), out.ctypes.data, nbytes)
    block = 256
    config = LaunchConfig(grid=(n + block - 1) // block, block=block)
    launch(stream, config, kernel, a, bufs[0], bufs[1], bufs[2], np.uint64(n))
    stream.sync()
    (err,) = driver.cuMemcpyDtoH(out.ctypes.data, int(bufs[2].handle), nbytes)
    if err != driver.CUresult.CUDA_SUCCESS:
        raise RuntimeError(f"cuMemcpyDtoH failed: {err.name}")
    for buf in bufs:
        buf.close(stream)
    stream.close()
    expected = a * x + y
    ok = bool(np.allclose(out, expected, rtol=1e-6, atol=1e-6))
    return dev, arch, ok, float(np.max(np.abs(out - expected)))


def main() -> int:
    from cuda.core import __version__

    print(f"cuda.core {__version__}")
    try:
        ptx, cubin, elapsed = _compile("sm_90")
    except Exception as exc:
        print(f"compile: FAILED ({type(exc).__name__}: {exc})")
        return 0
    print(
        f"compiled {NAME} for sm_90 with NVRTC in {elapsed * 1e3:.0f} ms: "
        f"PTX {len(ptx.code)} bytes, cubin {len(cubin.code)} bytes, "
        f"mangled name {cubin.symbol_mapping[NAME].decode()}"
    )
    reason = _gpu_reason()
    if reason is not None:
        print(f"no GPU found ({reason}): compiled only, nothing launched")
        return 0
    try:
        dev, arch, ok, err = _run_on_gpu()
    except Exception as exc:
        print(f"GPU run: not done ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})")
        return 0
    status = "result matches numpy" if ok else "RESULT DIFFERS from numpy"
    print(f"ran {NAME} on device 0 ({arch}): 2**20 elements, {status} (max abs error {err:.2e})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
