import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TINY_MDP_PATH } from '@metagrad/envs';
import { resolveConfig } from '../src/meta/config';
import { evaluateMeta } from '../src/meta/evaluate';
import { initMetaParams } from '../src/meta/init';
import { metaIteration } from '../src/meta/meta-learner';
import { makeProblem } from '../src/meta/problem';
import { NonFiniteError } from '../src/non-finite';
import { readProgress } from '../src/run/run-dir';
import { trainRun } from '../src/run/train-run';
import { runCli } from './run-cli';
import { TINY_NAV } from './tiny-nav';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'metagrad-train-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const dir = (name: string) => path.join(tmp, name);

const NAV = TINY_NAV;

test('training with the exact estimator improves the exact post-adaptation return at every step', async () => {
  const config = resolveConfig({
    env: 'mdp-file',
    envOptions: { path: TINY_MDP_PATH },
    estimator: 'exact',
    policy: 'tabular',
    outer: 'vpg',
    outerLr: 0.01,
    alpha: 0.5,
    metaBatch: 1,
    fastBatch: 2,
    iterations: 15,
  });
  await trainRun({ dir: dir('exact'), config });
  const losses = readProgress(dir('exact')).map((r) => r.lossBefore);
  expect(losses).toHaveLength(15);
  // lossBefore = −J(θ + α∇J/H)/H, exact: it must fall at every small step
  for (let i = 1; i < losses.length; i++) expect(losses[i]).toBeLessThan(losses[i - 1]);
});

test('evaluation runs before any training, and the oracle is better than the untrained policy', () => {
  const problem = makeProblem(
    resolveConfig({ env: 'navigation2d', envOptions: { horizon: 20 }, hidden: [8] }),
  );
  const r = evaluateMeta(problem, initMetaParams(problem), { tasks: 5, steps: 2, episodes: 4 });
  expect(r.mean).toHaveLength(3);
  expect(r.perTask[0]).toHaveLength(5);
  for (const x of [...r.mean, ...r.ci95]) expect(Number.isFinite(x)).toBe(true);
  expect(r.oracle).not.toBeNull();
  expect(r.oracle as number).toBeGreaterThan(r.mean[0]);
  // the same run evaluated twice gives the same bits (fixed test tasks and streams)
  expect(evaluateMeta(problem, initMetaParams(problem), { tasks: 5, steps: 2, episodes: 4 })).toEqual(r);
});

describe('run directories', () => {
  test('an existing run is never overwritten without --resume or --force', async () => {
    const args = ['train', ...NAV, '--iterations', '1', '--outer', 'vpg', '--out', dir('keep'), '--quiet'];
    expect((await runCli(args)).code).toBe(0);
    const before = fs.readFileSync(path.join(dir('keep'), 'progress.jsonl'));
    const again = await runCli(args);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already holds a run.*--resume.*--force/);
    expect(fs.readFileSync(path.join(dir('keep'), 'progress.jsonl'))).toEqual(before);
    fs.writeFileSync(path.join(dir('keep'), 'notes.txt'), 'mine');
    expect((await runCli([...args, '--force'])).code).toBe(0);
    expect(fs.readFileSync(path.join(dir('keep'), 'notes.txt'), 'utf8')).toBe('mine');
  });

  test.each([
    [['--iterations', '-1'], /iterations: expected an integer in \[0, .*got -1/],
    [['--algo', 'reptile'], /algo: expected one of maml, fomaml, promp, pretrain, es-maml, got "reptile"/],
    [['--estimator', 'exact'], /estimator: 'exact' needs a tabular MDP environment/],
    [['--alpha', 'fast'], /--alpha: expected a finite number, got "fast"/],
    // sinusoid trains the supervised meta-learners (supervised-train.test.ts); RL-only options are refused
    [['--env', 'sinusoid', '--estimator', 'dice'], /--estimator is an option of RL meta-training/],
    [['--env-option', 'horizon=0'], /horizon/],
    [['--config', 'no-such-preset'], /--config: expected a preset file or one of .*maml-trpo-nav2d/],
  ])('bad option %j is a clear error (exit 2) and writes nothing', async (bad, message) => {
    const out = dir(`bad-${(bad as string[]).join('')}`.replace(/\W/g, ''));
    const base = (bad as string[]).includes('--env') ? [] : NAV;
    const r = await runCli(['train', ...base, ...(bad as string[]), '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message as RegExp);
    expect(fs.existsSync(path.join(out, 'config.json'))).toBe(false);
  });

  test('every shipped preset resolves against the config schema', () => {
    const presets = path.join(__dirname, '..', '..', '..', 'presets');
    const names = fs.readdirSync(presets).filter((f) => f.endsWith('.json'));
    expect(names.length).toBeGreaterThanOrEqual(8);
    for (const name of names) {
      const { description, ...fields } = JSON.parse(fs.readFileSync(path.join(presets, name), 'utf8'));
      expect(typeof description).toBe('string');
      expect(() => resolveConfig(fields, name)).not.toThrow();
    }
    expect(() => resolveConfig({ maxkl: 0.01 }, 'p.json')).toThrow(/p.json: unknown field "maxkl"/);
    const promp = resolveConfig({ algo: 'promp' });
    expect([promp.estimator, promp.outer]).toEqual(['lvc', 'ppo']);
    expect(() => resolveConfig({ algo: 'promp', outer: 'trpo' })).toThrow(
      /outer: ProMP's outer update is the clipped objective/,
    );
  });
});

/** Run the built CLI as a child process (so it can be killed with SIGKILL). */
function spawnCli(args: string[]) {
  const bin = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
  return spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

const lines = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').length - 1 : 0);

test('a run killed with SIGKILL mid-run resumes to byte-identical progress.jsonl and weights', async () => {
  const common = [...NAV, '--iterations', '30', '--checkpoint-every', '3', '--seed', '4', '--quiet'];
  const ref = dir('ref');
  const done = spawnCli(['train', ...common, '--out', ref]);
  await new Promise((resolve) => done.on('exit', resolve));
  expect(lines(path.join(ref, 'progress.jsonl'))).toBe(30);

  const killed = dir('killed');
  const child = spawnCli(['train', ...common, '--out', killed]);
  const progress = path.join(killed, 'progress.jsonl');
  // kill once 4 rows are written: past the checkpoint at 3, so row 4 must be redone on resume
  await new Promise<void>((resolve, reject) => {
    const poll = setInterval(() => {
      if (lines(progress) >= 4) {
        clearInterval(poll);
        child.kill('SIGKILL');
        resolve();
      }
    }, 5);
    child.on('exit', () => {
      clearInterval(poll);
      if (lines(progress) < 4) reject(new Error('the run ended before it could be killed'));
    });
  });
  await new Promise((resolve) => child.on('exit', resolve));
  expect(fs.existsSync(path.join(killed, 'policy.json'))).toBe(false);

  const resumed = await runCli(['train', '--resume', killed, '--quiet']);
  expect(resumed.code).toBe(0);
  expect(resumed.err).toMatch(/resuming: \d+\/30 iterations done/);
  expect(fs.readFileSync(path.join(killed, 'progress.jsonl'))).toEqual(
    fs.readFileSync(path.join(ref, 'progress.jsonl')),
  );
  expect(fs.readFileSync(path.join(killed, 'policy.json'))).toEqual(
    fs.readFileSync(path.join(ref, 'policy.json')),
  );
}, 120_000);

test('Ctrl-C (SIGINT) stops after the current iteration with a checkpoint of every row, exit 130', async () => {
  const run = dir('sigint');
  const child = spawnCli([
    'train',
    ...NAV,
    '--iterations',
    '500',
    '--checkpoint-every',
    '100',
    '--out',
    run,
    '--quiet',
  ]);
  let err = '';
  child.stderr.on('data', (d) => {
    err += String(d);
  });
  const progress = path.join(run, 'progress.jsonl');
  const poll = setInterval(() => {
    if (lines(progress) >= 2) {
      clearInterval(poll);
      child.kill('SIGINT');
    }
  }, 5);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearInterval(poll);
  expect(code).toBe(130);
  expect(err).toMatch(/stopping after this iteration/);
  const done = lines(progress);
  expect(done).toBeLessThan(500);
  // the checkpoint covers every row written, though --checkpoint-every is 100
  expect(JSON.parse(fs.readFileSync(path.join(run, 'checkpoint.json'), 'utf8')).iterations).toBe(done);
}, 120_000);

test('a non-finite return stops the run naming the quantity, the iteration and the task', async () => {
  const mdp = JSON.parse(fs.readFileSync(TINY_MDP_PATH, 'utf8'));
  const file = path.join(tmp, 'huge-rewards.json');
  // each reward is finite, their sum over an episode is not
  fs.writeFileSync(
    file,
    JSON.stringify({
      ...mdp,
      rewards: [
        [1e308, 1e308],
        [1e308, 1e308],
      ],
      rewardStd: 0,
    }),
  );
  const out = dir('nonfinite');
  const r = await runCli([
    'train',
    '--env',
    'mdp-file',
    '--env-option',
    `path=${file}`,
    '--outer',
    'vpg',
    '--out',
    out,
  ]);
  expect(r.code).toBe(2);
  expect(r.err).toMatch(
    /iteration 0: return of task 0 after 0 inner steps is Infinity; stopped, the last good checkpoint/,
  );
  expect(fs.existsSync(path.join(out, 'config.json'))).toBe(true);
});

test('evaluate writes evaluation.json into the run, and plot draws learning and adaptation curves', async () => {
  const run = dir('plotted');
  expect(
    (await runCli(['train', ...NAV, '--iterations', '3', '--outer', 'vpg', '--out', run, '--quiet'])).code,
  ).toBe(0);
  const ev = ['evaluate', run, '--tasks', '3', '--steps', '2', '--episodes', '2'];
  const e = await runCli([...ev, '--json']);
  expect(e.code).toBe(0);
  const saved = JSON.parse(fs.readFileSync(path.join(run, 'evaluation.json'), 'utf8'));
  expect(JSON.parse(e.out)).toEqual(saved);
  expect(saved.result.mean).toHaveLength(3);
  expect(saved.source).toMatch(/policy\.json$/);
  expect((await runCli([...ev, '--random-init'])).code).toBe(0);
  const svg = path.join(tmp, 'curves.svg');
  // vega is ESM, which jest's CommonJS runtime cannot import: plot runs in the built CLI
  const bin = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
  const p = spawnSync(process.execPath, [bin, 'plot', run, '--out', svg], { encoding: 'utf8' });
  expect(p.stderr).toBe('');
  expect(p.status).toBe(0);
  const text = fs.readFileSync(svg, 'utf8');
  for (const label of [
    'meta-iteration',
    'adaptation steps',
    'random init',
    'before adaptation',
    'after 1 step',
    'oracle',
  ])
    expect(text).toContain(label);
  expect((await runCli(['plot', run, '--out', path.join(tmp, 'curves.gif')])).err).toMatch(
    /--out: expected a figure file ending in \.svg or \.png/,
  );
  expect((await runCli(['evaluate', path.join(tmp, 'nowhere')])).err).toMatch(
    /run directory: expected a directory/,
  );
});

test.each([
  ['VPG (Adam state in the checkpoint)', { outer: 'vpg' as const }],
  ['PPO with Meta-SGD α', { outer: 'ppo' as const, learnAlpha: true }],
])('%s: a stopped run resumes to the same bytes as one never stopped', async (name, o) => {
  const config = resolveConfig({
    env: 'navigation2d',
    envOptions: { horizon: 10 },
    hidden: [8],
    metaBatch: 3,
    fastBatch: 4,
    iterations: 6,
    checkpointEvery: 4,
    ...o,
  });
  const tag = name.replace(/\W/g, '');
  const ref = dir(`ref-${tag}`);
  await trainRun({ dir: ref, config });
  const stopped = dir(`stopped-${tag}`);
  let n = 0;
  const first = await trainRun({ dir: stopped, config, shouldStop: () => ++n === 3 });
  expect(first).toMatchObject({ iterations: 3, finished: false });
  const second = await trainRun({ dir: stopped, resume: true });
  expect(second).toMatchObject({ iterations: 6, finished: true });
  for (const f of ['progress.jsonl', 'policy.json', 'checkpoint.json'])
    expect(fs.readFileSync(path.join(stopped, f))).toEqual(fs.readFileSync(path.join(ref, f)));
  // the CSV holds the same rows; only its wall-clock columns (the last five) may differ
  const csv = (d: string) =>
    fs
      .readFileSync(path.join(d, 'progress.csv'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(',').slice(0, -5).join());
  expect(csv(stopped)).toEqual(csv(ref));
  expect(csv(ref)).toHaveLength(7);
});

test('a non-finite outer loss stops the iteration naming the quantity and the iteration', () => {
  const problem = makeProblem(
    resolveConfig({
      env: 'navigation2d',
      envOptions: { horizon: 5 },
      hidden: [4],
      metaBatch: 2,
      fastBatch: 2,
    }),
  );
  const meta = initMetaParams(problem);
  // an outer update whose loss comes back NaN, as a diverged run's would
  const outer = {
    step: () => {
      throw new NonFiniteError('trpoStep: loss is not finite (NaN) at the current parameters');
    },
    state: () => null,
    restore: () => {},
  };
  expect(() => metaIteration(problem, outer, meta, 7)).toThrow(
    /^iteration 7: trpoStep: loss is not finite \(NaN\) at the current parameters$/,
  );
  // other errors pass through untouched
  const broken = {
    ...outer,
    step: () => {
      throw new TypeError('bug');
    },
  };
  expect(() => metaIteration(problem, broken, meta, 7)).toThrow(TypeError);
});
