# SPDX-License-Identifier: Apache-2.0
"""A check of an installed stack, run by ci/release.py (and ci/metapackage_gpu.sh) in a fresh venv.

Imports every package, checks that each comes from this venv and that the CUDA libraries of the
`all` extra load from the venv's nvidia-* wheels, compiles CUDA C++ to PTX with NVRTC
(cuda.bindings and cuda.core) and links it to a cubin with nvJitLink. No GPU is needed; with
--gpu, `python -m cuda.core` must also run saxpy on device 0 and match numpy.
"""

import importlib
import pathlib
import subprocess
import sys

prefix = pathlib.Path(sys.prefix).resolve()
for name in ("cuda.pathfinder", "cuda.bindings", "cuda.core"):
    module = importlib.import_module(name)
    where = pathlib.Path(module.__file__).resolve()
    assert prefix in where.parents, f"{name} comes from {where}, not from {prefix}"
    print(f"  {name} {module.__version__}: {where.parent}")

from cuda.pathfinder import load_nvidia_dynamic_lib  # noqa: E402

for lib in ("cudart", "nvrtc", "nvJitLink", "nvvm", "nvfatbin"):
    where = pathlib.Path(load_nvidia_dynamic_lib(lib).abs_path).resolve()
    assert prefix in where.parents, f"lib{lib} loads from {where}, not from {prefix}"
    print(f"  lib{lib}: {where}")

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
if "--gpu" not in sys.argv[1:]:
    print("stack OK (compile-only)")
    sys.exit(0)
demo = subprocess.run([sys.executable, "-m", "cuda.core"], capture_output=True, text=True, check=True).stdout
print("  " + demo.strip().replace("\n", "\n  "))
assert "result matches numpy" in demo, "python -m cuda.core did not run saxpy on the GPU"
print("stack OK (GPU)")
