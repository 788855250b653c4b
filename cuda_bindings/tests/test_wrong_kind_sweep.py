# SPDX-License-Identifier: Apache-2.0
"""Every public function of every binding module, given arguments of the wrong kind, refuses them
with TypeError or ValueError before any C call: no crash, no hang, no library needed (CPU)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Run in a child per module: a crash there fails this test instead of ending the whole session.
SWEEP = r"""
import inspect, json, re, sys
import importlib
mod = importlib.import_module(sys.argv[1])

def arity(f):
    try:
        params = inspect.signature(f).parameters.values()
    except (TypeError, ValueError):  # extension functions: the signature heads the docstring
        head = re.match(r"\w+\((.*?)\)", (f.__doc__ or "").strip())
        return None if head is None else len([p for p in head.group(1).split(",") if p.strip()])
    if any(p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params):
        return None
    return len(params)

# Kinds no parameter takes. Floats are left out on purpose: like NVIDIA's, an int parameter
# takes a float and truncates it, and the call then reaches the library.
KINDS = {"object": object(), "list of objects": [object()]}
out = {"checked": 0, "no_signature": [], "not_refused": []}
for name in sorted(dir(mod)):
    f = getattr(mod, name)
    # the module's own functions (not what it imports, such as typing.Optional)
    if name.startswith("_") or isinstance(f, type) or not callable(f) or getattr(f, "__module__", None) != mod.__name__:
        continue
    n = arity(f)
    if n is None:
        out["no_signature"].append(name)
        continue
    if n == 0:  # nothing to get wrong; calling it would reach the library
        continue
    out["checked"] += 1
    for kind, value in KINDS.items():
        try:
            f(*[value] * n)
        except (TypeError, ValueError, OverflowError):
            continue
        except Exception as exc:
            out["not_refused"].append(f"{name}({kind}): {type(exc).__name__}: {exc}"[:200])
        else:
            out["not_refused"].append(f"{name}({kind}): returned")
print(json.dumps(out))
"""

# module -> the least number of functions with parameters it must have (a guard against a sweep
# that finds nothing to call)
MODULES = {
    "cuda.bindings.driver": 400,
    "cuda.bindings.runtime": 300,
    "cuda.bindings.nvrtc": 20,
    "cuda.bindings.nvjitlink": 8,
    "cuda.bindings.nvvm": 8,
    "cuda.bindings.nvfatbin": 6,
    "cuda.bindings.nvml": 300,
    "cuda.bindings.cufile": 20,
    "cuda.bindings.cudla": 10,  # 13.x only: importorskip passes it by on the 12.9 line
}


@pytest.mark.parametrize("module", MODULES)
def test_every_function_refuses_wrong_kinds(module):
    pytest.importorskip(module)
    child = subprocess.run([sys.executable, "-c", SWEEP, module], capture_output=True, text=True, timeout=300)
    assert child.returncode == 0, child.stderr[-2000:]
    out = json.loads(child.stdout.strip().splitlines()[-1])
    assert out["no_signature"] == []
    assert out["not_refused"] == []
    assert out["checked"] >= MODULES[module]
