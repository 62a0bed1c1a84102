import { grad, jacobian, logSoftmax, mul, reshape, sum, type Tensor, take, tensor } from '@metagrad/autodiff';
import type { TabularMdp } from '@metagrad/envs';
import type { SurrogateBuilder } from '../exact/expectation';

/** R consecutive batches of B trajectories each (rows repeat-major: row r·B + b), [R·B, T]. */
export interface RepeatData {
  repeats: number;
  /** Flat state-action indices s·A + a (padding: any valid index with mask 0). */
  sa: Int32Array;
  rewards: Float64Array;
  mask: Float64Array;
  /** ⊥ values V(s_t) handed to the surrogate (zeros when unused). */
  values: Float64Array;
}

export interface RepeatEstimates {
  /** [R, P] */
  gradient: Float64Array;
  /** [R, P, P] row-major per repeat; null when not asked for. */
  hessian: Float64Array | null;
}

/** θ repeated for R estimates: the [R·P] `thetas` of `repeatEstimates` when all share one θ. */
export function tileParameters(theta: Float64Array, R: number): Float64Array {
  const out = new Float64Array(R * theta.length);
  for (let r = 0; r < R; r++) out.set(theta, r * theta.length);
  return out;
}

/**
 * Gradients and Hessians of one surrogate for R independent estimates at once, each at its own
 * parameter vector θ_r (rows of `thetas`, [R·P]): F(Θ) = Σ_r L_r(θ_r), so ∇F holds every gradient
 * and one reverse pass per parameter (the Jacobian of Σ_r ∇_r F) holds every Hessian column.
 * Estimate r reads only batch r and θ_r, so the numbers do not depend on how repeats are grouped.
 */
export function repeatEstimates(
  mdp: TabularMdp,
  thetas: Float64Array,
  build: SurrogateBuilder,
  data: RepeatData,
  B: number,
  withHessian = true,
): RepeatEstimates {
  const { states: S, actions: A, discount } = mdp;
  const P = S * A;
  const R = data.repeats;
  const T = data.sa.length / (R * B);
  if (!Number.isInteger(T) || thetas.length !== R * P)
    throw new RangeError(`repeatEstimates: expected ${R} × ${P} parameters and ${R} × ${B} trajectories`);
  const idx = new Float64Array(data.sa.length);
  for (let i = 0; i < idx.length; i++) idx[i] = Math.floor(i / (B * T)) * P + data.sa[i];
  const index = tensor(idx, { shape: [R * B, T] });
  const maskT = tensor(data.mask, { shape: [R * B, T] });
  const F = (Th: Tensor) => {
    const flat = reshape(logSoftmax(reshape(Th, [R, S, A]), 2), [R * P]);
    const logProbs = mul(take(flat, index, 0), maskT);
    return mul(R, build({ logProbs, rewards: data.rewards, mask: data.mask, discount }, data.values));
  };
  const Th = tensor(Float64Array.from(thetas), { shape: [R, P] });
  const gradient = Float64Array.from((grad(F)(Th) as Tensor).data);
  if (!withHessian) return { gradient, hessian: null };
  const jac = jacobian((x: Tensor) => sum(grad(F)(x), 0))(Th).data;
  const hessian = new Float64Array(R * P * P);
  for (let i = 0; i < P; i++)
    for (let r = 0; r < R; r++)
      for (let j = 0; j < P; j++) hessian[r * P * P + i * P + j] = jac[i * R * P + r * P + j];
  return { gradient, hessian };
}
