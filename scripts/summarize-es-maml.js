#!/usr/bin/env node
// Summarise the runs of scripts/reproduce-es-maml.sh: per method and K, over seeds, the test
// return after 0..3 adaptation steps (mean and sd across seeds), the training curve's drop from
// its best, and the collapses. A run "collapses" when its post-adaptation test return (1 step)
// is worse than that of its own untrained initialisation by more than the 95% interval of the
// paired difference over the 40 test tasks (training made adaptation worse). Adaptation "hurts"
// a run when its test return after one adaptation is below that before adaptation by more than
// the 95% interval of that paired difference (the K-episode adaptation itself breaks the policy).
// Usage: summarize-es-maml.js RUNS [ENV] (ENV: the runs' environment, default four-corners).
const fs = require('node:fs');
const path = require('node:path');

const runs = process.argv[2];
const env = process.argv[3] ?? 'four-corners';
const read = (d, f) => JSON.parse(fs.readFileSync(path.join(d, f), 'utf8'));
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs) =>
  xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
const groups = new Map();
for (const name of fs.readdirSync(runs).sort()) {
  const d = path.join(runs, name);
  if (!fs.existsSync(path.join(d, 'evaluation.json'))) continue;
  const c = read(d, 'config.json').config;
  if (c.env !== env) continue;
  if (!fs.existsSync(path.join(d, 'evaluation-random-init.json'))) continue;
  const gradient = (c.metaGradient ?? 'zero-order') === 'zero-order' ? '' : ` ${c.metaGradient}`;
  const method = c.algo === 'es-maml' ? `ES-MAML ${c.adapt}${gradient}` : `PG-MAML ${c.algo}/${c.outer}`;
  const k = c.algo === 'es-maml' ? c.k : c.fastBatch;
  const e = read(d, 'evaluation.json').result;
  const r = read(d, 'evaluation-random-init.json').result;
  const rows = fs
    .readFileSync(path.join(d, 'progress.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const after = rows.map((x) => x.returns[1]);
  const smooth = after.map((_, i) => mean(after.slice(Math.max(0, i - 9), i + 1)));
  const diff = e.perTask[1].map((x, j) => x - r.perTask[1][j]);
  const half = (1.96 * sd(diff)) / Math.sqrt(diff.length);
  const change = e.perTask[1].map((x, j) => x - e.perTask[0][j]);
  const changeHalf = (1.96 * sd(change)) / Math.sqrt(change.length);
  const rollouts =
    c.algo === 'es-maml'
      ? rows.reduce((a, x) => a + x.rollouts, 0)
      : rows.length * c.metaBatch * c.fastBatch * (c.innerSteps + 1);
  const key = `${method}|${k}`;
  if (!groups.has(key)) groups.set(key, { method, k, runs: [] });
  groups.get(key).runs.push({
    run: name,
    seed: c.seed,
    iterations: rows.length,
    rollouts,
    test: e.mean,
    randomInit: r.mean,
    gainOverInit: mean(diff),
    collapsed: mean(diff) < -half,
    adaptationHurts: mean(change) < -changeHalf,
    trainingDropFromBest: Math.max(...smooth) - smooth[smooth.length - 1],
  });
}
const summary = [...groups.values()].map((g) => {
  const steps = g.runs[0].test.length;
  const col = (f) => Array.from({ length: steps }, (_, s) => f(g.runs.map((x) => x.test[s])));
  return {
    method: g.method,
    k: g.k,
    seeds: g.runs.length,
    rolloutsPerRun: mean(g.runs.map((x) => x.rollouts)),
    testMean: col(mean),
    testSdAcrossSeeds: col(sd),
    randomInitMean: Array.from({ length: steps }, (_, s) => mean(g.runs.map((x) => x.randomInit[s]))),
    collapsed: g.runs.filter((x) => x.collapsed).length,
    adaptationHurts: g.runs.filter((x) => x.adaptationHurts).length,
    meanTrainingDropFromBest: mean(g.runs.map((x) => x.trainingDropFromBest)),
    runs: g.runs,
  };
});
process.stdout.write(`${JSON.stringify(summary, null, 1)}\n`);
