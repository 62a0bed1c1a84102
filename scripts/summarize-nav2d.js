#!/usr/bin/env node
// Summarise the runs of scripts/reproduce-nav2d.sh as Markdown tables: the 40-task test return
// after 0..3 adaptation steps of each run's final policy (evaluation.json) and its random
// initialisation (evaluation-random-init.json), per seed and as the mean over seeds ± a 95%
// interval across seeds (Student t, n − 1 degrees of freedom: the seeds are the replicates);
// the best meta-iteration as the MAML paper reported it, but chosen on the validation tasks
// (snapshots/evaluation-<n>-validation.json) and reported on the test tasks; and MAML − FOMAML
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

// finished runs (policy.json written at the last iteration), grouped by method, seeds in order
const groups = new Map();
for (const name of fs.readdirSync(runs).sort()) {
  const dir = path.join(runs, name);
  if (!exists(dir, 'policy.json') || !exists(dir, 'evaluation.json')) continue;
  const c = read(dir, 'config.json').config;
  if (c.env !== 'navigation2d') continue;
  const method = methodOf(c);
  if (!groups.has(method)) groups.set(method, []);
  groups.get(method).push({ dir, seed: c.seed, test: read(dir, 'evaluation.json').result });
}
for (const g of groups.values()) g.sort((a, b) => a.seed - b.seed);
// MAML first, then the other meta-learners, the pretrained baseline last
const rank = (m) => (m.startsWith('MAML') ? 0 : m === 'pretrained' ? 2 : 1);
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
/** The run's snapshot with the best validation return after the last step, or null without any. */
function bestSnapshot(dir) {
  const snaps = path.join(dir, 'snapshots');
  if (!exists(snaps)) return null;
  const its = fs
    .readdirSync(snaps)
    .map((f) => /^evaluation-(\d+)-validation\.json$/.exec(f)?.[1])
    .filter((n) => n !== undefined && exists(snaps, `evaluation-${n}.json`))
    .map(Number);
  if (its.length === 0) return null;
  const val = (n) => read(snaps, `evaluation-${n}-validation.json`).result.mean.at(-1);
  const best = its.reduce((b, n) => (val(n) > val(b) || (val(n) === val(b) && n < b) ? n : b));
  return { iteration: best, validation: val(best), test: read(snaps, `evaluation-${best}.json`).result };
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

// MAML − FOMAML on the same 40 test tasks (normal 95% interval of the paired per-task differences)
const maml = groups.get('MAML-TRPO') ?? [];
const fomaml = new Map((groups.get('FOMAML-TRPO') ?? []).map((r) => [r.seed, r]));
const paired = (d) => `${f1(mean(d))} ± ${((1.96 * sd(d)) / Math.sqrt(d.length)).toFixed(1)}`;
/** One table of per-seed paired differences, for the results `pick` takes from each run. */
function pairedTable(title, pick) {
  const pairs = maml.filter((r) => fomaml.has(r.seed) && pick(r) && pick(fomaml.get(r.seed)));
  if (pairs.length === 0) return;
  lines.push('', title, '', row(['seed', ...header.slice(1)]), sep);
  const diffs = pairs.map((r) =>
    pick(r).perTask.map((xs, s) => xs.map((x, j) => x - pick(fomaml.get(r.seed)).perTask[s][j])),
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
pairedTable('MAML − FOMAML, final policies, paired over the test tasks:', (r) => r.test);
pairedTable(
  'MAML − FOMAML, each at its validated meta-iteration, paired over the test tasks:',
  (r) => r.best?.test,
);
process.stdout.write(`${lines.join('\n')}\n`);
