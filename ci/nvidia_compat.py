# SPDX-License-Identifier: Apache-2.0
"""Run NVIDIA's public tests and examples on NVIDIA's packages and on ours, side by side.

    python3 ci/nvidia_compat.py --suite .nvtests --ours-path /tmp/ours/lib/python3.12/site-packages --out DIR

On the GPU machine (../shared/gpu/README.md): NVIDIA's packages are the image's own, ours are
the same names installed under a prefix that PYTHONPATH puts first. `--suite` is a folder laid
out as NVIDIA's repository (`<pkg>/tests/...`, `<pkg>/examples/...`), fetched into a git-ignored
folder and never committed. Every test file runs in its own pytest process, once per stack, with
a timeout, so a crash or a hang in one file cannot hide the others' results; each example runs
as a script, once per stack.

Printed per test file: tests passed on NVIDIA's stack, how many of those also pass on ours, and
whether ours crashed or hung; per package the share of NVIDIA's passing tests that pass on ours.
A test file that imports NVIDIA's private modules is counted apart (their layout is not ours).
`DIR/compat.json` holds every test's outcome on both stacks and the first line of each failure.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import pathlib
import re
import signal
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

PACKAGES = ("cuda_bindings", "cuda_core", "cuda_pathfinder")
# A test file that imports NVIDIA's private modules at its top is not a target (our internal
# layout is ours); imports inside a test function leave the file's other tests public.
# cuda.core._utils.cuda_utils is not private here: users import CUDAError from there.
_PRIVATE = re.compile(
    r"^(?:from|import)\s+cuda\.(?:core\._(?!utils\.cuda_utils\b)|bindings\._|pathfinder\._)[\w.]*", re.M
)


# Harness shims: the stored copies of NVIDIA's conftest files are newer than the packages on the
# GPU machine (cuda-core 1.2.0) and reach into private names that 1.2.0 and ours lack; without
# these guards no test of the file collects, on either stack. Only harness lines are touched.
# (path in the suite, exact text, replacement)
HARNESS_SHIMS = (
    (
        "cuda_core/tests/conftest.py",
        "from cuda.core._memory._buffer import _live_memory_resource_count\n",
        "try:\n    from cuda.core._memory._buffer import _live_memory_resource_count\n"
        "except ImportError:  # shim (ci/nvidia_compat.py): no live-resource count, no leak check\n"
        "    def _live_memory_resource_count():\n        return 0\n",
    ),
    (
        "cuda_core/tests/conftest.py",
        'getattr(_device._tls, "devices", ())',
        'getattr(getattr(_device, "_tls", None), "devices", ())',
    ),
    (
        "cuda_core/tests/conftest.py",
        'if hasattr(_device._tls, "devices"):',
        'if hasattr(getattr(_device, "_tls", None), "devices"):',
    ),
    # The stored graph tests import two helpers from where older harness versions had them.
    (
        "cuda_core/tests/conftest.py",
        "from helpers.constants import POOL_SIZE\n",
        "from helpers.constants import POOL_SIZE\n"
        "from cuda_python_test_helpers.marks import skipif_need_cuda_headers  # shim (ci/nvidia_compat.py)\n\n\n"
        "def xfail_on_graph_mempool_oom(*args, **kwargs):  # shim (ci/nvidia_compat.py)\n"
        "    from helpers.cuda_helpers import xfail_on_graph_mempool_oom as found\n\n"
        "    return found(*args, **kwargs)\n\n\n",
    ),
    (
        "cuda_core/tests/helpers/memory.py",
        "from cuda.core._utils.cuda_utils import CUDAError\n",
        "from cuda.core._utils.cuda_utils import CUDAError\n\n\n"
        "def xfail_on_graph_mempool_oom(*args, **kwargs):  # shim (ci/nvidia_compat.py)\n"
        "    from helpers.cuda_helpers import xfail_on_graph_mempool_oom as found\n\n"
        "    return found(*args, **kwargs)\n\n\n",
    ),
    # The stored system tests reach for the NVML test helper where older cuda-bindings kept it; the
    # test-helper package (carried in the suite) has the same function on both stacks.
    (
        "cuda_core/tests/system/conftest.py",
        "from cuda.bindings._test_helpers.arch_check import unsupported_before as nvml_unsupported_before\n",
        "from cuda_python_test_helpers.arch_check import unsupported_before as nvml_unsupported_before  # shim\n",
    ),
    (
        "cuda_bindings/tests/nvml/__init__.py",
        "from cuda.bindings._test_helpers.arch_check import hardware_supports_nvml\n",
        "from cuda_python_test_helpers.arch_check import hardware_supports_nvml  # shim (ci/nvidia_compat.py)\n",
    ),
    # Older test files import helpers from the tests' conftest that the stored conftest keeps in
    # helper modules (xfail_on_graph_mempool_oom, skipif_need_cuda_headers...): without them those
    # tests fail on both stacks, and one that began a capture leaves it open for the next ones.
    (
        "cuda_core/tests/conftest.py",
        None,  # appended
        "\n\ndef __getattr__(name):  # shim (ci/nvidia_compat.py): helpers older test files import from here\n"
        "    import importlib\n\n"
        '    if not name.startswith(("_", "pytest")):\n'
        '        for where in ("helpers.cuda_helpers", "helpers.memory", "cuda_python_test_helpers.marks",\n'
        '                      "cuda_python_test_helpers.mempool"):\n'
        "            try:\n"
        "                module = importlib.import_module(where)\n"
        "            except ImportError:\n"
        "                continue\n"
        "            if hasattr(module, name):\n"
        "                return getattr(module, name)\n"
        "    raise AttributeError(name)\n",
    ),
    # The stored NVML tests are of the cycle before the module went public: they import it by its
    # name of then, `cuda.bindings._nvml`, which NVIDIA's released 13.5.0 lacks. The released name:
    (
        "cuda_bindings/tests/nvml/*.py",
        "from cuda.bindings import _nvml as nvml\n",
        "from cuda.bindings import nvml  # shim (ci/nvidia_compat.py): the released name\n",
    ),
)


# The suite is the 13.x one; run against a 12.x line (--line 12.9: NVIDIA's 12.9 releases and ours
# built for that line), its calls of functions whose signature differs between the lines are
# written as NVIDIA's 12.x tests write them, on both stacks. Applied to the run's copy only.
LINE_SHIMS = {
    "12": (
        # cuCtxCreate(flags, dev) in 12.x; 13.x added the ctxCreateParams in front
        ("cuda_bindings/tests/**/*.py", "cuCtxCreate(None, 0, ", "cuCtxCreate(0, "),
    ),
}


def apply_harness_shims(suite: pathlib.Path, shims=None) -> list[str]:
    """Apply HARNESS_SHIMS (or `shims`) in place (idempotent); returns what was changed."""
    done = []
    # The system tests import their conftest relatively; the index the suite was fetched from
    # holds no empty files, so the package marker NVIDIA's tree has is missing here.
    marker = suite / "cuda_core/tests/system/__init__.py"
    if marker.parent.is_dir() and not marker.exists():
        marker.write_text("")
        done.append("cuda_core/tests/system/__init__.py: created (empty)")
    for pattern, old, new in HARNESS_SHIMS if shims is None else shims:
        for path in sorted(suite.glob(pattern)):
            text = path.read_text()
            if old is None:  # appended, once
                if new not in text:
                    path.write_text(text + new)
                    done.append(f"{path.relative_to(suite)}: appended {new.strip()[:60]}")
            elif old in text and not (old in new and new in text):  # a replacement that keeps `old`: once
                path.write_text(text.replace(old, new))
                done.append(f"{path.relative_to(suite)}: {old.strip()[:60]}")
    return done


# The stored test files are newer than the packages they are run against (NVIDIA's 1.2.0 on the
# GPU machine, ours matching 1.2.2): a top-level `from cuda.core... import X` of a name added
# later stops the whole file from collecting. The run uses a copy of the suite where each such
# import is guarded: a missing name becomes a stand-in that fails the tests using it (on both
# stacks, so they leave the count), while the file's other tests run.
_MISSING_MODULE = """\
class Missing:
    \"\"\"Stands for a name the installed package lacks (ci/nvidia_compat.py).\"\"\"

    def __init__(self, name):
        self._name = name

    def _fail(self):
        raise ImportError(f"{self._name} is not in the installed package")

    def __call__(self, *args, **kwargs):
        if len(args) == 1 and callable(args[0]) and not kwargs:  # used as a decorator
            def failing(*a, **k):
                self._fail()
            failing.__name__ = getattr(args[0], "__name__", "test")
            return failing
        return Missing(f"{self._name}()")  # a value: what uses it fails later

    def __lt__(self, other):
        return False

    __le__ = __gt__ = __ge__ = __lt__

    def __eq__(self, other):
        return other is self

    def __hash__(self):
        return id(self)

    def __getattr__(self, attr):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return Missing(f"{self._name}.{attr}")

    def __iter__(self):
        return iter(())

    def __getitem__(self, key):
        return Missing(f"{self._name}[{key!r}]")

    def __bool__(self):
        return False
"""
_GUARDED_MODULES = ("cuda.", "conftest", "helpers")
# Where names of older files moved: cuda.core 1.x dropped cuda.core.experimental for cuda.core.
_MOVED = {"cuda.core.experimental": "cuda.core"}


def _guard_imports(source: str) -> str:
    """Top-level `from M import a, b` of cuda.*, conftest or helpers: each name guarded."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return source
    lines = source.splitlines(keepends=True)
    for node in reversed(tree.body):
        if not (isinstance(node, ast.ImportFrom) and node.module and node.level == 0):
            continue
        if not node.module.startswith(_GUARDED_MODULES) or any(a.name == "*" for a in node.names):
            continue
        guarded = []
        for alias in node.names:
            bound = alias.asname or alias.name
            fallback = f"from _compat_missing import Missing as _M\n{bound} = _M({node.module + '.' + alias.name!r})\n"
            for module in (_MOVED.get(node.module), node.module):  # innermost first
                if module:
                    indented = "".join(f"    {line}\n" for line in fallback.splitlines())
                    attempt = f"try:\n    from {module} import {alias.name} as {bound}\n"
                    fallback = f"{attempt}except ImportError:\n{indented}"
            guarded.append(fallback)
        lines[node.lineno - 1 : node.end_lineno] = guarded
    return "".join(lines)


def shadow_suite(suite: pathlib.Path, dest: pathlib.Path) -> pathlib.Path:
    """A copy of the suite with guarded imports (see _guard_imports); the fetched files stay as they are."""
    import shutil

    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(suite, dest, symlinks=True)
    for path in dest.rglob("*.py"):
        if path.name.startswith("test_") or path.name == "conftest.py" or "helpers" in path.parts:
            text = path.read_text(errors="replace")
            path.write_text(_guard_imports(text))
    for tests in dest.glob("*/tests"):
        (tests / "_compat_missing.py").write_text(_MISSING_MODULE)
    return dest


def stacks(ours_path: str, suite: pathlib.Path | None = None, nvidia_path: str = "") -> dict[str, dict[str, str]]:
    """The environment of each stack. NVIDIA's test-helper package (cuda_python_test_helpers, in
    the suite beside the packages' folders) is importable on both, after the packages.
    `nvidia_path` (site-packages of NVIDIA's packages installed under a prefix) shadows the
    environment's own NVIDIA packages on their stack, as `ours_path` does on ours."""
    base = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    helpers = suite / "cuda_python_test_helpers" if suite is not None else None
    extra = [str(helpers)] if helpers is not None and helpers.is_dir() else []
    theirs = [nvidia_path, *extra] if nvidia_path else extra
    nvidia = dict(base, PYTHONPATH=os.pathsep.join(theirs)) if theirs else base
    return {"nvidia": nvidia, "ours": dict(base, PYTHONPATH=os.pathsep.join([ours_path, *extra]))}


def test_files(suite: pathlib.Path, pkg: str) -> list[pathlib.Path]:
    root = suite / pkg / "tests"
    return sorted(p for p in root.rglob("test_*.py") if "cython" not in p.parts) if root.is_dir() else []


# A test whose failure on ours is a private name of NVIDIA's layout that ours lacks (an import, an
# attribute or a module whose own name starts with "_") reaches into that layout from inside the
# test: not a target either, counted with the private files.
_PRIVATE_FAILURE = re.compile(r"cannot import name '_\w+'|has no attribute '_\w+'|No module named '[\w.]*\._\w+'")


def reaches_private(outcome: tuple) -> bool:
    """Whether ours failed a test only at a private name of NVIDIA's layout (see _PRIVATE_FAILURE)."""
    status, message = outcome
    return status != "passed" and bool(_PRIVATE_FAILURE.search(message or ""))


def uses_private(path: pathlib.Path) -> bool:
    return bool(_PRIVATE.search(path.read_text(errors="replace")))


def outcomes(xml_path: pathlib.Path) -> dict[str, tuple[str, str]]:
    """test id -> (passed | failed | error | skipped, first line of the message)."""
    out: dict[str, tuple[str, str]] = {}
    try:
        tree = ET.parse(xml_path)
    except (ET.ParseError, FileNotFoundError):
        return out
    for case in tree.iter("testcase"):
        tid = f"{case.get('classname', '')}::{case.get('name', '')}"
        state, message = "passed", ""
        for tag in ("failure", "error", "skipped"):
            node = case.find(tag)
            if node is not None:
                state = {"failure": "failed"}.get(tag, tag)
                message = (node.get("message") or node.text or "").strip().splitlines()[:1]
                message = message[0][:300] if message else ""
                break
        out[tid] = (state, message)
    return out


def run_file(path: pathlib.Path, root: pathlib.Path, stack: str, env: dict[str, str], timeout: float,
             work: pathlib.Path) -> dict:  # fmt: skip
    """One pytest process for one file, from the tests folder `root` (its conftest.py and pytest.ini)."""
    xml = work / f"{stack}-{'-'.join(path.relative_to(root.parent.parent).with_suffix('').parts)}.xml"
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "faulthandler_timeout=120",
           f"--junitxml={xml}", "--rootdir", str(root), str(path)]  # fmt: skip
    start = time.monotonic()
    rc, output = _run_group(cmd, env, root, timeout)
    tail = output[-6000:]
    crashed = rc == "timeout" or (isinstance(rc, int) and (rc < 0 or rc in (134, 139)))
    return {"rc": rc, "crashed": crashed, "seconds": round(time.monotonic() - start, 1), "tests": outcomes(xml),
            "tail": tail if crashed or rc not in (0, 1, 5) else ""}  # fmt: skip


def crash_flag(nv: dict, ours: dict) -> str:
    """What the report says after a file that crashed or hung on ours ("" when it did not)."""
    if not ours["crashed"]:
        return ""
    flag = f" CRASH/HANG rc={ours['rc']}"
    if ours["rc"] == "timeout" and ours["tests"] and nv["rc"] != "timeout":
        # pytest wrote its report (at the end of its session), then did not exit: a process the
        # file started is still running (a multiprocessing child waiting on a queue, say)
        flag += " (after its tests ran: a process it started did not end)"
    return flag


def _run_group(cmd: list[str], env: dict[str, str], cwd: pathlib.Path, timeout: float) -> tuple[object, str]:
    """(exit code or "timeout", output). The command runs in its own process group, and the whole
    group is killed at the timeout: a test's multiprocessing children must not keep it alive."""
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            rc = "timeout"
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # leftovers of a finished run too
        except ProcessLookupError:
            pass
        proc.wait()
        out.seek(0)
        return rc, out.read().decode(errors="replace")


def run_example(path: pathlib.Path, env: dict[str, str], timeout: float) -> dict:
    start = time.monotonic()
    rc, output = _run_group([sys.executable, str(path)], env, path.parent, timeout)
    return {"rc": rc, "seconds": round(time.monotonic() - start, 1), "tail": output[-1500:]}


_DEADLINE = None  # time.monotonic() after which nothing new starts (--budget)


def _in_budget(fn, *args):
    if _DEADLINE is not None and time.monotonic() > _DEADLINE:
        return {"rc": "not run (budget)", "crashed": False, "seconds": 0, "tests": {}, "tail": ""}
    return fn(*args)


def main() -> int:
    global _DEADLINE
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suite", required=True, type=pathlib.Path)
    ap.add_argument("--ours-path", required=True, help="site-packages folder holding ours")
    ap.add_argument("--line", default="", help="the toolkit line both stacks are of, where not the suite's 13.x")
    ap.add_argument("--nvidia-path", default="", help="site-packages folder holding NVIDIA's, if not the environment's")
    ap.add_argument("--out", required=True, type=pathlib.Path)
    ap.add_argument("--timeout", type=float, default=240.0, help="seconds per test file and stack")
    ap.add_argument("--jobs", type=int, default=4, help="test files run at once")
    ap.add_argument("--packages", nargs="*", default=list(PACKAGES))
    ap.add_argument("-k", dest="only", default="", help="only test files whose path holds this")
    ap.add_argument("--no-examples", action="store_true")
    ap.add_argument("--keep-junit", action="store_true", help="keep JUnit XML files in OUT/junit")
    ap.add_argument("--budget", type=float, default=0, help="seconds for the whole run; later files are skipped")
    args = ap.parse_args()
    if args.budget:
        _DEADLINE = time.monotonic() + args.budget
    args.suite = args.suite.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    for change in apply_harness_shims(args.suite):
        print(f"harness shim: {change}")
    fetched = args.suite
    args.suite = shadow_suite(fetched, pathlib.Path(tempfile.mkdtemp(prefix="compat-suite-")) / "suite")
    for change in apply_harness_shims(args.suite, LINE_SHIMS.get(args.line.split(".")[0], ())):
        print(f"line {args.line} shim: {change}")
    # every folder absolute: the files run from a copy of the suite elsewhere
    ours = os.pathsep.join(os.path.abspath(p) for p in args.ours_path.split(os.pathsep) if p)
    envs = stacks(ours, args.suite, os.path.abspath(args.nvidia_path) if args.nvidia_path else "")
    work = args.out / "junit" if args.keep_junit else pathlib.Path(tempfile.mkdtemp(prefix="compat-"))
    work.mkdir(parents=True, exist_ok=True)
    report: dict = {"packages": {}}
    lines: list[str] = []
    # examples first: they are quick, and --budget then bounds the test files
    if not args.no_examples:
        lines.append("## examples (rc on NVIDIA's / on ours)")
        examples = [
            ex
            for pkg in args.packages
            if (args.suite / pkg / "examples").is_dir()
            for ex in sorted((args.suite / pkg / "examples").rglob("*.py"))
            if not ex.name.startswith("_") and "common" not in ex.parts and args.only in str(ex)
        ]
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            runs = {(ex, stack): pool.submit(_in_budget, run_example, ex, env, args.timeout) for ex in examples
                    for stack, env in envs.items()}  # fmt: skip
        ex_report = {}
        for ex in examples:
            nv, ours = runs[(ex, "nvidia")].result(), runs[(ex, "ours")].result()
            rel = str(ex.relative_to(args.suite))
            ex_report[rel] = {"nvidia": nv, "ours": ours}
            lines.append(f"{rel:70s} {nv['rc']!s:>8} {ours['rc']!s:>8}")
        ran = [r for r in ex_report.values() if r["nvidia"]["rc"] == 0]
        ok = sum(r["ours"]["rc"] == 0 for r in ran)
        lines.append(f"examples: {ok} of {len(ran)} that run on NVIDIA's run on ours")
        report["examples"] = ex_report
    for pkg in args.packages:
        files = [f for f in test_files(args.suite, pkg) if args.only in str(f)]
        jobs = {}
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            for f in files:
                for stack, env in envs.items():
                    root = args.suite / pkg / "tests"
                    jobs[(f, stack)] = pool.submit(_in_budget, run_file, f, root, stack, env, args.timeout, work)
            for fut in concurrent.futures.as_completed(jobs.values()):
                key = next(k for k, v in jobs.items() if v is fut)
                r = fut.result()
                print(f"  done {key[1]:6s} {key[0].relative_to(args.suite)} rc={r['rc']} {r['seconds']}s", flush=True)
        pkg_report, totals = {}, {"public": [0, 0], "private": [0, 0]}
        lines.append(f"## {pkg}: test files (passed on NVIDIA's / of those also on ours; crash or hang on ours)")
        for f in files:
            nv, ours = jobs[(f, "nvidia")].result(), jobs[(f, "ours")].result()
            kind = "private" if uses_private(fetched / f.relative_to(args.suite)) else "public"
            good = [t for t, (s, _) in nv["tests"].items() if s == "passed"]
            both = [t for t in good if ours["tests"].get(t, ("missing", ""))[0] == "passed"]
            inner = [t for t in good if reaches_private(ours["tests"].get(t, ("missing", "")))]
            if kind == "public" and inner:  # those tests go with the private ones
                totals["private"][0] += len(inner)
                good = [t for t in good if t not in inner]
            totals[kind][0] += len(good)
            totals[kind][1] += len(both)
            failing = {t: ours["tests"].get(t, ("missing", "not run on ours: " + str(ours["rc"]))) for t in good
                       if t not in both}  # fmt: skip
            rel = str(f.relative_to(args.suite))
            pkg_report[rel] = {"kind": kind, "nvidia": nv, "ours": ours, "failing_on_ours": failing}
            flag = crash_flag(nv, ours)
            apart = f" (+{len(inner)} at private names)" if kind == "public" and inner else ""
            lines.append(f"{rel:70s} {kind:7s} {len(good):4d} {len(both):4d}{flag}{apart}")
        for kind, (good, both) in totals.items():
            share = f"{100.0 * both / good:.1f}%" if good else "n/a"
            lines.append(f"{pkg} {kind}: {both} of {good} ({share})")
        report["packages"][pkg] = {"files": pkg_report, "totals": totals}
    (args.out / "compat.json").write_text(json.dumps(report, indent=1, default=str))
    (args.out / "compat.txt").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.exit(main())
