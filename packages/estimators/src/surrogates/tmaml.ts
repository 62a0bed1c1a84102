import { add, div, mul, sub, sum, type Tensor } from '@metagrad/autodiff';
import { diceSum } from './dice';
import {
  constantStepTensor,
  cumLogProbs,
  discountPerStep,
  type PerStepInput,
  prepare,
  stepInput,
  type Trajectories,
} from './inputs';
import { magicBox } from './magic-box';

export interface TmamlOptions {
  /**
   * ⊥ baseline V(s_t) (per-task value or a meta control variate's prediction), in "return from t"
   * units. The control variate is c_t = −γ^t V(s_t), so the cross-time Hessian coefficient
   * becomes G_t − γ^t V(s_t).
   */
  values?: PerStepInput;
  /** Use the poster's literal sign, c_t = +b(s_t) (coefficient G_t + b): same mean, more variance. */
  posterSign?: boolean;
  /** Give the control variate c_t directly instead (overrides `values`): [B, T], ⊥. */
  controlVariate?: PerStepInput;
}

/**
 * TMAML (Liu, Socher, Xiong 2019):
 * L = (1/B) Σ_b [Σ_t □(C_t) γ^t r_t + Σ_t (1 − □(C_{<t}))(1 − □(lp_t)) c_t].
 * The second sum has value 0 and gradient 0; its Hessian c_t(∇lp_t ∇C_{<t}ᵀ + ∇C_{<t} ∇lp_tᵀ) has
 * mean 0 (E[∇lp_t | history] = 0), so the Hessian stays unbiased for any c_t. C_{<t} is shifted
 * along time (the reference code's shift along the trajectory axis is a bug).
 */
export function tmaml(traj: Trajectories, opts: TmamlOptions = {}): Tensor {
  const p = prepare(traj);
  let c: Float64Array;
  if (opts.controlVariate !== undefined) c = stepInput(p, opts.controlVariate, 'controlVariate');
  else if (opts.posterSign)
    c = stepInput(p, opts.values, 'values'); // c_t = +b(s_t), literally
  else c = discountPerStep(p, stepInput(p, opts.values, 'values')).map((x) => -x); // c_t = −γ^t V(s_t)
  const before = sub(1, magicBox(cumLogProbs(p, true)));
  const now = sub(1, magicBox(p.lp));
  const cv = sum(mul(mul(before, now), constantStepTensor(p, c)));
  return div(add(diceSum(p), cv), p.B);
}
