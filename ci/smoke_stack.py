"""A compile-only check of an installed stack (no GPU needed): run by ci/release.py in a fresh venv.

Imports every package, checks that each comes from this venv, compiles CUDA C++ to PTX with
NVRTC (cuda.bindings and cuda.core) and links it to a cubin with nvJitLink.
"""

import importlib
import pathlib
import sys

prefix = pathlib.Path(sys.prefix).resolve()
for name in ("cuda.pathfinder", "cuda.bindings", "cuda.core"):
    module = importlib.import_module(name)
    where = pathlib.Path(module.__file__).resolve()
    assert prefix in where.parents, f"{name} comes from {where}, not from {prefix}"
    print(f"  {name} {module.__version__}: {where.parent}")

from cuda.bindings import nvjitlink, nvrtc  # noqa: E402

src = b'extern "C" __global__ void twice(float* x) { x[threadIdx.x] *= 2.0f; }'
err, prog = nvrtc.nvrtcCreateProgram(src, b"twice.cu", 0, [], [])
assert err == nvrtc.nvrtcResult.NVRTC_SUCCESS, err
(err,) = nvrtc.nvrtcCompileProgram(prog, 1, [b"-arch=compute_90"])
assert err == nvrtc.nvrtcResult.NVRTC_SUCCESS, err
err, size = nvrtc.nvrtcGetPTXSize(prog)
ptx = bytearray(size)
(err,) = nvrtc.nvrtcGetPTX(prog, ptx)
nvrtc.nvrtcDestroyProgram(prog)
assert b".entry twice" in ptx

handle = nvjitlink.create(1, ["-arch=sm_90"])
nvjitlink.add_data(handle, nvjitlink.InputType.PTX, bytes(ptx), len(ptx), "twice.ptx")
nvjitlink.complete(handle)
cubin = bytearray(nvjitlink.get_linked_cubin_size(handle))
nvjitlink.get_linked_cubin(handle, cubin)
nvjitlink.destroy(handle)
assert cubin[:4] == b"\x7fELF"
print(f"  NVRTC {nvrtc.nvrtcVersion()[1:]}: PTX {len(ptx)} bytes")
print(f"  nvJitLink {nvjitlink.version()}: cubin {len(cubin)} bytes")

from cuda.core import Program, ProgramOptions  # noqa: E402

code = Program(src.decode(), "c++", ProgramOptions(arch="sm_90")).compile("ptx")
print(f"  cuda.core Program: {type(code).__name__} ({code.code_type})")
print("stack OK (compile-only)")
