#!/usr/bin/env bash
# Test on a slurm cluster: one task per GPU, mmengine's slurm launcher.
# usage: [GPUS=8 GPUS_PER_NODE=8 CPUS_PER_TASK=N] bash tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT [test.py args...]
# CPUS_PER_TASK defaults to the config's test_dataloader.num_workers + 1.
# Python: $PYTHON, else the repository's .venv (what `make setup` builds), else `python`.
set -euo pipefail
if [ $# -lt 4 ]; then
    echo "usage: bash $0 PARTITION JOB_NAME CONFIG CHECKPOINT [test.py args...]" >&2
    exit 2
fi
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
CHECKPOINT=$4
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PYTHON=${PYTHON:-$([ -x "$ROOT/.venv/bin/python" ] && echo "$ROOT/.venv/bin/python" || echo python)}
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
if [ -z "${CPUS_PER_TASK:-}" ]; then
    CPUS_PER_TASK=$("$PYTHON" "$ROOT/tools/misc/cpus_per_task.py" "$CONFIG" \
                    --loader test_dataloader)
fi
SRUN_ARGS=${SRUN_ARGS:-""}

PYTHONPATH="$ROOT":${PYTHONPATH:-} \
srun -p "$PARTITION" --job-name="$JOB_NAME" --gres=gpu:"$GPUS_PER_NODE" \
    --ntasks="$GPUS" --ntasks-per-node="$GPUS_PER_NODE" --cpus-per-task="$CPUS_PER_TASK" \
    --kill-on-bad-exit=1 $SRUN_ARGS \
    "$PYTHON" -u "$ROOT/tools/test.py" "$CONFIG" "$CHECKPOINT" --launcher slurm "${@:5}"
