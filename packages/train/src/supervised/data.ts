import { Rng, type Tensor, tensor } from '@metagrad/autodiff';
import { type SinusoidTask, sampleSinusoid, sinusoidTasks } from '@metagrad/envs';

/** Points of T tasks as tensors x, y [T, K, 1]. */
export interface TaskPoints {
  x: Tensor;
  y: Tensor;
}

/** One meta-batch: the tasks, K support points each (the inner loop) and K query points (the outer loss). */
export interface MetaBatch {
  tasks: SinusoidTask[];
  support: TaskPoints;
  query: TaskPoints;
}

// streams of new Rng(seed).derive(stream, ...): training and held-out tasks never share draws
const TRAIN_STREAM = 0;
const TEST_STREAM = 1;

function points(tasks: readonly SinusoidTask[], k: number, rngs: readonly Rng[]): TaskPoints {
  const T = tasks.length;
  const x = new Float64Array(T * k);
  const y = new Float64Array(T * k);
  tasks.forEach((task, t) => {
    const d = sampleSinusoid(task, k, rngs[t]);
    x.set(d.x, t * k);
    y.set(d.y, t * k);
  });
  return { x: tensor(x, { shape: [T, k, 1] }), y: tensor(y, { shape: [T, k, 1] }) };
}

/**
 * Tasks of meta-iteration `iteration`: task t from new Rng(seed).derive(0, iteration, t), its
 * support points from .derive(0) of that and its query points from .derive(1). Keyed by the
 * iteration, so a resumed run draws the same data.
 */
export function trainBatch(seed: number, iteration: number, tasks: number, shots: number): MetaBatch {
  const rngs = Array.from({ length: tasks }, (_, t) => new Rng(seed).derive(TRAIN_STREAM, iteration, t));
  return batchFrom(rngs, shots, shots);
}

/** Held-out tasks: K support points to adapt on and `testPoints` fresh points to measure MSE on. */
export function testBatch(seed: number, tasks: number, shots: number, testPoints: number): MetaBatch {
  const rngs = Array.from({ length: tasks }, (_, t) => new Rng(seed).derive(TEST_STREAM, t));
  return batchFrom(rngs, shots, testPoints);
}

/** One task per stream: the task from .derive(2), support points from .derive(0), query from .derive(1). */
function batchFrom(rngs: Rng[], shots: number, queryPoints: number): MetaBatch {
  const dist = sinusoidTasks();
  const ts = rngs.map((r) => dist.sample(r.derive(2)));
  return {
    tasks: ts,
    support: points(
      ts,
      shots,
      rngs.map((r) => r.derive(0)),
    ),
    query: points(
      ts,
      queryPoints,
      rngs.map((r) => r.derive(1)),
    ),
  };
}
