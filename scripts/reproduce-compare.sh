#!/usr/bin/env bash
# Issue 13's compare runs (README "Which estimator trains best?"): every estimator trained with
# common random numbers, meta-gradient variance / bias / return tracked along training.
#   tabular:    all estimators incl. tmaml-meta and exact, 3 seeds, 300 iterations (K 10, R 20)
#   point-mass, navigation2d: maml,dice,lvc,tmaml,tmaml-meta, 3 seeds, a reduced size
#               (meta-batch 5, fast-batch 10, 32-32 policy, VPG with Adam 0.01, 20 iterations, K 10,
#               R 10, 5 test tasks × 10 episodes: sized for a shared 2-core machine)
# Usage: scripts/reproduce-compare.sh [tabular|point-mass|navigation2d]... (default: all three).
# Resumable: run it again after an interruption and each compare continues from its checkpoints.
# Results: RUNS (default runs/compare)/<name>/; the small files are copied to experiments/compare/<name>/.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-runs/compare}
metagrad() { node packages/train/dist/cli/main.js "$@"; }

compare() { # name [compare flags]
  local name=$1 dir="$RUNS/$1"
  shift
  if [ -f "$dir/compare.json" ]; then metagrad compare --resume "$dir" --quiet --wide
  else metagrad compare --out "$dir" --quiet --wide "$@"; fi | tee "$dir.txt"
  metagrad plot "$dir" --out "$dir.svg"
  local keep="experiments/compare/$name"
  mkdir -p "$keep"
  cp "$dir/compare.json" "$dir/summary.json" "$dir.txt" "$keep/"
  cp "$dir.svg" "$keep/$name.svg"
  for sub in "$dir"/*-seed*/; do
    local s
    s=$(basename "$sub")
    mkdir -p "$keep/$s"
    cp "$sub"/{config.json,progress.jsonl,timing.jsonl,tracking.jsonl,tracking-timing.jsonl} "$keep/$s/"
  done
}

reduced=(--estimators maml,dice,lvc,tmaml,tmaml-meta --seeds 3 --meta-batch 5 --fast-batch 10
  --hidden 32,32 --outer vpg --outer-lr 0.01 --iterations 20 --track-every 10 --track-repeats 10
  --eval-tasks 5 --eval-episodes 10)

for which in "${@:-tabular point-mass navigation2d}"; do
  for w in $which; do
    case $w in
      tabular)
        compare tabular --config maml-dice-tabular --normalize-advantages false \
          --estimators maml,dice,loaded-dice,lvc,promp,tmaml,tmaml-meta,exact \
          --seeds 3 --iterations 300 --track-every 10 --track-repeats 20 --eval-tasks 40 ;;
      point-mass) compare point-mass --env point-mass "${reduced[@]}" ;;
      navigation2d) compare navigation2d --env navigation2d "${reduced[@]}" ;;
      *) echo "unknown compare $w (tabular, point-mass, navigation2d)" >&2; exit 2 ;;
    esac
  done
done
