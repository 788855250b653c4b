# SPDX-License-Identifier: Apache-2.0
"""Headers, tools, static and bitcode libraries, on fake install trees."""

from __future__ import annotations

import os

import pytest

from cuda.pathfinder import (
    SUPPORTED_BINARY_UTILITIES,
    SUPPORTED_BITCODE_LIBS,
    SUPPORTED_HEADERS_CTK,
    SUPPORTED_STATIC_LIBS,
    BitcodeLibNotFoundError,
    LocatedBitcodeLib,
    LocatedHeaderDir,
    LocatedStaticLib,
    StaticLibNotFoundError,
    _headers,
    find_bitcode_lib,
    find_nvidia_binary_utility,
    find_nvidia_header_directory,
    find_static_lib,
    locate_bitcode_lib,
    locate_nvidia_header_directory,
    locate_static_lib,
)
from cuda.pathfinder._exceptions import UnsupportedBinaryError


def touch(path, text="", mode=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    if mode is not None:
        os.chmod(path, mode)
    return str(path)


# ----------------------------------------------------------------- headers


def test_header_tables():
    assert SUPPORTED_HEADERS_CTK["nvrtc"] == "nvrtc.h"
    assert SUPPORTED_HEADERS_CTK["cudart"] == "cuda_runtime.h"
    assert SUPPORTED_HEADERS_CTK["cccl"] == "cuda/std/version"
    assert "cudnn" not in SUPPORTED_HEADERS_CTK and "cudnn" in _headers.SUPPORTED_HEADERS_NON_CTK


def test_headers_site_packages_cu13_then_cu12(clean_search, tmp_path):
    clean_search.append(str(tmp_path / "site"))
    touch(tmp_path / "site/nvidia/cuda_nvrtc/include/nvrtc.h")
    assert find_nvidia_header_directory("nvrtc") == str(tmp_path / "site/nvidia/cuda_nvrtc/include")
    touch(tmp_path / "site/nvidia/cu13/include/nvrtc.h")
    locate_nvidia_header_directory.cache_clear()
    located = locate_nvidia_header_directory("nvrtc")
    assert located == LocatedHeaderDir(str(tmp_path / "site/nvidia/cu13/include"), "site-packages")


def test_headers_of_one_toolkit_major(clean_search, tmp_path):
    # what a 12.x NVRTC compiles with beside cu13 wheels: the cu12 layout's headers, not cu13's
    clean_search.append(str(tmp_path / "site"))
    cu13 = touch(tmp_path / "site/nvidia/cu13/include/cuda_runtime.h")
    cu12 = touch(tmp_path / "site/nvidia/cuda_runtime/include/cuda_runtime.h")
    find = _headers._find_header_directory_for_major
    assert find("cudart", 12) == os.path.dirname(cu12) and find("cudart", 13) == os.path.dirname(cu13)
    touch(tmp_path / "site/nvidia/cu13/include/cccl/cuda/std/version")
    assert find("cccl", 12) is None and find("cccl", 13) == str(tmp_path / "site/nvidia/cu13/include/cccl")
    nvml = touch(tmp_path / "site/nvidia/cu13/include/nvml.h")  # the driver's header: every line's
    assert find("nvml", 12) == find("nvml", 13) == os.path.dirname(nvml)


def test_headers_nvml_of_the_cu12_wheel(clean_search, tmp_path):
    """nvidia-nvml-dev-cu12 installs nvml.h in nvidia/nvml_dev/include."""
    clean_search.append(str(tmp_path / "site"))
    touch(tmp_path / "site/nvidia/nvml_dev/include/nvml.h")
    assert find_nvidia_header_directory("nvml") == str(tmp_path / "site/nvidia/nvml_dev/include")


def test_headers_cccl_subfolder(clean_search, tmp_path, monkeypatch):
    touch(tmp_path / "cuda/include/cccl/cuda/std/version")
    monkeypatch.setenv("CUDA_HOME", str(tmp_path / "cuda"))
    located = locate_nvidia_header_directory("cccl")
    assert (located.abs_path, located.found_via) == (str(tmp_path / "cuda/include/cccl"), "CUDA_PATH")


def test_headers_conda_targets_layout(clean_search, tmp_path, monkeypatch):
    touch(tmp_path / "env/targets/x86_64-linux/include/cuda_runtime.h")
    monkeypatch.setenv("CONDA_PREFIX", str(tmp_path / "env"))
    located = locate_nvidia_header_directory("cudart")
    assert (located.abs_path, located.found_via) == (str(tmp_path / "env/targets/x86_64-linux/include"), "conda")


def test_headers_nvvm_folder_and_realpath(clean_search, tmp_path, monkeypatch):
    touch(tmp_path / "cuda-13.0/nvvm/include/nvvm.h")
    os.symlink(tmp_path / "cuda-13.0", tmp_path / "cuda")
    monkeypatch.setenv("CUDA_PATH", str(tmp_path / "cuda"))
    assert find_nvidia_header_directory("nvvm") == str(tmp_path / "cuda-13.0/nvvm/include")


def test_headers_product_root_variable(clean_search, tmp_path, monkeypatch):
    touch(tmp_path / "nccl/build/include/nccl.h")
    monkeypatch.setenv("NCCL_HOME", str(tmp_path / "nccl"))
    located = locate_nvidia_header_directory("nccl")
    assert (located.abs_path, located.found_via) == (str(tmp_path / "nccl/build/include"), "NCCL_HOME")


def test_headers_not_found_is_none_and_unknown_raises(clean_search):
    assert find_nvidia_header_directory("cufft") is None
    assert locate_nvidia_header_directory("cufft") is None
    with pytest.raises(RuntimeError, match=r"UNKNOWN libname='nosuch'"):
        find_nvidia_header_directory("nosuch")
    with pytest.raises(TypeError):
        find_nvidia_header_directory(None)


# ------------------------------------------------------------------ tools


def test_binary_utilities(clean_search, tmp_path, monkeypatch):
    assert SUPPORTED_BINARY_UTILITIES[:2] == ("nvcc", "ptxas")
    touch(tmp_path / "cuda/bin/ptxas", "#!/bin/sh\n", 0o755)
    touch(tmp_path / "cuda/bin/nvcc", "not executable", 0o644)
    monkeypatch.setenv("CUDA_HOME", str(tmp_path / "cuda"))
    assert find_nvidia_binary_utility("ptxas") == str(tmp_path / "cuda/bin/ptxas")
    assert find_nvidia_binary_utility("nvcc") is None  # a file that cannot run does not count


def test_binary_wheel_before_conda(clean_search, tmp_path, monkeypatch):
    clean_search.append(str(tmp_path / "site"))
    wheel = touch(tmp_path / "site/nvidia/cu13/bin/nvlink", "#!/bin/sh\n", 0o755)
    touch(tmp_path / "env/bin/nvlink", "#!/bin/sh\n", 0o755)
    monkeypatch.setenv("CONDA_PREFIX", str(tmp_path / "env"))
    assert find_nvidia_binary_utility("nvlink") == wheel


def test_binary_unknown(clean_search):
    with pytest.raises(UnsupportedBinaryError, match=r"Binary 'gcc' is not supported.*nvcc, ptxas"):
        find_nvidia_binary_utility("gcc")
    assert issubclass(UnsupportedBinaryError, Exception)


# ----------------------------------------------------- static and bitcode


def test_static_lib_search_and_errors(clean_search, tmp_path, monkeypatch):
    assert SUPPORTED_STATIC_LIBS == ("cudadevrt",)
    with pytest.raises(StaticLibNotFoundError) as info:
        locate_static_lib("cudadevrt")
    text = str(info.value)
    assert "libcudadevrt.a" in text and "CUDA_PATH and CUDA_HOME: not set" in text
    assert "pip install nvidia-cuda-runtime" in text

    path = touch(tmp_path / "cuda/lib64/libcudadevrt.a")
    monkeypatch.setenv("CUDA_HOME", str(tmp_path / "cuda"))
    from cuda.pathfinder import _places

    _places.get_cuda_path_or_home.cache_clear()
    assert locate_static_lib("cudadevrt") == LocatedStaticLib("cudadevrt", path, "libcudadevrt.a", "CUDA_PATH")
    assert find_static_lib("cudadevrt") == path

    with pytest.raises(ValueError, match=r"Unknown static library: 'culibos'. Supported: cudadevrt"):
        find_static_lib("culibos")


def test_bitcode_lib_search(clean_search, tmp_path, monkeypatch):
    assert SUPPORTED_BITCODE_LIBS == ("device", "nccl_device", "nvshmem_device")
    clean_search.append(str(tmp_path / "site"))
    path = touch(tmp_path / "site/nvidia/cu13/nvvm/libdevice/libdevice.10.bc")
    assert locate_bitcode_lib("device") == LocatedBitcodeLib("device", path, "libdevice.10.bc", "site-packages")
    assert find_bitcode_lib("device") == path
    with pytest.raises(BitcodeLibNotFoundError, match=r"libnccl_device.bc"):
        find_bitcode_lib("nccl_device")
    with pytest.raises(ValueError, match=r"Unknown bitcode library"):
        locate_bitcode_lib("host")
