# SPDX-License-Identifier: Apache-2.0
"""Build the host-emulated libcuda.so.1 (see cpu_driver.h) into OUTDIR.

    python ci/cpu_driver/build.py OUTDIR [--include DIR]

What cuda.h defines is generated here, not written by hand: the table of entry points (every
``CUresult CUDAAPI cu...(`` this folder's C files define), the error names and strings, and the
device attributes (the values of an H100 SXM for the attributes named in ``ATTRIBUTES``, 0 for
the rest). cuda.h comes from the CUDA headers wheel that the environment has (--include)."""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
STUBS = 4096  # entry points cuda.h may ask for that this driver does not define

# Values the emulated device reports (an H100 SXM's); attributes not listed read 0.
ATTRIBUTES = {
    "MAX_THREADS_PER_BLOCK": 1024,
    "MAX_BLOCK_DIM_X": 1024,
    "MAX_BLOCK_DIM_Y": 1024,
    "MAX_BLOCK_DIM_Z": 64,
    "MAX_GRID_DIM_X": 2147483647,
    "MAX_GRID_DIM_Y": 65535,
    "MAX_GRID_DIM_Z": 65535,
    "MAX_SHARED_MEMORY_PER_BLOCK": 49152,
    "TOTAL_CONSTANT_MEMORY": 65536,
    "WARP_SIZE": 32,
    "MAX_PITCH": 2147483647,
    "MAX_REGISTERS_PER_BLOCK": 65536,
    "CLOCK_RATE": 1980000,
    "TEXTURE_ALIGNMENT": 512,
    "GPU_OVERLAP": 1,
    "MULTIPROCESSOR_COUNT": 132,
    "CAN_MAP_HOST_MEMORY": 1,
    "MAXIMUM_TEXTURE1D_WIDTH": 131072,
    "MAXIMUM_TEXTURE2D_WIDTH": 131072,
    "MAXIMUM_TEXTURE2D_HEIGHT": 65536,
    "MAXIMUM_TEXTURE3D_WIDTH": 16384,
    "MAXIMUM_TEXTURE3D_HEIGHT": 16384,
    "MAXIMUM_TEXTURE3D_DEPTH": 16384,
    "MAXIMUM_SURFACE1D_WIDTH": 32768,
    "MAXIMUM_SURFACE2D_WIDTH": 131072,
    "MAXIMUM_SURFACE2D_HEIGHT": 65536,
    "MAXIMUM_SURFACE3D_WIDTH": 16384,
    "MAXIMUM_SURFACE3D_HEIGHT": 16384,
    "MAXIMUM_SURFACE3D_DEPTH": 16384,
    "SURFACE_ALIGNMENT": 512,
    "CONCURRENT_KERNELS": 1,
    "ECC_ENABLED": 1,
    "PCI_BUS_ID": 0x19,
    "PCI_DEVICE_ID": 0,
    "PCI_DOMAIN_ID": 0,
    "MEMORY_CLOCK_RATE": 2619000,
    "GLOBAL_MEMORY_BUS_WIDTH": 5120,
    "L2_CACHE_SIZE": 52428800,
    "MAX_THREADS_PER_MULTIPROCESSOR": 2048,
    "ASYNC_ENGINE_COUNT": 5,
    "UNIFIED_ADDRESSING": 1,
    "TEXTURE_PITCH_ALIGNMENT": 32,
    "COMPUTE_CAPABILITY_MAJOR": 9,
    "COMPUTE_CAPABILITY_MINOR": 0,
    "STREAM_PRIORITIES_SUPPORTED": 1,
    "GLOBAL_L1_CACHE_SUPPORTED": 1,
    "LOCAL_L1_CACHE_SUPPORTED": 1,
    "MAX_SHARED_MEMORY_PER_MULTIPROCESSOR": 233472,
    "MAX_REGISTERS_PER_MULTIPROCESSOR": 65536,
    "MANAGED_MEMORY": 1,
    "MULTI_GPU_BOARD_GROUP_ID": 0,
    "SINGLE_TO_DOUBLE_PRECISION_PERF_RATIO": 2,
    "PAGEABLE_MEMORY_ACCESS": 0,
    "CONCURRENT_MANAGED_ACCESS": 1,
    "COMPUTE_PREEMPTION_SUPPORTED": 1,
    "CAN_USE_HOST_POINTER_FOR_REGISTERED_MEM": 1,
    "CAN_USE_STREAM_MEM_OPS_V1": 1,
    "CAN_USE_64_BIT_STREAM_MEM_OPS_V1": 1,
    "COOPERATIVE_LAUNCH": 1,
    "MAX_SHARED_MEMORY_PER_BLOCK_OPTIN": 232448,
    "CAN_FLUSH_REMOTE_WRITES": 0,
    "HOST_REGISTER_SUPPORTED": 1,
    "DIRECT_MANAGED_MEM_ACCESS_FROM_HOST": 0,
    "VIRTUAL_MEMORY_MANAGEMENT_SUPPORTED": 1,
    "HANDLE_TYPE_POSIX_FILE_DESCRIPTOR_SUPPORTED": 1,
    "MAX_BLOCKS_PER_MULTIPROCESSOR": 32,
    "GENERIC_COMPRESSION_SUPPORTED": 1,
    "MAX_PERSISTING_L2_CACHE_SIZE": 34078720,
    "MAX_ACCESS_POLICY_WINDOW_SIZE": 134213632,
    "RESERVED_SHARED_MEMORY_PER_BLOCK": 1024,
    "SPARSE_CUDA_ARRAY_SUPPORTED": 1,
    "READ_ONLY_HOST_REGISTER_SUPPORTED": 1,
    "MEMORY_POOLS_SUPPORTED": 1,
    "GPU_DIRECT_RDMA_SUPPORTED": 1,
    "GPU_DIRECT_RDMA_FLUSH_WRITES_OPTIONS": 1,
    "GPU_DIRECT_RDMA_WRITES_ORDERING": 100,
    "MEMPOOL_SUPPORTED_HANDLE_TYPES": 1,
    "CLUSTER_LAUNCH": 1,
    "DEFERRED_MAPPING_CUDA_ARRAY_SUPPORTED": 1,
    "IPC_EVENT_SUPPORTED": 1,
    "MEM_SYNC_DOMAIN_COUNT": 4,
    "UNIFIED_FUNCTION_POINTERS": 1,
    "NUMA_CONFIG": 0,
    "NUMA_ID": -1,
    "MULTICAST_SUPPORTED": 1,
    "MPS_ENABLED": 0,
    "HOST_NUMA_ID": 0,
    "D3D12_CIG_SUPPORTED": 0,
    "HOST_NATIVE_ATOMIC_SUPPORTED": 0,
    "TIMELINE_SEMAPHORE_INTEROP_SUPPORTED": 1,
    "GPU_PCI_DEVICE_ID": 0x233010DE,
    "GPU_PCI_SUBSYSTEM_ID": 0x16C110DE,
    "HOST_NUMA_MULTINODE_IPC_SUPPORTED": 0,
    "HOST_NUMA_MEMORY_POOLS_SUPPORTED": 1,
    "HOST_NUMA_VIRTUAL_MEMORY_MANAGEMENT_SUPPORTED": 1,
    "HOST_MEMORY_POOLS_SUPPORTED": 1,
    "HOST_VIRTUAL_MEMORY_MANAGEMENT_SUPPORTED": 1,
    "HOST_ALLOC_DMA_BUF_SUPPORTED": 1,
    "DMA_BUF_SUPPORTED": 1,
    "COMPUTE_MODE": 0,
    "INTEGRATED": 0,
    "KERNEL_EXEC_TIMEOUT": 0,
    "TCC_DRIVER": 0,
    "ONLY_PARTIAL_HOST_NATIVE_ATOMIC_SUPPORTED": 0,
}


def cuda_header(include: Path | None) -> Path:
    if include is None:
        from cuda.pathfinder import find_nvidia_header_directory

        include = Path(find_nvidia_header_directory("cudart"))
    return include


def enum_members(text: str, enum: str) -> list[tuple[str, str, str]]:
    """(name, value, doc) for each member of `typedef enum <enum> {...}` in cuda.h."""
    body = re.search(r"typedef enum " + enum + r"\s*\{(.*?)\}", text, re.S).group(1)
    out = []
    for m in re.finditer(r"(?:/\*\*(.*?)\*/\s*)?(\w+)\s*=\s*([^,\n/]+?)\s*,?\s*(?:/\*\*<(.*?)\*/)?\s*\n", body, re.S):
        doc = (m.group(1) or m.group(4) or "").strip()
        doc = " ".join(line.strip(" *") for line in doc.splitlines()).split(". ")[0].strip(" .")
        out.append((m.group(2), m.group(3).strip(), doc))
    return out


def c_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def generate(include: Path, out: Path) -> None:
    text = (include / "cuda.h").read_text()
    errors = enum_members(text, "cudaError_enum")
    lines = [
        "/* generated by build.py from cuda.h */",
        "static const struct { int code; const char *name, *text; } ERRORS[] = {",
    ]
    for name, value, doc in errors:
        lines.append(f"    {{{value}, {c_string(name)}, {c_string(doc[:1].lower() + doc[1:] if doc else name)}}},")
    lines.append("};")
    known = {name for name, _, _ in enum_members(text, "CUdevice_attribute_enum")}
    unknown = {f"CU_DEVICE_ATTRIBUTE_{k}" for k in ATTRIBUTES} - known
    lines.append("static const struct { int attr; int value; } ATTRIBUTE_VALUES[] = {")
    for key, value in ATTRIBUTES.items():
        if f"CU_DEVICE_ATTRIBUTE_{key}" in known:
            lines.append(f"    {{CU_DEVICE_ATTRIBUTE_{key}, {value}}},")
    lines.append("};")
    defined = re.compile(r"CUresult CUDAAPI (cu\w+)\(")
    names = sorted({m.group(1) for c in HERE.glob("*.c") for m in defined.finditer(c.read_text())})
    lines.append("static const struct { const char *name; void *fn; } ENTRY_POINTS[] = {")
    lines += [f"    {{{c_string(n)}, (void *){n}}}," for n in names]
    lines.append("};")
    lines.append(f"#define STUBS {STUBS}")
    lines += [f"static CUresult stub{i}(void) {{ return emu_unimplemented({i}); }}" for i in range(STUBS)]
    lines.append("static void *const STUB_FNS[STUBS] = {" + ", ".join(f"(void *)stub{i}" for i in range(STUBS)) + "};")
    (out / "generated.inc").write_text("\n".join(lines) + "\n")
    if unknown:  # a name above that this cuda.h lacks: older headers, not an error
        print("cpu_driver: attributes not in this cuda.h:", ", ".join(sorted(unknown)), file=sys.stderr)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--include", type=Path)
    args = ap.parse_args()
    include = cuda_header(args.include)
    args.out.mkdir(parents=True, exist_ok=True)
    generate(include, args.out)
    sources = sorted(str(p) for p in HERE.glob("*.c"))
    warnings = ["-Wall", "-Wno-unused-function", "-Wno-deprecated-declarations"]
    cmd = ["cc", "-O1", "-g", "-std=gnu11", *warnings, "-shared", "-fPIC", f"-I{include}", f"-I{args.out}", f"-I{HERE}",
           "-o", str(args.out / "libcuda.so.1"), *sources, "-Wl,--no-undefined", "-lpthread"]  # fmt: skip
    return subprocess.run(cmd).returncode


if __name__ == "__main__":
    sys.exit(main())
