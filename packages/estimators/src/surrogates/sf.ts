import { div, mul, sum, type Tensor } from '@metagrad/autodiff';
import {
  constantStepTensor,
  type PerStepInput,
  prepare,
  returnsMinusValues,
  type Trajectories,
} from './inputs';

export interface SfOptions {
  /** ⊥ state values V(s_t) ≈ E[Σ_{k≥t} γ^{k−t} r_k | s_t]; subtracted as γ^t V(s_t). */
  values?: PerStepInput;
}

/**
 * Score function / REINFORCE: L = (1/B) Σ_b Σ_t lp_t · ⊥(G_t − γ^t V(s_t)).
 * Unbiased gradient; its Hessian Σ ∇²lp_t (G_t − b_t) misses the outer products (biased).
 */
export function sf(traj: Trajectories, opts: SfOptions = {}): Tensor {
  const p = prepare(traj);
  return div(sum(mul(p.lp, constantStepTensor(p, returnsMinusValues(p, opts.values)))), p.B);
}
