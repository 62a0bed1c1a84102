#!/usr/bin/env bash
# Issue 13's compare runs (README "Which estimator trains best?"): every estimator trained with
# common random numbers, meta-gradient variance / bias / return tracked along training.
#   tabular:    all estimators incl. tmaml-meta and exact, 3 seeds, 300 iterations (K 10, R 20)
#   point-mass, navigation2d: maml,dice,lvc,tmaml,tmaml-meta, 3 seeds, a reduced size
#               (meta-batch 5, fast-batch 10, 32-32 policy, VPG with Adam 0.01, 20 iterations, K 10,
#               R 10, 5 test tasks × 10 episodes: sized for a shared 2-core machine)
# Usage: scripts/reproduce-compare.sh [tabular|point-mass|navigation2d]... (default: all three).
# Resumable: run it again after an interruption and each compare continues from its checkpoints.
# The seeds run as parallel processes (SEEDS, default 3), merged at the end.
# Results: RUNS (default runs/compare)/<name>/; the small files are copied to experiments/compare/<name>/.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-runs/compare}
metagrad() { node packages/train/dist/cli/main.js "$@"; }

SEEDS=3
# One compare per seed, side by side (a sub-run depends only on its own config and seed, so the
# bits are those of one sequential compare), then merged into $RUNS/<name>: its compare.json lists
# every seed and `compare --resume` finds every sub-run finished and writes the summary.
compare() { # name [compare flags]
  local name=$1 dir="$RUNS/$1"
  shift
  local pids=()
  for ((s = 0; s < SEEDS; s++)); do
    local part="$dir-s$s"
    if [ -f "$part/compare.json" ]; then metagrad compare --resume "$part" --quiet > "$part.log" 2>&1 &
    else mkdir -p "$RUNS"; metagrad compare --out "$part" --seed "$s" --seeds 1 --quiet "$@" > "$part.log" 2>&1 & fi
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  mkdir -p "$dir"
  node -e '
    const fs = require("node:fs");
    const [dir, n] = [process.argv[1], Number(process.argv[2])];
    const spec = JSON.parse(fs.readFileSync(`${dir}-s0/compare.json`, "utf8"));
    spec.seeds = Array.from({ length: n }, (_, s) => s);
    spec.base.seed = 0;
    fs.writeFileSync(`${dir}/compare.json`, `${JSON.stringify(spec, null, 2)}\n`);
    for (let s = 0; s < n; s++)
      for (const sub of fs.readdirSync(`${dir}-s${s}`).filter((f) => f.endsWith(`-seed${s}`)))
        fs.renameSync(`${dir}-s${s}/${sub}`, `${dir}/${sub}`);
  ' "$dir" "$SEEDS"
  metagrad compare --resume "$dir" --quiet --wide | tee "$dir.txt"
  metagrad plot "$dir" --out "$dir.svg"
  node scripts/compare-cost-split.js "$dir" | tee "$dir.cost.txt"
  local keep="experiments/compare/$name"
  mkdir -p "$keep"
  cp "$dir/compare.json" "$dir/summary.json" "$dir.txt" "$dir.cost.txt" "$keep/"
  cp "$dir.svg" "$keep/$name.svg"
  for sub in "$dir"/*-seed*/; do
    local b
    b=$(basename "$sub")
    mkdir -p "$keep/$b"
    cp "$sub"/{config.json,progress.jsonl,timing.jsonl,tracking.jsonl,tracking-timing.jsonl} "$keep/$b/"
  done
}

reduced=(--estimators maml,dice,lvc,tmaml,tmaml-meta --meta-batch 5 --fast-batch 10
  --hidden 32,32 --outer vpg --outer-lr 0.01 --iterations 20 --track-every 10 --track-repeats 10
  --eval-tasks 5 --eval-episodes 10)

for which in "${@:-tabular point-mass navigation2d}"; do
  for w in $which; do
    case $w in
      tabular)
        compare tabular --config maml-dice-tabular --normalize-advantages false \
          --estimators maml,dice,loaded-dice,lvc,promp,tmaml,tmaml-meta,exact \
          --iterations 300 --track-every 10 --track-repeats 20 --eval-tasks 40 ;;
      point-mass) compare point-mass --env point-mass "${reduced[@]}" ;;
      navigation2d) compare navigation2d --env navigation2d "${reduced[@]}" ;;
      *) echo "unknown compare $w (tabular, point-mass, navigation2d)" >&2; exit 2 ;;
    esac
  done
done
