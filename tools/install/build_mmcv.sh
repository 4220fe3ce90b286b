#!/usr/bin/env bash
# Install mmcv 2.1.0 WITH its compiled ops (needed by mmdet.models: nms, roi_align, ...),
# from a cached wheel when one fits, else built from the PyPI sdist and cached outside
# the repository, so later installs take seconds.
#
# Usage: PYTHON=.venv/bin/python bash tools/install/build_mmcv.sh
#   FORCE_CUDA=1          CUDA ops (default: CUDA when `nvcc` is found and torch sees a GPU)
#   FORCE_CUDA=0          CPU ops even on a GPU machine
#   TORCH_CUDA_ARCH_LIST  GPU architectures to compile for (default: the visible GPUs')
#   OUS_WHEEL_CACHE       cache root (default ~/.cache/ous-mm/wheels)
#   OUS_MMCV_DRY_RUN=1    print the decision and stop (tests)
#
# Why each step exists:
#  * mmcv publishes no wheel on PyPI for our torch, and mmcv-lite lacks the ops -> build the sdist.
#  * What to do (nothing / install a cached wheel / build) is decided by mmcv_wheel.py: the cache
#    is keyed on Python, torch, torch's CUDA version, CPU vs CUDA ops and the GPU architectures,
#    and an installed or cached build with CPU-only ops is refused when CUDA ops are wanted.
#  * The sdist's setup.py imports torch, so the build must see the venv's torch: --no-build-isolation.
#  * mmcv's setup.py uses pkg_resources, gone from recent setuptools, while torch 2.14 itself
#    requires setuptools>=77: the build alone sees setuptools 69 (a private --target folder put
#    first on PYTHONPATH), the venv keeps the setuptools torch wants.
#  * torch 2.14 headers need C++20, mmcv 2.1.0 asks for -std=c++14/17 -> patched to -std=c++20.
#  * CPU ops: GPUs are hidden from the build (mmcv's setup.py switches to CUDA whenever torch
#    sees one). CUDA ops: FORCE_CUDA=1 and the architectures the cache key names.
#  * -g0: no debug info (Python's default CFLAGS carry -g): a faster build and a smaller wheel.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
# shellcheck source=tools/install/lib.sh
source "$HERE/lib.sh"

PY=${PYTHON:-.venv/bin/python}
PY="$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")"  # absolute (the build cd's), venv symlink kept
MMCV_VERSION=2.1.0
BUILD_SETUPTOOLS=setuptools==69.5.1  # the last line of setuptools whose pkg_resources mmcv's setup.py imports
if [ -z "${OUS_LOG:-}" ]; then
    OUS_LOG="$(dirname "$(dirname "$PY")")/ous-logs/build_mmcv.log"
    mkdir -p "$(dirname "$OUS_LOG")"
    : >"$OUS_LOG"
fi
OUS_LOG="$(cd "$(dirname "$OUS_LOG")" && pwd)/$(basename "$OUS_LOG")"  # absolute: the build cd's
export OUS_LOG

eval "$("$PY" "$HERE/mmcv_wheel.py" plan)"
echo "[build_mmcv] $MMCV_REASON"
if [ "${OUS_MMCV_DRY_RUN:-0}" = 1 ]; then
    echo "[build_mmcv] dry run: action=$MMCV_ACTION want_cuda=$MMCV_WANT_CUDA cache=$MMCV_CACHE_DIR"
    exit 0
fi
[ "$MMCV_ACTION" = ok ] && exit 0
ops=CPU; [ "$MMCV_WANT_CUDA" = 1 ] && ops=CUDA

build_wheel() {
    local src start
    start=$(date +%s)
    echo "[build_mmcv] compiling mmcv $MMCV_VERSION with $ops ops (CPU ops: about 10 min on 2 idle cores, far longer on a loaded machine;" \
         "progress: tail -f $OUS_LOG)"
    WORK=$(mktemp -d)
    trap 'rm -rf "$WORK"' EXIT
    logged "$PY" -m pip install --no-input --progress-bar off --target "$WORK/build-setuptools" "$BUILD_SETUPTOOLS"
    PYTHONPATH="$WORK/build-setuptools" logged "$PY" -m pip download --no-input --progress-bar off \
        --no-deps --no-binary :all: --no-build-isolation "mmcv==$MMCV_VERSION" -d "$WORK"
    tar -xzf "$WORK/mmcv-$MMCV_VERSION.tar.gz" -C "$WORK"
    src="$WORK/mmcv-$MMCV_VERSION"
    sed -i -e 's/-std=c++14/-std=c++20/g' -e 's/-std=c++17/-std=c++20/g' "$src/setup.py"
    local cuda_env=(FORCE_CUDA=0 CUDA_VISIBLE_DEVICES=)
    if [ "$MMCV_WANT_CUDA" = 1 ]; then
        cuda_env=(FORCE_CUDA=1)
        [ -n "$MMCV_ARCH_LIST" ] && cuda_env+=("TORCH_CUDA_ARCH_LIST=$MMCV_ARCH_LIST")
    fi
    (cd "$src" && export PYTHONPATH="$WORK/build-setuptools" MMCV_WITH_OPS=1 "${cuda_env[@]}" \
        MAX_JOBS="${MAX_JOBS:-$(nproc)}" CFLAGS="${CFLAGS:-} -g0" &&
        logged "$PY" -m pip wheel -v --no-input --progress-bar off --no-deps --no-build-isolation . -w "$WORK/dist")
    mkdir -p "$MMCV_CACHE_DIR"
    MMCV_WHEEL="$MMCV_CACHE_DIR/$(basename "$(ls "$WORK"/dist/mmcv-$MMCV_VERSION-*.whl)")"
    # via a temporary name: a killed build never leaves a partial wheel in the cache
    mv "$WORK"/dist/mmcv-$MMCV_VERSION-*.whl "$MMCV_WHEEL.part" && mv "$MMCV_WHEEL.part" "$MMCV_WHEEL"
    echo "[build_mmcv] built in $(($(date +%s) - start)) s, cached as $MMCV_WHEEL"
}

install_wheel() {
    # mmcv-lite (from `setup.sh core`) and mmcv own the same mmcv/ folder: remove either first
    if [ -n "$("$PY" -m pip list --format=freeze 2>/dev/null | grep -iE '^mmcv(-lite)?==')" ]; then
        logged "$PY" -m pip uninstall -y mmcv mmcv-lite || return 1
    fi
    logged "$PY" -m pip install --no-input --progress-bar off "$MMCV_WHEEL" \
        -c "$ROOT/requirements/constraints.txt" || return 1
    MMCV_WANT_CUDA=$MMCV_WANT_CUDA logged "$PY" "$HERE/mmcv_wheel.py" verify
}

if [ "$MMCV_ACTION" = install ] && ! install_wheel; then
    # a cached wheel that does not fit (e.g. CPU-only ops where CUDA ops are wanted) is never used again
    mv "$MMCV_WHEEL" "$MMCV_WHEEL.rejected"
    echo "[build_mmcv] refused the cached wheel (kept as $MMCV_WHEEL.rejected): building instead"
    MMCV_ACTION=build
fi
if [ "$MMCV_ACTION" = build ]; then
    build_wheel
    install_wheel
fi
echo "[build_mmcv] mmcv $MMCV_VERSION with $ops ops installed"
