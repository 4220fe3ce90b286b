#!/usr/bin/env bash
# One-command, idempotent environment setup for ous-mm (called by `make setup`).
# Creates .venv, installs the pinned OpenMMLab stack, builds/caches mmcv, installs ous_mm editable.
set -euo pipefail
cd "$(dirname "$0")/../.."

VENV=${VENV:-.venv}
PY="$VENV/bin/python"

if [ ! -x "$PY" ]; then
    echo "[setup] creating $VENV"
    python3 -m venv "$VENV"
fi
# wheel/ninja: for the mmcv build (ninja makes it parallel).
"$PY" -m pip install -q wheel ninja
echo "[setup] installing the pinned stack (requirements/runtime.txt, requirements/tests.txt)"
"$PY" -m pip install -q -r requirements/runtime.txt -r requirements/tests.txt -c requirements/constraints.txt
# opencv-python (mmengine) and opencv-contrib-python (mmaction2) share the cv2/ folder: whichever
# is installed last owns it. Reinstall contrib (the superset, with Haar cascades) so cv2 is whole.
if ! "$PY" -c "import cv2; cv2.CascadeClassifier; cv2.data.haarcascades" 2>/dev/null; then
    "$PY" -m pip install -q --no-deps --force-reinstall \
        "$(grep -E '^opencv-contrib-python==' requirements/runtime.txt)"
fi
PYTHON="$PY" bash tools/install/build_mmcv.sh
"$PY" -m pip install -q --no-deps --no-build-isolation -e .
"$PY" -c "import ous_mm; print('[setup] ous_mm', ous_mm.__version__, 'ready')"
