# SPDX-License-Identifier: Apache-2.0
"""ci/nvidia_compat.py's rules for what counts: which failures are at NVIDIA's private names, and
how the suite's imports are guarded so that one missing name fails only the tests that use it;
how ci/numba_compat.py reads numba-cuda's test results."""

from __future__ import annotations

import os

import pytest

from ci import nvidia_compat as compat


@pytest.mark.parametrize(
    "message, private",
    [
        ("ImportError: cannot import name '_program_cache' from 'cuda.core.utils'", True),
        ("AttributeError: module 'cuda.core._program' has no attribute '_nvvm_module'", True),
        ("ModuleNotFoundError: No module named 'cuda.core.utils._program_cache'", True),
        ("ImportError: cannot import name 'Graph' from 'cuda.core'", False),
        ("AttributeError: 'Buffer' object has no attribute 'handle'", False),
        ("AssertionError: Regex pattern did not match.", False),
    ],
)
def test_failures_at_private_names(message, private):
    assert compat.reaches_private(("failed", message)) is private
    assert compat.reaches_private(("passed", message)) is False


def test_imports_are_guarded_one_name_at_a_time():
    source = "import os\nfrom cuda.core import Device, _hidden as h\nfrom numpy import array\n"
    guarded = compat._guard_imports(source)
    assert "from numpy import array\n" in guarded and "import os\n" in guarded
    assert "from cuda.core import Device as Device" in guarded and "from cuda.core import _hidden as h" in guarded
    scope: dict = {}
    exec(compile(guarded.replace("from _compat_missing import Missing as _M", "_M = lambda n: n"), "t", "exec"), scope)
    assert scope["h"] == "cuda.core._hidden"  # the name stands for what was missing


def test_names_of_cuda_core_experimental_are_found_where_they_moved():
    guarded = compat._guard_imports("from cuda.core.experimental import Device, _gone\n")
    scope: dict = {}
    exec(compile(guarded.replace("from _compat_missing import Missing as _M", "_M = lambda n: n"), "t", "exec"), scope)
    from cuda.core import Device

    assert scope["Device"] is Device and scope["_gone"] == "cuda.core.experimental._gone"


def test_numba_results_are_read_from_unittest_lines():
    from ci import numba_compat

    log = (
        "test_a (numba.cuda.tests.x.T.test_a) ... ok\n"
        "test_b (numba.cuda.tests.x.T.test_b)\nIts docstring. ... FAIL\n"
        "test_c (numba.cuda.tests.x.T.test_c) ... skipped 'no GPU'\n"
        "test_d (numba.cuda.tests.x.T.test_d) ... /a/b.py:9: UserWarning: Stream 0 is passed\n"
        "  return f(x)\n"
        "ok\n"
    )
    found = {m.group(2): m.group(3) for m in numba_compat._LINE.finditer(log)}
    assert found == {
        "numba.cuda.tests.x.T.test_a": "ok",
        "numba.cuda.tests.x.T.test_b": "FAIL",
        "numba.cuda.tests.x.T.test_c": "skipped",
        "numba.cuda.tests.x.T.test_d": "ok",  # its result after the warning it printed
    }


def test_a_hang_after_the_tests_ran_says_so():
    done = {"rc": 1, "crashed": False, "tests": {"t": ("passed", "")}}
    hung = {"rc": "timeout", "crashed": True, "tests": {"t": ("failed", "")}}
    assert compat.crash_flag(done, done) == ""
    assert compat.crash_flag(done, hung).endswith("rc=timeout (after its tests ran: a process it started did not end)")
    assert compat.crash_flag(done, dict(hung, tests={})) == " CRASH/HANG rc=timeout"
    assert compat.crash_flag(done, {"rc": -11, "crashed": True, "tests": {}}) == " CRASH/HANG rc=-11"


def test_nvidia_path_shadows_the_environment_on_their_stack_only(tmp_path):
    helpers = tmp_path / "cuda_python_test_helpers"
    helpers.mkdir()
    envs = compat.stacks("/ours/site", tmp_path, "/nvidia/site")
    assert envs["nvidia"]["PYTHONPATH"].split(os.pathsep) == ["/nvidia/site", str(helpers)]
    assert envs["ours"]["PYTHONPATH"].split(os.pathsep) == ["/ours/site", str(helpers)]
    # without it, their stack is the environment's own packages
    assert "PYTHONPATH" not in compat.stacks("/ours/site")["nvidia"]


def test_a_shim_pattern_reaches_every_matching_file_once(tmp_path):
    nvml = tmp_path / "cuda_bindings" / "tests" / "nvml"
    nvml.mkdir(parents=True)
    old = "from cuda.bindings import _nvml as nvml\n"
    for name in ("test_a.py", "util.py"):
        (nvml / name).write_text(old + "x = 1\n")
    (nvml / "test_b.py").write_text("from cuda.bindings import nvml\n")
    changed = compat.apply_harness_shims(tmp_path)
    assert sorted(c.split(":")[0] for c in changed) == [
        "cuda_bindings/tests/nvml/test_a.py",
        "cuda_bindings/tests/nvml/util.py",
    ]
    assert (nvml / "util.py").read_text().startswith("from cuda.bindings import nvml  # shim")
    assert compat.apply_harness_shims(tmp_path) == []  # idempotent


def test_an_appending_shim_is_applied_once(tmp_path, monkeypatch):
    conftest = tmp_path / "conftest.py"
    conftest.write_text("import pytest\n")
    monkeypatch.setattr(compat, "HARNESS_SHIMS", (("conftest.py", None, "\nX = 1  # shim\n"),))
    assert len(compat.apply_harness_shims(tmp_path)) == 1
    assert compat.apply_harness_shims(tmp_path) == []
    assert conftest.read_text() == "import pytest\n\nX = 1  # shim\n"


def test_the_12_line_calls_cuCtxCreate_without_its_13_parameters(tmp_path):
    tests = tmp_path / "cuda_bindings" / "tests"
    tests.mkdir(parents=True)
    (tests / "conftest.py").write_text("err, ctx = cuda.cuCtxCreate(None, 0, device)\n")
    assert len(compat.apply_harness_shims(tmp_path, compat.LINE_SHIMS["12"])) == 1
    assert (tests / "conftest.py").read_text() == "err, ctx = cuda.cuCtxCreate(0, device)\n"
    assert compat.apply_harness_shims(tmp_path, compat.LINE_SHIMS["12"]) == []
