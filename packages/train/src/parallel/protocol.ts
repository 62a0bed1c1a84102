import type { StudyChunk, StudyOptions } from '@metagrad/estimators';
import type { TrainConfig } from '../meta/config';

/**
 * Messages between the main thread and pool workers. Vectors travel as Float64Arrays: θ and
 * Fisher directions on SharedArrayBuffers (one copy shared by every worker), results moved back
 * as transferred buffers; never JSON.
 */
export type WorkerRequest =
  | { op: 'sample'; iteration: number; theta: Float64Array; slots: number[]; attempt: number }
  | { op: 'fisher'; v: Float64Array; slots: number[]; attempt: number }
  | { op: 'evaluate'; theta: Float64Array; slots: number[]; attempt: number }
  | { op: 'gradient'; theta: Float64Array; slots: number[]; attempt: number }
  | { op: 'study-range'; study: StudyOptions; index: number; first: number; end: number; attempt: number }
  /** ES-MAML: both queries and the logging return of each of `pairs` (reply: EsPairsResult). */
  | { op: 'es-queries'; iteration: number; theta: Float64Array; pairs: number[]; attempt: number }
  /** Does nothing with θ and sends back `length` zeros: the bench's round trip of an empty task. */
  | { op: 'echo'; theta: Float64Array; length: number; attempt: number };

/** A study range's reply: its chunks, their buffers moved. */
export type StudyRangeReply = StudyChunk[];

export type WorkerReply<R> =
  | { ok: true; value: R }
  /** `slot`: the meta-batch slot that threw, when it was a task's work. */
  | { ok: false; name: string; message: string; slot?: number };

/**
 * A fault for tests to inject into workers: on the `op` request that holds meta-batch `slot`
 * (for a study: range number `slot`; for ES-MAML: query number `slot`), `crash` exits the worker
 * and `throw` throws, for the first `attempts` attempts.
 */
export interface InjectedFault {
  mode: 'crash' | 'throw';
  op: WorkerRequest['op'];
  slot: number;
  attempts: number;
}

/** What every worker starts with: a training run's resolved config, es-maml's too (none for studies). */
export interface PoolWorkerData {
  config?: TrainConfig;
  fault?: InjectedFault;
}

/** A sample reply: per-slot scalars, and every slot's gradient in one buffer (slot-major). */
export interface SampleReply {
  slots: number[];
  returns: number[][];
  loss: number[];
  kl: number[];
  sampling: number[];
  inner: number[];
  grads: Float64Array;
}

/** A gradient reply: per-slot losses, and every slot's gradient share in one buffer (slot-major). */
export interface GradientReply {
  loss: number[];
  grads: Float64Array;
}

/** A copy of `v` on a SharedArrayBuffer, for sending to every worker without a copy each. */
export function shared(v: Float64Array): Float64Array {
  const out = new Float64Array(new SharedArrayBuffer(v.length * 8));
  out.set(v);
  return out;
}
