# SPDX-License-Identifier: Apache-2.0
"""Checkpoint and restore the CUDA state of a process (Linux, through the driver's
cuCheckpointProcess* API).

A Process names another process (or this one) by its pid. ``lock()`` stops new CUDA work in it
and waits for the work already queued; ``checkpoint()`` copies its device memory to the host and
releases the GPUs; ``restore()`` puts it back, on other GPUs of the same kind when a
``gpu_mapping`` says so; ``unlock()`` lets it run again. ``state`` says where it stands:
"running", "locked", "checkpointed" or "failed".

    proc = Process(pid)
    proc.lock(timeout_ms=5000)
    proc.checkpoint()        # the process's GPU memory is now on the host
    proc.restore()           # back on its GPUs; still locked
    proc.unlock()
"""

from __future__ import annotations

import functools

__all__ = ["Process"]

_STATES = ("running", "locked", "checkpointed", "failed")  # CU_PROCESS_STATE_* in order
_API = ("cuCheckpointProcessLock", "cuCheckpointProcessCheckpoint", "cuCheckpointProcessRestore",
        "cuCheckpointProcessUnlock", "cuCheckpointProcessGetState", "cuCheckpointProcessGetRestoreThreadId",
        "CUcheckpointLockArgs", "CUcheckpointCheckpointArgs", "CUcheckpointRestoreArgs",
        "CUcheckpointUnlockArgs")  # fmt: skip


@functools.cache  # probed once; a failed probe (no driver) is not cached and is tried again
def _get_driver():
    """cuda.bindings.driver when it and the installed driver have the checkpoint API; RuntimeError
    saying which is missing otherwise."""
    from cuda.bindings import driver

    missing = [name for name in _API if not hasattr(driver, name)]
    if missing:
        raise RuntimeError(
            f"CUDA checkpointing requires cuda.bindings with CUDA checkpoint API support. Missing: {', '.join(missing)}"
        )
    try:
        err, version = driver.cuDriverGetVersion()
    except Exception as exc:  # no driver library at all
        raise RuntimeError(f"CUDA checkpointing is not supported by the installed NVIDIA driver. ({exc})") from exc
    if int(err) != 0 or version < 12080:  # the API came with CUDA 12.8 drivers
        raise RuntimeError(
            "CUDA checkpointing is not supported by the installed NVIDIA driver. It needs a CUDA 12.8 "
            f"or newer driver (this one reports {version // 1000}.{version % 1000 // 10})."
        )
    return driver


def _require_gpu_mapping_bindings(driver):
    """The restore with GPU remapping needs CUcheckpointGpuPair (RuntimeError otherwise)."""
    if not hasattr(driver, "CUcheckpointGpuPair"):
        raise RuntimeError(
            "CUDA checkpoint GPU remapping requires cuda.bindings with GPU remapping support. "
            "Missing: CUcheckpointGpuPair"
        )


def _check(result):
    """The value of a (CUresult, *values) tuple; CUDAError naming the result otherwise."""
    err = result[0]
    if int(err) != 0:
        from cuda.core._errors import driver_error

        raise driver_error(int(err))
    return result[1] if len(result) == 2 else None


def _uuid_bytes(uuid):
    """16 bytes from a device UUID: Device.uuid's text (with or without a 'GPU-' prefix) or bytes."""
    if isinstance(uuid, (bytes, bytearray)) and len(uuid) == 16:
        return bytes(uuid)
    if isinstance(uuid, str):
        text = uuid.removeprefix("GPU-").replace("-", "")
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raw = b""
        if len(raw) == 16:
            return raw
    raise ValueError(f"gpu_mapping keys and values must be device UUIDs (Device.uuid), not {uuid!r}")


class Process:
    """The CUDA state of one process, by pid (see the module's description)."""

    __slots__ = ("_pid",)

    def __init__(self, pid: int):
        if isinstance(pid, bool) or not isinstance(pid, int):
            raise TypeError(f"pid must be an int, not {type(pid).__name__}")
        if pid <= 0:
            raise ValueError(f"pid must be a positive int, got {pid}")
        self._pid = pid

    @property
    def pid(self) -> int:
        return self._pid

    @property
    def state(self) -> str:
        """ "running", "locked", "checkpointed" or "failed"."""
        return _STATES[int(_check(_get_driver().cuCheckpointProcessGetState(self._pid)))]

    @property
    def restore_thread_id(self) -> int:
        """The id of the thread in the process that restores its CUDA state."""
        return int(_check(_get_driver().cuCheckpointProcessGetRestoreThreadId(self._pid)))

    def lock(self, timeout_ms: int = 0) -> None:
        """Stop new CUDA calls of the process and wait for its queued work (0: no time limit)."""
        if isinstance(timeout_ms, bool) or not isinstance(timeout_ms, int):
            raise TypeError(f"timeout_ms must be an int, not {type(timeout_ms).__name__}")
        if timeout_ms < 0:
            raise ValueError(f"timeout_ms must be >= 0, got {timeout_ms}")
        driver = _get_driver()
        args = driver.CUcheckpointLockArgs()
        args.timeoutMs = timeout_ms
        _check(driver.cuCheckpointProcessLock(self._pid, args))

    def checkpoint(self) -> None:
        """Copy the locked process's device memory to the host and release its GPUs."""
        driver = _get_driver()
        _check(driver.cuCheckpointProcessCheckpoint(self._pid, driver.CUcheckpointCheckpointArgs()))

    def restore(self, gpu_mapping: dict | None = None) -> None:
        """Bring a checkpointed process back (it stays locked). ``gpu_mapping`` maps the UUID of
        each GPU it used to the UUID of the GPU to restore it on (all of its GPUs, same kind)."""
        driver = _get_driver()
        args = driver.CUcheckpointRestoreArgs()
        if gpu_mapping:
            if not isinstance(gpu_mapping, dict):
                raise TypeError(f"gpu_mapping must be a dict of UUIDs, not {type(gpu_mapping).__name__}")
            _require_gpu_mapping_bindings(driver)
            pairs = []
            for old, new in gpu_mapping.items():
                pair = driver.CUcheckpointGpuPair()
                pair.oldUuid.bytes = _uuid_bytes(old)
                pair.newUuid.bytes = _uuid_bytes(new)
                pairs.append(pair)
            args.gpuPairs = pairs
        _check(driver.cuCheckpointProcessRestore(self._pid, args))

    def unlock(self) -> None:
        """Let the process make CUDA calls again."""
        driver = _get_driver()
        _check(driver.cuCheckpointProcessUnlock(self._pid, driver.CUcheckpointUnlockArgs()))

    def __eq__(self, other):
        return isinstance(other, Process) and other._pid == self._pid

    def __hash__(self):
        return hash((Process, self._pid))

    def __repr__(self):
        return f"<checkpoint.Process pid={self._pid}>"
