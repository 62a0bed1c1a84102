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
# PARTS chooses the sections: four-corners (above, with the 2D-goal K = 20 picture), goal-cartpole
# (2D goal and biased-sensor cart-pole, same protocol), cartpole-long (ES-MAML on cart-pole with
# 10× the episodes) and hessian (ES-MAML's meta-gradients on four corners at K = 10); all by default.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-runs/es-maml}
OUT=${OUT:-experiments/es-maml}
SEEDS=${SEEDS:-"0 1 2 3 4"}
KS=${KS:-"5 10 20"}
PG_ITERATIONS=${PG_ITERATIONS:-100}
PAIRS=10
PARTS=${PARTS:-"four-corners goal-cartpole cartpole-long hessian"}
part() { [[ " $PARTS " == *" $1 "* ]]; }
metagrad() { nice -n 10 node packages/train/dist/cli/main.js "$@"; }

train() { # dir [flags]
  local dir=$1
  shift
  if [ -f "$dir/policy.json" ]; then return; fi
  if [ -f "$dir/config.json" ]; then metagrad train --resume "$dir" --quiet
  else metagrad train --out "$dir" --quiet "$@"; fi
}

evaluate_both() { # dir episodes: the 40-task evaluation from the run's θ and from a random init
  local dir=$1 episodes=$2
  [ -f "$dir/evaluation.json" ] || metagrad evaluate "$dir" --tasks 40 --steps 3 --episodes "$episodes" >/dev/null
  [ -f "$dir/evaluation-random-init.json" ] ||
    metagrad evaluate "$dir" --tasks 40 --steps 3 --episodes "$episodes" --random-init >/dev/null
}

collect_evaluations() { # runs out: copy every run's evaluations to out/evaluations/<run>.<kind>.json
  mkdir -p "$2/evaluations"
  for dir in "$1"/*/; do
    local name
    name=$(basename "$dir")
    for f in evaluation evaluation-random-init; do
      if [ -f "$dir/$f.json" ]; then cp "$dir/$f.json" "$2/evaluations/$name.$f.json"; fi
    done
  done
}

mkdir -p "$OUT"
if part four-corners; then
for k in $KS; do
  for seed in $SEEDS; do
    pg="$RUNS/pg-k$k-s$seed"
    train "$pg" --algo maml --env four-corners --hidden 32,32 --outer vpg --outer-lr 0.01 \
      --meta-batch 10 --fast-batch "$k" --iterations "$PG_ITERATIONS" --seed "$seed"
    evaluate_both "$pg" "$k"
    budget=$((PG_ITERATIONS * 10 * k * 2))
    for adapt in hill-climb es-step; do
      used=$k
      if [ "$adapt" = es-step ]; then used=$((2 * (k / 2))); fi
      iterations=$((budget / (2 * PAIRS * (used + 1))))
      es="$RUNS/es-$adapt-k$k-s$seed"
      train "$es" --algo es-maml --adapt "$adapt" --policy linear --env four-corners --k "$k" \
        --meta-batch "$PAIRS" --iterations "$iterations" --seed "$seed"
      evaluate_both "$es" 1
    done
  done
done
node scripts/summarize-es-maml.js "$RUNS" > "$OUT/summary.json"
collect_evaluations "$RUNS" "$OUT"
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
fi

# 2D goal (navigation2d, dense reward: minus the distance to the goal) and biased-sensor
# cart-pole (+1 per step while the pole stands; horizon cut to CART_HORIZON = 200 steps for both
# methods to fit the CPU budget), the same protocol as four corners: PG-MAML (32-32 Gaussian MLP,
# VPG/Adam outer, GOAL_PG_ITERATIONS / CART_PG_ITERATIONS iterations of 10 tasks × K episodes ×
# 2) against ES-MAML hill climbing and es-step (linear policy, 10 pairs) with as many iterations
# as make the same number of episodes. Runs in $RUNS/<env>/, results in $OUT/<env>/.
GOAL_PG_ITERATIONS=${GOAL_PG_ITERATIONS:-40}
CART_PG_ITERATIONS=${CART_PG_ITERATIONS:-30}
CART_HORIZON=${CART_HORIZON:-200}
if part goal-cartpole; then
  for k in $KS; do
    for env in navigation2d cartpole; do
      if [ "$env" = cartpole ]; then pgit=$CART_PG_ITERATIONS; extra=(--horizon "$CART_HORIZON")
      else pgit=$GOAL_PG_ITERATIONS; extra=(); fi
      for seed in $SEEDS; do
        pg="$RUNS/$env/pg-k$k-s$seed"
        train "$pg" --algo maml --env "$env" "${extra[@]}" --hidden 32,32 --outer vpg --outer-lr 0.01 \
          --meta-batch 10 --fast-batch "$k" --iterations "$pgit" --seed "$seed"
        evaluate_both "$pg" "$k"
        budget=$((pgit * 10 * k * 2))
        for adapt in hill-climb es-step; do
          used=$k
          if [ "$adapt" = es-step ]; then used=$((2 * (k / 2))); fi
          es="$RUNS/$env/es-$adapt-k$k-s$seed"
          train "$es" --algo es-maml --adapt "$adapt" --policy linear --env "$env" "${extra[@]}" --k "$k" \
            --meta-batch "$PAIRS" --iterations $((budget / (2 * PAIRS * (used + 1)))) --seed "$seed"
          evaluate_both "$es" 1
        done
      done
    done
  done
  first=$(echo "$SEEDS" | cut -d' ' -f1)
  for env in navigation2d cartpole; do
    node scripts/summarize-es-maml.js "$RUNS/$env" "$env" > "$OUT/$env/summary.json"
    collect_evaluations "$RUNS/$env" "$OUT/$env"
    for k in $KS; do
      metagrad plot "$RUNS/$env"/{pg,es-hill-climb,es-es-step}-k"$k"-s* --out "$OUT/$env/curves-k$k.svg"
    done
  done
  metagrad plot --trajectories "$RUNS/navigation2d/es-hill-climb-k5-s$first" "$RUNS/navigation2d/pg-k5-s$first" \
    --tasks 3 --out "$OUT/navigation2d/exploration-k5.svg"
fi

# Cart-pole beyond the equal budget: ES-MAML hill climbing at K = 5 with 10× PG-MAML's episodes
# (250 iterations, 30 000 episodes) and a larger outer step (--outer-lr 0.3): can the linear
# policy balance at all? Runs in $RUNS/cartpole-long/, results in $OUT/cartpole/long-summary.json.
if part cartpole-long; then
  for seed in $SEEDS; do
    es="$RUNS/cartpole-long/es-hill-climb-k5-s$seed"
    train "$es" --algo es-maml --adapt hill-climb --policy linear --env cartpole --horizon "$CART_HORIZON" \
      --k 5 --meta-batch "$PAIRS" --iterations 250 --outer-lr 0.3 --seed "$seed"
    evaluate_both "$es" 1
  done
  mkdir -p "$OUT/cartpole"
  node scripts/summarize-es-maml.js "$RUNS/cartpole-long" cartpole > "$OUT/cartpole/long-summary.json"
fi

# ES-MAML's meta-gradient estimators on four corners at K = 10 with the es-step operator (the one
# the first-order variants differentiate), 5 seeds, HESSIAN_BUDGET episodes each (PG-MAML's at
# K = 10): zero-order (2·10·(10+1) episodes an iteration), first-order (10 tasks × 2·10) and
# first-order-hessian (10 tasks × (3·10 + 1)). Runs in $RUNS/hessian/, results in $OUT/hessian/.
HESSIAN_BUDGET=${HESSIAN_BUDGET:-20000}
if part hessian; then
  k=10
  for seed in $SEEDS; do
    for mg in zero-order first-order first-order-hessian; do
      case $mg in
        zero-order) per=$((2 * PAIRS * (k + 1))) ;;
        first-order) per=$((PAIRS * 2 * k)) ;;
        first-order-hessian) per=$((PAIRS * (3 * k + 1))) ;;
      esac
      es="$RUNS/hessian/es-step-$mg-k$k-s$seed"
      train "$es" --algo es-maml --adapt es-step --meta-gradient "$mg" --policy linear --env four-corners \
        --k "$k" --meta-batch "$PAIRS" --iterations $((HESSIAN_BUDGET / per)) --seed "$seed"
      evaluate_both "$es" 1
    done
  done
  mkdir -p "$OUT/hessian"
  node scripts/summarize-es-maml.js "$RUNS/hessian" four-corners > "$OUT/hessian/summary.json"
  metagrad plot "$RUNS/hessian"/es-step-*-k10-s* --out "$OUT/hessian/curves-k10.svg"
fi
