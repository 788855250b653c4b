# SPDX-License-Identifier: Apache-2.0
"""numba-cuda's own test suites on NVIDIA's packages and on ours, side by side.

    python ci/numba_compat.py --ours-path A:B:C [--suite numba.cuda.tests.cudadrv] [--out DIR]

Run with the Python of a venv that has numba-cuda and NVIDIA's cuda-bindings/cuda-core (see
`nox -s numba_cpu`): once as it is, once with ours first on PYTHONPATH. Each test that passes on
NVIDIA's stack and not on ours is printed with its first error line; the exit status is 1 if there
is one. numba-cuda builds on cuda.core and cuda.bindings (devices, streams, memory, linking,
launches), so its tests are a client's view of both stacks.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys

# unittest -v: "test_x (module.Class.test_x) ... ok", the docstring's first line between where there is one;
# a warning the test prints comes after the dots, its result then starts a line of its own
_LINE = re.compile(
    r"^(\w+) \(([\w.]+)\)(?:\n[^\n]*?)? \.\.\. (?:[^\n]*\n(?:[^\n]*\n){0,8}?)??"
    r"(ok|FAIL|ERROR|skipped|expected failure|unexpected success)\b",
    re.M,
)


def run(suite: str, pythonpath: str | None, timeout: int) -> tuple[dict[str, str], str]:
    env = dict(os.environ)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath + os.pathsep + env.get("PYTHONPATH", "")
    try:
        done = subprocess.run([sys.executable, "-m", "numba.runtests", "-v", suite], env=env, capture_output=True,
                              text=True, timeout=timeout)  # fmt: skip
        log = done.stderr
    except subprocess.TimeoutExpired as exc:  # what ran before the limit still counts
        log = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else exc.stderr or ""
        print(f"{suite}: stopped after {timeout} s", file=sys.stderr)
    return {m.group(2): m.group(3) for m in _LINE.finditer(log)}, log


def first_error(log: str, test: str) -> str:
    block = log.split(f"({test})", 2)
    if len(block) < 3:
        return ""
    lines = [line for line in block[2].splitlines() if line.strip() and not line.startswith(("-", "="))]
    errors = [line for line in lines if re.match(r"^\w+(\.\w+)*(Error|Exception|Failure)\b", line)]
    return (errors or lines or [""])[0][:200]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ours-path", required=True, help="os.pathsep-separated folders holding ours")
    ap.add_argument("--suite", default="numba.cuda.tests.cudadrv")
    ap.add_argument("--timeout", type=int, default=1800)
    args = ap.parse_args()
    theirs, their_log = run(args.suite, None, args.timeout)
    ours, log = run(args.suite, args.ours_path, args.timeout)
    for name, results, text in (("NVIDIA's", theirs, their_log), ("ours", ours, log)):
        if not results:  # nothing ran: the runner's own failure is the news
            print(f"no test ran on {name}:\n{text[-3000:]}")
    passed = sorted(t for t, r in theirs.items() if r == "ok")
    missing = [t for t in passed if ours.get(t) != "ok"]
    for t in missing:
        print(f"FAILS ON OURS {t}: {ours.get(t, 'not run')} {first_error(log, t)}")
    extra = sum(1 for t, r in ours.items() if r == "ok" and theirs.get(t) != "ok")
    print(f"{args.suite}: {len(passed) - len(missing)} of the {len(passed)} tests that pass on NVIDIA's pass on "
          f"ours ({len(theirs)} run; {extra} more pass only on ours)")  # fmt: skip
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
