import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Rng } from '@metagrad/autodiff';
import { adaptOnTask } from '../src/es/adaptation-operator';
import { initEsParams } from '../src/es/es-params';
import { makeEsProblem } from '../src/es/es-problem';
import { evaluateEs } from '../src/es/evaluate-es';
import { trainEsRun } from '../src/es/train-es';
import { resolveConfig } from '../src/meta/config';
import { runCli } from './run-cli';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'metagrad-es-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const dir = (name: string) => path.join(tmp, name);

const esConfig = (o: Record<string, unknown> = {}) =>
  resolveConfig({ algo: 'es-maml', env: 'four-corners', metaBatch: 10, k: 5, ...o });

test.each([
  ['four-corners (deterministic)', 'four-corners', {}],
  ['cart-pole (random initial state)', 'cartpole', { horizon: 50 }],
])(
  'hill climbing never returns a policy worse than its start on the evaluations it used: %s',
  (_n, env, envOptions) => {
    const problem = makeEsProblem(esConfig({ env, envOptions, k: 8, adaptSigma: 0.5 }));
    let improved = 0;
    for (let trial = 0; trial < 20; trial++) {
      const rng = new Rng(trial);
      const theta = rng.fillNormal(new Float64Array(problem.policy.dim), 0, 0.3);
      const task = problem.tasks.trainTasks(1, 0, trial)[0];
      // the returns U saw, by the parameters that produced them
      const seen: { x: Float64Array; value: number }[] = [];
      const wrapped = {
        ...problem,
        episode: (t: unknown, ti: number, x: Float64Array, e: number, s: number) => {
          const b = problem.episode(t, ti, x, e, s);
          seen.push({ x: Float64Array.from(x), value: b.rewards.reduce((a, r) => a + r, 0) });
          return b;
        },
      };
      const out = adaptOnTask(wrapped, task, trial, theta, { rng: rng.derive(1), seed: 0 });
      expect(out.rollouts).toBe(8);
      const start = seen[0];
      expect(start.x).toEqual(theta);
      const chosen = seen.filter((s) => s.x.every((v, j) => v === out.theta[j]));
      expect(chosen.length).toBeGreaterThan(0);
      expect(chosen[0].value).toBeGreaterThanOrEqual(start.value);
      // and it is the best of what it saw (first-seen on ties)
      expect(chosen[0].value).toBe(Math.max(...seen.map((s) => s.value)));
      if (chosen[0].value > start.value) improved++;
    }
    expect(improved).toBeGreaterThan(0); // not vacuous: it did move
  },
);

test('a short ES-MAML training on four corners improves the post-adaptation return on 400 test tasks', async () => {
  const config = esConfig({ adaptSigma: 0.1, sigma: 0.1, outerLr: 0.05, iterations: 150, seed: 3 });
  const r = await trainEsRun({ dir: dir('improve'), config });
  const problem = makeEsProblem(config);
  const opts = { tasks: 400, steps: 1, episodes: 1 };
  const before = evaluateEs(problem, initEsParams(problem), opts).perTask[1];
  const after = evaluateEs(problem, r.meta.policy as unknown as Float64Array, opts).perTask[1];
  // paired over the same test tasks (same adaptation streams): mean gain and its z
  const d = after.map((x, j) => x - before[j]);
  const mean = d.reduce((a, b) => a + b, 0) / d.length;
  const sd = Math.sqrt(d.reduce((a, x) => a + (x - mean) ** 2, 0) / (d.length - 1));
  expect(mean / (sd / Math.sqrt(d.length))).toBeGreaterThan(3.09); // one-sided 0.1% (z = 3.53 here)
});

test('an ES-MAML run stopped, or killed after a row past its checkpoint, resumes to the same bytes', async () => {
  const config = esConfig({ metaBatch: 3, iterations: 6, checkpointEvery: 4, adapt: 'es-step', k: 4 });
  const ref = dir('ref');
  await trainEsRun({ dir: ref, config });
  const files = ['progress.jsonl', 'policy.json', 'checkpoint.json'];
  const same = (d: string) => {
    for (const f of files)
      expect(fs.readFileSync(path.join(d, f))).toEqual(fs.readFileSync(path.join(ref, f)));
  };
  let n = 0;
  const stopped = dir('stopped');
  expect(await trainEsRun({ dir: stopped, config, shouldStop: () => ++n === 3 })).toMatchObject({
    iterations: 3,
    finished: false,
  });
  const resumed = await runCli(['train', '--resume', stopped, '--quiet']);
  expect(resumed.code).toBe(0);
  same(stopped);
  // a crash after row 5 is written, with the checkpoint at 4: row 5 is dropped and redone
  const crashed = dir('crashed');
  await expect(
    trainEsRun({
      dir: crashed,
      config,
      onIteration: (r) => {
        if (r.iteration === 4) throw new Error('simulated crash');
      },
    }),
  ).rejects.toThrow('simulated crash');
  expect(fs.readFileSync(path.join(crashed, 'progress.jsonl'), 'utf8').trim().split('\n')).toHaveLength(5);
  await trainEsRun({ dir: crashed, resume: true });
  same(crashed);
  const rows = fs
    .readFileSync(path.join(ref, 'progress.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  // es-step with K = 4: 2 pairs of queries, then one measured episode, for each of 6 queries
  expect(rows[0].rollouts).toBe(6 * (4 + 1));
  expect(rows[0].returns).toHaveLength(2);
});

test('metagrad train/evaluate run es-maml from the command line; bad options exit 2 naming the option', async () => {
  const run = dir('cli');
  const ok = await runCli([
    'train',
    '--algo',
    'es-maml',
    '--adapt',
    'hill-climb',
    '--policy',
    'mlp',
    '--hidden',
    '4',
    '--k',
    '3',
    '--env',
    'navigation2d',
    '--meta-batch',
    '2',
    '--iterations',
    '2',
    '--out',
    run,
    '--quiet',
  ]);
  expect(ok.err).toBe('');
  expect(ok.code).toBe(0);
  const ev = await runCli(['evaluate', run, '--tasks', '3', '--steps', '2', '--episodes', '1', '--json']);
  expect(ev.code).toBe(0);
  const e = JSON.parse(ev.out);
  expect(e.result.mean).toHaveLength(3);
  expect(e.result.oracle).not.toBeNull();
  const bad: [string[], RegExp][] = [
    [['--adapt', 'sgd'], /adapt: expected one of hill-climb, es-step, got "sgd"/],
    [
      ['--policy', 'gaussian-mlp'],
      /policy: es-maml uses a deterministic policy: expected one of linear, mlp/,
    ],
    [['--k', '0'], /k: expected an integer in \[1, 100000\], got 0/],
    [['--k', 'five'], /--k: expected an integer, got "five"/],
    [
      ['--adapt', 'es-step', '--k', '1'],
      /k: es-step estimates a gradient from antithetic pairs: expected k >= 2, got 1/,
    ],
    [['--sigma', '-1'], /sigma: expected a number in \(0, 1000\], got -1/],
    [['--env', 'bandit'], /env:/],
    [['--policy', 'mlp', '--hidden', ''], /hidden: policy 'mlp' needs at least one hidden layer/],
    [
      ['--learn-alpha'],
      /learnAlpha: Meta-SGD learns the inner step of the gradient learners; es-maml has none/,
    ],
  ];
  for (const [args, msg] of bad) {
    const r = await runCli([
      'train',
      '--algo',
      'es-maml',
      '--env',
      'four-corners',
      ...args,
      '--out',
      dir('bad'),
    ]);
    expect([r.code, r.err]).toEqual([2, expect.stringMatching(msg)]);
  }
  const pg = await runCli(['train', '--algo', 'maml', '--policy', 'linear', '--out', dir('bad')]);
  expect([pg.code, pg.err]).toEqual([
    2,
    expect.stringMatching(/policy: "linear" is a deterministic policy for algo 'es-maml'/),
  ]);
});
