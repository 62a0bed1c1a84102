import { exp, grad, hessian, mul, type Tensor, tensor } from '@metagrad/autodiff';
import {
  enumerateTrajectories,
  stateValues,
  type TabularMdp,
  type Trajectories as TrajectorySet,
} from '@metagrad/envs';
import type { Trajectories } from '../surrogates/inputs';
import { tabularLogProbs } from '../tabular-policy';

/**
 * Largest enumeration the exact estimator moments accept (each costs a Hessian over all K
 * trajectories); passed as `maxTrajectories` to envs' `enumerateTrajectories`.
 */
export const MOMENTS_MAX_TRAJECTORIES = 200_000;

/**
 * A trajectory estimator as the study and the exact oracles see it: trajectories plus exact ⊥
 * values V_t(s_t) (zeros when not wanted) → surrogate scalar, averaged over the B rows.
 */
export type SurrogateBuilder = (traj: Trajectories, values: Float64Array) => Tensor;

export interface Moments {
  value: number;
  /** [P] */
  gradient: Float64Array;
  /** [P, P] row-major */
  hessian: Float64Array;
}

/**
 * The exact expectation of an estimator's value, gradient and Hessian at θ: every surrogate here
 * is linear in (rewards, values) jointly, so weighting row k's rewards and values by K·p_θ(τ_k)
 * (a ⊥ constant) turns the batch average into Σ_k p(τ_k)·L(τ_k), and its derivatives into
 * E[∇L], E[∇²L]. Exact, no sampling. (Advantage normalisation is not linear: leave it off here.)
 */
export function exactEstimatorMoments(
  mdp: TabularMdp,
  theta: ArrayLike<number>,
  build: SurrogateBuilder,
  options: { withValues?: boolean; enumerated?: TrajectorySet } = {},
): Moments {
  const en = options.enumerated ?? enumerateTrajectories(mdp, MOMENTS_MAX_TRAJECTORIES);
  const { count: K, horizon: T } = en;
  const { states: S, actions: A } = mdp;
  const th = tensor(Float64Array.from(theta));
  const lp0 = tabularLogProbs(th, S, A, en.stateActions, [K, T]).sum(1);
  const weight = mul(exp(lp0), tensor(en.envProbs)).data;
  const values = new Float64Array(K * T);
  if (options.withValues) {
    const v = stateValues(mdp, theta, T);
    for (let i = 0; i < K * T; i++) values[i] = v[(i % T) * S + en.states[i]];
  }
  const rewards = new Float64Array(K * T);
  for (let i = 0; i < K * T; i++) {
    const w = K * weight[Math.floor(i / T)];
    rewards[i] = en.rewards[i] * w;
    values[i] *= w;
  }
  const f = (x: Tensor) =>
    build(
      { logProbs: tabularLogProbs(x, S, A, en.stateActions, [K, T]), rewards, discount: mdp.discount },
      values,
    );
  return {
    value: f(th).item(),
    gradient: Float64Array.from(grad(f)(th).data),
    hessian: Float64Array.from(hessian(f)(th).data),
  };
}
