import type { PyTree } from '@metagrad/autodiff';
import type { TaskBatches } from '@metagrad/estimators';
import type { MetaParams } from './adaptation';
import { type IterationRecord, type IterationTimes, metaIteration } from './meta-learner';
import type { TaskSamples } from './meta-objective';
import type { OuterUpdate } from './outer-update';
import type { Problem } from './problem';

/** The (fitting batch, inner batch it served) pairs of an iteration: φ's meta-training data. */
export function controlVariatePairs(samples: readonly TaskSamples[]): TaskBatches[] {
  return samples.flatMap((s) => (s.fitBatches ?? []).map((support, k) => ({ support, query: s.batches[k] })));
}

/**
 * A `tmaml-meta` iteration: the ordinary meta-iteration (its inner batches get the control
 * variate's values), then one meta-training step of φ on the iteration's pairs. In-process
 * only: φ is state of this thread that the worker pool's shards would not see.
 */
export function controlVariateIteration<P extends PyTree>(
  problem: Problem<P>,
  outer: OuterUpdate<P>,
  meta: MetaParams<P>,
  iteration: number,
): { meta: MetaParams<P>; record: IterationRecord; times: IterationTimes } {
  const cv = problem.controlVariate;
  if (cv === undefined)
    throw new RangeError(
      `controlVariateIteration: estimator: expected 'tmaml-meta', got ${problem.cfg.estimator}`,
    );
  const step = metaIteration(problem, outer, meta, iteration);
  const t0 = performance.now();
  cv.metaStep(controlVariatePairs(step.samples as TaskSamples[]));
  const seconds = (performance.now() - t0) / 1000;
  const times = { ...step.times, inner: step.times.inner + seconds, total: step.times.total + seconds };
  return { meta: step.meta, record: step.record, times };
}
