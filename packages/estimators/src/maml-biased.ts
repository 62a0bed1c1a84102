import { div, mul, sum, type Tensor } from '@metagrad/autodiff';
import { type AdvantageOptions, gae } from './advantages';
import { constBT, prepare, type Trajectories } from './inputs';

/**
 * The original MAML-RL inner loss: L = (1/B) Σ_b Σ_t lp_t · ⊥Â_t (GAE advantages, not scaled by
 * γ^t, optionally normalised, as in the reference code), differentiated twice. Its Hessian is
 * Σ ∇²lp_t Â_t only: the ∇lp ∇lpᵀ terms are missing, so the Hessian (and the meta-gradient) is biased.
 */
export function mamlBiased(traj: Trajectories, opts: AdvantageOptions = {}): Tensor {
  const p = prepare(traj);
  const adv = gae(p, opts);
  return div(sum(mul(p.lp, constBT(p, adv))), p.B);
}
