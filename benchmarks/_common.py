"""Shared benchmark plumbing: the reference venv, fresh-process samples, C twins."""

from __future__ import annotations

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
sys.path.insert(0, str(REPO / "ci"))
import toolkit  # noqa: E402

# NVIDIA's releases we measure against (the versions we are compatible with).
REFERENCE = {"cuda-pathfinder": "1.9.1", "cuda-bindings": "13.0.3"}
REFERENCE_VENV = REPO / ".bench" / "nvidia-venv"


def reference_python(packages: list[str]) -> str:
    """A venv holding NVIDIA's packages and the same nvidia-* wheels as ours (made on first use)."""
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


def build_c_twin(source: str) -> str:
    """Compile benchmarks/c/<source> into a temporary executable."""
    cc = shutil.which("cc") or shutil.which("gcc")
    out = os.path.join(tempfile.mkdtemp(prefix="twin-"), source.rsplit(".", 1)[0])
    subprocess.run([cc, "-O2", "-o", out, str(REPO / "benchmarks" / "c" / source), "-ldl"], check=True)
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
