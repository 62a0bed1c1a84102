import { createHash } from 'node:crypto';
import { grad, type PyTree, type Tensor } from '@metagrad/autodiff';
import type { MetaParams } from '../meta/adaptation';
import { innerStepsOf, outerLoss } from '../meta/meta-objective';
import type { Problem } from '../meta/problem';
import { sampleTasks } from '../meta/sampling';
import { treeToVector } from '../outer/tree-vector';

/** The meta-batch iteration `iteration` trains on: tasks and their global indices (as metaIteration). */
export function iterationTasks(problem: Problem, iteration: number): { tasks: unknown[]; indices: number[] } {
  const M = problem.cfg.metaBatch;
  const tasks = problem.tasks.trainTasks(M, problem.cfg.seed, iteration * M);
  return { tasks, indices: tasks.map((_, i) => iteration * M + i) };
}

/**
 * The root seed of a tracking stream: a 32-bit hash of (run seed, purpose, iteration, repeat), so
 * tracking never reuses the training's episodes (root seed = the run's seed), every repeat is
 * independent, and every estimator of a compare sees the same streams (common random numbers).
 */
export function trackingSeed(runSeed: number, purpose: string, iteration: number, repeat: number): number {
  const h = createHash('sha256').update(`${runSeed}/${purpose}/${iteration}/${repeat}`).digest();
  return h.readUInt32LE(0);
}

/**
 * One meta-gradient estimate ∇_θ L̂(θ) exactly as a training iteration computes it (the run's
 * inner estimator, adaptation and outer surrogate), on the given tasks with the episode streams
 * of root seed `seed` instead of the run's: the policy part, flattened.
 */
export function metaGradientEstimate<P extends PyTree>(
  problem: Problem<P>,
  meta: MetaParams<P>,
  tasks: readonly unknown[],
  indices: readonly number[],
  seed: number,
): Float64Array {
  const fresh: Problem<P> = {
    ...problem,
    sample: (t, p, ti, e, off) => problem.sample(t, p, ti, e, off, seed),
  };
  const samples = sampleTasks(fresh, meta, tasks, indices, innerStepsOf(problem), problem.cfg.fastBatch);
  const g = grad((m: unknown) => outerLoss(fresh, m as MetaParams<P>, samples) as Tensor)(meta) as {
    policy: PyTree;
  };
  return treeToVector(g.policy, 'meta-gradient');
}

/** sha256 of a vector's float64 bytes (θ in the tracking rows: common random numbers are checkable). */
export function vectorSha256(v: Float64Array): string {
  return createHash('sha256')
    .update(Buffer.from(v.buffer, v.byteOffset, v.byteLength))
    .digest('hex');
}

/** sha256 of a JSON-able value (the meta-batch's tasks). */
export function jsonSha256(x: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(x, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v)))
    .digest('hex');
}

/** R vectors of length d as one row-major [R, d] array (the layout of the study's `vectorStats`). */
export function stackRows(rows: readonly Float64Array[]): Float64Array {
  const d = rows[0].length;
  const out = new Float64Array(rows.length * d);
  for (let r = 0; r < rows.length; r++) out.set(rows[r], r * d);
  return out;
}
