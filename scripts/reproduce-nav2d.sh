#!/usr/bin/env bash
# The MAML replication study on 2D navigation (pytorch-maml-rl's setup): MAML and FOMAML over three
# training seeds, the pretrained and random-initialisation baselines, and the supplementary runs
# (another seed, meta-batch 40, PPO as the outer update); then 40-task evaluation and the figure.
# Every run is resumable: run the script again after an interruption and it continues each run
# where its last checkpoint left it. RUNS (default runs/nav2d) holds the run directories.
# Build first: npm install && npm run build.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-runs/nav2d}
ITERATIONS=${ITERATIONS:-500}
metagrad() { node packages/train/dist/cli/main.js "$@"; }

train() { # name preset seed [extra flags]
  local dir="$RUNS/$1" preset=$2 seed=$3
  shift 3
  if [ -f "$dir/policy.json" ]; then return; fi
  if [ -f "$dir/config.json" ]; then metagrad train --resume "$dir" --quiet
  else metagrad train --config "$preset" --seed "$seed" --iterations "$ITERATIONS" --out "$dir" --quiet "$@"; fi
}

for seed in 1 2 3; do
  train "maml-s$seed" maml-trpo-nav2d "$seed"
  train "fomaml-s$seed" fomaml-trpo-nav2d "$seed"
done
train pretrain-s1 pretrain-nav2d 1
train maml-s4 maml-trpo-nav2d 4
train maml-mb40-s1 maml-trpo-nav2d-mb40 1
train maml-ppo-s1 maml-ppo-nav2d 1

for dir in "$RUNS"/*/; do metagrad evaluate "$dir" --tasks 40 --steps 3; done
metagrad evaluate "$RUNS/maml-s1" --tasks 40 --steps 3 --random-init
metagrad plot "$RUNS"/maml-s{1,2,3} "$RUNS"/fomaml-s{1,2,3} "$RUNS/pretrain-s1" --out "$RUNS/nav2d.svg"
