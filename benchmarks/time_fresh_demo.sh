#!/bin/bash
# Time `make demo` as a new user meets it (issue 17): for each run, a fresh clone of this
# checkout's HEAD, a fresh venv, empty mmcv-wheel and CLIP caches. Prints one line a run
# (exit code, wall seconds, load average) and the median; logs in $OUT/run<i>.log.
#   bash benchmarks/time_fresh_demo.sh [RUNS=3]      # OUT=/tmp/fresh_demo by default
# Set PIP_CACHE_DIR to an empty folder as well for a cold pip cache.
set -u
runs=${1:-3}
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
out=${OUT:-/tmp/fresh_demo}
mkdir -p "$out"
walls=()
for i in $(seq 1 "$runs"); do
  dir=$out/clone$i
  rm -rf "$dir" "$out/wheels$i" "$out/clip$i" && mkdir -p "$out/wheels$i" "$out/clip$i"
  git clone -q "$repo" "$dir" || exit 1
  t0=$(date +%s.%N)
  (cd "$dir" && OUS_WHEEL_CACHE=$out/wheels$i OUS_CLIP_CACHE=$out/clip$i make demo) \
      > "$out/run$i.log" 2>&1
  rc=$?
  wall=$(echo "$(date +%s.%N) - $t0" | bc)
  walls+=("$wall")
  echo "run $i: rc=$rc wall=${wall%.*} s load=$(cut -d' ' -f1-3 /proc/loadavg) log=$out/run$i.log"
done
printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {printf "median wall %.0f s of %d runs\n", a[int((NR+1)/2)], NR}'
