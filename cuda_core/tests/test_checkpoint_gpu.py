# SPDX-License-Identifier: Apache-2.0
"""cuda.core.checkpoint on a GPU: another process is locked, checkpointed, restored and unlocked,
and its device memory holds what it held before."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from cuda.core import checkpoint

pytestmark = pytest.mark.gpu

# The process checkpointed: fills 1 MiB of device memory, waits, then reads it back.
CHILD = textwrap.dedent(
    """
    import sys
    from cuda.bindings import driver as d

    def ok(result):
        assert int(result[0]) == 0, result[0]
        return result[1] if len(result) > 1 else None

    ok(d.cuInit(0))
    ctx = ok(d.cuDevicePrimaryCtxRetain(ok(d.cuDeviceGet(0))))
    ok(d.cuCtxSetCurrent(ctx))
    n = 1 << 20
    ptr = ok(d.cuMemAlloc(n))
    ok(d.cuMemsetD8(ptr, 0x5A, n))
    ok(d.cuCtxSynchronize())
    print("ready", flush=True)
    sys.stdin.readline()
    out = bytearray(n)
    ok(d.cuMemcpyDtoH(out, ptr, n))
    print("same" if out == b"\\x5a" * n else "changed", flush=True)
    """
)


def test_a_process_is_checkpointed_and_restored(device):
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout.readline().strip() == "ready", child.stderr.read()
        proc = checkpoint.Process(child.pid)
        assert proc.state == "running"
        assert proc.restore_thread_id > 0
        proc.lock(timeout_ms=10_000)
        assert proc.state == "locked"
        proc.checkpoint()  # its device memory is on the host now, its GPU released
        assert proc.state == "checkpointed"
        proc.restore()
        assert proc.state == "locked"
        proc.unlock()
        assert proc.state == "running"
        out, err = child.communicate("\n", timeout=60)
        assert out.strip() == "same", err
        assert child.returncode == 0, err
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()


def test_this_process_is_running(device):
    import os

    assert checkpoint.Process(os.getpid()).state == "running"
