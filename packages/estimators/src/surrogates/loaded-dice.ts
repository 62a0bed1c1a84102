import { div, matmul, mul, sub, sum, type Tensor, tensor } from '@metagrad/autodiff';
import { type AdvantageOptions, gae } from './advantages';
import { constantStepTensor, discountPerStep, prepare, type Trajectories } from './inputs';
import { magicBox } from './magic-box';

export interface LoadedDiceOptions extends AdvantageOptions {
  /** Loaded DiCE's discount λ of past log-probs (1 = unbiased at every order). Default 1. */
  lambda?: number;
}

/** Λ[t', t] = λ^{t−t'} for t' ≤ t, so (lp Λ)_t = w_t = λ w_{t−1} + lp_t. */
function lambdaMatrix(T: number, lambda: number): Tensor {
  const m = new Float64Array(T * T);
  for (let s = 0; s < T; s++) for (let t = s; t < T; t++) m[s * T + t] = lambda ** (t - s);
  return tensor(m, { shape: [T, T] });
}

/**
 * Loaded DiCE (Farquhar et al. 2019): w_t = λ w_{t−1} + lp_t,
 * L = (1/B) Σ_b Σ_t [□(w_t) − □(w_t − lp_t)] γ^t Â_t with ⊥ GAE(γ, τ) advantages.
 * λ = 1 with τ = 1 is DiCE minus a constant plus a ⊥ state baseline: unbiased at every order.
 * λ < 1 damps long-range (cross-time) higher-order terms: lower variance, biased Hessian.
 */
export function loadedDice(traj: Trajectories, opts: LoadedDiceOptions = {}): Tensor {
  const lambda = opts.lambda ?? 1;
  if (!(lambda >= 0 && lambda <= 1))
    throw new RangeError(`lambda: expected a number in [0, 1], got ${lambda}`);
  const p = prepare(traj);
  const adv = discountPerStep(p, gae(p, opts));
  const w = matmul(p.lp, lambdaMatrix(p.T, lambda));
  const weight = sub(magicBox(w), magicBox(sub(w, p.lp)));
  return div(sum(mul(weight, constantStepTensor(p, adv))), p.B);
}
