import { div, mul, sum, type Tensor } from '@metagrad/autodiff';
import {
  constantStepTensor,
  type PerStepInput,
  prepare,
  returnsMinusValues,
  stepInput,
  type Trajectories,
} from './inputs';
import { magicBox } from './magic-box';

export interface LvcOptions {
  /** ⊥ state values V(s_t), subtracted as γ^t V(s_t) from G_t = Σ_{k≥t} γ^k r_k. */
  values?: PerStepInput;
  /** Give ⊥ advantages directly instead ([B, T]); they should carry the γ^t factor. */
  advantages?: PerStepInput;
}

/**
 * Low-variance curvature (ProMP, Rothfuss et al. 2019): L = (1/B) Σ_b Σ_t [π/⊥π](a_t|s_t) ⊥Â_t,
 * i.e. □(lp_t) Â_t with Â_t = G_t − γ^t V(s_t). Gradient unbiased; the Hessian keeps
 * Â_t(∇²lp_t + ∇lp_t ∇lp_tᵀ) but drops every cross-time term: biased, low variance.
 */
export function lvc(traj: Trajectories, opts: LvcOptions = {}): Tensor {
  const p = prepare(traj);
  const adv =
    opts.advantages !== undefined
      ? stepInput(p, opts.advantages, 'advantages')
      : returnsMinusValues(p, opts.values);
  return div(sum(mul(magicBox(p.lp), constantStepTensor(p, adv))), p.B);
}
