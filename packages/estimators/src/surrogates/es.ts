import type { Rng } from '@metagrad/autodiff';

/** A black-box objective on a flat parameter vector (to be maximised). */
export type Objective = (theta: Float64Array) => number;

export interface EsOptions {
  /** Smoothing scale σ. */
  sigma: number;
  /** Number of antithetic pairs n. */
  pairs: number;
  rng: Rng;
  /** 'none' (default, unbiased for the smoothed gradient), 'z' (z-score) or 'rank' normalisation. */
  normalize?: 'none' | 'z' | 'rank';
}

function normalizeValues(v: Float64Array, mode: 'none' | 'z' | 'rank'): Float64Array {
  if (mode === 'none') return v;
  const n = v.length;
  if (mode === 'rank') {
    const order = Array.from(v.keys()).sort((a, b) => v[a] - v[b] || a - b);
    const out = new Float64Array(n);
    order.forEach((i, r) => {
      out[i] = n > 1 ? r / (n - 1) - 0.5 : 0;
    });
    return out;
  }
  let m = 0;
  for (const x of v) m += x;
  m /= n;
  let s = 0;
  for (const x of v) s += (x - m) ** 2;
  const sd = Math.sqrt(s / n) + 1e-8;
  return v.map((x) => (x - m) / sd);
}

/**
 * Antithetic Gaussian-smoothing gradient (ES): ĝ = (1/(2nσ)) Σ_i [f(θ+σg_i) − f(θ−σg_i)] g_i.
 * Unbiased for ∇E_g[f(θ + σg)] (the smoothed objective), not for ∇f. No derivatives needed.
 */
export function esGradient(f: Objective, theta: ArrayLike<number>, opts: EsOptions): Float64Array {
  const d = theta.length;
  const { sigma, pairs, rng } = opts;
  if (!(sigma > 0)) throw new RangeError(`sigma: expected a number > 0, got ${sigma}`);
  if (!(Number.isInteger(pairs) && pairs >= 1))
    throw new RangeError(`pairs: expected an integer >= 1, got ${pairs}`);
  const dirs: Float64Array[] = [];
  const values = new Float64Array(2 * pairs);
  const x = new Float64Array(d);
  for (let i = 0; i < pairs; i++) {
    const g = rng.fillNormal(new Float64Array(d));
    dirs.push(g);
    for (const [k, s] of [1, -1].entries()) {
      for (let j = 0; j < d; j++) x[j] = theta[j] + s * sigma * g[j];
      values[2 * i + k] = f(x);
    }
  }
  const v = normalizeValues(values, opts.normalize ?? 'none');
  const out = new Float64Array(d);
  for (let i = 0; i < pairs; i++) {
    const w = (v[2 * i] - v[2 * i + 1]) / (2 * pairs * sigma);
    for (let j = 0; j < d; j++) out[j] += w * dirs[i][j];
  }
  return out;
}

/** An adaptation operator U(θ) for ES-MAML; it may be non-differentiable (hill climbing). */
export type Adaptation = (f: Objective, theta: Float64Array, rng: Rng) => Float64Array;

/** U(θ) = θ + α·ĝ_ES(θ) with `pairs` antithetic pairs: one ES gradient step. */
export function esStep(alpha: number, sigma: number, pairs: number): Adaptation {
  return (f, theta, rng) => {
    const g = esGradient(f, theta, { sigma, pairs, rng });
    return theta.map((t, j) => t + alpha * g[j]);
  };
}

/** Hill climbing: try `queries` perturbations θ + σg one after another, keep each that improves f. */
export function hillClimb(sigma: number, queries: number): Adaptation {
  return (f, theta, rng) => {
    let best = Float64Array.from(theta);
    let bestValue = f(best);
    for (let q = 0; q < queries; q++) {
      const g = rng.fillNormal(new Float64Array(theta.length));
      const cand = best.map((t, j) => t + sigma * g[j]);
      const value = f(cand);
      if (value > bestValue) [best, bestValue] = [cand, value];
    }
    return best;
  };
}

/**
 * ES-MAML (Song et al. 2020): the ES gradient of θ ↦ f_task(U(θ)). Each query's adaptation gets
 * its own generator (derived from `rng` by query index) so antithetic pairs share nothing else.
 */
export function esMaml(
  f: Objective,
  theta: ArrayLike<number>,
  adapt: Adaptation,
  opts: EsOptions,
): Float64Array {
  let q = 0;
  const root = opts.rng.derive(0x5eed);
  const adapted: Objective = (x) => f(adapt(f, Float64Array.from(x), root.derive(q++)));
  return esGradient(adapted, theta, opts);
}
