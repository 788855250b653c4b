# SPDX-License-Identifier: Apache-2.0
"""Measures cuda.core calls through whichever cuda.core is importable; prints JSON.

Run by core_calls.py once per stack (ours, NVIDIA's), each in its own process.
argv[1]: path of a cubin holding the kernels of _common.KERNELS.
Per-call figures are the best of 5 timeit loops (the loop's own cost, the same in both stacks, is
included); launches are the median of 25 batches of 400 launches queued behind a spin kernel,
each batch followed by one of the same launches from a C loop in this process ("launch_N C") where
benchmarks/_launch_floor.pyx was built (core_calls.py puts it on the path).
"""

import functools
import json
import statistics
import sys
import time
import timeit

t0 = time.perf_counter()
import cuda.core  # noqa: E402

IMPORT_MS = (time.perf_counter() - t0) * 1e3

import numpy as np  # noqa: E402
from _common import call_loop, launch_setup  # noqa: E402

try:
    import _launch_floor as floor
except ImportError:
    floor = None

try:
    from cuda.core import Device, LaunchConfig, ObjectCode, launch
except ImportError:  # NVIDIA's releases before 1.0 kept them in cuda.core.experimental
    from cuda.core.experimental import Device, LaunchConfig, ObjectCode, launch


def per_call_ns(stmt: str, env: dict, n: int = 200_000, repeat: int = 5) -> float:
    timer = timeit.Timer(stmt, globals=env)
    timer.timeit(min(n, 1000))
    return min(timer.timeit(n) / n for _ in range(repeat)) * 1e9


def main():
    dev = Device(0)
    dev.set_current()
    stream = dev.create_stream()
    event = dev.create_event()
    mr = dev.memory_resource
    env = {"Device": Device, "dev": dev, "stream": stream, "event": event, "mr": mr}
    results = {
        "import_ms": IMPORT_MS,
        "Device(0)": per_call_ns("Device(0)", env, n=1_000_000),
        "set_current": per_call_ns("dev.set_current()", env, n=1_000_000),
        "Stream.sync": per_call_ns("stream.sync()", env, n=100_000),
        "Stream.record": per_call_ns("stream.record(event)", env, n=20_000),
        "Stream.record()": per_call_ns("stream.record()", env, n=20_000),
        "allocate+close": per_call_ns("dev.allocate(1 << 20, stream=stream).close()", env, n=20_000),
    }
    stream.sync()

    cfg = LaunchConfig(grid=1, block=32)
    spin_cfg = LaunchConfig(grid=1, block=1)
    spin, by_count, raw, buf = launch_setup(dev, stream, sys.argv[1], ObjectCode)
    if floor is not None:
        floor.prepare(int(stream.handle), int(by_count[0][0].handle), 32)

    def timed(run) -> float:
        launch(stream, spin_cfg, spin, np.uint64(20_000_000))
        t = time.perf_counter()
        run(400)
        dt = (time.perf_counter() - t) / 400
        stream.sync()
        return dt

    for n, (kernel, kargs) in by_count.items():
        name = f"launch_{n}"
        run = call_loop(launch, stream, cfg, kernel, *kargs)
        c_run = functools.partial(floor.c_loop, int(stream.handle), int(kernel.handle), 32, raw[n]) if floor else None
        batches, c_batches = [], []
        for _ in range(25):
            batches.append(timed(run))
            if c_run is not None:
                c_batches.append(timed(c_run))
        results[name] = statistics.median(batches) * 1e6
        if c_batches:
            results[f"{name} C"] = statistics.median(c_batches) * 1e6
    buf.close()
    results["module"] = cuda.core.__file__
    results["version"] = getattr(cuda.core, "__version__", "?")
    print(json.dumps(results))


main()
