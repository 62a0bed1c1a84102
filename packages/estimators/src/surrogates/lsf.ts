import { add, div, grad, mul, reshape, stopGradient, sum, type Tensor, tensor } from '@metagrad/autodiff';
import { magicBox } from './magic-box';

/**
 * N-sample draws: samples X_i [N, d] (constants) and their log-densities log p_θ(X_i) [N]; or R
 * independent draws at once, [R, N, d] and [R, N] (the surrogates then sum over the R draws, so
 * one gradient call gives R estimates when each draw has its own copy of θ).
 */
export interface NSampleDraw {
  samples: Float64Array | Tensor;
  logProbs: Tensor;
}

function shapeOf(draw: NSampleDraw): { R: number; N: number } {
  const s = draw.logProbs.shape;
  if (s.length === 1) return { R: 1, N: s[0] };
  if (s.length === 2) return { R: s[0], N: s[1] };
  throw new RangeError(`logProbs: expected [N] or [R, N], got [${s}]`);
}

/**
 * Score-function estimate of ∇E[f(X̄_N)]: surrogate f(X̄)·Σ_i □(log p(X_i)) ("sum", not
 * "average"). Unbiased; its variance grows like N (Tang et al. 2022). fValue: [R] numbers.
 */
export function nSampleSf(draw: NSampleDraw, fValue: number | ArrayLike<number>): Tensor {
  const { R, N } = shapeOf(draw);
  const f = typeof fValue === 'number' ? [fValue] : Array.from(fValue);
  if (f.length !== R) throw new RangeError(`fValue: expected ${R} values (one per draw), got ${f.length}`);
  return sum(mul(tensor(f, { shape: [R, 1] }), reshape(magicBox(draw.logProbs), [R, N])));
}

/**
 * Linearised score function (Tang et al. 2022): surrogate ∇f(⊥X̄)ᵀ (1/N) Σ_i X_i □(log p(X_i)),
 * whose gradient is ∇f(X̄)ᵀ (1/N) Σ_i X_i ∇log p(X_i). Bias O(1/N), variance O(1/N).
 * fGrad: ∇f(X̄) per draw, [d] or [R, d].
 */
export function lsf(draw: NSampleDraw, fGrad: ArrayLike<number>): Tensor {
  const { R, N } = shapeOf(draw);
  const xt = draw.samples instanceof Float64Array ? tensor(draw.samples) : stopGradient(draw.samples);
  const d = xt.size / (R * N);
  if (!Number.isInteger(d) || fGrad.length !== R * d)
    throw new RangeError(
      `fGrad: expected ${R}×d numbers for samples of ${xt.size} numbers, got ${fGrad.length}`,
    );
  const x = reshape(xt, [R, N, d]);
  const proj = sum(mul(x, tensor(Float64Array.from(fGrad), { shape: [R, 1, d] })), 2);
  return div(sum(mul(proj, reshape(magicBox(draw.logProbs), [R, N]))), N);
}

export interface MetaSurrogateOptions {
  /**
   * Inner surrogate on pre-update samples; its gradient is the inner step's direction and its
   * Hessian the Ĥ of (I + αĤ). For the SF meta-gradient pass the plain score surrogate
   * (Σ_i log p(τ_i)·R_i, so Ĥ = ∇ĝ exactly); for LSF pass a DiCE-type one
   * (Σ_i □(log p(τ_i))·R_i, so Ĥ is the unbiased Hessian estimate with the outer products).
   */
  inner: (theta: Tensor) => Tensor;
  /** Outer surrogate on post-update samples, evaluated at θ' (first order is enough). */
  outer: (thetaPrime: Tensor) => Tensor;
  alpha: number;
  /**
   * Add the score term Ĵ(θ')·Σ_i □(log p(τ_i)) of the inner samples (with the plain inner
   * surrogate): the unbiased SF meta-gradient of the N-sample objective. Without it, and with a
   * DiCE-type inner surrogate, the estimate is the LSF meta form (I + αĤ)∇̂J(θ'), which drops
   * the O(N)-variance term.
   */
  score?: { value: number; innerLogProbs: (theta: Tensor) => Tensor };
}

/**
 * Meta-RL surrogate of one inner step: θ ↦ L_out(θ + α∇L_in(θ)) [+ score term]. Its gradient is
 * (I + αĤ_in)∇L_out(θ') (LSF form), the inner step staying differentiable (second order).
 */
export function metaSurrogate(opts: MetaSurrogateOptions): (theta: Tensor) => Tensor {
  const innerGrad = grad(opts.inner);
  return (theta) => {
    const thetaPrime = add(theta, mul(opts.alpha, innerGrad(theta)));
    const out = opts.outer(thetaPrime);
    if (!opts.score) return out;
    return add(out, mul(opts.score.value, sum(magicBox(opts.score.innerLogProbs(theta)))));
  };
}
