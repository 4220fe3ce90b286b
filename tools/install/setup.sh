#!/usr/bin/env bash
# Idempotent environment setup for ous-mm, in three stages (called by the Makefile):
#
#   setup.sh core   venv, the pinned stack with mmcv-lite (mmcv WITHOUT compiled ops), ous_mm editable:
#                   everything `make demo`, training, testing and inference on videos need.
#   setup.sh mmdet  mmcv 2.1.0 WITH compiled ops (replaces mmcv-lite), needed only by mmdet's
#                   detectors (the MMDet face detector): a cached wheel, or a ~13 min build once.
#   setup.sh full   the test and web-demo dependencies (requirements/tests.txt, webui.txt).
#
# The terminal gets one line per step with its time; pip's full output goes to
# $VENV/ous-logs/setup-<stage>.log, printed with its tail on failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
HERE=tools/install
# shellcheck source=tools/install/lib.sh
source "$HERE/lib.sh"

VENV=${VENV:-.venv}
PY="$VENV/bin/python"
CONSTRAINTS=requirements/constraints.txt
WHAT=${1:-core}
case "$WHAT" in core|mmdet|full) ;; *) echo "usage: $0 core|mmdet|full" >&2; exit 2 ;; esac

mkdir -p "$VENV/ous-logs"
export OUS_LOG="$(cd "$VENV/ous-logs" && pwd)/setup-$WHAT.log"  # absolute: the mmcv build cd's
: >"$OUS_LOG"
T0=$(date +%s)

pip_install() { logged "$PY" -m pip install --no-input --progress-bar off "$@"; }

# requirement lines of a file (comments and blanks dropped): empty for a placeholder file
has_requirements() { grep -qvE '^[[:space:]]*(#|$)' "$1"; }

make_venv() {
    logged python3 -m venv "$VENV"
}

install_stack() {
    local extra=()
    # mmcv-lite: mmcv's Python half (no compiled ops), enough for mmaction2, mmdet's imports and
    # ous_mm. Skipped when an mmcv 2.1.0 (e.g. with ops, from `setup.sh mmdet`) is already there.
    local have=0
    "$PY" "$HERE/mmcv_wheel.py" has-mmcv || have=$?
    if [ "$have" -eq 3 ]; then  # another mmcv version: mmaction2 1.2.0 and mmdet 3.3.0 need 2.1.0
        logged "$PY" -m pip uninstall -y mmcv mmcv-lite
    fi
    if [ "$have" -ne 0 ]; then extra+=(mmcv-lite==2.1.0); fi
    pip_install -r requirements/runtime.txt "${extra[@]}" -c "$CONSTRAINTS"
    # opencv-python (mmengine) and opencv-contrib-python (mmaction2) share the cv2/ folder:
    # whichever is installed last owns it. Reinstall contrib (the superset, with Haar cascades).
    if ! "$PY" -c "import cv2; cv2.CascadeClassifier; cv2.data.haarcascades" >>"$OUS_LOG" 2>&1; then
        pip_install --no-deps --force-reinstall "$(grep -E '^opencv-contrib-python==' requirements/runtime.txt)"
    fi
}

install_nodeps() {
    # packages whose declared pins are too old for this stack but that run on it
    if has_requirements requirements/nodeps.txt; then
        pip_install --no-deps -r requirements/nodeps.txt
    fi
}

install_ous_mm() {
    # The legacy editable install (an egg-link to this tree; setuptools < 80, pinned): the one
    # OpenMIM finds (`mim search ous_mm`), with ous_mm/.mim linked by setup.py.
    pip_install setuptools wheel -c "$CONSTRAINTS"
    pip_install --no-deps --no-build-isolation --no-use-pep517 -e .
    logged "$PY" -c "import ous_mm; print('ous_mm', ous_mm.__version__, 'imports')"
}

build_mmcv_ops() {
    pip_install -r requirements/build.txt -c "$CONSTRAINTS"
    PYTHON="$PY" bash "$HERE/build_mmcv.sh"
}

install_extras() {
    local files=(-r requirements/tests.txt)
    if has_requirements requirements/webui.txt; then files+=(-r requirements/webui.txt); fi
    pip_install "${files[@]}" -c "$CONSTRAINTS"
}

case "$WHAT" in
core)
    if [ ! -x "$PY" ]; then
        stage venv "python3 -m venv $VENV ($(python3 -V 2>&1))" make_venv
    fi
    stage stack "torch, OpenMMLab stack, mmcv-lite (requirements/runtime.txt)" install_stack
    if has_requirements requirements/nodeps.txt; then
        stage nodeps "requirements/nodeps.txt with --no-deps" install_nodeps
    fi
    stage ous_mm "editable install + import check" install_ous_mm
    echo "[setup] core ready in $(($(date +%s) - T0)) s: \`make demo\` runs now." \
         "The MMDet face detector needs mmcv's compiled ops: \`make setup-mmdet\`."
    ;;
mmdet)
    # build_mmcv.sh reports its own decision and progress, so this stage line comes last
    start=$(date +%s)
    build_mmcv_ops
    echo "[setup] mmcv-ops  mmcv 2.1.0 with compiled ops ... $(($(date +%s) - start)) s"
    ;;
full)
    stage extras "tests + web demo (requirements/tests.txt, webui.txt)" install_extras
    ;;
esac
