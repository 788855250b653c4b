# SPDX-License-Identifier: Apache-2.0
"""check_nvvm_compiler_options: whether the installed libNVVM accepts some compiler options."""

from __future__ import annotations

from collections.abc import Sequence

# The smallest module libNVVM compiles: one empty kernel. Its IR version metadata is filled in
# from nvvm.ir_version(), so the probe matches the installed library.
_PROBE = """target triple = "nvptx64-unknown-cuda"
target datalayout = "e-i64:64-i128:128-v16:16-v32:32-n16:32:64"

define void @probe() {{
  ret void
}}

!nvvm.annotations = !{{!0}}
!0 = !{{void ()* @probe, !"kernel", i32 1}}
!nvvmir.version = !{{!1}}
!1 = !{{i32 {0}, i32 {1}, i32 {2}, i32 {3}}}
"""


def check_nvvm_compiler_options(options: Sequence[str]) -> bool:
    """True when libNVVM compiles a small program with ``options`` (e.g. ``["-arch=compute_90",
    "-g"]``), False when it refuses them or when libNVVM is not installed."""
    if isinstance(options, (str, bytes)):
        raise TypeError("options must be a sequence of strings, not one string")
    from cuda.bindings import nvvm
    from cuda.pathfinder import DynamicLibNotFoundError

    try:
        ir = _PROBE.format(*nvvm.ir_version()).encode()
    except (DynamicLibNotFoundError, RuntimeError):  # no libNVVM here
        return False
    encoded = [o.encode() if isinstance(o, str) else bytes(o) for o in options]
    prog = nvvm.create_program()
    try:
        nvvm.add_module_to_program(prog, ir, len(ir), "probe")
        nvvm.compile_program(prog, len(encoded), encoded)
    except nvvm.nvvmError:
        return False
    finally:
        nvvm.destroy_program(prog)
    return True
