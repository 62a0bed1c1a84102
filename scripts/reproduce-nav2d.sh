#!/usr/bin/env bash
# The MAML replication study on 2D navigation (pytorch-maml-rl's setup): MAML and FOMAML over three
# training seeds, the pretrained and random-initialisation baselines, and the supplementary runs
# (another seed, for MAML and FOMAML; meta-batch 40; PPO as the outer update); then 40-task
# evaluation and the figures.
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
  # snapshots every 50 iterations: `evaluate --snapshot all` meta-tests the run along training
  if [ -f "$dir/config.json" ]; then metagrad train --resume "$dir" --snapshot-every 50 --quiet
  else metagrad train --config "$preset" --seed "$seed" --iterations "$ITERATIONS" --snapshot-every 50 --out "$dir" --quiet "$@"; fi
}

# Training seeds 2, 3, 4 (and 5 as the supplementary "another seed"), not 1: the 40 test tasks'
# episode streams are keyed under seed 1 (TEST_SEED in meta/evaluate.ts), so a seed-1 training run
# would share random streams with the evaluation.
for seed in 2 3 4; do
  train "maml-s$seed" maml-trpo-nav2d "$seed"
  train "fomaml-s$seed" fomaml-trpo-nav2d "$seed"
done
train pretrain-s2 pretrain-nav2d 2
train maml-s5 maml-trpo-nav2d 5
train fomaml-s5 fomaml-trpo-nav2d 5
train maml-mb40-s2 maml-trpo-nav2d-mb40 2
train maml-ppo-s2 maml-ppo-nav2d 2

for dir in "$RUNS"/*/; do
  metagrad evaluate "$dir" --tasks 40 --steps 3
  # the snapshots along training, on the test tasks and on the validation tasks (the best
  # meta-iteration is chosen on the validation tasks: scripts/summarize-nav2d.js)
  if [ -d "$dir/snapshots" ]; then
    metagrad evaluate "$dir" --tasks 40 --steps 3 --snapshot all
    metagrad evaluate "$dir" --tasks 40 --steps 3 --snapshot all --validation
  fi
done
for seed in 2 3 4 5; do metagrad evaluate "$RUNS/maml-s$seed" --tasks 40 --steps 3 --random-init; done # -> evaluation-random-init.json
metagrad plot "$RUNS"/maml-s{2,3,4,5} "$RUNS"/fomaml-s{2,3,4,5} "$RUNS/pretrain-s2" --out "$RUNS/nav2d-seeds.svg"
metagrad plot "$RUNS/maml-s2" "$RUNS/maml-ppo-s2" "$RUNS/pretrain-s2" --out "$RUNS/nav2d-ppo.svg"
node scripts/summarize-nav2d.js "$RUNS"
