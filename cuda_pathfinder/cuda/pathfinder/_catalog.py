# SPDX-License-Identifier: Apache-2.0
"""What cuda.pathfinder knows: one declarative row per dynamic library.

Every search in this package is driven by these rows; nothing else names a
library. Linux sonames and folders are listed in preference order: the CUDA 13
name and wheel folder first, then CUDA 12's.

Wheel layouts (site-packages):
  CUDA 13 (`nvidia-<component>` wheels):      nvidia/cu13/lib/lib<x>.so.<major>
  CUDA 12 (`nvidia-<component>-cu12` wheels): nvidia/<component>/lib/lib<x>.so.<major>
Install roots (CONDA_PREFIX, CUDA_PATH/CUDA_HOME, the toolkit root): lib64, then lib.
"""

from __future__ import annotations

from dataclasses import dataclass

CTK = "ctk"  # part of the CUDA Toolkit
OTHER = "other"  # other NVIDIA libraries (cuDNN, NCCL, cuTENSOR, ...)
DRIVER = "driver"  # installed with the display driver: the system loader only

CU13_LIB = "nvidia/cu13/lib"


@dataclass(frozen=True)
class LibSpec:
    name: str
    packaged_with: str
    sonames: tuple[str, ...]
    site_dirs: tuple[str, ...] = ()
    anchor_dirs: tuple[str, ...] = ("lib64", "lib")
    dependencies: tuple[str, ...] = ()
    optional_dependencies: tuple[str, ...] = ()
    # (environment variable, folders under it): a product's own install root.
    env_roots: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Also look under the toolkit root that the system's libcudart points to.
    ctk_root_probe: bool = False
    # pip wheels that carry it (CUDA 13 first), for the not-found message.
    wheels: tuple[str, ...] = ()
    # sys.platform prefixes it exists for; this package loads on Linux only so far.
    platforms: tuple[str, ...] = ("linux",)


def _ctk(name, majors, component, *, stem=None, wheel=None, **kw) -> LibSpec:
    """A CUDA Toolkit library shipped in nvidia/cu13/lib and nvidia/<component>/lib."""
    stem = stem or name
    wheel = wheel or "nvidia-" + component.replace("_", "-")
    return LibSpec(
        name,
        CTK,
        tuple(f"lib{stem}.so.{m}" for m in majors),
        (CU13_LIB, f"nvidia/{component}/lib"),
        wheels=(wheel, f"{wheel}-cu12"),
        **kw,
    )


def _other(name, sonames, site_dirs, wheels=(), **kw) -> LibSpec:
    return LibSpec(name, OTHER, tuple(sonames), tuple(site_dirs), wheels=tuple(wheels), **kw)


def _npp(suffix: str) -> LibSpec:
    return _ctk(f"npp{suffix}", (13, 12), "npp", dependencies=() if suffix == "c" else ("nppc",))


_CTK_LIBS = (
    _ctk("cudart", (13, 12), "cuda_runtime"),
    _ctk("nvfatbin", (13, 12), "nvfatbin"),
    _ctk("nvJitLink", (13, 12), "nvjitlink"),
    _ctk("nvrtc", (13, 12), "cuda_nvrtc"),
    LibSpec(
        "nvvm",
        CTK,
        ("libnvvm.so.4", "libnvvm.so"),
        (CU13_LIB, "nvidia/cuda_nvcc/nvvm/lib64"),
        anchor_dirs=("nvvm/lib64",),
        ctk_root_probe=True,
        wheels=("nvidia-nvvm", "nvidia-cuda-nvcc-cu12"),
    ),
    _ctk("cublas", (13, 12), "cublas", dependencies=("cublasLt",)),
    _ctk("cublasLt", (13, 12), "cublas"),
    _ctk("cufft", (12, 11), "cufft"),
    _ctk("cufftw", (12, 11), "cufft", dependencies=("cufft",)),
    _ctk("curand", (11, 10), "curand"),
    _ctk("cusolver", (12, 11), "cusolver", dependencies=("nvJitLink", "cusparse", "cublasLt", "cublas")),
    _ctk("cusolverMg", (12, 11), "cusolver", dependencies=("nvJitLink", "cublasLt", "cublas")),
    _ctk("cusparse", (12,), "cusparse", dependencies=("nvJitLink",)),
    *(_npp(s) for s in ("c", "ial", "icc", "idei", "if", "ig", "im", "ist", "isu", "itc")),
    _ctk("npps", (13, 12), "npp", dependencies=("nppc",)),
    _ctk("nvblas", (13, 12), "cublas", dependencies=("cublas", "cublasLt")),
    _ctk("nvjpeg", (13, 12), "nvjpeg"),
    _ctk(
        "cupti",
        (13, 12),
        "cuda_cupti",
        anchor_dirs=("extras/CUPTI/lib64", "lib"),
        ctk_root_probe=True,
    ),
    LibSpec("cudla", CTK, ("libcudla.so.1",), (CU13_LIB,)),
    _ctk("cufile", (0,), "cufile"),
)

_OTHER_LIBS = (
    _other(
        "cublasmp",
        ["libcublasmp.so.0"],
        ["nvidia/cublasmp/cu13/lib", "nvidia/cublasmp/cu12/lib"],
        ["nvidia-cublasmp-cu13", "nvidia-cublasmp-cu12"],
        dependencies=("cublas", "cublasLt", "nvshmem_host"),
    ),
    _other(
        "cufftMp",
        ["libcufftMp.so.12", "libcufftMp.so.11"],
        ["nvidia/cufftmp/cu13/lib", "nvidia/cufftmp/cu12/lib"],
        ["nvidia-cufftmp-cu13", "nvidia-cufftmp-cu12"],
        dependencies=("nvshmem_host",),
    ),
    _other(
        "cudnn",
        ["libcudnn.so.9"],
        ["nvidia/cudnn/lib"],
        ["nvidia-cudnn-cu13", "nvidia-cudnn-cu12"],
        dependencies=("cublasLt",),
        optional_dependencies=("nvrtc",),
        env_roots=(("CUDNN_PATH", ("lib", "lib64")),),
    ),
    _other(
        "cusolverMp",
        ["libcusolverMp.so.0"],
        ["nvidia/cu13/lib", "nvidia/cu12/lib"],
        ["nvidia-cusolvermp-cu13", "nvidia-cusolvermp-cu12"],
        dependencies=("cublas", "cudart", "cusolver", "nccl"),
    ),
    _other(
        "mathdx",
        ["libmathdx.so.0"],
        ["nvidia/cu13/lib", "nvidia/cu12/lib"],
        ["nvidia-libmathdx-cu13", "nvidia-libmathdx-cu12"],
        dependencies=("nvrtc",),
    ),
    _other(
        "cudss",
        ["libcudss.so.1", "libcudss.so.0"],
        ["nvidia/cu13/lib", "nvidia/cu12/lib"],
        ["nvidia-cudss-cu13", "nvidia-cudss-cu12"],
        dependencies=("cublas", "cublasLt"),
        optional_dependencies=("nvrtc",),
    ),
    _other(
        "cusparseLt",
        ["libcusparseLt.so.0"],
        ["nvidia/cu13/lib", "nvidia/cusparselt/lib"],
        ["nvidia-cusparselt-cu13", "nvidia-cusparselt-cu12"],
    ),
    _other(
        "cutensor",
        ["libcutensor.so.2"],
        ["cutensor/lib"],
        ["cutensor-cu13", "cutensor-cu12"],
        dependencies=("cublasLt",),
    ),
    _other(
        "cutensorMg",
        ["libcutensorMg.so.2"],
        ["cutensor/lib"],
        ["cutensor-cu13", "cutensor-cu12"],
        dependencies=("cutensor", "cublasLt"),
    ),
    _other(
        "cutensorMp",
        ["libcutensorMp.so.2"],
        ["cutensor/lib"],
        ["cutensor-cu13", "cutensor-cu12"],
        dependencies=("cutensor", "cublasLt", "cudart", "nccl"),
    ),
    _other(
        "cudensitymat",
        ["libcudensitymat.so.0"],
        ["cuquantum/lib"],
        ["cuquantum-python-cu13", "cuquantum-python-cu12"],
        dependencies=("cutensornet", "cutensor", "cusolver", "cublasLt", "cublas", "curand", "cusparse", "nvJitLink"),
    ),
    _other("cupauliprop", ["libcupauliprop.so.0"], ["cuquantum/lib"], ["cuquantum-python-cu13"]),
    _other(
        "cutensornet",
        ["libcutensornet.so.2"],
        ["cuquantum/lib"],
        ["cuquantum-python-cu13", "cuquantum-python-cu12"],
        dependencies=("cutensor", "cublas", "cusolver"),
    ),
    _other("custabilizer", ["libcustabilizer.so.0"], ["cuquantum/lib"], ["cuquantum-python-cu13"]),
    _other(
        "custatevec",
        ["libcustatevec.so.1"],
        ["cuquantum/lib"],
        ["cuquantum-python-cu13", "cuquantum-python-cu12"],
        dependencies=("cublas", "cublasLt"),
    ),
    _other(
        "nccl",
        ["libnccl.so.2"],
        ["nvidia/nccl/lib"],
        ["nvidia-nccl-cu13", "nvidia-nccl-cu12"],
        env_roots=(("NCCL_HOME", ("lib", "lib64", "build/lib")),),
    ),
    _other("nvpl_fftw", ["libnvpl_fftw.so.0"], ["nvpl/lib"], ["nvpl-fft"]),
    _other(
        "nvshmem_host",
        ["libnvshmem_host.so.3"],
        ["nvidia/nvshmem/lib"],
        ["nvidia-nvshmem-cu13", "nvidia-nvshmem-cu12"],
    ),
)

_DRIVER_LIBS = (
    LibSpec("cuda", DRIVER, ("libcuda.so.1",), anchor_dirs=()),
    LibSpec("nvcudla", DRIVER, ("libnvcudla.so",), anchor_dirs=()),
    LibSpec("nvml", DRIVER, ("libnvidia-ml.so.1",), anchor_dirs=()),
)

LIBRARIES: dict[str, LibSpec] = {spec.name: spec for spec in (*_CTK_LIBS, *_OTHER_LIBS, *_DRIVER_LIBS)}

# The public tuple lists the CUDA Toolkit libraries; every name in LIBRARIES loads.
SUPPORTED_NVIDIA_LIBNAMES: tuple[str, ...] = tuple(spec.name for spec in _CTK_LIBS)


def _check() -> None:
    for spec in LIBRARIES.values():
        for dep in (*spec.dependencies, *spec.optional_dependencies):
            assert dep in LIBRARIES, f"{spec.name} needs unknown {dep}"


_check()
