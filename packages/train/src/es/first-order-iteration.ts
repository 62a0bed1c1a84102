import { Rng } from '@metagrad/autodiff';
import { firstOrderEsMaml } from '@metagrad/estimators';
import { taskObjective } from './adaptation-operator';
import type { EsProblem } from './es-problem';
import { ascendAndRecord, type EsIterationResult } from './es-step-record';
import { AFTER_EPISODE, pairTask, pairTaskIndex, unperturbedReturn } from './perturbation';
import type { VectorAdam } from './vector-adam';

/** Stream of a task's first-order estimate (U's, the outer gradient's and the Hessian's directions). */
const FIRST_ORDER_STREAM = 0xf0e5;

/**
 * One meta-iteration of first-order ES-MAML (`metaGradient` first-order or first-order-hessian,
 * with `adapt` es-step): on each of the metaBatch tasks, θ' = θ + αĝ from ⌊K/2⌋ antithetic
 * pairs, the ES gradient of the return at θ' from as many pairs, and with the Hessian term
 * (I + αĤ) applied to it, Ĥ from ⌊K/2⌋ more pairs and one episode at θ; the mean over tasks,
 * then Adam's ascent step. Episodes per task: 2K′ (+ K′ + 1 with the Hessian), K′ = 2⌊K/2⌋.
 * `returns` logs R_T(θ) and R_T(θ') on logging-only episodes (not counted in `rollouts`).
 */
export function firstOrderIteration(
  problem: EsProblem,
  theta: Float64Array,
  adam: VectorAdam,
  iteration: number,
): EsIterationResult {
  const t0 = performance.now();
  const { cfg, policy, horizon } = problem;
  const P = cfg.metaBatch;
  const gradient = new Float64Array(policy.dim);
  const after: number[] = [];
  let rollouts = 0;
  for (let i = 0; i < P; i++) {
    const task = pairTask(problem, iteration, i);
    const ti = pairTaskIndex(problem, iteration, i);
    const f = taskObjective(problem, task, ti, { seed: cfg.seed });
    const est = firstOrderEsMaml(f, theta, {
      alpha: cfg.alpha,
      adaptSigma: cfg.adaptSigma,
      sigma: cfg.sigma,
      pairs: Math.floor(cfg.k / 2),
      hessian: cfg.metaGradient === 'first-order-hessian',
      rng: new Rng(cfg.seed).derive(FIRST_ORDER_STREAM, iteration, i),
    });
    rollouts += f.rollouts();
    // f is R/H: the return's meta-gradient is H times its own
    for (let j = 0; j < gradient.length; j++) gradient[j] += (horizon * est.gradient[j]) / P;
    after.push(problem.episodeReturn(task, ti, est.adapted, AFTER_EPISODE, cfg.seed));
  }
  const before = Array.from({ length: P }, (_, i) => unperturbedReturn(problem, theta, iteration, i));
  const t1 = performance.now();
  return ascendAndRecord(
    'first-order ES-MAML gradient',
    iteration,
    theta,
    gradient,
    adam,
    { before, after, rollouts },
    t0,
    t1,
  );
}
