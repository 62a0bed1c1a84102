/**
 * A pool worker's entry (loaded by piscina): builds the run's Problem once from the resolved
 * config in workerData, owns the TaskShard of the meta-batch slots sent to it, and answers
 * requests. Matrix products stay on this thread: the pool is the parallelism.
 */
import { setNumThreads } from '@metagrad/autodiff';
import { studyChunks } from '@metagrad/estimators';
import { Piscina } from 'piscina';
import { queryPair } from '../es/es-gradient';
import { type EsProblem, makeEsProblem } from '../es/es-problem';
import { makeProblem } from '../meta/problem';
import { evaluatePairs } from './es-queries';
import type { GradientReply, PoolWorkerData, SampleReply, WorkerReply, WorkerRequest } from './protocol';
import { TaskShard } from './task-shard';

setNumThreads(1);

let shard: TaskShard | null = null;
let esProblem: EsProblem | null = null;

function theConfig() {
  const { config } = Piscina.workerData as PoolWorkerData;
  if (config === undefined)
    throw new RangeError('task-worker: a training request to a pool started without a config');
  return config;
}

function theShard(): TaskShard {
  const config = theConfig();
  shard ??= new TaskShard(makeProblem(config), (op, slot) => {
    const f = (Piscina.workerData as PoolWorkerData).fault;
    if (f?.mode === 'throw' && f.op === op && f.slot === slot) throw new Error('injected fault');
  });
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

/** A reply whose buffers are moved, not copied, to the main thread. */
function moved<R>(value: R, ...buffers: ArrayBuffer[]): unknown {
  const reply: WorkerReply<R> = { ok: true, value };
  // piscina's Transferable interface: the value to send and what to transfer with it
  const transferable = { [Piscina.transferableSymbol]: buffers, [Piscina.valueSymbol]: reply };
  return Piscina.move(transferable as unknown as Parameters<typeof Piscina.move>[0]);
}

/** Does the request hold the fault's slot (meta-batch slot, study range or ES query)? */
function holds(req: WorkerRequest, slot: number): boolean {
  if (req.op === 'study-range') return req.index === slot;
  if (req.op === 'es-queries') return req.pairs.includes(queryPair(slot));
  if (req.op === 'echo') return false;
  return req.slots.includes(slot);
}

function injectFault(req: WorkerRequest): void {
  const f = (Piscina.workerData as PoolWorkerData).fault;
  if (f === undefined || f.op !== req.op || req.attempt >= f.attempts || !holds(req, f.slot)) return;
  if (f.mode === 'crash') process.exit(3);
  if (req.op !== 'study-range') return; // tasks and queries throw where they run, as real errors do
  throw new Error(`injected fault at range ${f.slot}`);
}

/** ES-MAML's query hook: throws on the injected query (its first `attempts` attempts). */
function esFault(req: { attempt: number }): ((q: number) => void) | undefined {
  const f = (Piscina.workerData as PoolWorkerData).fault;
  if (f?.mode !== 'throw' || f.op !== 'es-queries' || req.attempt >= f.attempts) return undefined;
  return (q) => {
    if (q === f.slot) throw new Error('injected fault');
  };
}

function answer(req: WorkerRequest): unknown {
  injectFault(req);
  if (req.op === 'study-range') {
    const chunks = studyChunks(req.study, { first: req.first, end: req.end });
    const buffers = chunks.flatMap((c) => Object.values(c.values).map((v) => v.buffer as ArrayBuffer));
    return moved(chunks, ...buffers);
  }
  if (req.op === 'es-queries') {
    esProblem ??= makeEsProblem(theConfig());
    const r = evaluatePairs(esProblem, req.theta, req.iteration, req.pairs, esFault(req));
    return moved(r, r.values.buffer as ArrayBuffer, r.before.buffer as ArrayBuffer);
  }
  if (req.op === 'echo') {
    const zeros = new Float64Array(req.length);
    return moved(zeros, zeros.buffer as ArrayBuffer);
  }
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
    case 'gradient': {
      const r = s.gradient(req.theta, req.slots);
      const value: GradientReply = { loss: r.map((x) => x.loss), grads: pack(r.map((x) => x.grad)) };
      return moved(value, value.grads.buffer as ArrayBuffer);
    }
  }
}

export function handleTask(req: WorkerRequest): unknown {
  try {
    return answer(req);
  } catch (e) {
    const err = e as Error;
    const reply: WorkerReply<never> = {
      ok: false,
      name: err.name,
      message: err.message,
      slot: (err as { slot?: number }).slot,
    };
    return reply;
  }
}
