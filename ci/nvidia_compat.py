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


def stacks(ours_path: str) -> dict[str, dict[str, str]]:
    base = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return {"nvidia": base, "ours": dict(base, PYTHONPATH=ours_path)}


def test_files(suite: pathlib.Path, pkg: str) -> list[pathlib.Path]:
    root = suite / pkg / "tests"
    return sorted(p for p in root.rglob("test_*.py") if "cython" not in p.parts) if root.is_dir() else []


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
    xml = work / f"{stack}-{abs(hash(str(path)))}.xml"
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "faulthandler_timeout=120",
           f"--junitxml={xml}", "--rootdir", str(root), str(path)]  # fmt: skip
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, env=env, cwd=root, capture_output=True, text=True, timeout=timeout,
                              start_new_session=True)  # fmt: skip
        rc, tail = proc.returncode, (proc.stdout + proc.stderr)[-3000:]
    except subprocess.TimeoutExpired as exc:
        partial = exc.stdout or b""
        rc, tail = "timeout", (partial.decode(errors="replace") if isinstance(partial, bytes) else partial)[-3000:]
    crashed = rc == "timeout" or (isinstance(rc, int) and (rc < 0 or rc in (134, 139)))
    return {"rc": rc, "crashed": crashed, "seconds": round(time.monotonic() - start, 1), "tests": outcomes(xml),
            "tail": tail if crashed or rc not in (0, 1, 5) else ""}  # fmt: skip


def run_example(path: pathlib.Path, env: dict[str, str], timeout: float) -> dict:
    start = time.monotonic()
    try:
        proc = subprocess.run([sys.executable, str(path)], env=env, cwd=path.parent, capture_output=True, text=True,
                              timeout=timeout, start_new_session=True)  # fmt: skip
        rc, tail = proc.returncode, (proc.stdout + proc.stderr)[-1500:]
    except subprocess.TimeoutExpired:
        rc, tail = "timeout", ""
    return {"rc": rc, "seconds": round(time.monotonic() - start, 1), "tail": tail}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--suite", required=True, type=pathlib.Path)
    ap.add_argument("--ours-path", required=True, help="site-packages folder holding ours")
    ap.add_argument("--out", required=True, type=pathlib.Path)
    ap.add_argument("--timeout", type=float, default=240.0, help="seconds per test file and stack")
    ap.add_argument("--jobs", type=int, default=4, help="test files run at once")
    ap.add_argument("--packages", nargs="*", default=list(PACKAGES))
    ap.add_argument("-k", dest="only", default="", help="only test files whose path holds this")
    ap.add_argument("--no-examples", action="store_true")
    args = ap.parse_args()
    args.suite = args.suite.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    envs = stacks(os.path.abspath(args.ours_path))
    work = pathlib.Path(tempfile.mkdtemp(prefix="compat-"))
    report: dict = {"packages": {}}
    lines: list[str] = []
    for pkg in args.packages:
        files = [f for f in test_files(args.suite, pkg) if args.only in str(f)]
        jobs = {}
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            for f in files:
                for stack, env in envs.items():
                    root = args.suite / pkg / "tests"
                    jobs[(f, stack)] = pool.submit(run_file, f, root, stack, env, args.timeout, work)
        pkg_report, totals = {}, {"public": [0, 0], "private": [0, 0]}
        lines.append(f"## {pkg}: test files (passed on NVIDIA's / of those also on ours; crash or hang on ours)")
        for f in files:
            nv, ours = jobs[(f, "nvidia")].result(), jobs[(f, "ours")].result()
            kind = "private" if uses_private(f) else "public"
            good = [t for t, (s, _) in nv["tests"].items() if s == "passed"]
            both = [t for t in good if ours["tests"].get(t, ("missing", ""))[0] == "passed"]
            totals[kind][0] += len(good)
            totals[kind][1] += len(both)
            failing = {t: ours["tests"].get(t, ("missing", "not run on ours: " + str(ours["rc"]))) for t in good
                       if t not in both}  # fmt: skip
            rel = str(f.relative_to(args.suite))
            pkg_report[rel] = {"kind": kind, "nvidia": nv, "ours": ours, "failing_on_ours": failing}
            flag = f" CRASH/HANG rc={ours['rc']}" if ours["crashed"] else ""
            lines.append(f"{rel:70s} {kind:7s} {len(good):4d} {len(both):4d}{flag}")
        for kind, (good, both) in totals.items():
            share = f"{100.0 * both / good:.1f}%" if good else "n/a"
            lines.append(f"{pkg} {kind}: {both} of {good} ({share})")
        report["packages"][pkg] = {"files": pkg_report, "totals": totals}
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
            runs = {(ex, stack): pool.submit(run_example, ex, env, args.timeout) for ex in examples
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
    (args.out / "compat.json").write_text(json.dumps(report, indent=1, default=str))
    (args.out / "compat.txt").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.exit(main())
