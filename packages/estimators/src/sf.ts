import { div, mul, sum, type Tensor } from '@metagrad/autodiff';
import { type BT, constBT, prepare, stepInput, type Trajectories } from './inputs';

export interface SfOptions {
  /** ⊥ state values V(s_t) ≈ E[Σ_{k≥t} γ^{k−t} r_k | s_t]; subtracted as γ^t V(s_t). */
  values?: BT;
}

/**
 * Score function / REINFORCE: L = (1/B) Σ_b Σ_t lp_t · ⊥(G_t − γ^t V(s_t)).
 * Unbiased gradient; its Hessian Σ ∇²lp_t (G_t − b_t) misses the outer products (biased).
 */
export function sf(traj: Trajectories, opts: SfOptions = {}): Tensor {
  const p = prepare(traj);
  const v = stepInput(p, opts.values, 'values');
  const coef = new Float64Array(p.B * p.T);
  for (let b = 0; b < p.B; b++) {
    let w = 1;
    for (let t = 0; t < p.T; t++, w *= p.discount) {
      const i = b * p.T + t;
      coef[i] = (p.returnsToGo[i] - w * v[i]) * p.mask[i];
    }
  }
  return div(sum(mul(p.lp, constBT(p, coef))), p.B);
}
