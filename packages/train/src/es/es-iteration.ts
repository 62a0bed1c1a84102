import { meanAndCi } from '../meta/evaluate';
import type { IterationRecord, IterationTimes } from '../meta/meta-learner';
import { NonFiniteError } from '../non-finite';
import { type EsQueries, inProcessEsQueries } from '../parallel/es-pool';
import { antitheticGradient, perturbationDirection } from './es-gradient';
import type { EsProblem } from './es-problem';
import type { VectorAdam } from './vector-adam';

/** A progress row of es-maml: the common row plus the episodes the algorithm played. */
export interface EsIterationRecord extends IterationRecord {
  /** Episodes of this iteration's queries (U's rollouts and the adapted returns; not the logging rollouts of θ). */
  rollouts: number;
}

const norm = (x: Float64Array) => Math.sqrt(x.reduce((a, v) => a + v * v, 0));

/**
 * One ES-MAML meta-iteration: P = metaBatch antithetic pairs, each on its own training task;
 * query q's value R_T(U_T(θ ± σg)) (queryReturn, a pure function of θ, iteration, q), the
 * zero-order meta-gradient ∇J̃(θ) = (1/σ)E[R_T(U_T(θ+σg)) g] from them, and an Adam ascent step.
 * `returns` logs R_T(θ) (before adaptation, extra episodes) and the mean query value (after).
 * The queries run where `queries` puts them (in-process, or a worker pool: the same bits).
 */
export async function esIteration(
  problem: EsProblem,
  theta: Float64Array,
  adam: VectorAdam,
  iteration: number,
  queries: EsQueries = inProcessEsQueries(problem),
): Promise<{ theta: Float64Array; record: EsIterationRecord; times: IterationTimes }> {
  const t0 = performance.now();
  const { cfg, policy } = problem;
  const P = cfg.metaBatch;
  const { values, before, rollouts } = await queries.evaluate(theta, iteration);
  const t1 = performance.now();
  const directions = Array.from({ length: P }, (_, i) =>
    perturbationDirection(cfg.seed, iteration, i, policy.dim),
  );
  const gradient = antitheticGradient(values, directions, cfg.sigma);
  const gradNorm = norm(gradient);
  if (!Number.isFinite(gradNorm))
    throw new NonFiniteError(`iteration ${iteration}: ES gradient norm is ${gradNorm}`);
  const next = adam.ascend(theta, gradient);
  const t2 = performance.now();
  const after = meanAndCi(Array.from(values));
  const pre = meanAndCi(Array.from(before));
  return {
    theta: next,
    record: {
      iteration,
      returns: [pre.mean, after.mean],
      returnsCi95: [pre.ci95, after.ci95],
      lossBefore: -after.mean,
      lossAfter: -after.mean,
      kl: 0,
      stepFraction: 1,
      accepted: true,
      gradNorm,
      paramNorm: norm(next),
      rollouts,
    },
    times: {
      iteration,
      sampling: (t1 - t0) / 1000,
      inner: 0,
      outer: 0,
      optimizer: (t2 - t1) / 1000,
      total: (t2 - t0) / 1000,
    },
  };
}
