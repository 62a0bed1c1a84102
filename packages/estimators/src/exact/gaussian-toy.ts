import { type GaussianToy, toyGradient, toyLsfMean } from '@metagrad/envs';

/**
 * Closed-form moments of the two N-sample estimators on Tang et al.'s 1-D toy
 * (X_i ∼ N(θ, σ²), f(x) = −(x − 1)²), derived with u = ε̄ ∼ N(0, 1/N) and the independent
 * S² = (1/N)Σ(ε_i − ε̄)² ∼ χ²_{N−1}/N. test/study-toy.test.ts checks them against sampled estimates.
 */
export interface ToyMoments {
  mean: number;
  variance: number;
}

/** SF f(X̄)Σ∇log p(X_i): mean −2(θ−1); variance N·a⁴/σ² + 14a² + 15σ²/N with a = θ − 1 (∝ N). */
export function toySfMoments(toy: GaussianToy, theta: number): ToyMoments {
  const { n: N, sigma: s } = toy;
  const a = theta - 1;
  return { mean: toyGradient(toy, theta), variance: (N * a ** 4) / s ** 2 + 14 * a ** 2 + (15 * s ** 2) / N };
}

/** LSF ∇f(X̄)(1/N)Σ X_i ∇log p(X_i): mean −2(θ−1) − 2θ/N; variance O(1/N) (exact polynomial below). */
export function toyLsfMoments(toy: GaussianToy, theta: number): ToyMoments {
  const { n: N, sigma: s } = toy;
  const t = theta;
  const s2 = s * s;
  const lead = s2 * s2 + 4 * s2 * t * t - 6 * s2 * t + 2 * s2 + t * t * (t - 1) ** 2;
  const mid = 6 * s2 * s2 + 10 * s2 * t * t - 8 * s2 * t;
  const variance = (4 * (N * N * lead + N * mid + 8 * s2 * s2)) / (N ** 3 * s2);
  return { mean: toyLsfMean(toy, theta), variance };
}
