"""Driver API call overhead on a GPU: the C twin, ours and NVIDIA's cuda-bindings, in one run.

    python benchmarks/driver_calls.py --ours-path SITE [--theirs-python PYTHON]

--ours-path: the folder our packages are installed in (put first on PYTHONPATH for
our runs); NVIDIA's run uses the same interpreter without it (gpu/README.md's
shadowing), or --theirs-python. Each stack runs benchmarks/_driver_child.py in
a fresh process; the C twin is benchmarks/c/driver_twin.c. Methodology as in
the anchors: best of 5 loops per call; launches are the median of 25 batches of
400 launches queued behind a spin kernel (CPU cost, not GPU throughput).
Prints a table with each stack's cost above C and the ratio of ours to NVIDIA's.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parent

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

ROWS = [
    ("cuCtxGetCurrent", "ns"),
    ("cuDeviceGetAttribute", "ns"),
    ("cuEventRecord", "ns"),
    ("cuStreamQuery", "ns"),
    ("cuMemAllocAsync+cuMemFreeAsync", "ns"),
    ("cuPointerGetAttribute", "ns"),
    ("launch_0", "us"),
    ("launch_4", "us"),
    ("launch_16", "us"),
]


def make_cubin(path: str) -> None:
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


_TWIN = []


def c_twin(cubin: str) -> dict:
    if not _TWIN:
        from cuda.pathfinder import find_nvidia_header_directory

        include = find_nvidia_header_directory("cudart")
        exe = os.path.join(tempfile.mkdtemp(), "driver_twin")
        cc = shutil.which("cc") or shutil.which("gcc")
        subprocess.run([cc, "-O2", f"-I{include}", "-o", exe, str(HERE / "c" / "driver_twin.c"), "-ldl"], check=True)
        _TWIN.append(exe)
    return json.loads(subprocess.check_output(pinned([_TWIN[0], cubin]), text=True))


def pinned(cmd: list[str]) -> list[str]:
    """Every stack on the same CPU core: a VM's cores differ in speed from run to run."""
    return ["taskset", "-c", PIN_CORE, *cmd] if PIN_CORE and shutil.which("taskset") else cmd


PIN_CORE = os.environ.get("BENCH_CORE", "2")


def stack(python: str, cubin: str, pythonpath: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    cmd = pinned([python, str(HERE / "_driver_child.py"), cubin])
    out = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if out.returncode:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


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
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
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


def best(runs: list[dict]) -> dict:
    out = dict(runs[0])
    for key, value in runs[0].items():
        if isinstance(value, (int, float)):
            out[key] = min(r[key] for r in runs)
    return out


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ours-path", required=True)
    parser.add_argument("--theirs-python", default=sys.executable)
    parser.add_argument("--json", help="also write the raw numbers here")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    cubin = os.path.join(tempfile.mkdtemp(), "bench.cubin")
    make_cubin(cubin)
    # Rounds alternate between the stacks so drifts of the machine hit all three alike; each
    # figure is the best round's.
    runs = {"c": [], "ours": [], "nvidia": []}
    for _ in range(args.rounds):
        runs["c"].append(c_twin(cubin))
        runs["ours"].append(stack(sys.executable, cubin, args.ours_path))
        runs["nvidia"].append(stack(args.theirs_python, cubin, None))
    c, ours, theirs = (best(runs[k]) for k in ("c", "ours", "nvidia"))
    gpu = subprocess.run(["nvidia-smi", "--query-gpu=name,driver_version", "--format=csv,noheader"],
                         capture_output=True, text=True).stdout.strip()  # fmt: skip
    print(f"# driver call overhead, {gpu}, best of {args.rounds} alternating rounds, all on CPU core {PIN_CORE}")
    print(f"# ours: {ours['module']}; NVIDIA: {theirs['module']}")
    print("| call | C | NVIDIA | ours | NVIDIA above C | ours above C | ours/NVIDIA above C |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for key, unit in ROWS:
        cv, tv, ov = c[key], theirs[key], ours[key]
        ratio = (ov - cv) / (tv - cv) if tv > cv else float("nan")
        print(f"| {key} ({unit}) | {cv:.2f} | {tv:.2f} | {ov:.2f} | {tv - cv:.2f} | {ov - cv:.2f} | {ratio:.2f} |")
    imports = {}
    for module in ("cuda.bindings.driver", "cuda.bindings.runtime"):
        (ours_ms, ours_mib), (theirs_ms, theirs_mib) = (
            import_cost(sys.executable, args.ours_path, module),
            import_cost(args.theirs_python, None, module),
        )
        imports[module] = {"ours": [ours_ms, ours_mib], "nvidia": [theirs_ms, theirs_mib]}
        print(f"| import {module}, median of 11 fresh processes (ms) | | {theirs_ms:.1f} | {ours_ms:.1f} "
              f"| | | {ours_ms / theirs_ms:.2f} |")  # fmt: skip
        print(
            f"| memory `import {module}` adds (MiB RSS) | | {theirs_mib:.1f} | {ours_mib:.1f} | | "
            f"| {ours_mib / theirs_mib:.2f} |"
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                {"best": {"c": c, "ours": ours, "nvidia": theirs}, "runs": runs, "gpu": gpu, "imports": imports},
                f,
                indent=1,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
