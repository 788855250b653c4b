# SPDX-License-Identifier: Apache-2.0
"""One round of benchmarks/launch_rounds.py in one stack's process; prints JSON.

argv: cubin path, pinning ("process": the parent pinned the whole process with taskset, the
driver's threads too; "thread": only this thread is pinned, after the driver started its threads),
the core. Interleaves batches of 400 launches queued behind a spin kernel: the C loop of the same
launches and the stack's launch() (0, 4, 16 arguments), and the do-nothing launch function with
the GIL released and held. Beside each batch, what could move it: this thread's involuntary and
voluntary context switches, the CPU time the process's other threads used meanwhile, and the speed
of a fixed pure-Python loop just before it (CPU clock and idle states).
"""

import json
import os
import resource
import statistics
import sys
import time

import numpy as np

import cuda.core

try:
    from cuda.core import Device, LaunchConfig, ObjectCode, launch
except ImportError:
    from cuda.core.experimental import Device, LaunchConfig, ObjectCode, launch
import _launch_floor as floor
from _common import call_loop, launch_setup

BATCHES, PER_BATCH = 25, 400
TICK_US = 1e6 / os.sysconf("SC_CLK_TCK")


def other_threads_cpu_us(me: int) -> float:
    """CPU time (user + system) of every thread of this process but ``me``, from /proc."""
    total = 0
    for tid in os.listdir("/proc/self/task"):
        if int(tid) == me:
            continue
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        except (OSError, IndexError, ValueError):
            pass
    return total * TICK_US


def probe_ns() -> float:
    """ns per iteration of a fixed pure-Python loop: the CPU's speed right now."""
    t = time.perf_counter()
    x = 0
    for i in range(20_000):
        x += i
    return (time.perf_counter() - t) / 20_000 * 1e9


def main():
    cubin, pinning, core = sys.argv[1], sys.argv[2], int(sys.argv[3])
    dev = Device(0)
    dev.set_current()
    stream = dev.create_stream()
    cfg, spin_cfg = LaunchConfig(grid=1, block=32), LaunchConfig(grid=1, block=1)
    spin, args, raw, buf = launch_setup(dev, stream, cubin, ObjectCode)
    kernels = {n: k for n, (k, _) in args.items()}
    floor.prepare(int(stream.handle), int(kernels[0].handle), 32)
    h = int(stream.handle)
    if pinning == "thread":
        os.sched_setaffinity(0, {core})  # on Linux, pid 0 is this thread alone
    me = __import__("threading").get_native_id()

    def c_loop(n):
        kernel, params = int(kernels[n].handle), raw[n]
        return lambda count: floor.c_loop(h, kernel, 32, params, count)

    loops = {}
    for n, (k, a) in args.items():
        loops[f"C_{n}"] = c_loop(n)
        loops[f"launch_{n}"] = call_loop(launch, stream, cfg, k, *a)
    loops["floor_released"] = call_loop(floor.launch_gil_released, stream, cfg, kernels[0])
    loops["floor_held"] = call_loop(floor.launch_gil_held, stream, cfg, kernels[0])
    samples = {name: [] for name in loops}
    for _ in range(BATCHES):
        for name, run in loops.items():
            launch(stream, spin_cfg, spin, np.uint64(20_000_000))
            speed = probe_ns()
            other0 = other_threads_cpu_us(me)
            r0 = resource.getrusage(resource.RUSAGE_THREAD)
            t = time.perf_counter()
            run(PER_BATCH)
            dt = (time.perf_counter() - t) / PER_BATCH * 1e6
            r1 = resource.getrusage(resource.RUSAGE_THREAD)
            other1 = other_threads_cpu_us(me)
            samples[name].append((dt, r1.ru_nivcsw - r0.ru_nivcsw, r1.ru_nvcsw - r0.ru_nvcsw, other1 - other0, speed))
            stream.sync()
    buf.close()
    out = {"module": cuda.core.__file__, "threads": len(os.listdir("/proc/self/task"))}
    for name, rows in samples.items():
        cols = list(zip(*rows))
        out[name] = statistics.median(cols[0])
        out[f"{name} nivcsw"] = statistics.mean(cols[1])
        out[f"{name} nvcsw"] = statistics.mean(cols[2])
        out[f"{name} other_us"] = statistics.mean(cols[3])
        out[f"{name} probe_ns"] = statistics.median(cols[4])
    print(json.dumps(out))


main()
