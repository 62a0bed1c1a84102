#!/usr/bin/env bash
# Sinusoid regression (MAML paper §5.1): meta-train MAML, FOMAML, Reptile, CAVIA, Meta-SGD and the
# pretrained baseline with K = 10, evaluate each on 100 held-out tasks (MSE after 0..10 SGD steps,
# 95% CIs), draw the adapted curves, and copy the small result files to experiments/sinusoid/.
# Run directories (with checkpoints) go to runs/sinusoid/ (git-ignored); rerunning resumes them.
# Usage: scripts/reproduce-sinusoid.sh [train|evaluate|all]   (needs `npm run build` first)
set -euo pipefail
cd "$(dirname "$0")/.."
MG="nice -n 10 node packages/train/dist/cli/main.js"
RUNS=runs/sinusoid
OUT=experiments/sinusoid
STAGE=${1:-all}
# algo:iterations (MAML and the baseline get the most; ~8 ms per MAML iteration on one core)
RUNS_LIST="maml:10000 pretrain:10000 fomaml:5000 reptile:5000 cavia:5000 meta-sgd:5000"
mkdir -p "$RUNS" "$OUT"

if [[ $STAGE == train || $STAGE == all ]]; then
  for entry in $RUNS_LIST; do
    algo=${entry%%:*}; its=${entry##*:}
    dir=$RUNS/$algo-k10
    if [[ -f $dir/config.json ]]; then
      $MG train --resume "$dir" --quiet
    else
      $MG train --env sinusoid --algo "$algo" --shots 10 --iterations "$its" --seed 0 --out "$dir" --quiet
    fi
  done
fi

if [[ $STAGE == evaluate || $STAGE == all ]]; then
  for entry in $RUNS_LIST; do
    algo=${entry%%:*}
    dir=$RUNS/$algo-k10
    for k in 5 10; do
      $MG evaluate "$dir" --tasks 100 --steps 10 --shots "$k" --no-save --json \
        --figure "$OUT/$algo-k10-curves-shots$k.svg" > "$OUT/$algo-k10-eval-shots$k.json"
    done
  done
  $MG mechanics --env sinusoid --json --plot "$OUT/mechanics.svg" > "$OUT/mechanics.json"
fi
