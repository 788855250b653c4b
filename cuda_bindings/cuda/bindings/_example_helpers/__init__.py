# SPDX-License-Identifier: Apache-2.0
"""``cuda.bindings._example_helpers``: the small helpers NVIDIA's public cuda-bindings examples import.

It exists because those examples (``examples/*/*.py`` in NVIDIA's repository) do
``from cuda.bindings._example_helpers import ...``; with it they run unchanged on ours. It is
built only on the public APIs (``cuda.bindings.driver``, ``runtime``, ``nvrtc`` and
``cuda.pathfinder``) and is not meant for other use. The submodules keep NVIDIA's layout:
``helper_string`` (command line), ``helper_cuda`` (results and devices), ``common`` (kernels and
waivers).

Behaviour the examples rely on:

- ``check_cuda_errors(result)`` takes the tuple a driver, runtime or NVRTC call returns; when its
  status is not success it raises ``CudaCallError`` (a ``RuntimeError``) whose message reads
  ``CUDA error code=<number>(<name>)``; otherwise it returns ``None``, the one value after the
  status, or a tuple of the values after it.
- ``requirement_not_met(message)`` prints the message to stderr and exits the process with the
  code in the environment variable ``CUDA_BINDINGS_SKIP_EXAMPLE``, or 1 where it is unset (or not
  an integer). NVIDIA's example runner sets it to 100 and reports an example that exits with 100
  as skipped ("waived"); run by hand, an unmet requirement is a plain failure.
- ``check_cmd_line_flag(name)`` and ``get_cmd_line_argument_int(name)`` look at ``sys.argv[1:]``
  (never the program name). A flag is present when an argument equals it; the value of
  ``device=`` is the argument after it (``device= 1``), or, for a name ending in ``=``, the rest of
  a joined argument (``device=1``, the form the examples' usage texts show). The value is 0 when
  the flag or its value is missing.
- ``find_cuda_device()`` picks the device given as ``device=`` (else 0), makes it current with
  ``cudaSetDevice`` and returns its ordinal; ``find_cuda_device_drv()`` calls ``cuInit(0)`` and
  returns ``cuDeviceGet`` of that ordinal, a ``CUdevice``.
- ``KernelHelper(code, dev_id)`` compiles CUDA C++ with NVRTC for the device's architecture
  (a cubin; PTX where NVRTC cannot make a cubin for it), with the CUDA runtime and CCCL headers
  on the include path, and loads it into the current context; ``get_function(b"name")`` returns
  the ``CUfunction``. A failed compile prints the NVRTC log to stderr and raises
  ``KernelCompileError``; when headers were not found it is waived instead, as NVIDIA's skips.
"""

from .common import (
    KernelCompileError,
    KernelHelper,
    check_compute_capability_too_low,
    compile_kernel,
    cuda_include_dirs,
    nvrtc_supports_cubin,
    requirement_not_met,
)
from .helper_cuda import CudaCallError, check_cuda_errors, find_cuda_device, find_cuda_device_drv
from .helper_string import check_cmd_line_flag, get_cmd_line_argument_int

__all__ = [
    "CudaCallError",
    "KernelCompileError",
    "KernelHelper",
    "check_cmd_line_flag",
    "check_compute_capability_too_low",
    "check_cuda_errors",
    "compile_kernel",
    "cuda_include_dirs",
    "find_cuda_device",
    "find_cuda_device_drv",
    "get_cmd_line_argument_int",
    "nvrtc_supports_cubin",
    "requirement_not_met",
]
