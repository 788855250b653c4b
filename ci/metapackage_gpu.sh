#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Issue 6's GPU half: `pip install ./cuda_python[all]` in a fresh venv on the lent GPU machine,
# then the stack must work there (ci/smoke_stack.py --gpu: imports from the venv, the CUDA
# libraries load from the venv's own nvidia-* wheels, `python -m cuda.core` runs saxpy). That
# machine cannot download, so the wheelhouse holds our wheels (built by ci/gpu_wheels.sh,
# carried in .gpuwheels/), the nvidia-* wheels the image lacks (carried in .gpuwheels/meta/) and
# wheels rebuilt from what the image has installed (ci/repack_installed.py: setuptools to build
# the metapackage, numpy, the other nvidia-* runtime wheels). Usage: bash ci/metapackage_gpu.sh LOGFILE; exit status 0 when it works.
set -u
LOG=${1:-/tmp/metapackage.log}
REPO=$(cd "$(dirname "$0")/.." && pwd)
WH=/tmp/mp-wheelhouse
VENV=/tmp/mp-venv
rm -rf "$WH" "$VENV" && mkdir -p "$WH"
{
    cp "$REPO"/.gpuwheels/cuda_*.whl "$WH"/ || exit 1
    # The wheels the image lacks, carried as their files (ci/gpu_wheels.sh): zipped back into wheels.
    for x in "$REPO"/.gpuwheels/meta/*.whl.tar.xz; do
        [ -e "$x" ] || continue
        rm -rf /tmp/mp-x && mkdir /tmp/mp-x && tar -C /tmp/mp-x -xJf "$x" || exit 1
        (cd /tmp/mp-x && python3 -m zipfile -c "$WH/$(basename "$x" .tar.xz)" ./*) || exit 1
        echo "$(basename "$x" .tar.xz): from PyPI, carried"
    done
    # The `all` extra's distributions by name (their versions: the image's; pip checks the pins).
    ALL=$(python3 -c "import sys, tomllib; d = tomllib.load(open(sys.argv[1], 'rb'))
print(*(r.split('~')[0] for r in d['project']['optional-dependencies']['all']))" "$REPO/cuda_python/pyproject.toml")
    # The image's interpreter, without the PYTHONPATH that shadows NVIDIA's packages with ours.
    for d in setuptools numpy $ALL; do  # those not carried
        ls "$WH"/"$(echo $d | tr - _)"-*.whl > /dev/null 2>&1 || env -u PYTHONPATH python3 "$REPO/ci/repack_installed.py" "$WH" $d
    done
    env -u PYTHONPATH python3 -m venv "$VENV" || exit 1
    cd /tmp || exit 1
    env -u PYTHONPATH "$VENV/bin/python" -m pip install --no-index --find-links "$WH" "$REPO/cuda_python[all]" || exit 1
    env -u PYTHONPATH "$VENV/bin/python" -m pip list
    env -u PYTHONPATH "$VENV/bin/python" "$REPO/ci/smoke_stack.py" --gpu
} > "$LOG" 2>&1
