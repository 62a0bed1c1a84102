import { add, div, mul, sub, sum, type Tensor } from '@metagrad/autodiff';
import { type BT, constBT, cumLogProbs, prepare, stepInput, type Trajectories } from './inputs';
import { magicBox } from './magic-box';

export interface DiceOptions {
  /** ⊥ state values V(s_t) for the first-order baseline term Σ (1 − □(lp_t)) γ^t V(s_t). */
  values?: BT;
}

/**
 * DiCE: L = (1/B) Σ_b Σ_t □(C_t) γ^t r_t, C_t the inclusive cumulative log-prob along time
 * (per-step discounted rewards, never returns-to-go). Unbiased for every derivative order.
 * The optional baseline term has value 0 and only removes first-order variance.
 */
export function dice(traj: Trajectories, opts: DiceOptions = {}): Tensor {
  const p = prepare(traj);
  let total = sum(mul(magicBox(cumLogProbs(p)), constBT(p, p.discounted)));
  if (opts.values !== undefined) {
    const v = stepInput(p, opts.values, 'values');
    const gv = new Float64Array(p.B * p.T);
    for (let b = 0; b < p.B; b++) {
      let w = 1;
      for (let t = 0; t < p.T; t++, w *= p.discount) gv[b * p.T + t] = w * v[b * p.T + t];
    }
    total = add(total, sum(mul(sub(1, magicBox(p.lp)), constBT(p, gv))));
  }
  return div(total, p.B);
}
