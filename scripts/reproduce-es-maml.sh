#!/usr/bin/env bash
# ES-MAML vs PG-MAML on four corners (sparse reward) at the same number of rollouts, K = 5, 10, 20,
# over SEEDS training seeds: ES-MAML with hill climbing and with one MC-ES gradient step (linear
# deterministic policy, 10 antithetic pairs per iteration), PG-MAML = `train --algo maml` (32-32
# Gaussian MLP, 10 tasks × K episodes, one inner step, VPG/Adam outer update: TRPO's cost did not
# fit the CPU budget). PG-MAML plays 10·K·2 episodes per iteration; each ES-MAML run gets as many
# iterations as make the same total (its queries play K' + 1 episodes each: K' = K for hill
# climbing, 2⌊K/2⌋ for es-step; the logging-only episodes of the unperturbed θ are not counted).
# Then the 40-task evaluation of every run (K-episode adaptation, 3 steps), the summary table
# (experiments/es-maml/summary.json) and the exploration pictures. Resumable: run it again after
# an interruption. Build first: npm install && npm run build.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-runs/es-maml}
OUT=${OUT:-experiments/es-maml}
SEEDS=${SEEDS:-"0 1 2 3 4"}
KS=${KS:-"5 10 20"}
PG_ITERATIONS=${PG_ITERATIONS:-100}
PAIRS=10
metagrad() { nice -n 10 node packages/train/dist/cli/main.js "$@"; }

train() { # dir [flags]
  local dir=$1
  shift
  if [ -f "$dir/policy.json" ]; then return; fi
  if [ -f "$dir/config.json" ]; then metagrad train --resume "$dir" --quiet
  else metagrad train --out "$dir" --quiet "$@"; fi
}

mkdir -p "$OUT"
for k in $KS; do
  for seed in $SEEDS; do
    pg="$RUNS/pg-k$k-s$seed"
    train "$pg" --algo maml --env four-corners --hidden 32,32 --outer vpg --outer-lr 0.01 \
      --meta-batch 10 --fast-batch "$k" --iterations "$PG_ITERATIONS" --seed "$seed"
    metagrad evaluate "$pg" --tasks 40 --steps 3 --episodes "$k" >/dev/null
    metagrad evaluate "$pg" --tasks 40 --steps 3 --episodes "$k" --random-init >/dev/null
    budget=$((PG_ITERATIONS * 10 * k * 2))
    for adapt in hill-climb es-step; do
      used=$k
      if [ "$adapt" = es-step ]; then used=$((2 * (k / 2))); fi
      iterations=$((budget / (2 * PAIRS * (used + 1))))
      es="$RUNS/es-$adapt-k$k-s$seed"
      train "$es" --algo es-maml --adapt "$adapt" --policy linear --env four-corners --k "$k" \
        --meta-batch "$PAIRS" --iterations "$iterations" --seed "$seed"
      metagrad evaluate "$es" --tasks 40 --steps 3 --episodes 1 >/dev/null
      metagrad evaluate "$es" --tasks 40 --steps 3 --episodes 1 --random-init >/dev/null
    done
  done
done
node scripts/summarize-es-maml.js "$RUNS" > "$OUT/summary.json"
mkdir -p "$OUT/evaluations"
for dir in "$RUNS"/*/; do
  name=$(basename "$dir")
  for f in evaluation evaluation-random-init; do
    if [ -f "$dir/$f.json" ]; then cp "$dir/$f.json" "$OUT/evaluations/$name.$f.json"; fi
  done
done
first=$(echo "$SEEDS" | cut -d' ' -f1)
for k in $KS; do
  metagrad plot "$RUNS"/{pg,es-hill-climb,es-es-step}-k"$k"-s* --out "$OUT/four-corners-curves-k$k.svg"
done
for k in 5 20; do
  if [ -d "$RUNS/es-hill-climb-k$k-s$first" ]; then
    metagrad plot --trajectories "$RUNS/es-hill-climb-k$k-s$first" "$RUNS/pg-k$k-s$first" --tasks 3 \
      --out "$OUT/four-corners-exploration-k$k.svg"
  fi
done

# 2D goal (navigation2d): ES-MAML hill climbing with K = 20 against the MAML-TRPO replication run
# experiments/nav2d/maml-s2 (20 episodes per adaptation step), the poster's second picture.
nav="$RUNS/es-hill-climb-nav2d-k20-s0"
train "$nav" --algo es-maml --adapt hill-climb --policy linear --env navigation2d --k 20 \
  --meta-batch "$PAIRS" --iterations 200 --seed 0
metagrad evaluate "$nav" --tasks 40 --steps 3 --episodes 1 >/dev/null
cp "$nav/evaluation.json" "$OUT/es-hill-climb-nav2d-k20-evaluation.json"
metagrad plot --trajectories "$nav" experiments/nav2d/maml-s2 --tasks 3 --out "$OUT/navigation2d-exploration-k20.svg"
