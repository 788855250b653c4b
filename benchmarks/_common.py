# SPDX-License-Identifier: Apache-2.0
"""Shared benchmark plumbing: the reference venv, fresh-process samples, C twins, and the driver
side of driver_calls.py / core_calls.py (kernels, CPU pinning, stacks in child processes, tables)."""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import venv

REPO = pathlib.Path(__file__).resolve().parent.parent
HERE = REPO / "benchmarks"

# NVIDIA's releases we measure against (the versions we are compatible with).
REFERENCE = {"cuda-pathfinder": "1.9.1", "cuda-bindings": "13.0.3"}
REFERENCE_VENV = REPO / ".bench" / "nvidia-venv"


def reference_python(packages: list[str]) -> str:
    """A venv holding NVIDIA's packages and the same nvidia-* wheels as ours (made on first use)."""
    from ci import toolkit  # not at the top: the children import _common where ci and PyYAML are not

    py = REFERENCE_VENV / "bin" / "python"
    if not py.exists():
        venv.EnvBuilder(with_pip=True).create(REFERENCE_VENV)
    wanted = [f"{p}=={REFERENCE[p]}" for p in packages] + toolkit.wheel_requirements()
    missing = subprocess.run(
        [str(py), "-c", "import sys, importlib.metadata as m\nfor r in sys.argv[1:]:\n n, v = r.split('==')\n"
         " try:\n  assert m.version(n) == v\n except Exception:\n  print(r)", *wanted],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    if missing:
        print(f"installing into {REFERENCE_VENV}: {' '.join(missing)}", file=sys.stderr, flush=True)
        subprocess.check_call([str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", *missing])
    return str(py)


def clean_env() -> dict:
    return {k: v for k, v in os.environ.items() if k not in ("CUDA_PATH", "CUDA_HOME", "CONDA_PREFIX", "PYTHONPATH")}


def run_json(python: str, code: str, *args: str) -> dict:
    proc = subprocess.run([python, "-c", code, *args], capture_output=True, text=True, env=clean_env())
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def median_of_processes(python: str, code: str, key: str, repeat: int, *args: str) -> float:
    return statistics.median(run_json(python, code, *args)[key] for _ in range(repeat))


def cuda_include() -> str:
    """The folder holding cuda.h: the nvidia-* wheels' headers (cuda.pathfinder), else CUDA_HOME's."""
    from cuda.pathfinder import find_nvidia_header_directory

    cuda_home = os.environ.get("CUDA_HOME", "/usr/local/cuda")
    return find_nvidia_header_directory("cudart") or os.path.join(cuda_home, "include")


def build_c_twin(source: str, include: str | None = None) -> str:
    """Compile benchmarks/c/<source> (with -I<include> when given) into a temporary executable."""
    cc = shutil.which("cc") or shutil.which("gcc")
    out = os.path.join(tempfile.mkdtemp(prefix="twin-"), source.rsplit(".", 1)[0])
    flags = [f"-I{include}"] if include else []
    subprocess.run([cc, "-O2", *flags, "-o", out, str(HERE / "c" / source), "-ldl"], check=True)
    return out


def machine() -> str:
    gpu = ""
    if shutil.which("nvidia-smi"):
        q = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"],
                           capture_output=True, text=True)  # fmt: skip
        gpu = f", GPU {q.stdout.strip()}" if q.returncode == 0 else ""
    return f"{platform.machine()} {os.cpu_count()} CPUs{gpu}, Python {platform.python_version()}"


def now() -> str:
    return time.strftime("%Y-%m-%d")


# ---------------------------------------------------------------------------------------------
# driver_calls.py and core_calls.py: the C twin, ours and NVIDIA's on one GPU, in one run

KERNELS = rb"""
extern "C" __global__ void spin(unsigned long long cycles) {
    unsigned long long start = clock64();
    while (clock64() - start < cycles) { }
}
extern "C" __global__ void k0() { }
extern "C" __global__ void k4(float a, float* x, float* y, unsigned long long n) { }
extern "C" __global__ void k16(float* p0, float* p1, float* p2, float* p3, int i0, int i1, int i2, int i3,
                               float f0, float f1, float f2, float f3, unsigned long long u0, unsigned long long u1,
                               double d0, double d1) { }
"""


def launch_args(buf) -> dict[int, tuple]:
    """The arguments of the k0, k4 and k16 launches of KERNELS for cuda.core's launch() (numpy
    scalars; ``buf``, a device Buffer, for each pointer), by argument count."""
    import numpy as np

    f32, i32, u64, f64 = np.float32, np.int32, np.uint64, np.float64
    pointers = (buf,) * 4
    return {
        0: (),
        4: (f32(1.5), buf, buf, u64(7)),
        16: (*pointers, *map(i32, (1, 2, 3, 4)), *map(f32, (1, 2, 3, 4)), u64(5), u64(6), f64(7.0), f64(8.0)),
    }


def launch_setup(dev, stream, cubin: str, object_code) -> tuple:
    """What the launch benchmarks' children launch, from the cubin of KERNELS: the spin kernel, a
    1 MiB buffer on ``dev``, {argument count: (kernel, launch() arguments)} and, for a C loop of
    the same launches, {argument count: each argument's bytes}. ``object_code``: the stack's
    cuda.core ObjectCode class."""
    import numpy as np

    with open(cubin, "rb") as f:
        code = object_code.from_cubin(f.read())
    spin, k0, k4, k16 = (code.get_kernel(n) for n in ("spin", "k0", "k4", "k16"))
    buf = dev.allocate(1 << 20, stream=stream)
    ptr = np.uint64(int(buf.handle))
    kernels = {0: k0, 4: k4, 16: k16}
    args = {n: (kernels[n], a) for n, a in launch_args(buf).items()}
    raw = {n: [(ptr if a is buf else a).tobytes() for a in a_] for n, (k, a_) in args.items()}
    return spin, args, raw, buf


def floor_workdir(tmp: str) -> str:
    """benchmarks/_launch_floor.pyx built in ``tmp`` and the cubin of KERNELS there; its path."""
    build_pyx("_launch_floor", tmp)
    cubin = os.path.join(tmp, "bench.cubin")
    make_cubin(cubin)
    return cubin


def kernel_params(dptr) -> dict[int, tuple | None]:
    """The same arguments as cuLaunchKernel's kernelParams, (values, ctypes types), by argument count;
    ``dptr``, a CUdeviceptr, for each pointer."""
    import ctypes

    P, N, F, U, D = ctypes.c_void_p, ctypes.c_int, ctypes.c_float, ctypes.c_uint64, ctypes.c_double
    values16 = (dptr,) * 4 + (1, 2, 3, 4, 1.0, 2.0, 3.0, 4.0, 5, 6, 7.0, 8.0)
    return {
        0: None,
        4: ((1.5, dptr, dptr, 7), (F, P, P, U)),
        16: (values16, (P,) * 4 + (N,) * 4 + (F,) * 4 + (U, U, D, D)),
    }


PIN_CORE = os.environ.get("BENCH_CORE", "2")


def make_cubin(path: str) -> None:
    """Compile KERNELS for device 0 into the cubin at ``path``."""
    from cuda.bindings import driver, nvrtc

    driver.cuInit(0)
    err, dev = driver.cuDeviceGet(0)
    major = driver.cuDeviceGetAttribute(driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev)[1]
    minor = driver.cuDeviceGetAttribute(driver.CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev)[1]
    err, prog = nvrtc.nvrtcCreateProgram(KERNELS, b"bench.cu", 0, [], [])
    (err,) = nvrtc.nvrtcCompileProgram(prog, 1, [f"-arch=sm_{major}{minor}".encode()])
    assert err == 0, err
    err, size = nvrtc.nvrtcGetCUBINSize(prog)
    cubin = bytearray(size)
    nvrtc.nvrtcGetCUBIN(prog, cubin)
    with open(path, "wb") as f:
        f.write(cubin)


def pinned(cmd: list[str]) -> list[str]:
    """Every stack on the same CPU core: a VM's cores differ in speed from run to run."""
    usable = PIN_CORE.isdigit() and int(PIN_CORE) in os.sched_getaffinity(0)  # a 2-core machine has no core 2
    return ["taskset", "-c", PIN_CORE, *cmd] if usable and shutil.which("taskset") else cmd


_TWINS = {}


def run_driver_twin(source: str, cubin: str) -> dict:
    """Run the C twin benchmarks/c/<source> (built against the CUDA headers on first use) on ``cubin``."""
    if source not in _TWINS:
        _TWINS[source] = build_c_twin(source, cuda_include())
    return json.loads(subprocess.check_output(pinned([_TWINS[source], cubin]), text=True))


def add_theirs_args(parser: argparse.ArgumentParser, python: bool = True) -> None:
    """--theirs-path (and --theirs-python unless ``python`` is false): where NVIDIA's stack runs. By
    default, this interpreter's own packages; --theirs-path puts a folder of NVIDIA's packages (their
    releases installed with pip --prefix, say) first on PYTHONPATH for their runs, as --ours-path
    does for ours."""
    if python:
        parser.add_argument("--theirs-python", default=sys.executable, help="an interpreter with NVIDIA's packages")
    parser.add_argument("--theirs-path", help="a folder of NVIDIA's packages, first on their PYTHONPATH")


def theirs_path(args: argparse.Namespace, *more: str) -> str | None:
    """NVIDIA's PYTHONPATH: --theirs-path (if given), then ``more`` (helper folders of the run)."""
    parts = [p for p in (args.theirs_path, *more) if p]
    return os.pathsep.join(parts) or None


def pythonpath_env(pythonpath: str | None) -> dict:
    """This environment with PYTHONPATH replaced by ``pythonpath`` (removed when None)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return env


def stack(python: str, child: str, cubin: str, pythonpath: str | None) -> dict:
    """The JSON that benchmarks/<child> prints, run pinned in a fresh ``python``."""
    out = subprocess.run(pinned([python, str(HERE / child), cubin]), capture_output=True, text=True,
                         env=pythonpath_env(pythonpath))  # fmt: skip
    if out.returncode:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def best(runs: list[dict]) -> dict:
    out = dict(runs[0])
    for key, value in runs[0].items():
        if isinstance(value, (int, float)):
            out[key] = min(r[key] for r in runs)
    return out


def overhead_rounds(what: str, twin: str, child: str, in_process_c: bool = False):
    """Parse --ours-path/--theirs-python/--theirs-path/--json/--rounds, then run the C twin benchmarks/c/<twin>
    and benchmarks/<child> under ours and NVIDIA's, in rounds that alternate between the stacks
    so drifts of the machine hit all three alike; prints the heading line. Returns the arguments,
    the runs ({"c", "ours", "nvidia"} -> one result per round), the best round's figures of each
    stack and the GPU's name."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--ours-path", required=True)
    add_theirs_args(parser)
    parser.add_argument("--json", help="also write the raw numbers here")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp()
    cubin = os.path.join(tmp, "bench.cubin")
    make_cubin(cubin)
    # in_process_c: the children's C loop of launches (benchmarks/_launch_floor.pyx), where it builds
    try:
        if in_process_c:
            build_pyx("_launch_floor", tmp)
    except (subprocess.CalledProcessError, OSError) as exc:
        print(f"# no in-process C loop ({exc}): launches are compared with the C twin's process", file=sys.stderr)
    ours_path = os.pathsep.join([args.ours_path, tmp])
    runs = {"c": [], "ours": [], "nvidia": []}
    for _ in range(args.rounds):
        runs["c"].append(run_driver_twin(twin, cubin))
        runs["ours"].append(stack(sys.executable, child, cubin, ours_path))
        runs["nvidia"].append(stack(args.theirs_python, child, cubin, theirs_path(args, tmp)))
    c, ours, theirs = (best(runs[k]) for k in ("c", "ours", "nvidia"))
    gpu = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"],
                         capture_output=True, text=True).stdout.strip()  # fmt: skip
    print(f"# {what}, {gpu}, {args.rounds} alternating rounds, all on CPU core {PIN_CORE}")
    return args, runs, (c, ours, theirs), gpu


IMPORT = """
import time
def rss():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * 4096 / 2**20
r0 = rss(); t = time.perf_counter()
import {module}
print((time.perf_counter() - t) * 1e3, rss() - r0)
"""


def import_cost(python: str, pythonpath: str | None, module: str, repeat: int = 11) -> tuple[float, float]:
    """Median time (ms) and resident memory added (MiB) of `import <module>`, fresh processes."""
    env = pythonpath_env(pythonpath)
    samples = sorted(
        tuple(
            map(
                float,
                subprocess.check_output(
                    pinned([python, "-c", IMPORT.format(module=module)]), env=env, text=True
                ).split(),
            )
        )
        for _ in range(repeat)
    )
    return samples[repeat // 2]


def overhead_table(rows, c: dict, ours: dict, theirs: dict) -> list[str]:
    """Markdown rows: each call's cost in C, NVIDIA's and ours, and each stack's cost above C."""
    lines = [
        "| call | C | NVIDIA | ours | NVIDIA above C | ours above C | ours/NVIDIA above C |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for key, unit in rows:
        cv, tv, ov = c[key], theirs[key], ours[key]
        ta, oa = above_c(theirs, c, key), above_c(ours, c, key)
        ratio = oa / ta if ta > 0 else float("nan")
        lines.append(f"| {key} ({unit}) | {cv:.2f} | {tv:.2f} | {ov:.2f} | {ta:.2f} | {oa:.2f} | {ratio:.2f} |")
    return lines


def print_medians(rows, runs: dict) -> None:
    """The result: the medians table over the rounds, with their range."""
    print(f"# {len(runs['c'])} rounds: median (and range) over rounds of each stack's cost above C in that round;")
    print("# launches above the C loop run in the stack's own process, interleaved with its batches where the")
    print("# child measured one ('launch_N C'), other calls above the C twin's process")
    print("\n".join(median_table(rows, runs)))


def report(rows, path: str) -> int:
    """`--report JSON` of driver_calls.py / core_calls.py: the medians table again, from a run's raw numbers."""
    with open(path) as f:
        print("\n".join(median_table(rows, json.load(f)["runs"])))
    return 0


def above_c(result: dict, twin: dict, key: str) -> float:
    """A stack's cost of ``key`` above C: above the C loop run in its own process (``key + " C"``,
    interleaved with its batches) where the child measured one, else above the C twin's process."""
    own = result.get(f"{key} C")
    return result[key] - (own if own is not None else twin[key])


def spread(values: list[float], digits: int = 2) -> str:
    """The median of ``values`` and their range, as the tables print them."""
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f} to {max(values):.{digits}f})"


def median_table(rows, runs: dict) -> list[str]:
    """Markdown rows that hold up on a noisy machine: per call, the median over rounds of each
    stack's cost above C in that round (with the range over rounds), their ratio, and in how many
    rounds ours was at most half of NVIDIA's."""
    lines = [
        "| call | NVIDIA above C, median (range) | ours above C, median (range) | ours/NVIDIA "
        "| rounds with ours <= half |",
        "| --- | --- | --- | --- | --- |",
    ]
    for key, unit in rows:
        if any(r.get(key) is None for k in ("c", "ours", "nvidia") for r in runs[k]):
            continue
        theirs = [above_c(t, c, key) for t, c in zip(runs["nvidia"], runs["c"])]
        ours = [above_c(o, c, key) for o, c in zip(runs["ours"], runs["c"])]
        t, o = statistics.median(theirs), statistics.median(ours)
        met = sum(b > 0 and a <= b / 2 for a, b in zip(ours, theirs))
        ratio = o / t if t > 0 else float("nan")
        lines.append(f"| {key} ({unit}) | {spread(theirs)} | {spread(ours)} | {ratio:.2f} | {met} of {len(ours)} |")
    return lines


def build_pyx(name: str, workdir: str) -> None:
    """Compile benchmarks/<name>.pyx into an extension module in ``workdir`` (Cython, a C compiler,
    cuda.h from the CUDA headers); the floors' helpers are built where they run."""
    src = pathlib.Path(workdir) / f"{name}.pyx"
    src.write_text((HERE / f"{name}.pyx").read_text())
    env = dict(os.environ, CFLAGS=f"-O2 -I{cuda_include()}")
    subprocess.run([sys.executable, "-m", "Cython.Build.Cythonize", "-i", "-3", "-q", str(src)], cwd=workdir, env=env,
                   check=True, capture_output=True)  # fmt: skip


def run_child(code: str, pythonpath: str, *args: str) -> dict:
    """``python -c code *args`` pinned, with ``pythonpath`` as PYTHONPATH; its last line, as JSON."""
    out = subprocess.run(pinned([sys.executable, "-c", code, *args]), capture_output=True, text=True,
                         env=pythonpath_env(pythonpath))  # fmt: skip
    if out.returncode:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def call_loop(fn, *args):
    """``run(n)``: n calls ``fn(*args)`` written out with each argument named, as a user writes a
    launch (``launch(s, cfg, k, a, b)``), not ``fn(*args)``, whose argument tuple and slower call
    path would be timed with it; the function and arguments are locals of the loop."""
    names = [f"a{i}" for i in range(len(args))]
    src = f"def loop(n, fn, {', '.join(names)}):\n    for _ in range(n):\n        fn({', '.join(names)})\n"
    scope = {}
    exec(src, scope)
    loop = scope["loop"]
    return lambda n: loop(n, fn, *args)
