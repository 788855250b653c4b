# SPDX-License-Identifier: Apache-2.0
"""Lazy loading: import loads nothing; a missing library or function is a clear error."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from _toolkit import MAJOR, library_release

from cuda.bindings._lib.loader import FunctionNotFoundError, SymbolTable


def run(code: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_import_loads_no_library():
    result = run(
        f"""
        import json
        import cuda.bindings.nvrtc, cuda.bindings.nvjitlink, cuda.bindings.nvvm, cuda.bindings.nvfatbin
        import cuda.bindings.cynvrtc
        from cuda.pathfinder._dlopen import dlopen_if_loaded
        names = ["libnvrtc.so.{MAJOR}", "libnvJitLink.so.{MAJOR}", "libnvvm.so.4", "libnvfatbin.so.{MAJOR}"]
        before = {{n: bool(dlopen_if_loaded(n)) for n in names}}
        from cuda.bindings import nvrtc
        nvrtc.nvrtcVersion()
        after = bool(dlopen_if_loaded("libnvrtc.so.{MAJOR}"))
        print(json.dumps({{"before": before, "after": after}}))
        """
    )
    assert not any(result["before"].values()), result
    assert result["after"] is True


def test_missing_library_raises_the_pathfinder_error_every_call():
    result = run(
        """
        import json
        from cuda.pathfinder import _catalog, DynamicLibNotFoundError
        spec = _catalog.LIBRARIES["nvfatbin"]
        _catalog.LIBRARIES["nvfatbin"] = type(spec)("nvfatbin", "ctk", ("libnvfatbin_missing.so.13",), spec.site_dirs,
                                                     wheels=spec.wheels)
        from cuda.bindings import nvfatbin
        messages = []
        for _ in range(2):
            try:
                nvfatbin.version()
            except DynamicLibNotFoundError as exc:
                messages.append(str(exc))
        print(json.dumps(messages))
        """
    )
    assert len(result) == 2  # not cached: a later install is picked up
    assert "libnvfatbin_missing.so.13" in result[0] and "pip install nvidia-nvfatbin" in result[0]
    assert "Searched, in this order" in result[0]


def test_missing_function_names_it_and_the_library_version():
    table = SymbolTable("nvrtc", (("nvrtcVersion",), ("nvrtcNoSuchFunction_99_0", "nvrtcNoSuchFunction")), 0)
    table.require(0)
    with pytest.raises(FunctionNotFoundError) as info:
        table.require(1)
    message = str(info.value)
    assert "nvrtcNoSuchFunction_99_0 or nvrtcNoSuchFunction" in message
    assert f"libnvrtc.so.{MAJOR}" in message and "nvrtc {}.{}".format(*library_release("nvrtc")) in message
    assert isinstance(info.value, RuntimeError)
    with pytest.raises(IndexError):
        table.require(2)


def test_versioned_symbols_are_preferred():
    import cuda.bindings.cynvjitlink as mod
    from cuda.bindings import cynvjitlink  # noqa: F401  (the table is module state)

    assert mod._load_library().endswith(f"libnvJitLink.so.{MAJOR}")
    assert mod._library_version() == "{}.{}".format(*library_release("nvJitLink"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, False), ("0", False), ("1", True), ("2", True), (" 1 ", True), ("-1", True), ("yes", False), ("", False)],
)
def test_per_thread_default_stream_setting(monkeypatch, value, expected):
    """An integer other than 0 selects the per-thread entry points; cuda.core reads the same rule."""
    from cuda.bindings._lib.loader import per_thread_default_stream

    if value is None:
        monkeypatch.delenv("CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM", raising=False)
    else:
        monkeypatch.setenv("CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM", value)
    assert per_thread_default_stream() is expected
