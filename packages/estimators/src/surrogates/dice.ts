import { add, div, mul, sub, sum, type Tensor } from '@metagrad/autodiff';
import {
  constantStepTensor,
  cumLogProbs,
  discountPerStep,
  type PerStepInput,
  type Prepared,
  prepare,
  stepInput,
  type Trajectories,
} from './inputs';
import { magicBox } from './magic-box';

export interface DiceOptions {
  /** ⊥ state values V(s_t) for the first-order baseline term Σ (1 − □(lp_t)) γ^t V(s_t). */
  values?: PerStepInput;
}

/** Σ_b Σ_t □(C_t) γ^t r_t (not yet averaged over B): DiCE's objective, shared with TMAML. */
export function diceSum(p: Prepared): Tensor {
  return sum(mul(magicBox(cumLogProbs(p)), constantStepTensor(p, p.discounted)));
}

/**
 * DiCE: L = (1/B) Σ_b Σ_t □(C_t) γ^t r_t, C_t the inclusive cumulative log-prob along time
 * (per-step discounted rewards, never returns summed from t). Unbiased for every derivative order.
 * The optional baseline term has value 0 and only removes first-order variance.
 */
export function dice(traj: Trajectories, opts: DiceOptions = {}): Tensor {
  const p = prepare(traj);
  let total = diceSum(p);
  if (opts.values !== undefined) {
    const gv = discountPerStep(p, stepInput(p, opts.values, 'values'));
    total = add(total, sum(mul(sub(1, magicBox(p.lp)), constantStepTensor(p, gv))));
  }
  return div(total, p.B);
}
