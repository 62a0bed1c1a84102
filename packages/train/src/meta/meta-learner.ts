import { type PyTree, type Tensor, valueAndGrad } from '@metagrad/autodiff';
import { NonFiniteError, requireFiniteOuterStats } from '../non-finite';
import { norm, treeToVector } from '../outer/tree-vector';
import type { MetaParams } from './adaptation';
import { meanAndCi } from './evaluate';
import { metaFisherProduct } from './fisher';
import { meanReturn } from './lanes';
import { adaptedParams, innerStepsOf, outerKl, outerLoss, type TaskSamples } from './meta-objective';
import type { OuterUpdate } from './outer-update';
import type { Problem } from './problem';
import { sampleTasks } from './sampling';

/** One meta-iteration's record: the row of progress.jsonl (deterministic: no wall-clock). */
export interface IterationRecord {
  iteration: number;
  /** Mean episode return over the meta-batch before adaptation and after each inner step. */
  returns: number[];
  /** Half-width of the 95% interval of each mean over the meta-batch's tasks. */
  returnsCi95: number[];
  lossBefore: number;
  lossAfter: number;
  /** Mean KL between the old and new post-adaptation policies after the update. */
  kl: number;
  /** Fraction of the full step taken (TRPO line search; 1 for the other updates, 0 if rejected). */
  stepFraction: number;
  accepted: boolean;
  /** ‖∇L‖ of the outer loss at the start of the iteration. */
  gradNorm: number;
  /** ‖θ‖ after the update. */
  paramNorm: number;
}

/** Wall-clock seconds of one iteration, split by phase (timing.jsonl). */
export interface IterationTimes {
  iteration: number;
  sampling: number;
  inner: number;
  outer: number;
  optimizer: number;
  total: number;
}

/**
 * The meta-training loop's body: sample a meta-batch of training tasks (task indices
 * iteration·M .. iteration·M + M − 1 of the seed's training set), adapt, and update the
 * meta-parameters with the outer update. Pure in (meta, iteration, outer state): the same inputs
 * give the same bits, which is what makes resuming exact.
 */
export function metaIteration<P extends PyTree>(
  problem: Problem<P>,
  outer: OuterUpdate<P>,
  meta: MetaParams<P>,
  iteration: number,
): { meta: MetaParams<P>; record: IterationRecord; times: IterationTimes; samples: TaskSamples<P>[] } {
  const t0 = performance.now();
  const { cfg } = problem;
  const M = cfg.metaBatch;
  const tasks = problem.tasks.trainTasks(M, cfg.seed, iteration * M);
  const taskIndices = tasks.map((_, i) => iteration * M + i);
  const times = { sampling: 0, inner: 0 };
  let samples: TaskSamples<P>[];
  try {
    samples = sampleTasks(problem, meta, tasks, taskIndices, innerStepsOf(problem), cfg.fastBatch, times);
  } catch (e) {
    if (e instanceof NonFiniteError) throw new NonFiniteError(`iteration ${iteration}: ${e.message}`);
    throw e;
  }
  const perStep = samples[0].batches.map((_, s) => meanAndCi(samples.map((x) => meanReturn(x.batches[s]))));

  const t1 = performance.now();
  // a line search asks for the loss and then the KL of the same candidate: adapt it once
  let cache: { m: MetaParams<P>; adapted: P[] } | null = null;
  const adaptedOf = (m: MetaParams<P>): P[] => {
    if (cache?.m !== m) cache = { m, adapted: adaptedParams(problem, m, samples) };
    return cache.adapted;
  };
  const loss = (m: MetaParams<P>): Tensor => outerLoss(problem, m, samples, adaptedOf(m));
  const kl = (m: MetaParams<P>): Tensor => outerKl(problem, m, samples, adaptedOf(m));
  let result: ReturnType<OuterUpdate<P>['step']>;
  try {
    const curvature = cfg.fisherTasks === null ? samples : samples.slice(0, cfg.fisherTasks);
    const fisher = cfg.outer === 'trpo' ? metaFisherProduct(problem, meta, curvature) : undefined;
    result = outer.step(meta, loss, kl, fisher);
    requireFiniteOuterStats(result.stats);
  } catch (e) {
    if (!(e instanceof NonFiniteError)) throw e;
    const slot = firstBadTask(problem, meta, samples);
    const where = slot >= 0 ? ` (first at task ${taskIndices[slot]}, meta-batch slot ${slot})` : '';
    throw new NonFiniteError(`iteration ${iteration}: ${(e as Error).message}${where}`);
  }
  const r = result.stats;
  const t2 = performance.now();
  const total = (t2 - t0) / 1000;
  return {
    meta: result.meta,
    samples,
    record: {
      iteration,
      returns: perStep.map((x) => x.mean),
      returnsCi95: perStep.map((x) => x.ci95),
      lossBefore: r.lossBefore,
      lossAfter: r.lossAfter,
      kl: r.kl,
      stepFraction: r.stepFraction,
      accepted: r.accepted,
      gradNorm: r.gradNorm,
      paramNorm: norm(treeToVector(result.meta)),
    },
    times: {
      iteration,
      sampling: times.sampling,
      inner: times.inner,
      outer: r.gradientSeconds,
      optimizer: (t2 - t1) / 1000 - r.gradientSeconds,
      total,
    },
  };
}

/** The first task whose own outer loss or gradient is not finite (−1 if each is). */
function firstBadTask<P extends PyTree>(
  problem: Problem<P>,
  meta: MetaParams<P>,
  samples: readonly TaskSamples<P>[],
): number {
  return samples.findIndex((s) => {
    const f = (m: unknown): Tensor => outerLoss(problem, m as MetaParams<P>, [s]);
    const [v, g] = valueAndGrad(f)(meta) as [Tensor, PyTree];
    return !Number.isFinite(v.item()) || !Number.isFinite(norm(treeToVector(g)));
  });
}
