import { type EsQueries, inProcessEsQueries } from '../parallel/es-pool';
import { antitheticGradient, perturbationDirection } from './es-gradient';
import type { EsProblem } from './es-problem';
import { ascendAndRecord, type EsIterationResult } from './es-step-record';
import type { VectorAdam } from './vector-adam';

export type { EsIterationRecord } from './es-step-record';

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
): Promise<EsIterationResult> {
  const t0 = performance.now();
  const { cfg, policy } = problem;
  const P = cfg.metaBatch;
  const { values, before, rollouts } = await queries.evaluate(theta, iteration);
  const t1 = performance.now();
  const directions = Array.from({ length: P }, (_, i) =>
    perturbationDirection(cfg.seed, iteration, i, policy.dim),
  );
  const gradient = antitheticGradient(values, directions, cfg.sigma);
  return ascendAndRecord(
    'ES gradient',
    iteration,
    theta,
    gradient,
    adam,
    { before, after: values, rollouts },
    t0,
    t1,
  );
}
