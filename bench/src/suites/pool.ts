/**
 * The worker pool's costs and gains on one machine: (a) what crossing threads costs, as the round
 * trip of a request that does nothing (θ of the 2D-navigation MAML-TRPO policy out on a
 * SharedArrayBuffer, a reply moved back: ES-MAML's query values, or a θ-sized gradient) against
 * the same copies in-process; (b) ES-MAML's perturbation evaluation (every pair's queries and
 * logging return of one iteration) in-process against 2 pool workers, with the speed-up and the
 * parallel efficiency (speed-up / workers). Medians over repetitions; the pool is started and
 * warmed before timing (its start-up is a one-off per run, not per iteration).
 */
import { loadavg } from 'node:os';
import {
  initEsParams,
  initMetaParams,
  inProcessEsQueries,
  makeEsProblem,
  makeProblem,
  pooledEsQueries,
  resolveConfig,
  shared,
  treeToVector,
  WorkerPool,
} from '@metagrad/train';
import { summarize } from '../infra/measure';
import type { Measurement, ReportRow, Suite, SuiteOptions } from '../infra/suite';

const COLUMNS = ['in-process', 'pool', 'speed-up', 'efficiency'];

/** Milliseconds per call of `f`, one sample per batch of `calls`. */
async function perCall(f: () => unknown, calls: number, samples: number): Promise<number[]> {
  const out: number[] = [];
  for (let s = 0; s < samples; s++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) await f();
    out.push((performance.now() - t0) / calls);
  }
  return out;
}

/** (a): empty round trips with a reply of `replyLength` doubles, against the copies alone. */
async function roundTrip(
  pool: WorkerPool,
  theta: Float64Array,
  replyLength: number,
  o: { calls: number; samples: number },
): Promise<{ local: Measurement; pooled: Measurement }> {
  const request = () => ({ op: 'echo' as const, theta: shared(theta), length: replyLength, attempt: 0 });
  const inProcess = () => {
    request();
    return new Float64Array(replyLength);
  };
  await perCall(() => pool.run(0, request()), o.calls, 1); // warm the worker and the JIT
  await perCall(inProcess, o.calls, 1);
  return {
    local: summarize(await perCall(inProcess, o.calls, o.samples), 'ms'),
    pooled: summarize(await perCall(() => pool.run(0, request()), o.calls, o.samples), 'ms'),
  };
}

/** (b): one iteration's queries, in-process and on 2 workers, timed alternately (the same load on each). */
async function esSpeedup(reps: number): Promise<{ row: ReportRow; note: string }> {
  const config = resolveConfig({
    algo: 'es-maml',
    env: 'navigation2d',
    policy: 'mlp',
    hidden: [64, 64],
    k: 5,
    metaBatch: 10,
  });
  const problem = makeEsProblem(config);
  const theta = initEsParams(problem);
  const local = inProcessEsQueries(problem);
  const pooled = pooledEsQueries(problem, 2);
  const ms = { local: [] as number[], pooled: [] as number[] };
  try {
    await pooled.evaluate(theta, 0); // start and warm the workers
    await local.evaluate(theta, 0);
    for (let it = 1; it <= reps; it++)
      for (const [k, q] of [
        ['local', local],
        ['pooled', pooled],
      ] as const) {
        const t0 = performance.now();
        await q.evaluate(theta, it);
        ms[k].push(performance.now() - t0);
      }
  } finally {
    await pooled.close();
  }
  const a = summarize(ms.local, 'ms');
  const b = summarize(ms.pooled, 'ms');
  const speedup = a.median / b.median;
  return {
    row: {
      name: `ES-MAML queries of one iteration: 10 pairs, hill-climb K = 5, nav2d H 100, 64-64 (${problem.policy.dim} parameters), 1 vs 2 workers`,
      cells: {
        'in-process': a,
        pool: b,
        'speed-up': `${speedup.toFixed(2)}×`,
        efficiency: `${((100 * speedup) / 2).toFixed(0)}%`,
      },
    },
    note: `ES-MAML queries: ${a.median.toFixed(0)} ms in-process, ${b.median.toFixed(0)} ms on 2 workers: ${speedup.toFixed(2)}× speed-up, parallel efficiency ${((100 * speedup) / 2).toFixed(0)}% (medians of ${reps}).`,
  };
}

async function run(options: SuiteOptions) {
  const samples = options.quick ? 3 : 9;
  const calls = options.quick ? 50 : 300;
  const loadBefore = loadavg()[0];
  const problem = makeProblem(resolveConfig({}));
  const theta = treeToVector(initMetaParams(problem));
  const rows: ReportRow[] = [];
  const pool = new WorkerPool(1, {});
  try {
    for (const [what, length] of [
      ['ES-MAML reply (20 query values)', 20],
      [`θ-sized reply (a gradient, ${theta.length} doubles)`, theta.length],
    ] as const) {
      const r = await roundTrip(pool, theta, length, { calls, samples });
      rows.push({
        name: `round trip of an empty task: θ of MAML-TRPO nav2d (${theta.length} doubles) out, ${what} back`,
        cells: { 'in-process': r.local, pool: r.pooled, 'speed-up': null, efficiency: null },
      });
    }
  } finally {
    await pool.close();
  }
  const es = await esSpeedup(options.quick ? 3 : 7);
  rows.push(es.row);
  return {
    suite: 'pool',
    title: 'worker pool: thread round trip (ms per request) and ES-MAML query speed-up (ms per iteration)',
    columns: COLUMNS,
    rows,
    higherIsBetter: false,
    notes: [
      'Round trips: θ copied to a SharedArrayBuffer and a reply allocated, in-process (the copies alone) or through a piscina worker that does nothing else (the reply buffer moved back, not copied).',
      es.note,
      `Load average (1 min) before the suite: ${loadBefore.toFixed(2)}, after: ${loadavg()[0].toFixed(2)}; on shared cores the speed-up is a lower bound of what idle cores give.`,
    ],
  };
}

export const poolSuite: Suite = {
  name: 'pool',
  description: 'worker pool: thread round-trip overhead, ES-MAML query speed-up at 2 workers',
  run,
};
