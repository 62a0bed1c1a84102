/**
 * A pool worker's entry (loaded by piscina): builds the run's Problem once from the resolved
 * config in workerData, owns the TaskShard of the meta-batch slots sent to it, and answers
 * requests. Matrix products stay on this thread: the pool is the parallelism.
 */
import { setNumThreads } from '@metagrad/autodiff';
import { Piscina } from 'piscina';
import { makeProblem } from '../meta/problem';
import type { SampleReply, TrainWorkerData, WorkerReply, WorkerRequest } from './protocol';
import { TaskShard } from './task-shard';

setNumThreads(1);

let shard: TaskShard | null = null;

function theShard(): TaskShard {
  shard ??= new TaskShard(makeProblem((Piscina.workerData as TrainWorkerData).config));
  return shard;
}

/** Float64Arrays concatenated slot-major into one buffer. */
function pack(vs: readonly Float64Array[]): Float64Array {
  const d = vs.length === 0 ? 0 : vs[0].length;
  const out = new Float64Array(vs.length * d);
  vs.forEach((v, i) => {
    out.set(v, i * d);
  });
  return out;
}

/** A reply whose buffer is moved, not copied, to the main thread. */
function moved<R>(value: R, buffer: ArrayBuffer): unknown {
  const reply: WorkerReply<R> = { ok: true, value };
  // piscina's Transferable interface: the value to send and what to transfer with it
  const transferable = { [Piscina.transferableSymbol]: [buffer], [Piscina.valueSymbol]: reply };
  return Piscina.move(transferable as unknown as Parameters<typeof Piscina.move>[0]);
}

function injectFault(req: WorkerRequest): void {
  const f = (Piscina.workerData as TrainWorkerData).fault;
  if (f === undefined || f.op !== req.op || !req.slots.includes(f.slot) || req.attempt >= f.attempts) return;
  if (f.mode === 'crash') process.exit(3);
  throw new Error(`injected fault at meta-batch slot ${f.slot}`);
}

function answer(req: WorkerRequest): unknown {
  injectFault(req);
  const s = theShard();
  switch (req.op) {
    case 'sample': {
      const r = s.sample(req.iteration, req.theta, req.slots);
      const grads = pack(r.map((x) => x.grad));
      const value: SampleReply = {
        slots: r.map((x) => x.slot),
        returns: r.map((x) => x.returns),
        loss: r.map((x) => x.loss),
        kl: r.map((x) => x.kl),
        sampling: r.map((x) => x.sampling),
        inner: r.map((x) => x.inner),
        grads,
      };
      return moved(value, grads.buffer as ArrayBuffer);
    }
    case 'fisher': {
      const products = pack(s.fisher(req.v, req.slots));
      return moved(products, products.buffer as ArrayBuffer);
    }
    case 'evaluate':
      return { ok: true, value: s.evaluate(req.theta, req.slots) };
  }
}

export function handleTask(req: WorkerRequest): unknown {
  try {
    return answer(req);
  } catch (e) {
    const err = e as Error;
    const reply: WorkerReply<never> = { ok: false, name: err.name, message: err.message };
    return reply;
  }
}
