import { getNumThreads, setNumThreads } from '@metagrad/autodiff';
import type { EsProblem } from '../es/es-problem';
import { NonFiniteError } from '../non-finite';
import { type EsPairsResult, evaluatePairs } from './es-queries';
import { WorkerCrashError, WorkerPool, WorkerTaskError } from './pool';
import { type InjectedFault, shared } from './protocol';

/** Where ES-MAML's queries of an iteration run: in-process (1 worker) or on a pool. */
export interface EsQueries {
  readonly workers: number;
  /** Every pair's queries and logging return, in pair order (the same bits at any worker count). */
  evaluate(theta: Float64Array, iteration: number): Promise<EsPairsResult>;
  /** Terminates the workers and restores the matmul thread count (idempotent). */
  close(): Promise<void>;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Adds the iteration to a query's error (its class kept). */
function inIteration(e: unknown, iteration: number, where = ''): never {
  if (!(e instanceof Error) || e instanceof WorkerCrashError) throw e;
  const msg = `iteration ${iteration}${where}: ${e.message}`;
  const out = e instanceof NonFiniteError ? new NonFiniteError(msg) : new WorkerTaskError(msg);
  throw Object.assign(out, { slot: (e as { slot?: number }).slot });
}

/** Every query on the calling thread, in query order (`--workers 1`, the default). */
export function inProcessEsQueries(problem: EsProblem): EsQueries {
  const pairs = range(problem.cfg.metaBatch);
  return {
    workers: 1,
    evaluate: async (theta, iteration) => {
      try {
        return evaluatePairs(problem, theta, iteration, pairs);
      } catch (e) {
        const msg = `iteration ${iteration}: ${(e as Error).message}`;
        throw e instanceof NonFiniteError ? new NonFiniteError(msg) : new Error(msg, { cause: e });
      }
    },
    close: async () => {},
  };
}

/**
 * ES-MAML's pairs on `workers` pool threads, pair i on worker i mod W; θ goes out once on a
 * SharedArrayBuffer, each worker's values come back in one moved buffer and are put in pair
 * order here. Workers keep nothing between requests, so a worker that dies just has its pairs
 * asked again once; a query that throws, or a second death, stops the run naming the iteration
 * and the query (the lowest failing one, as an in-process run would meet it first).
 */
export function pooledEsQueries(problem: EsProblem, workers: number, fault?: InjectedFault): EsQueries {
  const P = problem.cfg.metaBatch;
  const W = Math.min(workers, P);
  const threads = getNumThreads();
  setNumThreads(1);
  const pool = new WorkerPool(W, { config: problem.cfg, fault });
  const owned = range(W).map((w) => range(P).filter((i) => i % W === w));
  let closed = false;

  async function run(w: number, theta: Float64Array, iteration: number): Promise<EsPairsResult> {
    const pairs = owned[w];
    for (let attempt = 0; ; attempt++) {
      try {
        return await pool.run<EsPairsResult>(w, { op: 'es-queries', iteration, theta, pairs, attempt });
      } catch (e) {
        if (!(e instanceof WorkerCrashError)) inIteration(e, iteration, `, worker ${w}`);
        const what = `pairs ${pairs.join(', ')} (iteration ${iteration})`;
        if (attempt >= 1) throw new WorkerCrashError(`${e.message} again on ${what}; stopped`);
        process.emitWarning(`metagrad: ${e.message} on ${what}; retrying them once`);
      }
    }
  }

  return {
    workers: W,
    async evaluate(theta, iteration) {
      const th = shared(theta);
      const settled = await Promise.allSettled(range(W).map((w) => run(w, th, iteration)));
      const failed = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as { slot?: number }] : []));
      if (failed.length > 0) {
        const slotOf = (e: { slot?: number }) => e.slot ?? Number.POSITIVE_INFINITY;
        throw failed.reduce((a, b) => (slotOf(b) < slotOf(a) ? b : a));
      }
      const values = new Float64Array(2 * P);
      const before = new Float64Array(P);
      let rollouts = 0;
      settled.forEach((r, w) => {
        const reply = (r as PromiseFulfilledResult<EsPairsResult>).value;
        owned[w].forEach((pair, j) => {
          values[2 * pair] = reply.values[2 * j];
          values[2 * pair + 1] = reply.values[2 * j + 1];
          before[pair] = reply.before[j];
        });
        rollouts += reply.rollouts;
      });
      return { values, before, rollouts };
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.close();
      setNumThreads(threads);
    },
  };
}

/** In-process for one worker, a pool otherwise. */
export function makeEsQueries(problem: EsProblem, workers: number, fault?: InjectedFault): EsQueries {
  return workers > 1 ? pooledEsQueries(problem, workers, fault) : inProcessEsQueries(problem);
}
