import type { Rng } from '@metagrad/autodiff';
import { checkInt, checkNumber, checkPositive } from './errors';

/**
 * The 1-D Gaussian N-sample toy of Tang et al.: X_i ∼ N(θ, σ²), i = 1..N, objective
 * L_N(θ) = E[f(X̄_N)] with f(x) = −(x − 1)². Closed forms are the oracles for LSF vs SF.
 */
export interface GaussianToy {
  readonly n: number;
  readonly sigma: number;
}

export function gaussianToy(options: { n?: number; sigma?: number } = {}): GaussianToy {
  return { n: checkInt('n', options.n ?? 10, 1), sigma: checkPositive('sigma', options.sigma ?? 1) };
}

/** f(x) = −(x − 1)². */
export function toyObjective(x: number): number {
  return -((x - 1) ** 2);
}

/** f'(x) = −2(x − 1). */
export function toyObjectiveGrad(x: number): number {
  return -2 * (x - 1);
}

/** M draws of N samples: [M, N], row m from `rngs[m]` (or one rng for all rows). */
export function sampleToy(toy: GaussianToy, theta: number, rngs: Rng | readonly Rng[], m = 1): Float64Array {
  checkNumber('theta', theta);
  const rows = Array.isArray(rngs) ? rngs.length : checkInt('m', m, 1);
  const out = new Float64Array(rows * toy.n);
  for (let r = 0; r < rows; r++) {
    const rng = Array.isArray(rngs) ? (rngs as readonly Rng[])[r] : (rngs as Rng);
    for (let i = 0; i < toy.n; i++) out[r * toy.n + i] = rng.normal(theta, toy.sigma);
  }
  return out;
}

/** Exact L_N(θ) = −(θ − 1)² − σ²/N. */
export function toyValue(toy: GaussianToy, theta: number): number {
  return -((theta - 1) ** 2) - (toy.sigma * toy.sigma) / toy.n;
}

/** Exact ∇L_N(θ) = −2(θ − 1). */
export function toyGradient(_toy: GaussianToy, theta: number): number {
  return -2 * (theta - 1);
}

/** Exact ∇²L_N = −2. */
export function toyHessian(_toy: GaussianToy, _theta: number): number {
  return -2;
}

/** Mean of the LSF estimator for this f: −2(θ − 1) − 2θ/N (bias −2θ/N = O(1/N)). */
export function toyLsfMean(toy: GaussianToy, theta: number): number {
  return -2 * (theta - 1) - (2 * theta) / toy.n;
}
