import type { Rng } from '@metagrad/autodiff';
import { esGradient, esStep, type Objective } from './es';

export interface EsHessianOptions {
  /** Smoothing scale σ. */
  sigma: number;
  /** Number of antithetic pairs n. */
  pairs: number;
  rng: Rng;
}

/**
 * ES Hessian of the smoothed objective f̃(θ) = E_g[f(θ + σg)] (Stein's identity, second order):
 * ∇²f̃(θ) = (1/σ²) E[f(θ + σg)(ggᵀ − I)], estimated with antithetic pairs and f(θ) as a baseline,
 * Ĥ = (1/(nσ²)) Σ_i [(f(θ+σg_i) + f(θ−σg_i))/2 − f(θ)] (g_i g_iᵀ − I). The baseline leaves it
 * unbiased (E[ggᵀ − I] = 0) and removes the O(f/σ²) noise. Row-major d × d, 2n + 1 queries.
 */
export function esHessian(f: Objective, theta: ArrayLike<number>, opts: EsHessianOptions): Float64Array {
  const d = theta.length;
  const { sigma, pairs, rng } = opts;
  if (!(sigma > 0)) throw new RangeError(`sigma: expected a number > 0, got ${sigma}`);
  if (!(Number.isInteger(pairs) && pairs >= 1))
    throw new RangeError(`pairs: expected an integer >= 1, got ${pairs}`);
  const f0 = f(Float64Array.from(theta));
  const out = new Float64Array(d * d);
  const x = new Float64Array(d);
  for (let i = 0; i < pairs; i++) {
    const g = rng.fillNormal(new Float64Array(d));
    let even = 0;
    for (const s of [1, -1]) {
      for (let j = 0; j < d; j++) x[j] = theta[j] + s * sigma * g[j];
      even += f(x) / 2;
    }
    const w = (even - f0) / (pairs * sigma * sigma);
    for (let r = 0; r < d; r++) {
      for (let c = 0; c < d; c++) out[r * d + c] += w * g[r] * g[c];
      out[r * d + r] -= w;
    }
  }
  return out;
}

/** ES-MAML's meta-gradient estimators: zero-order (Hessian-free), first-order, first-order with the Hessian term. */
export const ES_META_GRADIENTS = ['zero-order', 'first-order', 'first-order-hessian'] as const;
export type EsMetaGradient = (typeof ES_META_GRADIENTS)[number];

export interface FirstOrderEsMamlOptions {
  /** Step size α of the adaptation U(θ) = θ + α∇f̃(θ). */
  alpha: number;
  /** σ_a: the smoothing of U's gradient (and so of its Jacobian I + α∇²f̃). */
  adaptSigma: number;
  /** σ of the ES gradient of f at the adapted θ'. */
  sigma: number;
  /** Antithetic pairs of each of the three estimates (U's gradient, the gradient at θ', the Hessian). */
  pairs: number;
  /** Include the Hessian term α∇²f̃(θ)·∇f̃(θ') (first-order-hessian) or not (first-order). */
  hessian: boolean;
  rng: Rng;
}

/** Sub-streams of one first-order estimate: U's directions, the gradient at θ', the Hessian's. */
const [ADAPT, OUTER, HESSIAN] = [1, 2, 3];

/**
 * First-order ES-MAML (Song et al. 2020) on one task, for the ES gradient-step adaptation
 * U(θ) = θ + α∇f̃(θ): J(θ) = f̃(U(θ)) has ∇J = (I + α∇²f̃(θ)) ∇f̃(U(θ)). The estimate replaces
 * U by one MC-ES step θ' = θ + αĝ, ∇f̃(θ') by an ES gradient at θ', and ∇²f̃ by `esHessian` from
 * its own directions (independent of θ', so the product's mean is the product of the means);
 * `first-order` drops the Hessian term, as FOMAML does. Unbiased for ∇J on a quadratic with the
 * Hessian term; biased by −α∇²f̃·∇f̃(U(θ)) without it.
 */
export function firstOrderEsMaml(
  f: Objective,
  theta: Float64Array,
  opts: FirstOrderEsMamlOptions,
): { gradient: Float64Array; adapted: Float64Array } {
  const { alpha, adaptSigma, sigma, pairs, hessian, rng } = opts;
  const adapted = esStep(alpha, adaptSigma, pairs)(f, theta, rng.derive(ADAPT));
  const gradient = esGradient(f, adapted, { sigma, pairs, rng: rng.derive(OUTER) });
  if (!hessian) return { gradient, adapted };
  const H = esHessian(f, theta, { sigma: adaptSigma, pairs, rng: rng.derive(HESSIAN) });
  const d = theta.length;
  const out = Float64Array.from(gradient);
  for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) out[r] += alpha * H[r * d + c] * gradient[c];
  return { gradient: out, adapted };
}
