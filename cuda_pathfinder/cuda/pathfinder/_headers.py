# SPDX-License-Identifier: Apache-2.0
"""find/locate_nvidia_header_directory: the include folder of a CUDA library.

A folder counts when it holds the library's marker header. Search order:
  1. pip wheels in site-packages;
  2. conda ($CONDA_PREFIX/targets/<triple>/include for toolkit headers,
     $CONDA_PREFIX/include for the others);
  3. the product's own root variable (CUDNN_PATH, NCCL_HOME);
  4. CUDA_PATH/CUDA_HOME;
  5. toolkit headers: the toolkit root that the system's libcudart lives in;
  6. system folders known for a few products (/usr/include, ...).
"""

from __future__ import annotations

import glob
import os
import re
import sysconfig
from dataclasses import dataclass, replace

from ._cache import cached_by_name
from ._places import (
    SearchLog,
    anchored_dirs,
    conda_prefix,
    ctk_root_from_system_cudart,
    find_file,
    get_cuda_path_or_home,
    site_packages_dirs,
)

CU13_INCLUDE = "nvidia/cu13/include"


@dataclass(frozen=True)
class HeaderSpec:
    name: str
    header: str  # the file that proves a folder is the right one
    site_dirs: tuple[str, ...]
    include_dirs: tuple[str, ...] = ("include",)  # under an install root
    sub_dirs: tuple[str, ...] = ()  # tried under each include dir before the dir itself
    ctk: bool = False  # a CUDA Toolkit header: conda targets/ layout and the toolkit root probe
    env_root: str | None = None
    system_dirs: tuple[str, ...] = ()


def _ctk(name, header, component, **kw) -> HeaderSpec:
    return HeaderSpec(name, header, (CU13_INCLUDE, f"nvidia/{component}/include"), ctk=True, **kw)


_MULTIARCH = sysconfig.get_config_var("MULTIARCH") or "x86_64-linux-gnu"

HEADERS: dict[str, HeaderSpec] = {
    spec.name: spec
    for spec in (
        HeaderSpec(
            "cccl",
            "cuda/std/version",
            (f"{CU13_INCLUDE}/cccl", "nvidia/cuda_cccl/include"),
            sub_dirs=("cccl",),
            ctk=True,
        ),
        _ctk("cublas", "cublas.h", "cublas"),
        _ctk("cudart", "cuda_runtime.h", "cuda_runtime"),
        _ctk("cufft", "cufft.h", "cufft"),
        _ctk("curand", "curand.h", "curand"),
        _ctk("cusolver", "cusolverDn.h", "cusolver"),
        _ctk("cusparse", "cusparse.h", "cusparse"),
        _ctk("npp", "npp.h", "npp"),
        _ctk("profiler", "cuda_profiler_api.h", "cuda_profiler_api"),
        _ctk("nvcc", "fatbinary_section.h", "cuda_nvcc"),
        _ctk("nvfatbin", "nvFatbin.h", "nvfatbin"),
        _ctk("nvjitlink", "nvJitLink.h", "nvjitlink"),
        _ctk("nvjpeg", "nvjpeg.h", "nvjpeg"),
        _ctk("nvrtc", "nvrtc.h", "cuda_nvrtc"),
        HeaderSpec(
            "nvvm", "nvvm.h", (CU13_INCLUDE, "nvidia/cuda_nvcc/nvvm/include"), include_dirs=("nvvm/include",), ctk=True
        ),
        _ctk("cufile", "cufile.h", "cufile"),
        HeaderSpec("cudla", "cudla.h", (CU13_INCLUDE,), ctk=True),
    )
}

# Headers of other NVIDIA products (accepted by the finders, not in SUPPORTED_HEADERS_CTK).
HEADERS_NON_CTK: dict[str, HeaderSpec] = {
    spec.name: spec
    for spec in (
        HeaderSpec(
            "cudnn",
            "cudnn.h",
            ("nvidia/cudnn/include",),
            env_root="CUDNN_PATH",
            system_dirs=(f"/usr/include/{_MULTIARCH}", "/usr/include", "/usr/local/include"),
        ),
        HeaderSpec("cusparseLt", "cusparseLt.h", (CU13_INCLUDE, "nvidia/cusparselt/include")),
        # nvidia-nvml-dev; its -cu12 wheels install nvidia/nvml_dev/include
        HeaderSpec("nvml", "nvml.h", (CU13_INCLUDE, "nvidia/nvml_dev/include", "nvidia/cuda_nvml_dev/include")),
        HeaderSpec("cute", "cute/tensor.hpp", ("cutlass_library/source/include",)),
        HeaderSpec("cutensor", "cutensor.h", ("cutensor/include",)),
        HeaderSpec("cutlass", "cutlass/cutlass.h", ("cutlass_library/source/include",)),
        HeaderSpec("mathdx", "libmathdx.h", (CU13_INCLUDE, "nvidia/cu12/include")),
        HeaderSpec("cusolverMp", "cusolverMp.h", (CU13_INCLUDE, "nvidia/cu12/include")),
        *(
            HeaderSpec(n, f"{n}.h", ("cuquantum/include",))
            for n in ("cudensitymat", "cupauliprop", "cutensornet", "custabilizer", "custatevec")
        ),
        HeaderSpec(
            "nccl",
            "nccl.h",
            ("nvidia/nccl/include",),
            include_dirs=("include", "build/include"),
            env_root="NCCL_HOME",
            system_dirs=("/usr/include", "/usr/local/include"),
        ),
        HeaderSpec("nvshmem", "nvshmem.h", ("nvidia/nvshmem/include",), system_dirs=("/usr/include/nvshmem_*",)),
    )
}

SUPPORTED_HEADERS_CTK: dict[str, str] = {name: spec.header for name, spec in HEADERS.items()}
SUPPORTED_HEADERS_NON_CTK: dict[str, str] = {name: spec.header for name, spec in HEADERS_NON_CTK.items()}


@dataclass
class LocatedHeaderDir:
    abs_path: str | None
    found_via: str

    def __post_init__(self):
        self.abs_path = os.path.realpath(self.abs_path) if self.abs_path else None


def _under_root(via: str, root: str | None, spec: HeaderSpec):
    """An install root's include folders, with their sub-folders (cccl/) first."""
    for include_dir in spec.include_dirs:
        for via_, directory in anchored_dirs(via, root, (include_dir,)):
            for sub in spec.sub_dirs:
                yield via_, os.path.join(directory, sub)
            yield via_, directory


def _conda_root(spec: HeaderSpec) -> str | None:
    prefix = conda_prefix()
    if prefix is None or not spec.ctk:
        return prefix
    # conda's CUDA packages put toolkit headers in targets/<triple>/include.
    targets = glob.glob(os.path.join(prefix, "targets", "*", "include"))
    return os.path.dirname(targets[0]) if len(targets) == 1 else None


def _numeric_key(path: str):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", path)]


def _candidates(spec: HeaderSpec):
    yield from site_packages_dirs(spec.site_dirs)
    yield from _under_root("conda", _conda_root(spec), spec)
    if spec.env_root:
        yield from _under_root(spec.env_root, os.environ.get(spec.env_root) or None, spec)
    yield from _under_root("CUDA_PATH", get_cuda_path_or_home(), spec)
    if spec.ctk:
        yield from _under_root("system-ctk-root", ctk_root_from_system_cudart(), spec)
    for pattern in spec.system_dirs:
        for directory in sorted(glob.glob(pattern), key=_numeric_key, reverse=True):
            yield "supported_install_dir", directory


def _spec(libname: str) -> HeaderSpec:
    if not isinstance(libname, str):
        raise TypeError(f"libname must be a str, not {type(libname).__name__}")
    spec = HEADERS.get(libname) or HEADERS_NON_CTK.get(libname)
    if spec is None:
        raise RuntimeError(f"UNKNOWN {libname=}. Known: {sorted({**HEADERS, **HEADERS_NON_CTK})}")
    return spec


def _locate(spec: HeaderSpec) -> LocatedHeaderDir | None:
    found = find_file(_candidates(spec), (spec.header,), SearchLog(spec.name))
    if found is None:
        return None
    path, via = found
    return LocatedHeaderDir(path[: -len(spec.header) - 1], via)


@cached_by_name
def locate_nvidia_header_directory(libname: str) -> LocatedHeaderDir | None:
    """The include folder of a library ("cudart", "nvrtc", "cccl", ...) and how it was found, or None."""
    return _locate(_spec(libname))


def find_nvidia_header_directory(libname: str) -> str | None:
    """The include folder of a library, or None when it is not found."""
    located = locate_nvidia_header_directory(libname)
    return located.abs_path if located else None


# headers that come with the driver, not the toolkit: the newest serves every line (nvml.h)
_SAME_ON_EVERY_LINE = frozenset({"nvml"})


def _find_header_directory_for_major(libname: str, major: int) -> str | None:
    """find_nvidia_header_directory for code compiled by toolkit ``major``'s NVRTC: in
    site-packages only that major's wheel layout (nvidia/cu13/include for 13, nvidia/<component>/
    include for 12), since the other line's headers do not compile there. Not public: the bindings'
    example helpers use it."""
    spec = _spec(libname)
    mine = tuple(d for d in spec.site_dirs if d.startswith(CU13_INCLUDE) == (major >= 13))
    if mine and libname not in _SAME_ON_EVERY_LINE:
        spec = replace(spec, site_dirs=mine)
    located = _locate(spec)
    return located.abs_path if located else None
