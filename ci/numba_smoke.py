# SPDX-License-Identifier: Apache-2.0
"""numba-cuda on the installed cuda.* stack: import, a kernel, a stream, a reduction.

    python3 ci/numba_smoke.py      # prints where cuda.core/cuda.bindings came from, then NUMBA OK

Run by ci/gpu_run.sh (NUMBA=1) on NVIDIA's stack and on ours. numba-cuda builds on cuda.core
and cuda.bindings (devices, streams, linking, launches), so this is a client's view of both.
"""

import numpy as np

import cuda.bindings
import cuda.core

print("cuda.core from", cuda.core.__file__, "| cuda.bindings from", cuda.bindings.__file__, flush=True)

from numba import cuda  # noqa: E402


@cuda.jit
def axpy(r, a, x, y):
    i = cuda.grid(1)
    if i < r.size:
        r[i] = a * x[i] + y[i]


@cuda.reduce
def total(a, b):
    return a + b


rng = np.random.default_rng(7)
n = 1 << 16
x = rng.random(n, dtype=np.float32)
y = rng.random(n, dtype=np.float32)
r = cuda.device_array_like(x)
axpy[(n + 255) // 256, 256](r, np.float32(2.0), cuda.to_device(x), cuda.to_device(y))
assert np.allclose(r.copy_to_host(), 2 * x + y), "kernel"
s = cuda.stream()
dx = cuda.to_device(x, stream=s)
axpy[(n + 255) // 256, 256, s](dx, np.float32(1.0), dx, dx)
s.synchronize()
assert np.allclose(dx.copy_to_host(), 2 * x), "stream"
assert abs(total(x) - float(x.sum())) < 1e-3 * n, "reduction"
print("NUMBA OK")
