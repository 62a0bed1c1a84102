import { antitheticGradient, esGradient, perturbationDirection } from '../src/es/es-gradient';
import { initEsParams } from '../src/es/es-params';
import { makeEsProblem } from '../src/es/es-problem';
import { queryReturn } from '../src/es/perturbation';
import { resolveConfig } from '../src/meta/config';

/**
 * f(θ) = −|θ − c|²: its Gaussian smoothing is f̃(θ) = −|θ − c|² − σ²d, so ∇f̃ = ∇f = −2(θ − c)
 * exactly. M independent antithetic estimates (iterations 0..M−1 draw independent directions)
 * must average to it within a z-bound from their own sample variance; biased variants must not.
 */
const c = [1, 0, -1];
const theta = [0.3, -0.2, 0.5];
const f = (x: Float64Array) => -x.reduce((a, v, j) => a + (v - c[j]) ** 2, 0);
const exact = theta.map((t, j) => -2 * (t - c[j]));
const sigma = 0.5;
const M = 400;
/** Bonferroni over 3 components at level 1e-3 (two-sided): |z| < 3.76. */
const Z = 3.76;

function maxAbsZ(estimates: Float64Array[]): number {
  let worst = 0;
  for (let j = 0; j < exact.length; j++) {
    const xs = estimates.map((e) => e[j]);
    const mean = xs.reduce((a, b) => a + b, 0) / M;
    const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (M - 1));
    worst = Math.max(worst, Math.abs(mean - exact[j]) / (sd / Math.sqrt(M)));
  }
  return worst;
}

const estimates = (value: (x: Float64Array, q: number) => number, scale = 1) =>
  Array.from({ length: M }, (_, it) =>
    esGradient(value, theta, { sigma, pairs: 4, seed: 7, iteration: it }).gradient.map((g) => g * scale),
  );

test('the antithetic ES gradient is unbiased for the smoothed objective of a quadratic', () => {
  expect(maxAbsZ(estimates(f))).toBeLessThan(Z);
});

test('the same test detects a missing 1/σ and a wrong sign (mirrored pairs)', () => {
  // without 1/σ: σ times the estimate
  expect(maxAbsZ(estimates(f, sigma))).toBeGreaterThan(Z);
  // pairs swapped: the value at θ+σg is read at θ−σg (x ↦ 2θ − x)
  const swapped = (x: Float64Array) => f(x.map((v, j) => 2 * theta[j] - v));
  expect(maxAbsZ(estimates(swapped))).toBeGreaterThan(Z);
});

test('ES-MAML queries are pure: evaluated in any order they combine to the same bits', () => {
  const config = resolveConfig({ algo: 'es-maml', env: 'four-corners', metaBatch: 3, k: 4, adaptSigma: 0.3 });
  for (const adapt of ['hill-climb', 'es-step'] as const) {
    const problem = makeEsProblem({ ...config, adapt });
    const th = initEsParams(problem).map((_, j) => 0.05 * Math.sin(j + 1));
    const dirs = [0, 1, 2].map((i) => perturbationDirection(config.seed, 5, i, problem.policy.dim));
    const forward = [0, 1, 2, 3, 4, 5].map((q) => queryReturn(problem, th, 5, q).value);
    const backward = new Array<number>(6);
    for (const q of [5, 3, 1, 4, 2, 0]) backward[q] = queryReturn(problem, th, 5, q).value;
    expect(antitheticGradient(backward, dirs, config.sigma)).toEqual(
      antitheticGradient(forward, dirs, config.sigma),
    );
    // the values are not all equal, so the check is not vacuous
    expect(new Set(forward).size).toBeGreaterThan(1);
  }
});
