#!/usr/bin/env bash
# Build mmcv 2.1.0 with its compiled ops (needed by mmdet.models: nms, roi_align, ...)
# and cache the wheel outside the repository, so later installs take seconds.
#
# Why each step exists:
#  * mmcv publishes no wheel on PyPI for our torch, and mmcv-lite lacks the ops -> build the sdist.
#  * The sdist's setup.py imports torch, so the build must see the venv's torch: --no-build-isolation.
#  * mmcv's setup.py uses pkg_resources, gone from recent setuptools, while torch 2.14 itself
#    requires setuptools>=77: the build alone sees setuptools<70 (a private --target folder put
#    first on PYTHONPATH), the venv keeps the setuptools torch wants.
#  * torch 2.14 headers need C++20, mmcv 2.1.0 asks for -std=c++14/17 -> patched to -std=c++20.
#  * MMCV_WITH_OPS=1 compiles the CPU ops (no GPU here; FORCE_CUDA=1 builds CUDA ops on a GPU box).
#  * The wheel is keyed by the torch version (the ops link against libtorch's C++ ABI).
set -euo pipefail

PY=${PYTHON:-.venv/bin/python}
PY="$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")"  # absolute (the build cd's), venv symlink kept
MMCV_VERSION=2.1.0
TORCH_VERSION=$("$PY" -c 'import torch; print(torch.__version__.split("+")[0])')
CACHE=${OUS_WHEEL_CACHE:-$HOME/.cache/ous-mm/wheels}/torch-$TORCH_VERSION
mkdir -p "$CACHE"

if "$PY" -c "import mmcv, mmcv.ops, sys; sys.exit(mmcv.__version__ != '$MMCV_VERSION')" 2>/dev/null; then
    echo "[build_mmcv] mmcv $MMCV_VERSION with ops already installed"
    exit 0
fi

wheel=$(ls "$CACHE"/mmcv-$MMCV_VERSION-*.whl 2>/dev/null | head -n1 || true)
if [ -z "$wheel" ]; then
    echo "[build_mmcv] no cached wheel in $CACHE: building mmcv $MMCV_VERSION from source (about 10 min on 2 cores)"
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    "$PY" -m pip install -q --target "$work/build-setuptools" "setuptools<70"
    PYTHONPATH="$work/build-setuptools" "$PY" -m pip download --no-deps --no-binary :all: --no-build-isolation "mmcv==$MMCV_VERSION" -d "$work"
    tar -xzf "$work"/mmcv-$MMCV_VERSION.tar.gz -C "$work"
    src="$work/mmcv-$MMCV_VERSION"
    sed -i -e 's/-std=c++14/-std=c++20/g' -e 's/-std=c++17/-std=c++20/g' "$src/setup.py"
    (cd "$src" && PYTHONPATH="$work/build-setuptools" MMCV_WITH_OPS=1 MAX_JOBS=${MAX_JOBS:-$(nproc)} \
        "$PY" -m pip wheel --no-deps --no-build-isolation . -w "$CACHE")
    wheel=$(ls "$CACHE"/mmcv-$MMCV_VERSION-*.whl | head -n1)
fi
echo "[build_mmcv] installing $wheel"
"$PY" -m pip install --no-deps "$wheel"
# mmcv's own light runtime needs (its wheel is installed with --no-deps above).
"$PY" -m pip install -q addict yapf packaging pyyaml Pillow
"$PY" -c "import mmcv.ops; print('[build_mmcv] mmcv', __import__('mmcv').__version__, 'ops OK')"
