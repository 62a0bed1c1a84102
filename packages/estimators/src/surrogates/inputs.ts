import { cumsum, stopGradient, type Tensor, tensor, where } from '@metagrad/autodiff';
import { returnsFromEachStep } from '../returns';

/** One number per step (rewards, mask, values): plain numbers or a constant tensor, batch-major [B, T]. */
export type PerStepInput = ArrayLike<number> | Tensor;

/**
 * What every trajectory estimator reads. Layout is batch-major [B, T] everywhere.
 * Padded steps (mask 0) are replaced by 0 in the log-probs, rewards and per-step inputs here (not
 * multiplied by the mask, which would turn a NaN or −∞ left in the padding into NaN), so they drop
 * out exactly whatever the caller left in them. Real steps must have finite rewards.
 */
export interface Trajectories {
  /** log π_θ(a_t|s_t): a differentiable [B, T] tensor. */
  logProbs: Tensor;
  /** Undiscounted rewards r_t: [B, T]. */
  rewards: PerStepInput;
  /** 1 for real steps, 0 for padding: [B, T] (default all ones); any other value is an error. */
  mask?: PerStepInput;
  /** γ (default 1). */
  discount?: number;
}

/** The quantities the surrogates share, all constant except `lp`. */
export interface Prepared {
  B: number;
  T: number;
  /** Masked log-probs [B, T] (differentiable). */
  lp: Tensor;
  mask: Float64Array;
  /** Masked undiscounted rewards. */
  rewards: Float64Array;
  /** γ^t r_t, masked. */
  discounted: Float64Array;
  /** G_t = Σ_{k≥t} γ^k r_k: the return from step t, discounted from time 0 (not from t). */
  returnsDiscountedFrom0: Float64Array;
  discount: number;
}

function toArray(x: PerStepInput, n: number, name: string): Float64Array {
  const data = x instanceof Float64Array ? x : Float64Array.from(isTensor(x) ? x.data : x);
  if (data.length !== n) throw new RangeError(`${name}: expected ${n} numbers ([B, T]), got ${data.length}`);
  return data;
}

function isTensor(x: unknown): x is Tensor {
  return typeof x === 'object' && x !== null && 'shape' in x && 'data' in x;
}

export function prepare(traj: Trajectories): Prepared {
  const { logProbs } = traj;
  if (logProbs.ndim !== 2)
    throw new RangeError(`logProbs: expected a [B, T] tensor, got shape [${logProbs.shape}]`);
  const [B, T] = logProbs.shape;
  const n = B * T;
  const mask = traj.mask === undefined ? new Float64Array(n).fill(1) : toArray(traj.mask, n, 'mask');
  for (let i = 0; i < n; i++) {
    if (mask[i] !== 0 && mask[i] !== 1)
      throw new RangeError(`mask[${Math.floor(i / T)}][${i % T}]: expected 0 or 1, got ${mask[i]}`);
  }
  const raw = toArray(traj.rewards, n, 'rewards');
  const discount = traj.discount ?? 1;
  if (!(discount >= 0 && discount <= 1))
    throw new RangeError(`discount: expected a number in [0, 1], got ${discount}`);
  const rewards = new Float64Array(n);
  const discounted = new Float64Array(n);
  for (let b = 0; b < B; b++) {
    let w = 1;
    for (let t = 0; t < T; t++, w *= discount) {
      const i = b * T + t;
      if (mask[i] === 1 && !Number.isFinite(raw[i]))
        throw new RangeError(`rewards[${b}][${t}]: expected a finite number on a real step, got ${raw[i]}`);
      rewards[i] = mask[i] === 1 ? raw[i] : 0;
      discounted[i] = w * rewards[i];
    }
  }
  // the discount is already in `discounted`: sum it from each step with weight 1
  const returnsDiscountedFrom0 = returnsFromEachStep(discounted, B, T, 1);
  const lp = where(tensor(mask, { shape: [B, T] }), logProbs, 0);
  return { B, T, lp, mask, rewards, discounted, returnsDiscountedFrom0, discount };
}

/** Per-step numbers as a constant [B, T] tensor (under ⊥ by construction: it never depends on a variable). */
export function constantStepTensor(p: Prepared, x: Float64Array): Tensor {
  return tensor(x, { shape: [p.B, p.T] });
}

/** An optional per-step ⊥ input (baseline, value, control variate): masked copy, or zeros. */
export function stepInput(p: Prepared, x: PerStepInput | undefined, name: string): Float64Array {
  if (x === undefined) return new Float64Array(p.B * p.T);
  const src = isTensor(x) ? stopGradient(x).data : x;
  const data = toArray(src, p.B * p.T, name);
  const out = new Float64Array(p.B * p.T);
  for (let i = 0; i < out.length; i++) out[i] = p.mask[i] === 1 ? data[i] : 0;
  return out;
}

/** γ^t x[b, t] for a [B, T] array (a new array; x is not modified). */
export function discountPerStep(p: Prepared, x: Float64Array): Float64Array {
  const out = new Float64Array(p.B * p.T);
  for (let b = 0; b < p.B; b++) {
    let w = 1;
    for (let t = 0; t < p.T; t++, w *= p.discount) out[b * p.T + t] = w * x[b * p.T + t];
  }
  return out;
}

/** The ⊥ advantages G_t − γ^t V(s_t) (G_t discounted from time 0), 0 on padding. */
export function returnsMinusValues(p: Prepared, values: PerStepInput | undefined): Float64Array {
  const gv = discountPerStep(p, stepInput(p, values, 'values'));
  return p.returnsDiscountedFrom0.map((g, i) => (g - gv[i]) * p.mask[i]);
}

/** C_t = Σ_{t'≤t} lp_t' along time (inclusive), or C_{<t} (exclusive). */
export function cumLogProbs(p: Prepared, exclusive = false): Tensor {
  return cumsum(p.lp, 1, { exclusive });
}
