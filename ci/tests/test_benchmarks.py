# SPDX-License-Identifier: Apache-2.0
"""The GPU benchmarks' command lines: where each stack's packages come from (no GPU needed)."""

from __future__ import annotations

import argparse
import pathlib
import subprocess
import sys

import pytest

from benchmarks._common import add_theirs_args, theirs_path

REPO = pathlib.Path(__file__).resolve().parents[2]
# the benchmarks ci/gpu_run.sh runs, with NVIDIA=1 given NVIDIA's releases by --theirs-path
GPU_BENCHMARKS = ["core_calls", "driver_calls", "launch_floor", "driver_floor", "launch_rounds", "peer_copy"]


def parse(*argv: str, python: bool = True) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_theirs_args(parser, python=python)
    return parser.parse_args(list(argv))


def test_theirs_path_goes_before_the_runs_helper_folders():
    assert theirs_path(parse("--theirs-path", "/nvidia"), "/tmp/x", "/bench") == "/nvidia:/tmp/x:/bench"


def test_without_theirs_path_nvidia_runs_on_the_interpreters_own_packages():
    args = parse()
    assert args.theirs_python == sys.executable
    assert theirs_path(args) is None  # PYTHONPATH removed, not set to ""
    assert theirs_path(args, "/tmp/x") == "/tmp/x"


def test_theirs_python_left_out_where_the_benchmark_runs_one_interpreter():
    with pytest.raises(SystemExit):
        parse("--theirs-python", "/usr/bin/python3", python=False)


@pytest.mark.parametrize("name", GPU_BENCHMARKS)
def test_every_gpu_benchmark_takes_theirs_path(name):
    out = subprocess.run(
        [sys.executable, "-m", f"benchmarks.{name}", "--help"], capture_output=True, text=True, cwd=REPO
    )
    assert out.returncode == 0, out.stderr
    assert "--theirs-path" in out.stdout
