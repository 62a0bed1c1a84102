#!/usr/bin/env node
// Summarise the runs of scripts/reproduce-nav2d.sh as Markdown tables: the 40-task test return
// after 0..3 adaptation steps of each run's final policy (evaluation.json) and its random
// initialisation (evaluation-random-init.json), per seed and as the mean over seeds ± a 95%
// interval across seeds (Student t, n − 1 degrees of freedom: the seeds are the replicates);
// the best meta-iteration as the MAML paper reported it, but chosen on the validation tasks
// (snapshots/evaluation-<n>-validation.json) and reported on the test tasks, also for runs still
// training; and MAML − FOMAML, and each supplementary variant (PPO, meta-batch 40) − MAML-TRPO,
// paired over the same test tasks for each seed both finished.
// Usage: summarize-nav2d.js [RUNS] (default experiments/nav2d).
const fs = require('node:fs');
const path = require('node:path');

const runs = process.argv[2] ?? 'experiments/nav2d';
const read = (...p) => JSON.parse(fs.readFileSync(path.join(...p), 'utf8'));
const exists = (...p) => fs.existsSync(path.join(...p));
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs) => Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1));
// two-sided 95% Student-t quantiles t(0.975, ν) for ν = 1..10 (standard table values)
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];
const f1 = (x) => x.toFixed(1).replace('-', '−');
const halfWidth = (xs) => (T975[xs.length - 2] * sd(xs)) / Math.sqrt(xs.length);
const withCi = (xs) => (xs.length < 2 ? f1(xs[0]) : `${f1(mean(xs))} ± ${halfWidth(xs).toFixed(1)}`);
const row = (cells) => `| ${cells.join(' | ')} |`;

const methodOf = (c) =>
  c.algo === 'pretrain'
    ? 'pretrained'
    : `${c.algo === 'maml' ? 'MAML' : c.algo.toUpperCase()}-${c.outer.toUpperCase()}${c.metaBatch === 20 ? '' : `, meta-batch ${c.metaBatch}`}`;

// finished runs (policy.json written at the last iteration), grouped by method, seeds in order;
// runs still training only enter the best-meta-iteration table, with the snapshots they have
const groups = new Map();
const training = [];
for (const name of fs.readdirSync(runs).sort()) {
  const dir = path.join(runs, name);
  if (!exists(dir, 'config.json')) continue;
  const c = read(dir, 'config.json').config;
  if (c.env !== 'navigation2d') continue;
  if (!exists(dir, 'policy.json')) {
    training.push({ dir, seed: c.seed, method: methodOf(c) });
    continue;
  }
  if (!exists(dir, 'evaluation.json')) continue;
  const method = methodOf(c);
  if (!groups.has(method)) groups.set(method, []);
  groups.get(method).push({ dir, seed: c.seed, test: read(dir, 'evaluation.json').result });
}
for (const g of groups.values()) g.sort((a, b) => a.seed - b.seed);
// MAML-TRPO (the paper's setup) first, FOMAML-TRPO, the supplementary variants, pretrained last
const FIRST = ['MAML-TRPO', 'FOMAML-TRPO'];
const rank = (m) => (FIRST.includes(m) ? FIRST.indexOf(m) : m === 'pretrained' ? 3 : 2);
const ordered = new Map([...groups].sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b)));
const steps = [...ordered.values()][0][0].test.mean.length;
const header = ['', ...Array.from({ length: steps }, (_, s) => `${s} step${s === 1 ? '' : 's'}`)];
const rule = (n) => row(Array(n).fill('---'));
const sep = rule(header.length);

const lines = [
  'Final policies (500 iterations), test tasks, α then α/2:',
  '',
  row(['run', ...header.slice(1)]),
  sep,
];
const seedMeanRow = (label, results) =>
  row([`**${label}**`, ...results[0].mean.map((_, s) => `**${withCi(results.map((r) => r.mean[s]))}**`)]);
for (const [method, g] of ordered) {
  for (const r of g) lines.push(row([`${method}, seed ${r.seed}`, ...r.test.mean.map(f1)]));
  if (g.length > 1)
    lines.push(
      seedMeanRow(
        `${method}, mean of ${g.length} seeds`,
        g.map((r) => r.test),
      ),
    );
}
const randomInit = [...ordered.values()]
  .flat()
  .filter((r) => exists(r.dir, 'evaluation-random-init.json'))
  .map((r) => ({ seed: r.seed, result: read(r.dir, 'evaluation-random-init.json').result }));
for (const r of randomInit)
  lines.push(row([`random initialisation, seed ${r.seed}'s θ₀`, ...r.result.mean.map(f1)]));
if (randomInit.length > 1)
  lines.push(
    seedMeanRow(
      `random initialisation, mean of ${randomInit.length}`,
      randomInit.map((r) => r.result),
    ),
  );

// best meta-iteration: the snapshot with the highest validation return after the last step
lines.push(
  '',
  'Best meta-iteration, chosen on the validation tasks (after the last step), reported on the test tasks:',
  '',
);
lines.push(row(['run', 'chosen snapshot (validation)', ...header.slice(1)]), rule(header.length + 1));
/** The validation return after the last step of each snapshot evaluated on both task sets, by
 * meta-iteration in increasing order (empty without snapshots); each file is read once. */
function snapshotValidation(dir) {
  const snaps = path.join(dir, 'snapshots');
  if (!exists(snaps)) return new Map();
  const its = fs
    .readdirSync(snaps)
    .map((f) => /^evaluation-(\d+)-validation\.json$/.exec(f)?.[1])
    .filter((n) => n !== undefined && exists(snaps, `evaluation-${n}.json`))
    .map(Number)
    .sort((x, y) => x - y);
  return new Map(its.map((n) => [n, read(snaps, `evaluation-${n}-validation.json`).result.mean.at(-1)]));
}
/** The run's snapshot with the best validation return after the last step (the earliest on a
 * tie), or null without any; `last` is the latest snapshot evaluated (a run still training may
 * have more). */
function bestSnapshot(dir) {
  const val = snapshotValidation(dir);
  if (val.size === 0) return null;
  const its = [...val.keys()];
  const best = its.reduce((b, n) => (val.get(n) > val.get(b) ? n : b));
  return {
    iteration: best,
    last: its.at(-1),
    validation: val.get(best),
    test: read(dir, 'snapshots', `evaluation-${best}.json`).result,
  };
}
for (const [method, g] of ordered) {
  for (const r of g) r.best = bestSnapshot(r.dir);
  const chosen = g.filter((r) => r.best !== null);
  for (const r of chosen)
    lines.push(
      row([
        `${method}, seed ${r.seed}`,
        `${r.best.iteration} (${f1(r.best.validation)})`,
        ...r.best.test.mean.map(f1),
      ]),
    );
  if (chosen.length > 1)
    lines.push(
      row([
        `**${method}, mean of ${chosen.length} seeds**`,
        '',
        ...chosen[0].best.test.mean.map((_, s) => `**${withCi(chosen.map((r) => r.best.test.mean[s]))}**`),
      ]),
    );
}

for (const r of training) {
  const best = bestSnapshot(r.dir);
  if (best === null) continue;
  lines.push(
    row([
      `${r.method}, seed ${r.seed} (still training; snapshots to ${best.last})`,
      `${best.iteration} (${f1(best.validation)})`,
      ...best.test.mean.map(f1),
    ]),
  );
}

// every run's validation return after the last step at each of its snapshots, finished runs first
const along = [
  ...[...ordered].flatMap(([method, g]) =>
    g.map((r) => ({ ...r, method, label: `${method}, seed ${r.seed}` })),
  ),
  ...training.map((r) => ({ ...r, label: `${r.method}, seed ${r.seed} (still training)` })),
]
  .map((r) => ({ label: r.label, val: snapshotValidation(r.dir) }))
  .filter((r) => r.val.size > 0);
if (along.length > 0) {
  const its = [...new Set(along.flatMap((r) => [...r.val.keys()]))].sort((x, y) => x - y);
  lines.push('', 'Validation return after the last step, at each snapshot (meta-iteration):', '');
  lines.push(row(['run', ...its.map(String)]), rule(its.length + 1));
  for (const r of along)
    lines.push(row([r.label, ...its.map((n) => (r.val.has(n) ? f1(r.val.get(n)) : ''))]));
}

// A − B on the same 40 test tasks (normal 95% interval of the paired per-task differences), per
// training seed both methods ran: MAML − FOMAML, and each supplementary variant − MAML-TRPO
const paired = (d) => `${f1(mean(d))} ± ${((1.96 * sd(d)) / Math.sqrt(d.length)).toFixed(1)}`;
/** One table of per-seed paired differences a − b, for the results `pick` takes from each run. */
function pairedTable(title, a, b, pick) {
  const bySeed = new Map((groups.get(b) ?? []).map((r) => [r.seed, r]));
  const pairs = (groups.get(a) ?? []).filter(
    (r) => bySeed.has(r.seed) && pick(r) && pick(bySeed.get(r.seed)),
  );
  if (pairs.length === 0) return;
  lines.push('', title, '', row(['seed', ...header.slice(1)]), sep);
  const diffs = pairs.map((r) =>
    pick(r).perTask.map((xs, s) => xs.map((x, j) => x - pick(bySeed.get(r.seed)).perTask[s][j])),
  );
  for (const [i, r] of pairs.entries()) lines.push(row([`${r.seed}`, ...diffs[i].map(paired)]));
  if (pairs.length > 1)
    lines.push(
      row([
        `**mean of ${pairs.length} seeds**`,
        ...diffs[0].map((_, s) => `**${withCi(diffs.map((d) => mean(d[s])))}**`),
      ]),
    );
}
const final = (r) => r.test;
const validated = (r) => r.best?.test;
pairedTable('MAML − FOMAML, final policies, paired over the test tasks:', 'MAML-TRPO', 'FOMAML-TRPO', final);
pairedTable(
  'MAML − FOMAML, each at its validated meta-iteration, paired over the test tasks:',
  'MAML-TRPO',
  'FOMAML-TRPO',
  validated,
);
for (const method of ordered.keys()) {
  if (rank(method) !== 2) continue;
  pairedTable(
    `${method} − MAML-TRPO, final policies, paired over the test tasks:`,
    method,
    'MAML-TRPO',
    final,
  );
}
process.stdout.write(`${lines.join('\n')}\n`);
