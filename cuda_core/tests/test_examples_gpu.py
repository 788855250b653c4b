# SPDX-License-Identifier: Apache-2.0
"""Each example in cuda_core/examples runs on the GPU and checks its own results (exit status 0,
"ok"); mpi_exchange.py has its own test (two GPUs, mpiexec)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from test_examples import EXAMPLES, NAMES

pytestmark = pytest.mark.gpu


@pytest.mark.parametrize("name", [n for n in NAMES if n != "mpi_exchange"])
def test_example_runs(name):
    proc = subprocess.run([sys.executable, str(EXAMPLES / f"{name}.py")], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines and lines[-1].endswith("ok") and "MISMATCH" not in proc.stdout, proc.stdout
