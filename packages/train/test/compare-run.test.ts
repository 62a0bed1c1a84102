import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type CompareSpec, readCompareSpec, readTracking, subRunDir } from '../src/compare/compare-dir';
import { compareRun } from '../src/compare/compare-run';
import { resolveConfig } from '../src/meta/config';
import { readProgress } from '../src/run/run-dir';
import { runCli } from './run-cli';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'metagrad-compare-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const ESTIMATORS = ['maml', 'dice', 'loaded-dice', 'lvc', 'promp', 'tmaml', 'exact'];
const dir = path.join(tmp, 'cmp');
// the tabular MDP distribution (10 states, 5 actions, H 10) with a small meta-batch: fast
const ARGS = [
  'compare',
  '--env',
  'tabular-mdp',
  '--estimators',
  ESTIMATORS.join(','),
  '--seeds',
  '2',
  '--iterations',
  '3',
  '--meta-batch',
  '2',
  '--fast-batch',
  '5',
  '--track-every',
  '2',
  '--track-repeats',
  '3',
  '--eval-tasks',
  '2',
  '--outer',
  'vpg',
  '--outer-lr',
  '0.05',
  '--quiet',
];

describe('metagrad compare', () => {
  let first: Awaited<ReturnType<typeof runCli>>;
  beforeAll(async () => {
    first = await runCli([...ARGS, '--out', dir]);
  }, 120_000);

  test('runs end to end: one sub-run per estimator × seed, tracked at 0, every K and the end', () => {
    expect(first.err).toBe('');
    expect(first.code).toBe(0);
    const spec = readCompareSpec(dir);
    expect(spec.seeds).toEqual([0, 1]);
    for (const e of ESTIMATORS)
      for (const s of spec.seeds) {
        const sub = subRunDir(dir, e, s);
        expect(readProgress(sub)).toHaveLength(3);
        expect(readTracking(sub).map((r) => r.iteration)).toEqual([0, 2, 3]);
      }
    for (const e of ESTIMATORS) expect(first.out).toContain(e);
    expect(first.out).toMatch(/bias verdict\s+it 0\s+it 2\s+it 3/);
    // the oracle's own meta-gradient is the reference: no variance, no bias, never flagged
    for (const r of readTracking(subRunDir(dir, 'exact', 0))) {
      expect(r.unbiased).toBe(true);
      expect(r.cosineOfMean).toBeCloseTo(1, 10);
    }
    expect(fs.existsSync(path.join(dir, 'summary.json'))).toBe(true);
  });

  test('common random numbers: every estimator starts from the same θ and sees the same tasks', () => {
    for (const s of [0, 1]) {
      const rows = ESTIMATORS.map((e) => readTracking(subRunDir(dir, e, s)));
      for (const rs of rows) {
        expect(rs[0].thetaSha256).toBe(rows[0][0].thetaSha256);
        expect(rs.map((r) => r.tasksSha256)).toEqual(rows[0].map((r) => r.tasksSha256));
      }
      // after training the estimators' θ differ (they did train on different gradients)
      expect(new Set(rows.map((rs) => rs[2].thetaSha256)).size).toBeGreaterThan(1);
    }
    const seeds = [0, 1].map((s) => readTracking(subRunDir(dir, 'dice', s))[0].tasksSha256);
    expect(seeds[0]).not.toBe(seeds[1]);
  });

  test('the plot has the four panels with every series present', async () => {
    const svg = path.join(tmp, 'cmp.svg');
    // vega is ESM, which jest's CommonJS runtime cannot import: plot runs in the built CLI
    const bin = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
    const p = spawnSync(process.execPath, [bin, 'plot', dir, '--out', svg], { encoding: 'utf8' });
    expect(p.stderr).toBe('');
    expect(p.status).toBe(0);
    const text = fs.readFileSync(svg, 'utf8');
    for (const title of [
      'Meta-gradient variance',
      'Meta-gradient MSE',
      'Training: return',
      'Test tasks: return',
    ])
      expect(text).toContain(title);
    // one line per estimator and panel (exact has no variance: not in the two log panels)
    const lines = text.match(/<path[^>]*aria-roledescription="line mark"/g) ?? [];
    const expected = 2 * (ESTIMATORS.length - 1) + 2 * ESTIMATORS.length;
    expect(lines).toHaveLength(expected);
    const areas = text.match(/<path[^>]*aria-roledescription="area mark"/g) ?? [];
    expect(areas).toHaveLength(expected);
  }, 60_000);

  test('--resume of a finished compare keeps every row; a fresh --out into it is refused', async () => {
    const before = readTracking(subRunDir(dir, 'lvc', 1));
    const r = await runCli(['compare', '--resume', dir, '--quiet']);
    expect(r.code).toBe(0);
    expect(readTracking(subRunDir(dir, 'lvc', 1))).toEqual(before);
    const again = await runCli([...ARGS, '--out', dir]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/--out: .* is not empty .*--resume/);
  }, 60_000);

  test('bad input names the option', async () => {
    const r = await runCli([...ARGS.slice(0, -1), '--out', path.join(tmp, 'x'), '--estimator', 'dice']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--estimator: compare sets it per sub-run/);
    const nav = await runCli([
      'compare',
      '--env',
      'navigation2d',
      '--estimators',
      'exact',
      '--out',
      path.join(tmp, 'y'),
    ]);
    expect(nav.code).toBe(2);
    expect(nav.err).toMatch(/'exact' needs a tabular MDP/);
    const fixed = await runCli(['compare', '--resume', dir, '--iterations', '5']);
    expect(fixed.err).toMatch(
      /--resume: the compare's options are fixed by its compare.json; got --iterations/,
    );
    const workers = await runCli([...ARGS.slice(0, -1), '--out', path.join(tmp, 'w'), '--workers', '0']);
    expect(workers.code).toBe(2);
    expect(workers.err).toMatch(/--workers: expected an integer in \[1, 256\]/);
  });
});

test('a compare stopped mid-way resumes to the same tracking rows as one never stopped', async () => {
  const spec: CompareSpec = {
    estimators: ['dice', 'tmaml-meta'],
    seeds: [3],
    trackEvery: 2,
    track: { repeats: 3, level: 0.01, evalTasks: 2, evalEpisodes: 2 },
    base: resolveConfig({
      env: 'tabular-mdp',
      iterations: 4,
      metaBatch: 2,
      fastBatch: 4,
      outer: 'vpg',
      checkpointEvery: 1,
    }),
  };
  const whole = path.join(tmp, 'whole');
  const cut = path.join(tmp, 'cut');
  expect((await compareRun({ dir: whole, spec })).finished).toBe(true);
  let calls = 0;
  // stop after the 3rd iteration overall (dice's 3rd), then again inside tmaml-meta (whose
  // tracking rows after the resume depend on its control variate's restored φ)
  expect((await compareRun({ dir: cut, spec, shouldStop: () => ++calls === 3 })).finished).toBe(false);
  expect(readTracking(subRunDir(cut, 'dice', 3)).map((r) => r.iteration)).toEqual([0, 2]);
  calls = 0;
  expect((await compareRun({ dir: cut, resume: true, shouldStop: () => ++calls === 3 })).finished).toBe(
    false,
  );
  expect((await compareRun({ dir: cut, resume: true })).finished).toBe(true);
  for (const e of spec.estimators) {
    const a = fs.readFileSync(path.join(subRunDir(whole, e, 3), 'tracking.jsonl'), 'utf8');
    const b = fs.readFileSync(path.join(subRunDir(cut, e, 3), 'tracking.jsonl'), 'utf8');
    expect(b).toBe(a);
    expect(readTracking(subRunDir(cut, e, 3)).map((r) => r.iteration)).toEqual([0, 2, 4]);
  }
}, 60_000);

test('compare --workers 2 writes the same tracking and progress bytes as --workers 1 (2 seeds × 2 iterations)', async () => {
  const spec: CompareSpec = {
    estimators: ['dice', 'tmaml-meta'],
    seeds: [0, 1],
    trackEvery: 1,
    track: { repeats: 3, level: 0.01, evalTasks: 2, evalEpisodes: 2 },
    base: resolveConfig({ env: 'tabular-mdp', iterations: 2, metaBatch: 3, fastBatch: 4, outer: 'vpg' }),
  };
  const one = path.join(tmp, 'workers-1');
  const two = path.join(tmp, 'workers-2');
  expect((await compareRun({ dir: one, spec, workers: 1 })).finished).toBe(true);
  expect((await compareRun({ dir: two, spec, workers: 2 })).finished).toBe(true);
  for (const e of spec.estimators)
    for (const s of spec.seeds)
      for (const f of ['tracking.jsonl', 'progress.jsonl']) {
        const a = fs.readFileSync(path.join(subRunDir(one, e, s), f), 'utf8');
        expect(a.split('\n')).toHaveLength(f === 'tracking.jsonl' ? 4 : 3);
        expect(fs.readFileSync(path.join(subRunDir(two, e, s), f), 'utf8')).toBe(a);
      }
}, 120_000);
