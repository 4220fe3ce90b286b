#!/usr/bin/env bash
# Is this GPU node ready for the real OUS runs? One command, one summary table. The
# check stages have time limits that add up to 7 min 55 s (they take ~4 min on an
# H100/H200); a first run that has to build mmcv's CUDA ops adds the build's limit.
#
#   bash benchmarks/gpu_check.sh                 # results in work_dirs/gpu_check/<time>/
#   GPU_CHECK_OUT=/tmp/gc bash benchmarks/gpu_check.sh
#
# Stages (benchmarks/gpu_check.py has the details):
#   build    mmcv's compiled ops for CUDA: kept when present, else built with
#            FORCE_CUDA=1 tools/install/build_mmcv.sh (limit GPU_CHECK_BUILD_S, default
#            600 s; the wheel is cached, so it is built once per machine;
#            GPU_CHECK_SKIP_BUILD=1 skips it). OUS itself needs no mmcv CUDA op (mmdet
#            face detectors do), so the other stages run either way.
#   mmcv     the ops' CUDA version, nms on the GPU
#   encoder  frozen ViT-L/14 feature extraction in bf16: frames/s, % of bf16 peak
#   train    one ViT-L/14 training step end to end and from cached features
#   ddp      2 processes (on one GPU when only one is present)
#   runner   tools/train.py --amp, one epoch of the tiny synthetic config
# Exit status: 0 when every stage passed, 1 when one failed, 3 without CUDA.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
[ -x "$PY" ] || PY=python
OUT=${GPU_CHECK_OUT:-work_dirs/gpu_check/$(date +%Y%m%d_%H%M%S)}

# refuse at once, in one line, without CUDA
if ! "$PY" -c 'import sys, torch; sys.exit(0 if torch.cuda.is_available() else 3)' 2>/dev/null; then
    echo "gpu_check: no CUDA device visible to torch ($PY); run it on a GPU node" >&2
    exit 3
fi
mkdir -p "$OUT"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-8}
echo "gpu_check: results in $OUT"

stage() {  # stage NAME SECONDS -- run one python stage under a time limit
    local name=$1 limit=$2 start=$SECONDS rc
    echo "== $name (limit ${limit} s)"
    timeout --kill-after=10 "$limit" "$PY" benchmarks/gpu_check.py "$name" --out "$OUT" \
        > "$OUT/$name.log" 2>&1
    rc=$?
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
        printf '{"ok": false, "status": "TIMEOUT", "detail": "over %s s"}\n' "$limit" > "$OUT/$name.json"
    elif [ ! -f "$OUT/$name.json" ]; then
        printf '{"ok": false, "detail": "exit %s, see %s"}\n' "$rc" "$OUT/$name.log" > "$OUT/$name.json"
    fi
    echo "   $((SECONDS - start)) s, exit $rc (log: $OUT/$name.log)"
}

build() {
    local start=$SECONDS status detail rc
    if "$PY" -c 'import sys; from mmcv.ops import get_compiling_cuda_version as v; sys.exit(v() == "not available")' 2>/dev/null; then
        status=present; detail="mmcv ops already built for CUDA"
    elif [ "${GPU_CHECK_SKIP_BUILD:-0}" = 1 ]; then
        status=skipped; detail="CPU-only mmcv ops; GPU_CHECK_SKIP_BUILD=1"
    else
        echo "== build: FORCE_CUDA=1 tools/install/build_mmcv.sh (limit ${GPU_CHECK_BUILD_S:-600} s)"
        FORCE_CUDA=1 PYTHON="$PY" timeout --kill-after=10 "${GPU_CHECK_BUILD_S:-600}" \
            bash tools/install/build_mmcv.sh > "$OUT/build.log" 2>&1
        rc=$?
        if [ $rc -eq 0 ]; then status=ok; detail="built in $((SECONDS - start)) s";
        elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
            status=TIMEOUT; detail="not done in ${GPU_CHECK_BUILD_S:-600} s: run FORCE_CUDA=1 make setup once"
        else status=FAILED; detail="exit $rc, see $OUT/build.log"; fi
    fi
    printf '{"ok": %s, "status": "%s", "detail": "%s"}\n' \
        "$([ "$status" = ok ] || [ "$status" = present ] && echo true || echo false)" \
        "$status" "$detail" > "$OUT/build.json"
    echo "== build: $status ($detail)"
}

build
stage mmcv 45       # limits: 475 s in all
stage encoder 100
stage train 120
stage ddp 90
stage runner 120
"$PY" benchmarks/gpu_check.py summary --out "$OUT" | tee "$OUT/summary.txt"
exit "${PIPESTATUS[0]}"
