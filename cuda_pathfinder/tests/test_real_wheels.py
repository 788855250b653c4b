# SPDX-License-Identifier: Apache-2.0
"""Real loads from the nvidia-* wheels that ci/install.py installs (pinned in toolkit-versions.yaml).

Each load runs in a fresh interpreter, so nothing loaded by another test counts
as "already loaded", and the library is called to show it really works.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
import yaml

# The toolkit release whose wheels ci/install.py installs (toolkit-versions.yaml's default): [13, 5]
_VERSIONS = os.path.join(os.path.dirname(__file__), "..", "..", "toolkit-versions.yaml")
with open(_VERSIONS, encoding="utf-8") as _f:
    RELEASE = [int(part) for part in yaml.safe_load(_f)["default-toolkit"].split(".")]

CHILD = textwrap.dedent(
    """
    import ctypes, json, sys
    from cuda.pathfinder import load_nvidia_dynamic_lib, _dlopen
    name = sys.argv[1]
    loaded = load_nvidia_dynamic_lib(name)
    lib = ctypes.CDLL(loaded.abs_path, mode=ctypes.RTLD_GLOBAL)
    a, b = ctypes.c_int(-1), ctypes.c_int(-1)
    if name == "nvrtc":
        rc = lib.nvrtcVersion(ctypes.byref(a), ctypes.byref(b))
        version = [a.value, b.value]
    elif name == "nvJitLink":
        rc = lib.nvJitLinkVersion(ctypes.byref(a), ctypes.byref(b))
        version = [a.value, b.value]
    else:
        rc = lib.cudaRuntimeGetVersion(ctypes.byref(a))
        version = [a.value // 1000, a.value % 1000 // 10]
    builtins = bool(_dlopen.dlopen_if_loaded("libnvrtc-builtins.so." + ".".join(map(str, version))))
    print(json.dumps(dict(path=loaded.abs_path, via=loaded.found_via, handle=loaded._handle_uint,
                          again=load_nvidia_dynamic_lib(name) is loaded, rc=rc, version=version, builtins=builtins)))
    """
)


def wheel_release(path: str) -> list[int]:
    """[major, minor] of the nvidia-* wheel that holds ``path``: the pinned RELEASE where ci/install.py
    installed them, the image's own where another environment did (the GPU machine's has 13.0)."""
    from importlib import metadata

    path = os.path.realpath(path)
    for dist in metadata.distributions():
        if (dist.metadata["Name"] or "").lower().startswith("nvidia-"):
            for file in dist.files or ():
                if file.name == os.path.basename(path) and os.path.realpath(dist.locate_file(file)) == path:
                    return [int(part) for part in dist.version.split(".")[:2]]
    return RELEASE


def load_in_child(name: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("CUDA_PATH", "CUDA_HOME", "CONDA_PREFIX")}
    proc = subprocess.run([sys.executable, "-c", CHILD, name], capture_output=True, text=True, env=env)
    if proc.returncode != 0 and "Could not find" in proc.stderr:
        pytest.fail(f"the test wheels are not installed (run python3 ci/bootstrap.py):\n{proc.stderr}")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


@pytest.mark.parametrize(
    ("name", "soname"),
    [("nvrtc", "libnvrtc.so.13"), ("nvJitLink", "libnvJitLink.so.13"), ("cudart", "libcudart.so.13")],
)
def test_load_from_cu13_wheel(name, soname):
    result = load_in_child(name)
    assert result["via"] == "site-packages"
    assert result["path"].endswith(os.path.join("site-packages", "nvidia", "cu13", "lib", soname))
    assert os.path.isfile(result["path"])
    assert result["handle"] > 0 and result["again"] is True
    assert result["rc"] == 0 and result["version"] == wheel_release(result["path"])
    if name == "nvrtc":
        assert result["builtins"] is True  # the sibling builtins library was preloaded


def test_headers_and_static_lib_from_wheels():
    from cuda.pathfinder import find_static_lib, locate_nvidia_header_directory

    for name, header in (("nvrtc", "nvrtc.h"), ("cudart", "cuda_runtime.h"), ("nvjitlink", "nvJitLink.h")):
        located = locate_nvidia_header_directory(name)
        assert located is not None and located.found_via == "site-packages", name
        assert located.abs_path.endswith(os.path.join("nvidia", "cu13", "include"))
        assert os.path.isfile(os.path.join(located.abs_path, header))
    assert find_static_lib("cudadevrt").endswith(os.path.join("nvidia", "cu13", "lib", "libcudadevrt.a"))
