import type { TrainConfig } from '../meta/config';
import type { Problem } from '../meta/problem';
import { WorkerCrashError, WorkerPool, WorkerTaskError } from './pool';
import {
  type GradientReply,
  type InjectedFault,
  type SampleReply,
  shared,
  type WorkerRequest,
} from './protocol';
import { type TaskSampled, TaskShard } from './task-shard';

/**
 * The meta-batch's tasks split over workers: every answer is per slot, in slot order, so the
 * caller's combination is the same whatever the split.
 */
export interface MetaBatchShards {
  /** How many run side by side (1 in-process). */
  readonly workers: number;
  sample(iteration: number, theta: Float64Array): Promise<TaskSampled[]>;
  /** F·v of each of `slots`, in their order. */
  fisher(v: Float64Array, slots: readonly number[]): Promise<Float64Array[]>;
  /** Outer loss and KL of every slot at candidate θ′. */
  evaluate(theta: Float64Array): Promise<{ loss: number; kl: number }[]>;
  /** Outer loss and 1/M gradient share of every slot at θ′. */
  gradient(theta: Float64Array): Promise<{ loss: number; grad: Float64Array }[]>;
  close(): Promise<void>;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Every task on the calling thread (`--workers 1`): the same TaskShard code the workers run. */
export function inProcessShards(problem: Problem): MetaBatchShards {
  const shard = new TaskShard(problem);
  const slots = range(problem.cfg.metaBatch);
  return {
    workers: 1,
    sample: async (iteration, theta) => shard.sample(iteration, theta, slots),
    fisher: async (v, subset) => shard.fisher(v, subset),
    evaluate: async (theta) => shard.evaluate(theta, slots),
    gradient: async (theta) => shard.gradient(theta, slots),
    close: async () => {},
  };
}

/** Slices a slot-major buffer back into one vector per slot. */
function unpack(buf: Float64Array, count: number): Float64Array[] {
  const d = count === 0 ? 0 : buf.length / count;
  return range(count).map((i) => buf.subarray(i * d, (i + 1) * d));
}

/**
 * The meta-batch on `workers` pool threads, slot i owned by worker i mod W for the whole
 * iteration (its samples and Fisher graphs stay there). A worker that dies is restarted by
 * piscina; the new one replays the iteration's sample request (everything is a function of
 * (config, iteration, θ), so it rebuilds the same state) and the failed request is retried
 * once; a second death stops the run naming the tasks.
 */
export function pooledShards(config: TrainConfig, workers: number, fault?: InjectedFault): MetaBatchShards {
  const M = config.metaBatch;
  const W = Math.min(workers, M);
  const pool = new WorkerPool(W, { config, fault });
  const owned = range(W).map((w) => range(M).filter((i) => i % W === w));
  const lastSample: (WorkerRequest | null)[] = range(W).map(() => null);
  let iteration = 0;

  const tasksOf = (w: number) => owned[w].map((s) => iteration * M + s).join(', ');
  async function run<R>(w: number, req: WorkerRequest): Promise<R> {
    try {
      return await pool.run<R>(w, req);
    } catch (e) {
      if (e instanceof WorkerTaskError)
        throw Object.assign(
          new WorkerTaskError(`iteration ${iteration}, worker ${w}, ${req.op}: ${e.message}`),
          {
            slot: (e as { slot?: number }).slot,
          },
        );
      if (!(e instanceof WorkerCrashError)) throw e;
      process.emitWarning(`metagrad: ${e.message} on tasks ${tasksOf(w)}; retrying them once`);
    }
    try {
      const replay = lastSample[w];
      if (req.op !== 'sample' && replay !== null) await pool.run(w, { ...replay, attempt: 1 });
      return await pool.run<R>(w, { ...req, attempt: 1 });
    } catch (e) {
      if (!(e instanceof WorkerCrashError)) throw e;
      throw new WorkerCrashError(
        `${e.message} again on tasks ${tasksOf(w)} (iteration ${iteration}); stopped`,
      );
    }
  }
  /**
   * The request on every worker. When some fail, all are waited for and the error of the lowest
   * failing slot is thrown (a crash counts as after every slot), so the error reported is the
   * one an in-process run meets first, whatever the timing.
   */
  const everyWorker = async <R>(req: (w: number) => WorkerRequest): Promise<R[]> => {
    const settled = await Promise.allSettled(range(W).map((w) => run<R>(w, req(w))));
    const failed = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as { slot?: number }] : []));
    if (failed.length > 0) {
      const slotOf = (e: { slot?: number }) => e.slot ?? Number.POSITIVE_INFINITY;
      throw failed.reduce((a, b) => (slotOf(b) < slotOf(a) ? b : a));
    }
    return settled.map((r) => (r as PromiseFulfilledResult<R>).value);
  };

  return {
    workers: W,
    async sample(it, theta) {
      iteration = it;
      const th = shared(theta);
      const replies = await everyWorker<SampleReply>((w) => {
        const req: WorkerRequest = { op: 'sample', iteration: it, theta: th, slots: owned[w], attempt: 0 };
        lastSample[w] = req;
        return req;
      });
      const out: TaskSampled[] = new Array(M);
      for (const r of replies) {
        const grads = unpack(r.grads, r.slots.length);
        r.slots.forEach((slot, j) => {
          out[slot] = {
            slot,
            returns: r.returns[j],
            loss: r.loss[j],
            grad: grads[j],
            kl: r.kl[j],
            sampling: r.sampling[j],
            inner: r.inner[j],
          };
        });
      }
      return out;
    },
    async fisher(v, subset) {
      const vs = shared(v);
      const mine = owned.map((o) => o.filter((s) => subset.includes(s)));
      const replies = await everyWorker<Float64Array>((w) => ({
        op: 'fisher',
        v: vs,
        slots: mine[w],
        attempt: 0,
      }));
      const bySlot = new Map<number, Float64Array>();
      replies.forEach((r, w) => {
        unpack(r, mine[w].length).forEach((p, j) => {
          bySlot.set(mine[w][j], p);
        });
      });
      return subset.map((s) => bySlot.get(s) as Float64Array);
    },
    async evaluate(theta) {
      const th = shared(theta);
      const replies = await everyWorker<{ loss: number; kl: number }[]>((w) => ({
        op: 'evaluate',
        theta: th,
        slots: owned[w],
        attempt: 0,
      }));
      const out: { loss: number; kl: number }[] = new Array(M);
      replies.forEach((r, w) => {
        r.forEach((x, j) => {
          out[owned[w][j]] = x;
        });
      });
      return out;
    },
    async gradient(theta) {
      const th = shared(theta);
      const replies = await everyWorker<GradientReply>((w) => ({
        op: 'gradient',
        theta: th,
        slots: owned[w],
        attempt: 0,
      }));
      const out: { loss: number; grad: Float64Array }[] = new Array(M);
      replies.forEach((r, w) => {
        const grads = unpack(r.grads, owned[w].length);
        owned[w].forEach((slot, j) => {
          out[slot] = { loss: r.loss[j], grad: grads[j] };
        });
      });
      return out;
    },
    close: () => pool.close(),
  };
}
