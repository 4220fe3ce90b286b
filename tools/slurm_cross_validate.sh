#!/usr/bin/env bash
# The k-fold protocol on a slurm cluster: an array job with one task per fold (the same
# config; task I runs tools/cross_validate.py --fold-index I on one GPU), then a task that
# writes the table (results.json / results.md) once every fold has ended, failed or not.
# usage:
#   [GPUS_PER_TASK=1 CPUS_PER_TASK=N SBATCH_ARGS=...] bash tools/slurm_cross_validate.sh \
#       PARTITION JOB_NAME CONFIG [WORK_DIR] [cross_validate.py args...]
# WORK_DIR (optional, default work_dirs/JOB_NAME) is taken only when the 4th argument is
# not a flag. Re-submitting the same command resumes: finished folds are skipped, a killed
# fold resumes from its last checkpoint. CPUS_PER_TASK defaults to the config's
# train_dataloader.num_workers + 1.
# Python: $PYTHON, else the repository's .venv (what `make setup` builds), else `python`.
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: bash $0 PARTITION JOB_NAME CONFIG [WORK_DIR] [cross_validate.py args...]" >&2
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
GPUS_PER_TASK=${GPUS_PER_TASK:-1}
if [ -z "${CPUS_PER_TASK:-}" ]; then
    CPUS_PER_TASK=$("$PYTHON" "$ROOT/tools/misc/cpus_per_task.py" "$CONFIG")
fi
SBATCH_ARGS=${SBATCH_ARGS:-""}
# how many folds the config (and any --folds) plans; a broken config stops here
NUM_FOLDS=$(PYTHONPATH="$ROOT":${PYTHONPATH:-} "$PYTHON" "$ROOT/tools/cross_validate.py" \
            "$CONFIG" --list-folds "$@" | tail -n 1)
mkdir -p "$WORK_DIR"
CV=$(printf '%q ' "$PYTHON" -u "$ROOT/tools/cross_validate.py" "$CONFIG" --work-dir "$WORK_DIR" "$@")
ENV="cd $(printf '%q' "$PWD") && export PYTHONPATH=$(printf '%q' "$ROOT"):\${PYTHONPATH:-}"

ARRAY_ID=$(sbatch --parsable -p "$PARTITION" --job-name="$JOB_NAME" \
    --array=0-$((NUM_FOLDS - 1)) --ntasks=1 --gres=gpu:"$GPUS_PER_TASK" \
    --cpus-per-task="$CPUS_PER_TASK" --output="$WORK_DIR/slurm-%A_%a.log" $SBATCH_ARGS \
    --wrap="$ENV && srun --kill-on-bad-exit=1 $CV--fold-index \$SLURM_ARRAY_TASK_ID")
ARRAY_ID=${ARRAY_ID%%;*}
TABLE_ID=$(sbatch --parsable -p "$PARTITION" --job-name="${JOB_NAME}_table" \
    --dependency=afterany:"$ARRAY_ID" --ntasks=1 --cpus-per-task=1 \
    --output="$WORK_DIR/slurm-%j-table.log" $SBATCH_ARGS \
    --wrap="$ENV && $CV--summarize")
TABLE_ID=${TABLE_ID%%;*}
echo "submitted array job $ARRAY_ID ($NUM_FOLDS folds) and table job $TABLE_ID;" \
     "the table: $WORK_DIR/results.md"
