import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { trainEsRun } from '../src/es/train-es';
import { resolveConfig } from '../src/meta/config';
import { runCli } from './run-cli';

/** `--meta-gradient first-order | first-order-hessian` of es-maml: the run machinery and its refusals (the estimator's closed-form tests are in packages/estimators/test/es-hessian.test.ts). */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'metagrad-es-fo-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const dir = (name: string) => path.join(tmp, name);
const rowsOf = (d: string) =>
  fs
    .readFileSync(path.join(d, 'progress.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

const config = (metaGradient: string) =>
  resolveConfig({
    algo: 'es-maml',
    env: 'four-corners',
    adapt: 'es-step',
    k: 4,
    metaBatch: 3,
    iterations: 6,
    checkpointEvery: 4,
    metaGradient,
  });

test('zero-order stays the default, so runs made before the option resolve as before', () => {
  expect(resolveConfig({ algo: 'es-maml' }).metaGradient).toBe('zero-order');
});

test('a first-order-hessian run stopped after 3 iterations resumes to the same bytes; episodes per row as stated', async () => {
  const ref = dir('ref');
  await trainEsRun({ dir: ref, config: config('first-order-hessian') });
  let n = 0;
  const stopped = dir('stopped');
  await trainEsRun({ dir: stopped, config: config('first-order-hessian'), shouldStop: () => ++n === 3 });
  expect(rowsOf(stopped)).toHaveLength(3);
  expect((await runCli(['train', '--resume', stopped, '--quiet'])).code).toBe(0);
  for (const f of ['progress.jsonl', 'policy.json', 'checkpoint.json'])
    expect(fs.readFileSync(path.join(stopped, f))).toEqual(fs.readFileSync(path.join(ref, f)));
  // K = 4 (2 pairs): per task U 4, the gradient at θ' 4, the Hessian 4 + 1 at θ
  const rows = rowsOf(ref);
  expect(rows[0].rollouts).toBe(3 * (4 + 4 + 5));
  expect(rows.every((r) => r.returns.every(Number.isFinite) && r.gradNorm > 0)).toBe(true);
  // without the Hessian term: the same U and outer gradient, so a different, cheaper row
  const fo = dir('fo');
  await trainEsRun({ dir: fo, config: config('first-order') });
  expect(rowsOf(fo)[0].rollouts).toBe(3 * (4 + 4));
  expect(rowsOf(fo)[0].gradNorm).not.toBe(rows[0].gradNorm);
});

test('bad --meta-gradient combinations exit 2 naming the option', async () => {
  const cases: [string[], RegExp][] = [
    [
      ['--algo', 'es-maml', '--meta-gradient', 'second-order'],
      /metaGradient: expected one of zero-order, first-order, first-order-hessian, got "second-order"/,
    ],
    [
      ['--algo', 'es-maml', '--adapt', 'hill-climb', '--meta-gradient', 'first-order-hessian'],
      /metaGradient: "first-order-hessian" differentiates the ES gradient step .*expected adapt 'es-step', got "hill-climb"/,
    ],
    [
      ['--algo', 'maml', '--meta-gradient', 'first-order'],
      /metaGradient: "first-order" is an estimator of algo 'es-maml', got algo "maml"/,
    ],
    [
      ['--algo', 'es-maml', '--adapt', 'es-step', '--meta-gradient', 'first-order', '--workers', '2'],
      /--workers: the first-order ES-MAML meta-gradient runs in-process; expected --workers 1, got 2/,
    ],
  ];
  for (const [args, msg] of cases) {
    const r = await runCli(['train', '--env', 'four-corners', ...args, '--out', dir('bad')]);
    expect([r.code, r.err]).toEqual([2, expect.stringMatching(msg)]);
  }
});
