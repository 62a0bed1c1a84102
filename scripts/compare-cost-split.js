#!/usr/bin/env node
// The tracking cost split of a compare directory (issue 13: tracking should add at most 50% to a
// run's wall-clock at K = 10, R = 20): per estimator, seconds in training iterations and in tracking
// (estimates, reference, evaluation), over all seeds, and tracking as a share of training. When the
// compare ran another K or R, also the share extrapolated to K = 10, R = 20 (estimates and sampled
// reference scale with R; a tracking point per 10 iterations). Wall-clock: on a shared machine.
// Usage: node scripts/compare-cost-split.js <compare dir>
const fs = require('node:fs');
const path = require('node:path');

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: node scripts/compare-cost-split.js <compare dir>\n');
  process.exit(2);
}
const jsonl = (f) =>
  fs.existsSync(f)
    ? fs
        .readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l))
    : [];
const spec = JSON.parse(fs.readFileSync(path.join(dir, 'compare.json'), 'utf8'));
const R = spec.track.repeats;
const K = spec.trackEvery;
const pct = (x) => `${(100 * x).toFixed(0)}%`;
console.log(`K = ${K}, R = ${R}, ${spec.base.iterations} iterations, ${spec.seeds.length} seeds`);
console.log('estimator      train s  track s (estimates / reference / evaluation)  share  share@K10,R20');
for (const e of spec.estimators) {
  let train = 0;
  let iters = 0;
  const t = { estimates: 0, reference: 0, evaluation: 0, points: 0 };
  for (const s of spec.seeds) {
    const sub = path.join(dir, `${e}-seed${s}`);
    for (const r of jsonl(path.join(sub, 'timing.jsonl'))) {
      train += r.total;
      iters++;
    }
    for (const r of jsonl(path.join(sub, 'tracking-timing.jsonl'))) {
      t.estimates += r.estimates;
      t.reference += r.reference;
      t.evaluation += r.evaluation;
      t.points++;
    }
  }
  const track = t.estimates + t.reference + t.evaluation;
  // one point per 10 iterations at R = 20: the per-point cost rescaled, over the per-iteration cost
  const perPoint20 = ((t.estimates + t.reference) * (20 / R) + t.evaluation) / t.points;
  const at20 = perPoint20 / (10 * (train / iters));
  console.log(
    `${e.padEnd(12)} ${train.toFixed(1).padStart(9)}  ${track.toFixed(1).padStart(7)} (${t.estimates.toFixed(1)} / ${t.reference.toFixed(1)} / ${t.evaluation.toFixed(1)})`.padEnd(
      62,
    ) + `  ${pct(track / train).padStart(5)}  ${pct(at20).padStart(6)}`,
  );
}
