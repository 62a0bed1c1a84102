import { Rng } from '@metagrad/autodiff';
import { esHessian, firstOrderEsMaml, type Objective, upperTriangles, vectorStats } from '../src';

/**
 * The ES Hessian and first-order ES-MAML against closed forms. Each check is the Bonferroni
 * z-test of `vectorStats` (sample mean of R independent estimates against the exact value, with
 * the sample variance) at level 0.001, with fixed seeds; each is paired with a variant that
 * must FAIL the same test, so the test can tell.
 */
const LEVEL = 0.001;
const R = 4000;

const theta = Float64Array.from([0.2, -0.3, 0.5]);
const d = theta.length;

/** R estimates of `estimate(rng_r)` stacked row-major [R, size]. */
function draws(size: number, estimate: (rng: Rng) => Float64Array, seed: number, repeats = R): Float64Array {
  const out = new Float64Array(repeats * size);
  for (let r = 0; r < repeats; r++) out.set(estimate(new Rng(seed).derive(r)), r * size);
  return out;
}

describe('esHessian: unbiased for the Hessian of the Gaussian-smoothed objective', () => {
  // f(x) = exp(wᵀx): f̃(x) = exp(wᵀx + σ²‖w‖²/2), so ∇²f̃ = wwᵀ f̃ (the raw Hessian lacks the factor)
  const w = [1.2, -0.8, 0.6];
  const sigma = 0.5;
  const f: Objective = (x) => Math.exp(w[0] * x[0] + w[1] * x[1] + w[2] * x[2]);
  const wx = w.reduce((s, wj, j) => s + wj * theta[j], 0);
  const w2 = w.reduce((s, wj) => s + wj * wj, 0);
  const outer = (scale: number) => w.flatMap((a) => w.map((b) => a * b * scale));
  const smoothed = upperTriangles(Float64Array.from(outer(Math.exp(wx + (sigma * sigma * w2) / 2))), d);
  const raw = upperTriangles(Float64Array.from(outer(Math.exp(wx))), d);
  const estimates = upperTriangles(
    draws(d * d, (rng) => esHessian(f, theta, { sigma, pairs: 5, rng }), 1),
    d,
  );

  test('passes against ∇²f̃ (closed form) and fails against the raw ∇²f', () => {
    const good = vectorStats(estimates, smoothed, LEVEL);
    const unsmoothed = vectorStats(estimates, raw, LEVEL);
    console.log(
      `ES Hessian on exp(wᵀx): max|z| ${good.maxAbsZ.toFixed(2)} vs ∇²f̃ (threshold ${good.zThreshold.toFixed(2)}), ${unsmoothed.maxAbsZ.toFixed(2)} vs the raw ∇²f`,
    );
    expect(good.consistent).toBe(true);
    expect(unsmoothed.consistent).toBe(false);
  });

  test('a deliberately wrong variant (weights on ggᵀ without the − I) fails the same test', () => {
    const wrong = (rng: Rng) => {
      const f0 = f(theta);
      const out = new Float64Array(d * d);
      for (let i = 0; i < 5; i++) {
        const g = rng.fillNormal(new Float64Array(d));
        const at = (s: number) => f(theta.map((t, j) => t + s * sigma * g[j]));
        const wgt = ((at(1) + at(-1)) / 2 - f0) / (5 * sigma * sigma);
        for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) out[r * d + c] += wgt * g[r] * g[c];
      }
      return out;
    };
    const bad = vectorStats(upperTriangles(draws(d * d, wrong, 1), d), smoothed, LEVEL);
    console.log(
      `ES Hessian without − I: max|z| ${bad.maxAbsZ.toFixed(2)} (threshold ${bad.zThreshold.toFixed(2)})`,
    );
    expect(bad.consistent).toBe(false);
  });

  test('on a quadratic it is unbiased for −A whatever σ, and the same seed gives the same bits', () => {
    const A = [2, 0.5, 0, 0.5, 1, -0.3, 0, -0.3, 0.8];
    const q: Objective = (x) => {
      let s = 0;
      for (let r = 0; r < d; r++) for (let c = 0; c < d; c++) s -= (x[r] * A[r * d + c] * x[c]) / 2;
      return s;
    };
    const minusA = upperTriangles(Float64Array.from(A.map((a) => -a)), d);
    const stats = vectorStats(
      upperTriangles(
        draws(d * d, (rng) => esHessian(q, theta, { sigma: 3, pairs: 2, rng }), 2),
        d,
      ),
      minusA,
      LEVEL,
    );
    expect(stats.consistent).toBe(true);
    const once = esHessian(q, theta, { sigma: 0.1, pairs: 3, rng: new Rng(9) });
    expect(Array.from(esHessian(q, theta, { sigma: 0.1, pairs: 3, rng: new Rng(9) }))).toEqual(
      Array.from(once),
    );
  });

  test('bad sigma or pairs are refused with the option named', () => {
    const rng = new Rng(0);
    expect(() => esHessian(f, theta, { sigma: 0, pairs: 2, rng })).toThrow(
      /sigma: expected a number > 0, got 0/,
    );
    expect(() => esHessian(f, theta, { sigma: 1, pairs: 1.5, rng })).toThrow(
      /pairs: expected an integer >= 1/,
    );
  });
});

describe('first-order ES-MAML with the Hessian term: unbiased for ∇J on a quadratic', () => {
  // f(x) = −½xᵀAx + bᵀx, U(θ) = θ + α∇f̃(θ) = θ + α(b − Aθ) (smoothing shifts f by a constant),
  // J(θ) = f̃(U(θ)), ∇J = (I − αA)²(b − Aθ).
  const A = [1.5, 0.4, 0, 0.4, 1, 0.2, 0, 0.2, 0.6];
  const b = [1, -0.5, 0.3];
  const alpha = 0.3;
  const f: Objective = (x) => {
    let s = 0;
    for (let r = 0; r < d; r++) {
      s += b[r] * x[r];
      for (let c = 0; c < d; c++) s -= (x[r] * A[r * d + c] * x[c]) / 2;
    }
    return s;
  };
  const apply = (M: number[], v: number[]) =>
    v.map((_, r) => v.reduce((s, vc, c) => s + M[r * d + c] * vc, 0));
  const IminusAlphaA = A.map((a, i) => (i % (d + 1) === 0 ? 1 : 0) - alpha * a);
  const grad0 = b.map((bj, r) => bj - apply(A, Array.from(theta))[r]);
  const exact = apply(IminusAlphaA, apply(IminusAlphaA, grad0));
  const estimate = (hessian: boolean) => (rng: Rng) =>
    firstOrderEsMaml(f, theta, { alpha, adaptSigma: 0.4, sigma: 0.2, pairs: 3, hessian, rng }).gradient;

  test('first-order-hessian passes; first-order (no Hessian term) fails the same test', () => {
    const withH = vectorStats(draws(d, estimate(true), 3, 8000), exact, LEVEL);
    const without = vectorStats(draws(d, estimate(false), 3, 8000), exact, LEVEL);
    console.log(
      `first-order ES-MAML on a quadratic: max|z| ${withH.maxAbsZ.toFixed(2)} with the Hessian term, ${without.maxAbsZ.toFixed(2)} without (threshold ${withH.zThreshold.toFixed(2)})`,
    );
    expect(withH.consistent).toBe(true);
    expect(without.consistent).toBe(false);
  });

  test('the same seed gives the same bits', () => {
    const a = estimate(true)(new Rng(5));
    expect(Array.from(estimate(true)(new Rng(5)))).toEqual(Array.from(a));
  });
});
