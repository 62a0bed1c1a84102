import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initEsParams } from '../src/es/es-params';
import { makeEsProblem } from '../src/es/es-problem';
import { queryReturn, unperturbedReturn } from '../src/es/perturbation';
import { trainEsRun } from '../src/es/train-es';
import { resolveConfig } from '../src/meta/config';
import { pooledEsQueries } from '../src/parallel/es-pool';
import type { InjectedFault } from '../src/parallel/protocol';
import { runCli } from './run-cli';

// short ES-MAML on 2D navigation: 5 pairs so 2 and 3 workers get uneven shares
const esConfig = (adapt: 'hill-climb' | 'es-step') =>
  resolveConfig({
    algo: 'es-maml',
    env: 'navigation2d',
    policy: 'mlp',
    hidden: [4],
    adapt,
    k: 4,
    metaBatch: 5,
    horizon: 10,
    iterations: 2,
    seed: 5,
  });

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'metagrad-es-pool-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const FILES = ['progress.jsonl', 'checkpoint.json', 'policy.json'];

async function run(
  adapt: 'hill-climb' | 'es-step',
  workers: number,
  workerFault?: InjectedFault,
): Promise<Buffer[]> {
  const dir = path.join(tmp, `${adapt}-w${workers}-${workerFault?.mode ?? 'ok'}`);
  await trainEsRun({ dir, config: esConfig(adapt), workers, workerFault });
  return FILES.map((f) => fs.readFileSync(path.join(dir, f)));
}

test.each(['hill-climb', 'es-step'] as const)(
  'es-maml (%s): byte-identical progress, checkpoint and policy at 1, 2 and 3 workers (hill-climb: and after a worker crash)',
  async (adapt) => {
    const one = await run(adapt, 1);
    for (const w of [2, 3]) {
      const many = await run(adapt, w);
      FILES.forEach((f, i) => {
        expect({ f, w, same: many[i].equals(one[i]) }).toEqual({ f, w, same: true });
      });
    }
    if (adapt === 'es-step') return;
    // a worker that dies on query 6's request is restarted and its pairs asked again: same bits
    const crashed = await run(adapt, 2, { mode: 'crash', op: 'es-queries', slot: 6, attempts: 1 });
    FILES.forEach((f, i) => {
      expect({ f, same: crashed[i].equals(one[i]) }).toEqual({ f, same: true });
    });
  },
);

test("the pool's values are each query's own value, in query order (not in the order workers answer)", async () => {
  const config = esConfig('hill-climb');
  const problem = makeEsProblem(config);
  const theta = initEsParams(problem);
  const queries = pooledEsQueries(problem, 3);
  try {
    const r = await queries.evaluate(theta, 4);
    const direct = Array.from({ length: 10 }, (_, q) => queryReturn(problem, theta, 4, q));
    expect(Array.from(r.values)).toEqual(direct.map((d) => d.value));
    expect(Array.from(r.before)).toEqual([0, 1, 2, 3, 4].map((i) => unperturbedReturn(problem, theta, 4, i)));
    expect(r.rollouts).toBe(direct.reduce((a, d) => a + d.rollouts, 0));
    // not vacuous: the queries differ, so a misplaced value would show
    expect(new Set(direct.map((d) => d.value)).size).toBeGreaterThan(5);
  } finally {
    await queries.close();
  }
});

test('a query that throws on a worker stops the run naming the iteration, the worker and the query; a second death stops it too', async () => {
  await expect(run('es-step', 2, { mode: 'throw', op: 'es-queries', slot: 7, attempts: 1 })).rejects.toThrow(
    /^iteration 0, worker 1: query 7 \(pair 3, θ − σg\): injected fault$/,
  );
  await expect(run('es-step', 3, { mode: 'crash', op: 'es-queries', slot: 2, attempts: 2 })).rejects.toThrow(
    /worker 1 stopped: .* again on pairs 1, 4 \(iteration 0\); stopped/,
  );
});

test('metagrad train --algo es-maml --workers 2 writes the bytes of --workers 1', async () => {
  const args = (out: string, workers: string) => [
    'train',
    '--algo',
    'es-maml',
    '--env',
    'navigation2d',
    '--policy',
    'linear',
    '--k',
    '3',
    '--meta-batch',
    '3',
    '--horizon',
    '8',
    '--iterations',
    '2',
    '--workers',
    workers,
    '--out',
    path.join(tmp, out),
    '--quiet',
  ];
  expect((await runCli(args('cli-1', '1'))).code).toBe(0);
  const two = await runCli(args('cli-2', '2'));
  expect(two.err).toBe('');
  expect(two.code).toBe(0);
  for (const f of FILES)
    expect(
      fs.readFileSync(path.join(tmp, 'cli-2', f)).equals(fs.readFileSync(path.join(tmp, 'cli-1', f))),
    ).toBe(true);
});
