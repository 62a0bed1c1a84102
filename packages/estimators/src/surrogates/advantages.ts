import { type PerStepInput, type Prepared, stepInput } from './inputs';

export interface AdvantageOptions {
  /** ⊥ state values V(s_t) (default 0). */
  values?: PerStepInput;
  /** GAE τ (often called λ in GAE; kept apart from Loaded DiCE's λ). Default 1. */
  gaeTau?: number;
  /** z-normalise the advantages over the real steps (changes what is estimated: off by default). */
  normalize?: boolean;
}

/**
 * GAE(γ, τ) advantages Â_t = Σ_{k≥t} (γτ)^{k−t} δ_k, δ_k = r_k + γV_{k+1} − V_k, with V = 0 past
 * the last real step. With τ = 1: Â_t = Σ_{k≥t} γ^{k−t} r_k − V_t (discounted from t).
 */
export function gae(p: Prepared, opts: AdvantageOptions = {}): Float64Array {
  const v = stepInput(p, opts.values, 'values');
  const tau = opts.gaeTau ?? 1;
  if (!(tau >= 0 && tau <= 1)) throw new RangeError(`gaeTau: expected a number in [0, 1], got ${tau}`);
  const { B, T, discount: g, rewards, mask } = p;
  const adv = new Float64Array(B * T);
  for (let b = 0; b < B; b++) {
    let acc = 0;
    for (let t = T - 1; t >= 0; t--) {
      const i = b * T + t;
      const next = t + 1 < T ? v[i + 1] : 0;
      const delta = (rewards[i] + g * next - v[i]) * mask[i];
      acc = delta + g * tau * acc * mask[i];
      adv[i] = acc;
    }
  }
  if (opts.normalize) normalizeMasked(adv, mask);
  return adv;
}

/** In-place z-normalisation over the entries with mask 1 (padding stays 0). */
export function normalizeMasked(x: Float64Array, mask: Float64Array): void {
  let n = 0;
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    if (!mask[i]) continue;
    n++;
    m += x[i];
  }
  if (n === 0) return;
  m /= n;
  let s = 0;
  for (let i = 0; i < x.length; i++) if (mask[i]) s += (x[i] - m) ** 2;
  const sd = Math.sqrt(s / n) + 1e-8;
  for (let i = 0; i < x.length; i++) x[i] = mask[i] ? (x[i] - m) / sd : 0;
}
