# SPDX-License-Identifier: Apache-2.0
"""Downstream Cython modules, built here, cimport cynvrtc (and compile a kernel at C level),\ncydriver and cycufile."""

from __future__ import annotations

import ast
import os
import pathlib
import subprocess
import sys
import textwrap

import pytest
from _toolkit import CUDA_VERSION, MAJOR, RELEASE, headers_release

import cuda.bindings
from cuda.pathfinder import find_nvidia_header_directory

CONSUMER = textwrap.dedent(
    """
    # cython: language_level=3
    from cuda.bindings cimport cynvrtc

    def compile_to_ptx(bytes src, bytes arch):
        cdef cynvrtc.nvrtcProgram prog = NULL
        cdef const char* options[1]
        cdef size_t size = 0
        options[0] = arch
        err = cynvrtc.nvrtcCreateProgram(&prog, src, b"consumer.cu", 0, NULL, NULL)
        if err != cynvrtc.NVRTC_SUCCESS:
            raise RuntimeError(cynvrtc.nvrtcGetErrorString(err))
        try:
            with nogil:
                err = cynvrtc.nvrtcCompileProgram(prog, 1, options)
            if err != cynvrtc.NVRTC_SUCCESS:
                raise RuntimeError(cynvrtc.nvrtcGetErrorString(err))
            cynvrtc.nvrtcGetPTXSize(prog, &size)
            ptx = bytearray(size)
            cynvrtc.nvrtcGetPTX(prog, ptx)
            return bytes(ptx)
        finally:
            cynvrtc.nvrtcDestroyProgram(&prog)
    """
)

DRIVER_CONSUMER = textwrap.dedent(
    """
    # cython: language_level=3
    from cuda.bindings cimport cydriver

    def driver_version():
        cdef int version = -1
        cdef cydriver.CUresult err
        with nogil:
            err = cydriver.cuDriverGetVersion(&version)  # raises (through nogil) when there is no driver
        return int(err), version
    """
)

CUFILE_CONSUMER = textwrap.dedent(
    """
    # cython: language_level=3
    from cuda.bindings cimport cycufile

    def cufile_version():
        cdef int version = -1
        cdef cycufile.CUfileError_t status = cycufile.cuFileGetVersion(&version)
        return int(status.err), version
    """
)

SETUP = textwrap.dedent(
    """
    from setuptools import Extension, setup
    from Cython.Build import cythonize
    setup(
        ext_modules=cythonize(
            [Extension(name, [name + ".pyx"], include_dirs={includes!r})
             for name in ("consumer", "driver_consumer", "cufile_consumer")],
            include_path={pxd_root!r},
        ),
        script_args=["build_ext", "--inplace", "-q"],
    )
    """
)


def test_cimport_cynvrtc_from_a_downstream_module(tmp_path: pathlib.Path):
    pxd_root = str(pathlib.Path(cuda.bindings.__file__).resolve().parents[2])
    includes = [find_nvidia_header_directory(h) for h in ("nvrtc", "cudart", "cufile")]
    found = headers_release(includes[1]) if includes[1] else None
    if found is not None and found < CUDA_VERSION:  # e.g. the GPU machine's CUDA 13.0 beside a 13.5 build
        pytest.skip(
            f"cimporting cydriver compiles against cuda.h of CUDA {RELEASE} or newer; {includes[1]} has {found}"
        )
    (tmp_path / "consumer.pyx").write_text(CONSUMER)
    (tmp_path / "driver_consumer.pyx").write_text(DRIVER_CONSUMER)
    (tmp_path / "cufile_consumer.pyx").write_text(CUFILE_CONSUMER)
    (tmp_path / "setup.py").write_text(SETUP.format(includes=includes, pxd_root=[pxd_root]))
    build = subprocess.run([sys.executable, "setup.py"], cwd=tmp_path, capture_output=True, text=True)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    code = (
        "import consumer;"
        "ptx = consumer.compile_to_ptx(b'extern \"C\" __global__ void k(int* x) { *x = 7; }', b'-arch=sm_90');"
        "assert b'.entry k' in ptx, ptx[:200]; print('ok')"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), *filter(None, [os.environ.get("PYTHONPATH")])]))
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr
    # cydriver from downstream Cython: a version where there is a driver, a clean Python error where not
    code = (
        "import driver_consumer\n"
        "try:\n    print(driver_consumer.driver_version())\n"
        "except RuntimeError as e:\n    print('RAISED', type(e).__name__)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    out = run.stdout.strip()
    assert out == "RAISED DynamicLibNotFoundError" or out.startswith("(0, 1")  # (CUDA_SUCCESS, 1xxxx)
    # cycufile: cuFile's version from the library of the nvidia-cufile wheel (no GPU needed)
    run = subprocess.run(
        [sys.executable, "-c", "import cufile_consumer; print(cufile_consumer.cufile_version())"],
        cwd=tmp_path, capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    err, version = ast.literal_eval(run.stdout.strip())
    assert err == 0 and version >= (1150 if MAJOR >= 13 else 1140), run.stdout  # 1.15: CUDA 13.0; 1.14: 12.9
