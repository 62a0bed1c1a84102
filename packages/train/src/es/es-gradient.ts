import { Rng } from '@metagrad/autodiff';

/** Stream of the outer perturbation directions (the adaptation operator's streams are separate). */
const DIRECTION_STREAM = 0x0e5;

/** g_i ∼ N(0, I) of pair i at an iteration, keyed by (seed, iteration, pair): any worker draws the same bits. */
export function perturbationDirection(
  seed: number,
  iteration: number,
  pair: number,
  dim: number,
): Float64Array {
  return new Rng(seed).derive(DIRECTION_STREAM, iteration, pair).fillNormal(new Float64Array(dim));
}

/** Query q of an iteration: pair ⌊q/2⌋, at θ + σg for even q and θ − σg for odd q. */
export const queryPair = (q: number) => q >> 1;
export const querySign = (q: number): 1 | -1 => (q % 2 === 0 ? 1 : -1);

/** θ + sign·σ·g. */
export function perturbed(
  theta: ArrayLike<number>,
  sigma: number,
  g: Float64Array,
  sign: 1 | -1,
): Float64Array {
  const x = new Float64Array(theta.length);
  for (let j = 0; j < x.length; j++) x[j] = theta[j] + sign * sigma * g[j];
  return x;
}

/**
 * The antithetic estimate ĝ = (1/(2nσ)) Σ_i [v(θ+σg_i) − v(θ−σg_i)] g_i from the 2n query values
 * (in query order) and the n directions, summed in that fixed order: however the values were
 * computed (one process or a pool), the same values give the same bits.
 */
export function antitheticGradient(
  values: ArrayLike<number>,
  directions: readonly Float64Array[],
  sigma: number,
): Float64Array {
  const n = directions.length;
  if (values.length !== 2 * n)
    throw new RangeError(`antitheticGradient: values: expected ${2 * n} (2 per pair), got ${values.length}`);
  const out = new Float64Array(directions[0]?.length ?? 0);
  for (let i = 0; i < n; i++) {
    const w = (values[2 * i] - values[2 * i + 1]) / (2 * n * sigma);
    const g = directions[i];
    for (let j = 0; j < out.length; j++) out[j] += w * g[j];
  }
  return out;
}

export interface EsGradientOptions {
  sigma: number;
  pairs: number;
  seed: number;
  iteration: number;
}

/**
 * Zero-order ES gradient of the smoothed objective, ∇E_g[v(θ + σg)] = (1/σ)E[v(θ + σg) g], with
 * antithetic pairs. `value(x, q)` is the value of query q at x (for ES-MAML: R_T(U_T(x)) on
 * pair ⌊q/2⌋'s task); it must be a pure function of its arguments, so the queries can run in
 * any order or in parallel. Here they run one after another.
 */
export function esGradient(
  value: (x: Float64Array, q: number) => number,
  theta: ArrayLike<number>,
  opts: EsGradientOptions,
): { gradient: Float64Array; values: Float64Array } {
  const { sigma, pairs, seed, iteration } = opts;
  if (!(sigma > 0)) throw new RangeError(`sigma: expected a number > 0, got ${sigma}`);
  if (!(Number.isInteger(pairs) && pairs >= 1))
    throw new RangeError(`pairs: expected an integer >= 1, got ${pairs}`);
  const directions = Array.from({ length: pairs }, (_, i) =>
    perturbationDirection(seed, iteration, i, theta.length),
  );
  const values = new Float64Array(2 * pairs);
  for (let q = 0; q < 2 * pairs; q++)
    values[q] = value(perturbed(theta, sigma, directions[queryPair(q)], querySign(q)), q);
  return { gradient: antitheticGradient(values, directions, sigma), values };
}
