import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveConfig } from '../src/meta/config';
import { initMetaParams } from '../src/meta/init';
import { metaIteration } from '../src/meta/meta-learner';
import { makeOuterUpdate } from '../src/meta/outer-update';
import { makeProblem } from '../src/meta/problem';
import type { InjectedFault } from '../src/parallel/protocol';
import { shardedMetaIteration } from '../src/parallel/sharded-iteration';
import { inProcessShards } from '../src/parallel/shards';
import { trainRun } from '../src/run/train-run';
import { runCli } from './run-cli';

// small MAML-TRPO on 2D navigation: 5 tasks so 2 and 3 workers get uneven shares
const config = resolveConfig({
  env: 'navigation2d',
  hidden: [8],
  metaBatch: 5,
  fastBatch: 4,
  horizon: 12,
  iterations: 2,
  cgIters: 4,
  lineSearchSteps: 5,
  fisherTasks: 4,
  seed: 3,
});

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'metagrad-pool-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const FILES = ['progress.jsonl', 'checkpoint.json', 'policy.json'];

async function run(workers: number, name: string, workerFault?: InjectedFault): Promise<Buffer[]> {
  const dir = path.join(tmp, name);
  await trainRun({ dir, config, workers, workerFault });
  return FILES.map((f) => fs.readFileSync(path.join(dir, f)));
}

test('the same seed gives byte-identical progress, checkpoint and policy at 1, 2 and 3 workers', async () => {
  const one = await run(1, 'w1');
  for (const w of [2, 3]) {
    const many = await run(w, `w${w}`);
    FILES.forEach((f, i) => {
      expect({ f, same: many[i].equals(one[i]) }).toEqual({ f, same: true });
    });
  }
  // and a crash of a worker mid-iteration (its Fisher products) is retried without changing a bit
  const crashed = await run(2, 'crash-once', { mode: 'crash', op: 'fisher', slot: 1, attempts: 1 });
  FILES.forEach((f, i) => {
    expect({ f, same: crashed[i].equals(one[i]) }).toEqual({ f, same: true });
  });
});

test('task by task is the same iteration as the batched metaIteration (up to summation order)', async () => {
  const problem = makeProblem(config);
  const meta = initMetaParams(problem);
  const batched = metaIteration(problem, makeOuterUpdate(config), meta, 1).record;
  const shards = inProcessShards(problem);
  const sharded = (await shardedMetaIteration(problem, makeOuterUpdate(config), shards, meta, 1)).record;
  // the episodes are the same bits: the returns are sums of the same rewards in the same order
  expect(sharded.returns).toEqual(batched.returns);
  for (const k of ['lossBefore', 'lossAfter', 'kl', 'gradNorm', 'paramNorm', 'stepFraction'] as const)
    expect({
      k,
      rel: Math.abs(sharded[k] - batched[k]) / Math.max(1e-300, Math.abs(batched[k])) < 1e-9,
    }).toEqual({
      k,
      rel: true,
    });
  // FOMAML's reverse pass adds the tasks' gradients in slot order: there it is the same bits
  const fo = resolveConfig({ ...config, algo: 'fomaml' });
  const foProblem = makeProblem(fo);
  const foMeta = initMetaParams(foProblem);
  const foBatched = metaIteration(foProblem, makeOuterUpdate(fo), foMeta, 1).record;
  const foSharded = (
    await shardedMetaIteration(foProblem, makeOuterUpdate(fo), inProcessShards(foProblem), foMeta, 1)
  ).record;
  expect(JSON.stringify(foSharded)).toBe(JSON.stringify(foBatched));
});

test('a worker that throws stops the run with its error and the task; one that dies twice stops it too', async () => {
  await expect(run(2, 'throws', { mode: 'throw', op: 'evaluate', slot: 3, attempts: 1 })).rejects.toThrow(
    /^iteration 0, worker 1, evaluate: task 3 \(meta-batch slot 3\): injected fault$/,
  );
  await expect(run(2, 'dies', { mode: 'crash', op: 'sample', slot: 2, attempts: 2 })).rejects.toThrow(
    /worker 0 stopped: .* again on tasks 0, 2, 4 \(iteration 0\); stopped/,
  );
});

test('metagrad train --workers: a bad count is refused naming the option', async () => {
  const r = await runCli(['train', '--workers', '1.5', '--out', path.join(tmp, 'bad')]);
  expect(r.code).toBe(2);
  expect(r.err).toContain('--workers: expected an integer in [1, 256], got "1.5"');
});

test('the Adam outer updates run on the pool too: ProMP (PPO epochs) byte-identical at 1 and 3 workers, FOMAML-VPG the batched bits', async () => {
  const promp = resolveConfig({
    ...config,
    algo: 'promp',
    estimator: 'lvc',
    outer: 'ppo',
    ppoEpochs: 2,
    fisherTasks: null,
  });
  const files = async (workers: number) => {
    const dir = path.join(tmp, `promp-w${workers}`);
    await trainRun({ dir, config: promp, workers });
    return FILES.map((f) => fs.readFileSync(path.join(dir, f)));
  };
  const one = await files(1);
  const three = await files(3);
  FILES.forEach((f, i) => {
    expect({ f, same: three[i].equals(one[i]) }).toEqual({ f, same: true });
  });
  const vpg = resolveConfig({ ...config, algo: 'fomaml', outer: 'vpg', fisherTasks: null });
  const problem = makeProblem(vpg);
  const meta = initMetaParams(problem);
  const batched = metaIteration(problem, makeOuterUpdate(vpg), meta, 1).record;
  const sharded = (
    await shardedMetaIteration(problem, makeOuterUpdate(vpg), inProcessShards(problem), meta, 1)
  ).record;
  expect(JSON.stringify(sharded)).toBe(JSON.stringify(batched));
});
