# SPDX-License-Identifier: Apache-2.0
"""cuda.core.checkpoint without a GPU: argument checks, the UUID mapping given to restore, and the
error when the driver cannot checkpoint."""

from __future__ import annotations

import pytest

from cuda.bindings import driver as real_driver
from cuda.core import checkpoint


@pytest.mark.parametrize(
    ("pid", "error", "match"),
    [("12", TypeError, "pid must be an int"), (True, TypeError, "pid must be an int"),
     (0, ValueError, "pid must be a positive int"), (-4, ValueError, "pid must be a positive int")],
)  # fmt: skip
def test_process_checks_its_pid(pid, error, match):
    with pytest.raises(error, match=match):
        checkpoint.Process(pid)


def test_process_is_a_read_only_value():
    proc = checkpoint.Process(42)
    assert proc.pid == 42 and checkpoint.__all__ == ["Process"]
    with pytest.raises(AttributeError):
        proc.pid = 43
    assert proc == checkpoint.Process(42) and len({proc, checkpoint.Process(42)}) == 1
    assert repr(proc) == "<checkpoint.Process pid=42>"


class _RecordingDriver:
    """The checkpoint calls of cuda.bindings.driver, recorded instead of made."""

    CUcheckpointLockArgs = real_driver.CUcheckpointLockArgs
    CUcheckpointCheckpointArgs = real_driver.CUcheckpointCheckpointArgs
    CUcheckpointRestoreArgs = real_driver.CUcheckpointRestoreArgs
    CUcheckpointUnlockArgs = real_driver.CUcheckpointUnlockArgs
    if hasattr(real_driver, "CUcheckpointGpuPair"):  # the 12.x line's bindings have no GPU remapping
        CUcheckpointGpuPair = real_driver.CUcheckpointGpuPair

    def __init__(self):
        self.calls = []

    def __getattr__(self, name):
        if name.startswith("CU"):  # a type the real module lacks (12.x: CUcheckpointGpuPair)
            raise AttributeError(name)

        def call(*args):
            self.calls.append((name, args))
            if name == "cuCheckpointProcessGetState":
                return (real_driver.CUresult.CUDA_SUCCESS, real_driver.CUprocessState.CU_PROCESS_STATE_LOCKED)
            if name == "cuCheckpointProcessGetRestoreThreadId":
                return (real_driver.CUresult.CUDA_SUCCESS, 1234)
            return (real_driver.CUresult.CUDA_SUCCESS,)

        return call


def test_calls_and_arguments(monkeypatch):
    fake = _RecordingDriver()
    monkeypatch.setattr(checkpoint, "_get_driver", lambda: fake)
    proc = checkpoint.Process(7)
    proc.lock(timeout_ms=5000)
    proc.checkpoint()
    a, b = "0123456789abcdef0123456789abcdef", "GPU-fedcba98-7654-3210-fedc-ba9876543210"
    if not hasattr(real_driver, "CUcheckpointGpuPair"):  # the 12.x line: no remapping, said clearly
        with pytest.raises(RuntimeError, match="CUcheckpointGpuPair"):
            proc.restore(gpu_mapping={a: b, b: a})
        return
    proc.restore(gpu_mapping={a: b, b: a})
    proc.unlock()
    assert proc.state == "locked" and proc.restore_thread_id == 1234
    names = [name for name, _ in fake.calls]
    assert names[:4] == ["cuCheckpointProcessLock", "cuCheckpointProcessCheckpoint",
                         "cuCheckpointProcessRestore", "cuCheckpointProcessUnlock"]  # fmt: skip
    lock_args = fake.calls[0][1][1]
    assert fake.calls[0][1][0] == 7 and lock_args.timeoutMs == 5000
    restore_args = fake.calls[2][1][1]
    assert restore_args.gpuPairsCount == 2
    first = restore_args.gpuPairs[0]
    assert first.oldUuid.bytes == bytes.fromhex(a) and first.newUuid.bytes == bytes.fromhex(b[4:].replace("-", ""))
    with pytest.raises(ValueError, match="device UUIDs"):
        proc.restore(gpu_mapping={"not-a-uuid": a})
    with pytest.raises(TypeError):
        proc.lock(timeout_ms=1.5)
    with pytest.raises(ValueError):
        proc.lock(timeout_ms=-1)


def test_failed_calls_raise_cuda_errors(monkeypatch):
    from cuda.core import CUDAError

    class Refusing(_RecordingDriver):
        def __getattr__(self, name):
            return lambda *args: (real_driver.CUresult.CUDA_ERROR_NOT_SUPPORTED,)

    monkeypatch.setattr(checkpoint, "_get_driver", lambda: Refusing())
    with pytest.raises(CUDAError, match="CUDA_ERROR_NOT_SUPPORTED"):
        checkpoint.Process(7).unlock()


def test_without_a_driver_says_checkpointing_is_unsupported():
    try:
        real_driver.cuDriverGetVersion()
    except Exception:
        pass
    else:
        pytest.skip("a CUDA driver is installed here")
    with pytest.raises(RuntimeError, match="not supported by the installed NVIDIA driver"):
        _ = checkpoint.Process(1).state
