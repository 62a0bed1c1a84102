import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveSupervisedConfig } from '../src/supervised/config';
import { trainBatch } from '../src/supervised/data';
import { evaluateSupervised } from '../src/supervised/evaluate';
import { metaDirection } from '../src/supervised/meta-step';
import { makeSupervisedOuter } from '../src/supervised/outer';
import { initParams } from '../src/supervised/params';
import { supervisedTrainRun } from '../src/supervised/train-run';
import { runCli } from './run-cli';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'metagrad-supervised-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const dir = (name: string) => path.join(tmp, name);

const EVAL = {
  tasks: 200,
  steps: 1,
  shots: 10,
  alpha: 0.01,
  testPoints: 50,
  seed: 0,
  curveTasks: 0,
  curveSteps: [],
};

describe('supervised training on sinusoid regression', () => {
  test('a short MAML training (100 iterations of 10 tasks, Adam step 0.01) lowers the held-out post-adaptation MSE beyond both 95% intervals', () => {
    const config = resolveSupervisedConfig({ algo: 'maml', iterations: 100, metaBatch: 10, outerLr: 0.01 });
    let params = initParams(config);
    const before = evaluateSupervised(config, params, EVAL);
    // the loop of supervisedTrainRun without its files (that path is tested below)
    const outer = makeSupervisedOuter(config, params);
    for (let it = 0; it < config.iterations; it++) {
      const b = trainBatch(config.seed, it, config.metaBatch, config.shots);
      params = outer.step(params, metaDirection(config, params, b).direction, it);
    }
    const after = evaluateSupervised(config, params, EVAL);
    expect(after.mse[1] + after.ci95[1]).toBeLessThan(before.mse[1] - before.ci95[1]);
  });

  test('a run stopped and resumed is bit-identical to one that never stopped (progress and weights)', async () => {
    for (const algo of ['meta-sgd', 'reptile'] as const) {
      const config = resolveSupervisedConfig({
        algo,
        hidden: [8],
        iterations: 12,
        metaBatch: 3,
        checkpointEvery: 5,
      });
      await supervisedTrainRun({ dir: dir(`full-${algo}`), config });
      let calls = 0;
      const stopped = await supervisedTrainRun({
        dir: dir(`part-${algo}`),
        config,
        shouldStop: () => ++calls === 7,
      });
      expect(stopped.finished).toBe(false);
      await supervisedTrainRun({ dir: dir(`part-${algo}`), resume: true });
      for (const f of ['progress.jsonl', 'policy.json'])
        expect(fs.readFileSync(path.join(dir(`part-${algo}`), f), 'utf8')).toBe(
          fs.readFileSync(path.join(dir(`full-${algo}`), f), 'utf8'),
        );
    }
  });

  test('CLI: train, resume, evaluate with a figure; options of the RL path are refused by name', async () => {
    const out = dir('cli');
    const args = [
      'train',
      '--env',
      'sinusoid',
      '--algo',
      'cavia',
      '--hidden',
      '8',
      '--iterations',
      '3',
      '--quiet',
    ];
    expect((await runCli([...args, '--out', out])).code).toBe(0);
    expect(fs.existsSync(path.join(out, 'progress.csv'))).toBe(true);
    const again = await runCli([...args, '--out', out]);
    expect(again.code).toBe(2);
    expect(again.err).toMatch(/already holds a run/);
    expect((await runCli([...args, '--out', out, '--force'])).code).toBe(0);
    expect((await runCli(['train', '--resume', out])).code).toBe(0);
    const ev = await runCli(['evaluate', out, '--tasks', '5', '--steps', '2', '--json']);
    expect(ev.code).toBe(0);
    const e = JSON.parse(ev.out);
    expect(e).toEqual(JSON.parse(fs.readFileSync(path.join(out, 'evaluation.json'), 'utf8')));
    expect(e.result.mse).toHaveLength(3);
    expect(e.result.ci95.every((c: number) => c > 0)).toBe(true);
    expect(e.result.curves[0].predictions.map((p: { steps: number }) => p.steps)).toEqual([0, 1]);
    // vega is ESM, which jest's CommonJS runtime cannot import: the figure is drawn by the built CLI
    const fig = path.join(tmp, 'curves.svg');
    const bin = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
    const p = spawnSync(
      process.execPath,
      [bin, 'evaluate', out, '--tasks', '3', '--figure', fig, '--no-save'],
      {
        encoding: 'utf8',
      },
    );
    expect(p.stderr).toBe('');
    expect(p.status).toBe(0);
    expect(fs.readFileSync(fig, 'utf8')).toMatch(/^<svg[\s\S]*true sinusoid[\s\S]*after 10 steps/);
    const diverged = await runCli([
      'evaluate',
      out,
      '--tasks',
      '5',
      '--steps',
      '3',
      '--alpha',
      '1e300',
      '--no-save',
    ]);
    expect(diverged.code).toBe(2);
    expect(diverged.err).toMatch(
      /the adaptation diverged: the mean MSE after \d+ steps? of α = 1e\+300 is (NaN|Infinity)/,
    );
    const plot = await runCli(['plot', out, '--out', path.join(tmp, 'learning.svg')]);
    expect(plot.code).toBe(2);
    expect(plot.err).toMatch(/a supervised run on sinusoid/);
    const rl = await runCli(['train', '--env', 'sinusoid', '--estimator', 'dice', '--out', dir('x')]);
    expect(rl.code).toBe(2);
    expect(rl.err).toMatch(/--estimator is an option of RL meta-training/);
    const shots = await runCli(['train', '--env', 'navigation2d', '--shots', '5', '--out', dir('w')]);
    expect(shots.err).toMatch(/--shots: an option of --env sinusoid/);
    const bad = await runCli([
      'train',
      '--env',
      'sinusoid',
      '--algo',
      'maml',
      '--shots',
      '0',
      '--out',
      dir('y'),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--shots: expected an integer in \[1, 10000\], got 0/);
    const badAlgo = await runCli(['train', '--env', 'sinusoid', '--algo', 'promp', '--out', dir('z')]);
    expect(badAlgo.err).toMatch(
      /algo: expected one of maml, fomaml, reptile, cavia, meta-sgd, pretrain, got "promp"/,
    );
  });
});
