"""Python callables as host functions, on a stand-in driver that runs them at once (no GPU needed).

The stand-in libcuda.so.1 (built here) answers cuGetProcAddress_v2 with a
cuLaunchHostFunc that calls the function immediately, or fails for stream 0xBAD.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

FAKE_DRIVER = r"""
#include <string.h>
typedef void (*host_fn)(void *);
static int nothing(void) { return 0; }
static int launch_host_func(void *stream, host_fn fn, void *data) {
    if ((unsigned long)stream == 0xBAD) return 400;  /* CUDA_ERROR_INVALID_HANDLE */
    fn(data);
    return 0;
}
int cuGetProcAddress_v2(const char *name, void **pfn, int version, unsigned long long flags, int *status) {
    (void)version; (void)flags;
    *pfn = strcmp(name, "cuLaunchHostFunc") == 0 ? (void *)launch_host_func : (void *)nothing;
    if (status) *status = 0;
    return 0;
}
"""

CHILD = textwrap.dedent(
    """
    import ctypes, sys
    from cuda.bindings import driver as cu

    caught = []
    sys.unraisablehook = lambda info: caught.append(info.exc_value)
    calls = []

    def record(data):
        calls.append(data)

    payload = {"any": "python object"}
    before = sys.getrefcount(record), sys.getrefcount(payload)
    assert cu.cuLaunchHostFunc(cu.CUstream(1), record, payload) == (cu.CUresult.CUDA_SUCCESS,)
    assert calls == [payload] and calls[0] is payload
    calls.clear()
    assert (sys.getrefcount(record), sys.getrefcount(payload)) == before, "kept alive after it ran"

    def boom(data):
        raise ValueError("raised in a host function")

    assert cu.cuLaunchHostFunc(cu.CUstream(1), boom, None)[0] == cu.CUresult.CUDA_SUCCESS
    assert len(caught) == 1 and isinstance(caught[0], ValueError)

    err, = cu.cuLaunchHostFunc(cu.CUstream(0xBAD), record, payload)
    assert err == cu.CUresult.CUDA_ERROR_INVALID_HANDLE and calls == []
    assert (sys.getrefcount(record), sys.getrefcount(payload)) == before, "released when the launch failed"

    seen = []
    c_fn = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(lambda data: seen.append(data))
    assert cu.cuLaunchHostFunc(cu.CUstream(1), c_fn, 77)[0] == cu.CUresult.CUDA_SUCCESS  # a C pointer: as is
    assert seen == [77]
    try:
        cu.cuLaunchHostFunc(cu.CUstream(1), "not callable", None)
    except TypeError:
        pass
    else:
        raise AssertionError("a str is not a host function")
    print("OK")
    """
)


def test_python_host_functions_on_a_stand_in_driver(tmp_path):
    cc = shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        pytest.skip("no C compiler")
    (tmp_path / "fake.c").write_text(FAKE_DRIVER)
    lib = tmp_path / "libcuda.so.1"
    subprocess.run([cc, "-shared", "-fPIC", "-Wl,-soname,libcuda.so.1", "-o", str(lib), str(tmp_path / "fake.c")],
                   check=True)  # fmt: skip
    env = dict(os.environ, LD_LIBRARY_PATH=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, env=env)
    assert out.returncode == 0 and out.stdout.strip() == "OK", out.stdout + out.stderr
