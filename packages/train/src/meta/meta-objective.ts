import { add, div, mul, neg, type PyTree, scalar, type Tensor } from '@metagrad/autodiff';
import type { Batch } from '@metagrad/envs';
import { adaptStep, type MetaParams } from './adaptation';
import { advantages, baselineValues, policyGradientLoss } from './objectives';
import type { Problem } from './problem';

/**
 * One task's episodes of one meta-iteration: `batches[s]` was sampled with the policy after s
 * inner steps (s = 0..k), with the ⊥ quantities each objective needs, all fixed once sampled.
 */
export interface TaskSamples<P extends PyTree = PyTree> {
  readonly task: unknown;
  readonly batches: readonly Batch[];
  /** ⊥ baseline values of the inner batches 0..k−1. */
  readonly innerValues: readonly (Float64Array | undefined)[];
  /** The parameters batch 0 was sampled with (constants: ProMP's pre-update policy). */
  readonly pre: P;
  /** The adapted parameters θ_k as sampled (constants): π_old of the outer ratio and KL. */
  readonly adapted: P;
  /** log π_old of batch k, [B·H]. */
  readonly oldLogProbs: Float64Array;
  /** Advantages of batch k (GAE with the baseline fitted on it, normalised if configured). */
  readonly advantages: Float64Array;
  /** tmaml-meta: the control variate's fitting batch of each inner batch 0..k−1 (independent of it). */
  readonly fitBatches?: readonly Batch[];
}

/** k inner steps from the meta-parameters, each on its own batch: θ_0 = θ, θ_{s+1} = θ_s + α∇f_s(θ_s). */
export function adaptChain<P extends PyTree>(
  problem: Problem<P>,
  meta: MetaParams<P>,
  task: unknown,
  batches: readonly Batch[],
  values: readonly (Float64Array | undefined)[],
  steps: number,
  firstOrder: boolean,
  alphaSchedule: (step: number) => number = () => problem.cfg.alpha,
): P {
  let params = meta.policy;
  for (let s = 0; s < steps; s++) {
    const alpha = meta.alpha ?? alphaSchedule(s);
    const batch = batches[s];
    params = adaptStep((p: P) => problem.inner(p, task, batch, values[s]), params, alpha, firstOrder);
  }
  return params;
}

/** Fixes what the outer objective of a task needs once its post-adaptation batch is sampled. */
export function finishTaskSamples<P extends PyTree>(
  problem: Problem<P>,
  task: unknown,
  batches: readonly Batch[],
  innerValues: readonly (Float64Array | undefined)[],
  pre: P,
  adapted: P,
  fitBatches?: readonly Batch[],
): TaskSamples<P> {
  const { cfg, discount, model } = problem;
  const last = batches[batches.length - 1];
  const values = baselineValues(last, discount, cfg.baseline);
  return {
    task,
    batches,
    innerValues,
    pre,
    adapted,
    oldLogProbs: Float64Array.from(model.logProbs(adapted, last).data),
    advantages: advantages(last, discount, values, cfg.gaeLambda, cfg.normalizeAdvantages),
    ...(fitBatches === undefined ? {} : { fitBatches }),
  };
}

/** θ_k of every task as a differentiable function of the meta-parameters. */
/** Inner steps of the run's algorithm (pretrain adapts nothing during training). */
export const innerStepsOf = (problem: Problem): number =>
  problem.cfg.algo === 'pretrain' ? 0 : problem.cfg.innerSteps;

export const firstOrderOf = (problem: Problem): boolean => problem.cfg.algo === 'fomaml';

export function adaptedParams<P extends PyTree>(
  problem: Problem<P>,
  meta: MetaParams<P>,
  samples: readonly TaskSamples<P>[],
): P[] {
  const k = innerStepsOf(problem);
  return samples.map((s) =>
    adaptChain(problem, meta, s.task, s.batches, s.innerValues, k, firstOrderOf(problem)),
  );
}

/** Mean over tasks of a per-task scalar. */
export function taskMean(xs: readonly Tensor[]): Tensor {
  return div(
    xs.reduce((a, b) => add(a, b), scalar(0)),
    xs.length,
  );
}

/**
 * A scalar over the post-adaptation episodes, as a function of the meta-parameters: the mean
 * over tasks of `term`, given each task's adapted parameters (computed here unless passed in,
 * e.g. shared by the loss and the KL of one line-search candidate).
 */
type OuterObjective = <P extends PyTree>(
  problem: Problem<P>,
  meta: MetaParams<P>,
  samples: readonly TaskSamples<P>[],
  adapted?: readonly P[],
) => Tensor;

const outerObjective =
  (
    term: <P extends PyTree>(problem: Problem<P>, s: TaskSamples<P>, adapted: P, last: Batch) => Tensor,
  ): OuterObjective =>
  (problem, meta, samples, adapted = adaptedParams(problem, meta, samples)) =>
    taskMean(samples.map((s, i) => term(problem, s, adapted[i], s.batches[s.batches.length - 1])));

/**
 * The outer loss L(θ) = mean over tasks of the policy-gradient surrogate of the post-adaptation
 * episodes, differentiated through the adaptation (MAML), or with the adaptation's dependence
 * on θ cut (FOMAML). PPO clips it; ProMP adds η·KL(π_θ ‖ π_θk) on the pre-update episodes
 * (the sampling policy held constant, as in ProMP's code), which keeps the adaptation step small.
 */
export const outerLoss = outerObjective((problem, s, adapted, last) => {
  const { cfg, model } = problem;
  // exact: the oracle's −J(θ_k)/H itself, no sampling anywhere
  if (cfg.estimator === 'exact') return neg(problem.inner(adapted, s.task, last, undefined));
  const clipRange = cfg.outer === 'ppo' ? cfg.clip : null;
  const pg = policyGradientLoss(model.logProbs(adapted, last), s.oldLogProbs, s.advantages, last, clipRange);
  if (cfg.algo !== 'promp') return pg;
  return add(pg, mul(cfg.klPenalty, model.kl(s.pre, adapted, s.batches[0])));
});

/** Mean over tasks of KL(π_old ‖ π_θk(θ)) on the post-adaptation episodes: TRPO's constraint. */
export const outerKl = outerObjective((problem, s, adapted, last) =>
  problem.model.kl(s.adapted, adapted, last),
);
