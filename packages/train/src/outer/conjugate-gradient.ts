import { allFinite, checkOption, dot } from './tree-vector';

export interface ConjugateGradientOptions {
  /** Maximum number of iterations (default 10, pytorch-maml-rl's cg_iters). */
  iterations?: number;
  /** Stop once the squared residual rᵀr falls below this (default 1e-10, pytorch-maml-rl's residual_tol). */
  residualTolerance?: number;
}

export interface ConjugateGradientResult {
  x: Float64Array;
  /**
   * A·x, accumulated as Σ αₖ·A pₖ from the products the iterations made anyway (equal to A
   * applied to x up to rounding), so callers need no extra product for xᵀAx.
   */
  Ax: Float64Array;
  /** Iterations run. */
  iterations: number;
  /** ‖b − A x‖₂ as tracked by the recursion (exact up to rounding). */
  residualNorm: number;
}

/**
 * Solve A x = b for a symmetric positive-definite A given only products `Av(v)` (e.g. a damped
 * Fisher–vector product), starting from x = 0. Throws if A is not positive definite along a
 * search direction or a product is not finite.
 */
export function conjugateGradient(
  Av: (v: Float64Array) => Float64Array,
  b: Float64Array,
  options: ConjugateGradientOptions = {},
): ConjugateGradientResult {
  const steps = conjugateGradientSteps(b, options);
  let next = steps.next();
  while (!next.done) next = steps.next(Av(next.value));
  return next.value;
}

/**
 * conjugateGradient as a coroutine: it yields each vector v it needs A·v of and is resumed with
 * the product, so the products may come from elsewhere (worker threads) without a second copy
 * of the recursion.
 */
export function* conjugateGradientSteps(
  b: Float64Array,
  options: ConjugateGradientOptions = {},
): Generator<Float64Array, ConjugateGradientResult, Float64Array> {
  const where = 'conjugateGradient';
  const iterations = checkOption(where, 'iterations', options.iterations ?? 10, { min: 1, integer: true });
  const tol = checkOption(where, 'residualTolerance', options.residualTolerance ?? 1e-10, { min: 0 });
  if (!allFinite(b)) throw new RangeError(`${where}: b: expected finite entries`);
  const n = b.length;
  const x = new Float64Array(n);
  const Ax = new Float64Array(n);
  const r = Float64Array.from(b);
  const p = Float64Array.from(b);
  let rr = dot(r, r);
  let done = 0;
  while (done < iterations && rr >= tol) {
    const Ap = yield p;
    if (Ap.length !== n) throw new RangeError(`${where}: Av(v): expected ${n} entries, got ${Ap.length}`);
    if (!allFinite(Ap)) throw new RangeError(`${where}: Av(v): expected finite entries`);
    const pAp = dot(p, Ap);
    if (!(pAp > 0))
      throw new RangeError(`${where}: A is not positive definite along a search direction (pᵀAp = ${pAp})`);
    const alpha = rr / pAp;
    for (let i = 0; i < n; i++) {
      x[i] += alpha * p[i];
      Ax[i] += alpha * Ap[i];
      r[i] -= alpha * Ap[i];
    }
    const rrNew = dot(r, r);
    const beta = rrNew / rr;
    for (let i = 0; i < n; i++) p[i] = r[i] + beta * p[i];
    rr = rrNew;
    done++;
  }
  return { x, Ax, iterations: done, residualNorm: Math.sqrt(rr) };
}
