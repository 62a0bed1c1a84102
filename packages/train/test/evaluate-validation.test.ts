import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveConfig } from '../src/meta/config';
import { TEST_SEED, VALIDATION_SEED } from '../src/meta/evaluate';
import { makeProblem } from '../src/meta/problem';
import { runCli } from './run-cli';
import { TINY_NAV } from './tiny-nav';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'metagrad-validation-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const NAV = ['--env', 'navigation2d', '--env-option', 'horizon=10', '--hidden', '8'];
const TINY = [...TINY_NAV, '--outer', 'vpg', '--quiet'];
const EVAL = ['--tasks', '4', '--steps', '2', '--episodes', '2', '--json'];

test('the validation tasks are other tasks than the test tasks, drawn the same way', () => {
  const problem = makeProblem(resolveConfig({ env: 'navigation2d' }, 'test'));
  const test = problem.tasks.testTasks(40, TEST_SEED);
  const validation = problem.tasks.testTasks(40, VALIDATION_SEED);
  expect(validation).toHaveLength(40);
  expect(JSON.stringify(validation)).not.toEqual(JSON.stringify(test));
  // no test goal reappears among the validation goals
  const goals = new Set(test.map((t) => JSON.stringify(t)));
  expect(validation.filter((t) => goals.has(JSON.stringify(t)))).toHaveLength(0);
});

test('evaluate --validation meta-tests on the validation tasks, saved beside (never over) the test evaluation', async () => {
  const run = path.join(tmp, 'run');
  expect((await runCli(['train', ...TINY, '--iterations', '2', '--out', run])).code).toBe(0);
  const onTest = await runCli(['evaluate', run, ...EVAL]);
  const testFile = fs.readFileSync(path.join(run, 'evaluation.json'), 'utf8');
  const onValidation = await runCli(['evaluate', run, '--validation', ...EVAL]);
  expect(onValidation.code).toBe(0);
  const v = JSON.parse(onValidation.out);
  expect(v.result.taskSet).toBe('validation');
  expect(JSON.parse(onTest.out).result.taskSet).toBeUndefined(); // test evaluations keep their layout
  expect(v.result.perTask).not.toEqual(JSON.parse(onTest.out).result.perTask);
  expect(fs.readFileSync(path.join(run, 'evaluation.json'), 'utf8')).toBe(testFile);
  expect(JSON.parse(fs.readFileSync(path.join(run, 'evaluation-validation.json'), 'utf8'))).toEqual(v);
  // the same flag gives the same numbers again (fixed seed), and works on an es-maml run too
  expect(JSON.parse((await runCli(['evaluate', run, '--validation', '--no-save', ...EVAL])).out)).toEqual(v);
  const es = path.join(tmp, 'es');
  const esTrain = ['train', ...NAV, '--algo', 'es-maml', '--policy', 'linear', '--meta-batch', '2'];
  expect((await runCli([...esTrain, '--iterations', '1', '--quiet', '--out', es])).code).toBe(0);
  const esV = await runCli(['evaluate', es, '--validation', ...EVAL]);
  expect(esV.code).toBe(0);
  expect(JSON.parse(esV.out).result.taskSet).toBe('validation');
  expect(JSON.parse(esV.out).result.perTask).not.toEqual(
    JSON.parse((await runCli(['evaluate', es, ...EVAL])).out).result.perTask,
  );
});
