import { div, mul, sum, type Tensor } from '@metagrad/autodiff';
import { type AdvantageOptions, gae } from './advantages';
import { constantStepTensor, discountPerStep, prepare, type Trajectories } from './inputs';

export interface MamlBiasedOptions extends AdvantageOptions {
  /**
   * Weight the advantages by γ^t (default true), so that with τ = 1 the loss is
   * Σ lp_t ⊥(G_t − γ^t V(s_t)) and its gradient is unbiased. `false` reproduces the reference
   * MAML-RL code, whose undiscounted-from-0 advantages also bias the gradient when γ < 1.
   */
  discounted?: boolean;
}

/**
 * The original MAML-RL inner loss: L = (1/B) Σ_b Σ_t lp_t · ⊥Â_t (GAE advantages, optionally
 * normalised), differentiated twice. Its Hessian is Σ ∇²lp_t Â_t only: the ∇lp ∇lpᵀ terms are
 * missing, so the Hessian (and the meta-gradient) is biased whatever the advantages are.
 */
export function mamlBiased(traj: Trajectories, opts: MamlBiasedOptions = {}): Tensor {
  const p = prepare(traj);
  const adv = gae(p, opts);
  const weighted = opts.discounted === false ? adv : discountPerStep(p, adv);
  return div(sum(mul(p.lp, constantStepTensor(p, weighted))), p.B);
}
