import { tensor } from './creation';
import { ArgumentError } from './errors';
import { mul } from './ops/elementwise/spec';
import { sum } from './ops/reduction';
import { Rng } from './random';
import { Tensor } from './tensor';
import { flattenTree } from './transforms/pytree';
import { grad, vjp } from './transforms/transforms';

export interface CheckOptions {
  /** Central-difference step (default 1e-6; inputs are promoted to float64). */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Above this many input elements, check random directions instead of the full Jacobian. */
  fullJacobianLimit?: number;
  /** Number of random directions for large inputs. */
  directions?: number;
  seed?: number;
  /** Throw a descriptive error on failure (default true). */
  raise?: boolean;
}

export interface CheckResult {
  ok: boolean;
  /** Number of compared entries (Jacobian entries, or direction products). */
  checked: number;
  maxAbsError: number;
  /** Where the worst mismatch is: output element, input leaf and element (or direction). */
  worst: { analytic: number; numeric: number; output: number; leaf: number; element: number } | null;
  mode: 'full' | 'directions';
}

type Fn = (x: any) => unknown;

function outputVector(f: Fn, x: unknown, where: string): Float64Array {
  const out = f(x);
  const leaves = flattenTree(out, `${where}: output`).leaves;
  const n = leaves.reduce((s, l) => s + l.size, 0);
  const v = new Float64Array(n);
  let k = 0;
  for (const l of leaves) for (let i = 0; i < l.size; i++) v[k++] = l.data[i];
  return v;
}

/**
 * Compare the reverse-mode derivative of f (pytree → tensor or pytree) against central finite
 * differences in float64: the full Jacobian for small inputs, ⟨c, J·v⟩ on random directions
 * for large ones. Use it on your own functions the way PyTorch's gradcheck is used.
 */
export function checkGrad(f: Fn, x: unknown, opts: CheckOptions = {}): CheckResult {
  const eps = opts.eps ?? 1e-6;
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-4;
  const flat = flattenTree(x, 'checkGrad: x');
  const leaves = flat.leaves.map((l) => tensor(l, { dtype: 'float64' }));
  const x64 = flat.unflatten(leaves);
  const nIn = leaves.reduce((s, l) => s + l.size, 0);
  const y0 = outputVector(f, x64, 'checkGrad');
  const nOut = y0.length;
  const rng = new Rng(opts.seed ?? 0);
  const [, pullback] = vjp(f, x64);
  const outStruct = flattenTree(f(x64), 'checkGrad: output');
  const cotangentTree = (c: Float64Array): unknown => {
    let k = 0;
    return outStruct.unflatten(
      outStruct.leaves.map((l) => {
        const t = tensor(c.subarray(k, k + l.size), { shape: l.shape.slice() });
        k += l.size;
        return t;
      }),
    );
  };
  const analyticRow = (c: Float64Array): Float64Array => {
    const g = flattenTree(pullback(cotangentTree(c))[0], 'checkGrad: gradient').leaves;
    const v = new Float64Array(nIn);
    let k = 0;
    for (const l of g) for (let i = 0; i < l.size; i++) v[k++] = l.data[i];
    return v;
  };
  // evaluate f at x + h·d (d flat over all leaves)
  const shifted = (d: Float64Array, h: number): Float64Array => {
    let k = 0;
    const moved = leaves.map((l) => {
      const data = Float64Array.from(l.data);
      for (let i = 0; i < data.length; i++) data[i] += h * d[k++];
      return tensor(data, { shape: l.shape.slice() });
    });
    return outputVector(f, flat.unflatten(moved), 'checkGrad');
  };
  const locate = (flatIndex: number) => {
    let k = flatIndex;
    for (let j = 0; j < leaves.length; j++) {
      if (k < leaves[j].size) return { leaf: j, element: k };
      k -= leaves[j].size;
    }
    return { leaf: -1, element: -1 };
  };
  const result: CheckResult = { ok: true, checked: 0, maxAbsError: 0, worst: null, mode: 'full' };
  let worstExcess = 0;
  const compare = (analytic: number, numeric: number, output: number, leaf: number, element: number) => {
    result.checked++;
    const err = Math.abs(analytic - numeric);
    if (!(err <= result.maxAbsError)) result.maxAbsError = err;
    const excess = err - (atol + rtol * Math.abs(numeric));
    if (!(excess <= 0) && (result.ok || excess > worstExcess || Number.isNaN(excess))) {
      result.ok = false;
      worstExcess = excess;
      result.worst = { analytic, numeric, output, leaf, element };
    }
  };
  if (nIn <= (opts.fullJacobianLimit ?? 64) && nOut <= 256) {
    const J = new Float64Array(nOut * nIn);
    const d = new Float64Array(nIn);
    for (let j = 0; j < nIn; j++) {
      d.fill(0);
      d[j] = 1;
      const plus = shifted(d, eps);
      const minus = shifted(d, -eps);
      for (let i = 0; i < nOut; i++) J[i * nIn + j] = (plus[i] - minus[i]) / (2 * eps);
    }
    const c = new Float64Array(nOut);
    for (let i = 0; i < nOut; i++) {
      c.fill(0);
      c[i] = 1;
      const row = analyticRow(c);
      for (let j = 0; j < nIn; j++) {
        const at = locate(j);
        compare(row[j], J[i * nIn + j], i, at.leaf, at.element);
      }
    }
  } else {
    result.mode = 'directions';
    const n = opts.directions ?? 8;
    for (let r = 0; r < n; r++) {
      const d = rng.fillNormal(new Float64Array(nIn));
      const c = rng.fillNormal(new Float64Array(nOut));
      const plus = shifted(d, eps);
      const minus = shifted(d, -eps);
      let numeric = 0;
      for (let i = 0; i < nOut; i++) numeric += (c[i] * (plus[i] - minus[i])) / (2 * eps);
      const row = analyticRow(c);
      let analytic = 0;
      for (let j = 0; j < nIn; j++) analytic += row[j] * d[j];
      compare(analytic, numeric, -1, -1, r);
    }
  }
  if (!result.ok && opts.raise !== false) {
    const w = result.worst!;
    throw new ArgumentError(
      `checkGrad: analytic derivative ${w.analytic} differs from central difference ${w.numeric} ` +
        `(output element ${w.output}, input leaf ${w.leaf}, ${result.mode === 'full' ? 'element' : 'direction'} ${w.element}; atol ${atol}, rtol ${rtol})`,
    );
  }
  return result;
}

/**
 * Second-order check: the derivative of the gradient against finite differences of the
 * gradient. A non-scalar f is first contracted with a fixed random cotangent.
 */
export function checkGradGrad(f: Fn, x: unknown, opts: CheckOptions = {}): CheckResult {
  const probe = f(x);
  let scalarF: Fn = f;
  if (!(probe instanceof Tensor) || probe.size !== 1) {
    const leaves = flattenTree(probe, 'checkGradGrad: output').leaves;
    const rng = new Rng((opts.seed ?? 0) + 1);
    const cs = leaves.map((l) =>
      tensor(rng.fillNormal(new Float64Array(l.size)), { shape: l.shape.slice() }),
    );
    scalarF = (z) => {
      const ls = flattenTree(f(z), 'checkGradGrad: output').leaves;
      if (ls.length !== cs.length)
        throw new ArgumentError('checkGradGrad: output structure changed between calls');
      return ls.map((l, i) => sum(mul(l, cs[i]))).reduce((a, b) => a.add(b));
    };
  }
  return checkGrad(grad(scalarF), x, opts);
}
