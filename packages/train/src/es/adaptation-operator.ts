import type { Rng } from '@metagrad/autodiff';
import type { Batch } from '@metagrad/envs';
import { episodeReturns } from '@metagrad/envs';
import { type Adaptation, esStep, hillClimb } from '@metagrad/estimators';
import type { EsProblem } from './es-problem';

/** Rollouts of a task one application of U uses: hill climbing K (θ, then K − 1 candidates); es-step 2⌊K/2⌋ (antithetic pairs). */
export function adaptationRollouts(adapt: 'hill-climb' | 'es-step', k: number): number {
  return adapt === 'hill-climb' ? k : 2 * Math.floor(k / 2);
}

/**
 * The operator U of a run, from @metagrad/estimators: hill climbing with K − 1 candidates
 * θ + σ_a g around the best so far (K rollouts with the start), or one MC-ES gradient step
 * θ + α ĝ with ⌊K/2⌋ antithetic pairs. Both see the per-step mean return R/H, so α is on the
 * same scale as the policy-gradient runs' α.
 */
export function makeAdaptation(problem: EsProblem, alpha = problem.cfg.alpha): Adaptation {
  const { adapt, k, adaptSigma } = problem.cfg;
  return adapt === 'hill-climb' ? hillClimb(adaptSigma, k - 1) : esStep(alpha, adaptSigma, Math.floor(k / 2));
}

export interface AdaptOptions {
  /** The random stream of U's perturbations. */
  rng: Rng;
  /** Root seed of the episodes' streams. */
  seed: number;
  /** First episode index of the task to use (each query takes the next one). */
  episodeOffset?: number;
  /** Sees every episode U plays (for exploration pictures). */
  onEpisode?: (batch: Batch) => void;
  alpha?: number;
}

/**
 * θ' = U_T(θ) on one task: every query of U is one fresh episode of the task (its own episode
 * index), so on stochastic environments (cart-pole's initial state) queries never share noise.
 */
export function adaptOnTask(
  problem: EsProblem,
  task: unknown,
  taskIndex: number,
  theta: Float64Array,
  opts: AdaptOptions,
): { theta: Float64Array; rollouts: number } {
  const f = taskObjective(problem, task, taskIndex, opts);
  const adapted = makeAdaptation(problem, opts.alpha)(f, theta, opts.rng);
  return { theta: adapted, rollouts: f.rollouts() };
}

/**
 * The black-box objective U climbs on one task: x ↦ R/H of one fresh episode with x (each call
 * takes the next episode index from `episodeOffset`); `rollouts()` counts the calls.
 */
export function taskObjective(
  problem: EsProblem,
  task: unknown,
  taskIndex: number,
  opts: Pick<AdaptOptions, 'seed' | 'episodeOffset' | 'onEpisode'>,
): ((x: Float64Array) => number) & { rollouts: () => number } {
  let e = opts.episodeOffset ?? 0;
  const first = e;
  const H = problem.horizon;
  const f = (x: Float64Array): number => {
    const batch = problem.episode(task, taskIndex, x, e++, opts.seed);
    opts.onEpisode?.(batch);
    return episodeReturns(batch)[0] / H;
  };
  return Object.assign(f, { rollouts: () => e - first });
}
