#!/usr/bin/env bash
# Train on a slurm cluster: one task per GPU, mmengine's slurm launcher.
# usage (MMAction2's convention):
#   [GPUS=8 GPUS_PER_NODE=8 CPUS_PER_TASK=N] bash tools/slurm_train.sh PARTITION JOB_NAME CONFIG [WORK_DIR] [train.py args...]
# WORK_DIR (optional, default work_dirs/JOB_NAME) is taken only when the 4th argument
# is not a flag, so `... CONFIG --amp --seed 0` passes both flags to train.py.
# CPUS_PER_TASK defaults to the config's train_dataloader.num_workers + 1 (the workers
# each task starts plus its main process); set it to override.
# Python: $PYTHON, else the repository's .venv (what `make setup` builds), else `python`.
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: bash $0 PARTITION JOB_NAME CONFIG [WORK_DIR] [train.py args...]" >&2
    exit 2
fi
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
shift 3
WORK_DIR="work_dirs/$JOB_NAME"
if [ $# -gt 0 ] && [[ "$1" != -* ]]; then
    WORK_DIR=$1
    shift
fi
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON=${PYTHON:-$([ -x "$ROOT/.venv/bin/python" ] && echo "$ROOT/.venv/bin/python" || echo python)}
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
if [ -z "${CPUS_PER_TASK:-}" ]; then
    CPUS_PER_TASK=$("$PYTHON" "$ROOT/tools/misc/cpus_per_task.py" "$CONFIG")
fi
SRUN_ARGS=${SRUN_ARGS:-""}

PYTHONPATH="$ROOT":${PYTHONPATH:-} \
srun -p "$PARTITION" --job-name="$JOB_NAME" --gres=gpu:"$GPUS_PER_NODE" \
    --ntasks="$GPUS" --ntasks-per-node="$GPUS_PER_NODE" --cpus-per-task="$CPUS_PER_TASK" \
    --kill-on-bad-exit=1 $SRUN_ARGS \
    "$PYTHON" -u "$ROOT/tools/train.py" "$CONFIG" --work-dir="$WORK_DIR" --launcher slurm "$@"
