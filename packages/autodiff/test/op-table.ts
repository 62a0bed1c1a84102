/**
 * The op table: every exported op of `src/index.ts`, with a float64
 * reference, sample inputs (broadcast, size-1, 0-d and empty where legal), the input domain
 * and flags. `ops.test.ts` runs one generic spec over it.
 */

import type { Tensor } from '../src';
import * as ad from '../src';
import {
  type Arr,
  arr,
  broadcastToRef,
  concatRef,
  logSoftmaxRef,
  lseOf,
  map1,
  map2,
  mapN,
  matmulRef,
  oneHotRef,
  permuteRef,
  reduceRef,
  reshapeRef,
  scanRef,
  sliceRef,
  solveRef,
  stackRef,
  sumOf,
  sumToRef,
  takeAlongAxisRef,
  takeRef,
} from './reference';

/** A differentiable input: its shape and where its values are drawn from. */
export interface InputSpec {
  shape: number[];
  /** Uniform range of the values (default [-2, 2]). */
  lo?: number;
  hi?: number;
  /** Kinks to keep away from (at least 0.1), e.g. 0 for abs and relu. */
  avoid?: number[];
  /** Fixed values instead of random ones. */
  values?: number[];
}

export interface OpCase {
  label: string;
  inputs: InputSpec[];
  fn: (...xs: Tensor[]) => Tensor;
  ref: (...xs: Arr[]) => Arr;
}

export interface OpEntry {
  /** The export name in src/index.ts. */
  name: string;
  cases: OpCase[];
  /** Output is a constant for differentiation (comparisons, sign, oneHot): derivatives are zero. */
  nonDifferentiable?: boolean;
  /** Forward tolerance (absolute + relative), default 1e-12. */
  fwdTol?: number;
  /** Finite-difference tolerances for first and second derivatives. */
  gradTol?: { atol: number; rtol: number };
}

const u = (shape: number[], lo = -2, hi = 2, avoid?: number[]): InputSpec => ({ shape, lo, hi, avoid });
const pos = (shape: number[]): InputSpec => ({ shape, lo: 0.3, hi: 3 });
const nz = (shape: number[]): InputSpec => ({ shape, lo: -2, hi: 2, avoid: [0] });
const fixed = (shape: number[], values: number[]): InputSpec => ({ shape, values });
const T = (shape: number[], values: number[]): Tensor => ad.tensor(values, { shape });

/** The usual shape cases of a unary elementwise op over a domain. */
function unaryCases(
  fn: (x: Tensor) => Tensor,
  f: (x: number) => number,
  dom: (s: number[]) => InputSpec,
): OpCase[] {
  const shapes: [string, number[]][] = [
    ['[2,3]', [2, 3]],
    ['0-d', []],
    ['size-1 [1]', [1]],
    ['[2,1,3]', [2, 1, 3]],
    ['empty [0,3]', [0, 3]],
  ];
  return shapes.map(([label, s]) => ({ label, inputs: [dom(s)], fn, ref: (a) => map1(a, f) }));
}

/** Broadcasting cases of a binary elementwise op. */
function binaryCases(
  fn: (a: Tensor, b: ad.TensorLike) => Tensor,
  f: (x: number, y: number) => number,
  da: (s: number[]) => InputSpec,
  db: (s: number[]) => InputSpec,
  withNumber = true,
): OpCase[] {
  const pairs: [string, number[], number[]][] = [
    ['same shape [2,3]', [2, 3], [2, 3]],
    ['broadcast [2,3] & [3]', [2, 3], [3]],
    ['broadcast [2,1] & [1,3]', [2, 1], [1, 3]],
    ['0-d & [2,3]', [], [2, 3]],
    ['[3,1,2] & [4,1]', [3, 1, 2], [4, 1]],
    ['size-1 [1] & 0-d', [1], []],
    ['empty [0,3] & [3]', [0, 3], [3]],
  ];
  const cases: OpCase[] = pairs.map(([label, sa, sb]) => ({
    label,
    inputs: [da(sa), db(sb)],
    fn,
    ref: (a, b) => map2(a, b, f),
  }));
  if (withNumber) {
    const spec = db([]);
    const c = spec.lo !== undefined && spec.lo > 0 ? 1.7 : -1.3;
    cases.push({
      label: `with a number ${c}`,
      inputs: [da([2, 2])],
      fn: (a) => fn(a, c),
      ref: (a) => map1(a, (x) => f(x, c)),
    });
  }
  return cases;
}

function comparisonEntry(
  name: string,
  fn: (a: Tensor, b: ad.TensorLike) => Tensor,
  f: (x: number, y: number) => boolean,
): OpEntry {
  const ref = (a: Arr, b: Arr) => map2(a, b, (x, y) => (f(x, y) ? 1 : 0));
  return {
    name,
    nonDifferentiable: true,
    cases: [
      {
        label: 'ties and broadcast [2,3] & [3]',
        inputs: [fixed([2, 3], [1, 2, 3, 3, 2, 1]), fixed([3], [1, 5, 1])],
        fn,
        ref,
      },
      { label: 'random [2,3] & 0-d', inputs: [u([2, 3]), u([])], fn, ref },
      {
        label: 'number',
        inputs: [fixed([3], [-1, 0, 1])],
        fn: (a) => fn(a, 0),
        ref: (a) => map1(a, (x) => (f(x, 0) ? 1 : 0)),
      },
      { label: 'empty', inputs: [u([0, 2]), u([2])], fn, ref },
    ],
  };
}

/** Reduction cases: all axes, one axis, several axes, negative axis, keepDims, 0-d. */
function reductionCases(
  fn: (x: Tensor, axes?: number | number[], keep?: boolean) => Tensor,
  f: (v: number[]) => number,
  dom: (s: number[]) => InputSpec,
  allowEmpty: boolean,
): OpCase[] {
  const cases: [string, number[], number | number[] | undefined, boolean][] = [
    ['all of [2,3]', [2, 3], undefined, false],
    ['axis 0 of [2,3]', [2, 3], 0, false],
    ['axis -1 keepDims of [2,3]', [2, 3], -1, true],
    ['axes [0,2] of [2,3,2]', [2, 3, 2], [0, 2], false],
    ['axes [0,2] keepDims of [2,3,2]', [2, 3, 2], [0, 2], true],
    ['axis 1 of [2,3,2]', [2, 3, 2], 1, false],
    ['0-d', [], undefined, false],
    ['size-1 axis of [3,1]', [3, 1], 1, true],
  ];
  const out: OpCase[] = cases.map(([label, s, axes, keep]) => ({
    label,
    inputs: [dom(s)],
    fn: (x) => fn(x, axes, keep),
    ref: (a) => reduceRef(a, axes, keep, f),
  }));
  if (allowEmpty)
    out.push({
      label: 'empty [0,3] over axis 0',
      inputs: [dom([0, 3])],
      fn: (x) => fn(x, 0),
      ref: (a) => reduceRef(a, 0, false, f),
    });
  return out;
}

function scanCases(
  fn: (x: Tensor, axis?: number, opts?: ad.ScanOptions) => Tensor,
  op: (acc: number, x: number) => number,
  unit: number,
  dom: (s: number[]) => InputSpec,
): OpCase[] {
  const cases: [string, number[], number, boolean, boolean][] = [
    ['axis -1 of [2,4]', [2, 4], -1, false, false],
    ['axis 0 of [3,2]', [3, 2], 0, false, false],
    ['exclusive axis 1 of [2,4]', [2, 4], 1, true, false],
    ['reverse axis 0 of [4,2]', [4, 2], 0, false, true],
    ['exclusive reverse axis 1 of [2,3,2]', [2, 3, 2], 1, true, true],
    ['size-1 [1]', [1], 0, false, false],
    ['empty [0]', [0], 0, false, false],
  ];
  return cases.map(([label, s, axis, exclusive, reverse]) => ({
    label,
    inputs: [dom(s)],
    fn: (x) => fn(x, axis, { exclusive, reverse }),
    ref: (a) => scanRef(a, axis, op, unit, exclusive, reverse),
  }));
}

const sigmoidRef = (x: number) => 1 / (1 + Math.exp(-x));
const softplusRef = (x: number) => Math.log(1 + Math.exp(x));
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

function gaussianRef(x: Arr, m: Arr, s: Arr): Arr {
  const per = mapN([x, m, s], (xv, mv, sv) => -0.5 * ((xv - mv) / Math.exp(sv)) ** 2 - sv - HALF_LOG_2PI);
  return per.shape.length === 0 ? per : reduceRef(per, -1, false, sumOf);
}

/** A well-conditioned square matrix (diagonally dominant), fixed. */
const A3 = [3.1, 0.4, -0.7, 0.2, 2.6, 0.5, -0.3, 0.8, 3.4];

export const OP_TABLE: OpEntry[] = [
  // ---- elementwise, unary
  {
    name: 'neg',
    cases: unaryCases(
      ad.neg,
      (x) => -x,
      (s) => u(s),
    ),
  },
  { name: 'exp', cases: unaryCases(ad.exp, Math.exp, (s) => u(s)) },
  { name: 'log', cases: unaryCases(ad.log, Math.log, pos) },
  {
    name: 'log1p',
    cases: unaryCases(
      ad.log1p,
      (x) => Math.log(1 + x),
      (s) => u(s, -0.7, 3),
    ),
  },
  {
    name: 'expm1',
    cases: unaryCases(
      ad.expm1,
      (x) => Math.exp(x) - 1,
      (s) => u(s),
    ),
    fwdTol: 1e-10,
  },
  { name: 'sqrt', cases: unaryCases(ad.sqrt, Math.sqrt, pos) },
  {
    name: 'square',
    cases: unaryCases(
      ad.square,
      (x) => x * x,
      (s) => u(s),
    ),
  },
  { name: 'abs', cases: unaryCases(ad.abs, Math.abs, nz) },
  { name: 'sin', cases: unaryCases(ad.sin, Math.sin, (s) => u(s, -4, 4)) },
  { name: 'cos', cases: unaryCases(ad.cos, Math.cos, (s) => u(s, -4, 4)) },
  { name: 'atan', cases: unaryCases(ad.atan, Math.atan, (s) => u(s, -3, 3)) },
  { name: 'tanh', cases: unaryCases(ad.tanh, Math.tanh, (s) => u(s, -3, 3)) },
  {
    name: 'sigmoid',
    cases: [
      ...unaryCases(ad.sigmoid, sigmoidRef, (s) => u(s, -4, 4)),
      {
        label: 'both tails',
        inputs: [fixed([4], [-40, -8, 8, 40])],
        fn: ad.sigmoid,
        ref: (a) => map1(a, sigmoidRef),
      },
    ],
  },
  { name: 'relu', cases: unaryCases(ad.relu, (x) => Math.max(x, 0), nz) },
  {
    name: 'softplus',
    cases: [
      ...unaryCases(ad.softplus, softplusRef, (s) => u(s, -4, 4)),
      {
        label: 'large inputs',
        inputs: [fixed([3], [-50, 30, 60])],
        fn: ad.softplus,
        ref: (a) => map1(a, (x) => (x > 30 ? x + Math.exp(-x) : Math.log1p(Math.exp(x)))),
      },
    ],
  },
  {
    name: 'clip',
    cases: [
      ...unaryCases(
        (x) => ad.clip(x, -0.5, 0.7),
        (x) => Math.min(Math.max(x, -0.5), 0.7),
        (s) => u(s, -2, 2, [-0.5, 0.7]),
      ),
      {
        label: 'lo = hi',
        inputs: [u([3], -2, 2, [0.2])],
        fn: (x) => ad.clip(x, 0.2, 0.2),
        ref: (a) => map1(a, () => 0.2),
      },
    ],
  },
  {
    name: 'sign',
    nonDifferentiable: true,
    cases: [
      ...unaryCases(ad.sign, Math.sign, nz),
      {
        label: 'zero',
        inputs: [fixed([3], [-0, 0, 2])],
        fn: ad.sign,
        ref: (a) => map1(a, (x) => (x === 0 ? 0 : Math.sign(x))),
      },
    ],
  },
  // ---- elementwise, binary
  {
    name: 'add',
    cases: binaryCases(
      ad.add,
      (x, y) => x + y,
      (s) => u(s),
      (s) => u(s),
    ),
  },
  {
    name: 'sub',
    cases: binaryCases(
      ad.sub,
      (x, y) => x - y,
      (s) => u(s),
      (s) => u(s),
    ),
  },
  {
    name: 'mul',
    cases: binaryCases(
      ad.mul,
      (x, y) => x * y,
      (s) => u(s),
      (s) => u(s),
    ),
  },
  {
    name: 'div',
    cases: binaryCases(
      ad.div,
      (x, y) => x / y,
      (s) => u(s),
      nz,
    ),
  },
  {
    name: 'pow',
    cases: [
      ...binaryCases(
        ad.pow,
        Math.pow,
        (s) => u(s, 0.4, 2),
        (s) => u(s, -2, 2),
      ),
      {
        label: 'negative base, integer exponent 3',
        inputs: [u([2, 2])],
        fn: (x) => ad.pow(x, 3),
        ref: (a) => map1(a, (x) => x ** 3),
      },
    ],
  },
  {
    name: 'maximum',
    cases: binaryCases(
      ad.maximum,
      Math.max,
      (s) => u(s),
      (s) => u(s),
    ),
  },
  {
    name: 'minimum',
    cases: binaryCases(
      ad.minimum,
      Math.min,
      (s) => u(s),
      (s) => u(s),
    ),
  },
  comparisonEntry('equal', ad.equal, (x, y) => x === y),
  comparisonEntry('notEqual', ad.notEqual, (x, y) => x !== y),
  comparisonEntry('greater', ad.greater, (x, y) => x > y),
  comparisonEntry('greaterEqual', ad.greaterEqual, (x, y) => x >= y),
  comparisonEntry('less', ad.less, (x, y) => x < y),
  comparisonEntry('lessEqual', ad.lessEqual, (x, y) => x <= y),
  {
    name: 'where',
    cases: [
      {
        label: 'cond [2,3], a [2,3], b [3]',
        inputs: [u([2, 3]), u([3])],
        fn: (a, b) => ad.where(T([2, 3], [1, 0, 0, 1, 1, 0]), a, b),
        ref: (a, b) => mapN([arr([2, 3], [1, 0, 0, 1, 1, 0]), a, b], (c, x, y) => (c ? x : y)),
      },
      {
        label: 'cond [3] broadcast over a [2,3], b 0-d',
        inputs: [u([2, 3]), u([])],
        fn: (a, b) => ad.where([true, false, true], a, b),
        ref: (a, b) => mapN([arr([3], [1, 0, 1]), a, b], (c, x, y) => (c ? x : y)),
      },
      {
        label: 'cond from a comparison, b a number',
        inputs: [u([4])],
        fn: (a) => ad.where(ad.greater(a, 0), ad.exp(a), 0.5),
        ref: (a) => map1(a, (x) => (x > 0 ? Math.exp(x) : 0.5)),
      },
      {
        label: 'cond scalar false',
        inputs: [u([2]), u([2])],
        fn: (a, b) => ad.where(false, a, b),
        ref: (_a, b) => b,
      },
      { label: 'empty', inputs: [u([0]), u([0])], fn: (a, b) => ad.where(T([0], []), a, b), ref: (a) => a },
    ],
  },
  // ---- reductions and scans
  { name: 'sum', cases: reductionCases(ad.sum, sumOf, (s) => u(s), true) },
  {
    name: 'mean',
    cases: reductionCases(
      ad.mean,
      (v) => sumOf(v) / v.length,
      (s) => u(s),
      false,
    ),
  },
  {
    name: 'max',
    cases: reductionCases(
      ad.max,
      (v) => Math.max(...v),
      (s) => u(s),
      false,
    ),
  },
  {
    name: 'min',
    cases: reductionCases(
      ad.min,
      (v) => Math.min(...v),
      (s) => u(s),
      false,
    ),
  },
  {
    name: 'logsumexp',
    cases: [
      ...reductionCases(ad.logsumexp, lseOf, (s) => u(s), false),
      {
        label: 'large values',
        inputs: [fixed([2, 2], [1000, 1001, -1000, -1002])],
        fn: (x) => ad.logsumexp(x, 1),
        ref: (a) => reduceRef(a, 1, false, lseOf),
      },
    ],
  },
  {
    name: 'cumsum',
    cases: scanCases(
      ad.cumsum,
      (a, x) => a + x,
      0,
      (s) => u(s),
    ),
  },
  {
    name: 'cumprod',
    cases: [
      ...scanCases(
        ad.cumprod,
        (a, x) => a * x,
        1,
        (s) => u(s, -1.6, 1.6),
      ),
      // the derivative at zeros is well defined (a product leaving x_k out); the rule must not divide by x
      ...(
        [
          ['one zero', [3], [2, 0, 3], 0, false, false],
          ['two zeros', [5], [2, 0, 3, 0, 1.5], 0, false, false],
          ['adjacent zeros, zero first', [4], [0, 0, 1.2, -2], 0, false, false],
          ['one zero, exclusive', [4], [1.5, 0, -2, 1.2], 0, true, false],
          ['two zeros, reverse', [4], [0, 1.5, 0, -1.2], 0, false, true],
          ['zeros per row, exclusive reverse axis 1 of [2,3]', [2, 3], [0, 1.5, 2, -1, 0, 0], 1, true, true],
          ['zeros, axis 0 of [3,2]', [3, 2], [1.5, 0, 0, 2, -1.2, 0], 0, false, false],
        ] as [string, number[], number[], number, boolean, boolean][]
      ).map(([label, shape, values, axis, exclusive, reverse]) => ({
        label,
        inputs: [fixed(shape, values)],
        fn: (x: Tensor) => ad.cumprod(x, axis, { exclusive, reverse }),
        ref: (a: Arr) => scanRef(a, axis, (p, v) => p * v, 1, exclusive, reverse),
      })),
    ],
  },
  // ---- movement
  {
    name: 'reshape',
    cases: [
      {
        label: '[2,3] -> [3,2]',
        inputs: [u([2, 3])],
        fn: (x) => ad.reshape(x, [3, 2]),
        ref: (a) => reshapeRef(a, [3, 2]),
      },
      {
        label: '[6] -> [1,6,1]',
        inputs: [u([6])],
        fn: (x) => ad.reshape(x, [1, 6, 1]),
        ref: (a) => reshapeRef(a, [1, 6, 1]),
      },
      {
        label: '0-d -> [1,1]',
        inputs: [u([])],
        fn: (x) => ad.reshape(x, [1, 1]),
        ref: (a) => reshapeRef(a, [1, 1]),
      },
      {
        label: '[1,1] -> 0-d',
        inputs: [u([1, 1])],
        fn: (x) => ad.reshape(x, []),
        ref: (a) => reshapeRef(a, []),
      },
      {
        label: '[2,3,2] -> [-1, 2]',
        inputs: [u([2, 3, 2])],
        fn: (x) => ad.reshape(x, [-1, 2]),
        ref: (a) => reshapeRef(a, [-1, 2]),
      },
      {
        label: 'empty [0,3] -> [3,0]',
        inputs: [u([0, 3])],
        fn: (x) => ad.reshape(x, [3, 0]),
        ref: (a) => reshapeRef(a, [3, 0]),
      },
    ],
  },
  {
    name: 'permute',
    cases: [
      {
        label: '[2,3,4] by [2,0,1]',
        inputs: [u([2, 3, 4])],
        fn: (x) => ad.permute(x, [2, 0, 1]),
        ref: (a) => permuteRef(a, [2, 0, 1]),
      },
      {
        label: '[2,3] by [1,0]',
        inputs: [u([2, 3])],
        fn: (x) => ad.permute(x, [1, 0]),
        ref: (a) => permuteRef(a, [1, 0]),
      },
      {
        label: 'negative axes [1,3,2] by [-1,0,1]',
        inputs: [u([1, 3, 2])],
        fn: (x) => ad.permute(x, [-1, 0, 1]),
        ref: (a) => permuteRef(a, [2, 0, 1]),
      },
      {
        label: 'size-1 [1,1,2] by [2,1,0]',
        inputs: [u([1, 1, 2])],
        fn: (x) => ad.permute(x, [2, 1, 0]),
        ref: (a) => permuteRef(a, [2, 1, 0]),
      },
      { label: 'identity', inputs: [u([2, 2])], fn: (x) => ad.permute(x, [0, 1]), ref: (a) => a },
      {
        label: 'empty [0,2]',
        inputs: [u([0, 2])],
        fn: (x) => ad.permute(x, [1, 0]),
        ref: (a) => permuteRef(a, [1, 0]),
      },
    ],
  },
  {
    name: 'transpose',
    cases: [
      { label: '[2,3]', inputs: [u([2, 3])], fn: (x) => ad.transpose(x), ref: (a) => permuteRef(a, [1, 0]) },
      {
        label: '[2,3,4] reversed',
        inputs: [u([2, 3, 4])],
        fn: (x) => ad.transpose(x),
        ref: (a) => permuteRef(a, [2, 1, 0]),
      },
      {
        label: '[2,3,4] by [0,2,1]',
        inputs: [u([2, 3, 4])],
        fn: (x) => ad.transpose(x, [0, 2, 1]),
        ref: (a) => permuteRef(a, [0, 2, 1]),
      },
      { label: '0-d', inputs: [u([])], fn: (x) => ad.transpose(x), ref: (a) => a },
    ],
  },
  {
    name: 'broadcastTo',
    cases: [
      {
        label: '[3] -> [2,3]',
        inputs: [u([3])],
        fn: (x) => ad.broadcastTo(x, [2, 3]),
        ref: (a) => broadcastToRef(a, [2, 3]),
      },
      {
        label: '[2,1] -> [2,4]',
        inputs: [u([2, 1])],
        fn: (x) => ad.broadcastTo(x, [2, 4]),
        ref: (a) => broadcastToRef(a, [2, 4]),
      },
      {
        label: '0-d -> [2,2]',
        inputs: [u([])],
        fn: (x) => ad.broadcastTo(x, [2, 2]),
        ref: (a) => broadcastToRef(a, [2, 2]),
      },
      {
        label: '[1,3,1] -> [2,3,2]',
        inputs: [u([1, 3, 1])],
        fn: (x) => ad.broadcastTo(x, [2, 3, 2]),
        ref: (a) => broadcastToRef(a, [2, 3, 2]),
      },
      {
        label: '[3] -> [0,3]',
        inputs: [u([3])],
        fn: (x) => ad.broadcastTo(x, [0, 3]),
        ref: (a) => broadcastToRef(a, [0, 3]),
      },
    ],
  },
  {
    name: 'expandDims',
    cases: [
      {
        label: '[2,3] axis 0',
        inputs: [u([2, 3])],
        fn: (x) => ad.expandDims(x, 0),
        ref: (a) => reshapeRef(a, [1, 2, 3]),
      },
      {
        label: '[2,3] axis -1',
        inputs: [u([2, 3])],
        fn: (x) => ad.expandDims(x, -1),
        ref: (a) => reshapeRef(a, [2, 3, 1]),
      },
      { label: '0-d', inputs: [u([])], fn: (x) => ad.expandDims(x, 0), ref: (a) => reshapeRef(a, [1]) },
    ],
  },
  {
    name: 'squeeze',
    cases: [
      {
        label: 'all of [1,3,1]',
        inputs: [u([1, 3, 1])],
        fn: (x) => ad.squeeze(x),
        ref: (a) => reshapeRef(a, [3]),
      },
      {
        label: 'axis -1 of [1,3,1]',
        inputs: [u([1, 3, 1])],
        fn: (x) => ad.squeeze(x, -1),
        ref: (a) => reshapeRef(a, [1, 3]),
      },
      { label: '[1] -> 0-d', inputs: [u([1])], fn: (x) => ad.squeeze(x, 0), ref: (a) => reshapeRef(a, []) },
    ],
  },
  {
    name: 'slice',
    cases: [
      {
        label: '[3,4] begin [1,1] size [2,-1]',
        inputs: [u([3, 4])],
        fn: (x) => ad.slice(x, [1, 1], [2, -1]),
        ref: (a) => sliceRef(a, [1, 1], [2, -1]),
      },
      {
        label: 'negative begin',
        inputs: [u([5])],
        fn: (x) => ad.slice(x, [-3], [2]),
        ref: (a) => sliceRef(a, [-3], [2]),
      },
      {
        label: 'to the end (no size)',
        inputs: [u([2, 3, 2])],
        fn: (x) => ad.slice(x, [0, 1, 1]),
        ref: (a) => sliceRef(a, [0, 1, 1], [-1, -1, -1]),
      },
      {
        label: 'empty slice',
        inputs: [u([3, 2])],
        fn: (x) => ad.slice(x, [1, 0], [0, 2]),
        ref: (a) => sliceRef(a, [1, 0], [0, 2]),
      },
      { label: '0-d', inputs: [u([])], fn: (x) => ad.slice(x, []), ref: (a) => a },
    ],
  },
  {
    name: 'concat',
    cases: [
      {
        label: '[2,3] + [1,3] axis 0',
        inputs: [u([2, 3]), u([1, 3])],
        fn: (a, b) => ad.concat([a, b], 0),
        ref: (a, b) => concatRef([a, b], 0),
      },
      {
        label: 'three along axis -1',
        inputs: [u([2, 1]), u([2, 3]), u([2, 2])],
        fn: (a, b, c) => ad.concat([a, b, c], -1),
        ref: (a, b, c) => concatRef([a, b, c], 1),
      },
      {
        label: 'same tensor twice',
        inputs: [u([3])],
        fn: (a) => ad.concat([a, ad.mul(a, a)]),
        ref: (a) => concatRef([a, map1(a, (x) => x * x)], 0),
      },
      {
        label: 'with an empty part',
        inputs: [u([0, 2]), u([2, 2])],
        fn: (a, b) => ad.concat([a, b], 0),
        ref: (a, b) => concatRef([a, b], 0),
      },
    ],
  },
  {
    name: 'stack',
    cases: [
      {
        label: 'two [3] axis 0',
        inputs: [u([3]), u([3])],
        fn: (a, b) => ad.stack([a, b]),
        ref: (a, b) => stackRef([a, b], 0),
      },
      {
        label: 'three [2,2] axis -1',
        inputs: [u([2, 2]), u([2, 2]), u([2, 2])],
        fn: (a, b, c) => ad.stack([a, b, c], -1),
        ref: (a, b, c) => stackRef([a, b, c], -1),
      },
      {
        label: '0-d',
        inputs: [u([]), u([])],
        fn: (a, b) => ad.stack([a, b]),
        ref: (a, b) => stackRef([a, b], 0),
      },
    ],
  },
  ...(['take', 'gather'] as const).map((name): OpEntry => {
    const take = name === 'take' ? ad.take : ad.gather;
    return {
      name,
      cases: [
        {
          label: 'repeated indices axis 0',
          inputs: [u([3, 2])],
          fn: (x) => take(x, [2, 0, 2]),
          ref: (a) => takeRef(a, arr([3], [2, 0, 2]), 0),
        },
        {
          label: '2-D indices axis 1',
          inputs: [u([2, 3])],
          fn: (x) => take(x, T([2, 2], [0, 1, 2, 2]), 1),
          ref: (a) => takeRef(a, arr([2, 2], [0, 1, 2, 2]), 1),
        },
        {
          label: 'size-1 axis [1,3], index 0 twice',
          inputs: [u([1, 3])],
          fn: (x) => take(x, [0, 0], 0),
          ref: (a) => takeRef(a, arr([2], [0, 0]), 0),
        },
        {
          label: 'negative indices',
          inputs: [u([4])],
          fn: (x) => take(x, [-1, -4]),
          ref: (a) => takeRef(a, arr([2], [-1, -4]), 0),
        },
        {
          label: '0-d index',
          inputs: [u([3, 2])],
          fn: (x) => take(x, T([], [1]), 0),
          ref: (a) => takeRef(a, arr([], [1]), 0),
        },
        {
          label: 'Int32Array, no indices',
          inputs: [u([3])],
          fn: (x) => take(x, new Int32Array(0)),
          ref: (a) => takeRef(a, arr([0], []), 0),
        },
      ],
    };
  }),
  {
    name: 'takeAlongAxis',
    cases: [
      {
        label: '[3,4] with [3,1] axis -1',
        inputs: [u([3, 4])],
        fn: (x) => ad.takeAlongAxis(x, T([3, 1], [3, 0, 3]), -1),
        ref: (a) => takeAlongAxisRef(a, arr([3, 1], [3, 0, 3]), -1),
      },
      {
        label: '[3,2] with [2,2] axis 0',
        inputs: [u([3, 2])],
        fn: (x) => ad.takeAlongAxis(x, T([2, 2], [0, 2, 2, 2]), 0),
        ref: (a) => takeAlongAxisRef(a, arr([2, 2], [0, 2, 2, 2]), 0),
      },
      {
        label: 'indices broadcast [1,3] over [2,4] axis 1',
        inputs: [u([2, 4])],
        fn: (x) => ad.takeAlongAxis(x, T([1, 3], [1, -1, 1]), 1),
        ref: (a) => takeAlongAxisRef(a, arr([1, 3], [1, -1, 1]), 1),
      },
      {
        label: 'size-1 rows [1,4] with [1,2]',
        inputs: [u([1, 4])],
        fn: (x) => ad.takeAlongAxis(x, T([1, 2], [3, 3]), 1),
        ref: (a) => takeAlongAxisRef(a, arr([1, 2], [3, 3]), 1),
      },
      {
        label: '1-D with a plain array',
        inputs: [u([4])],
        fn: (x) => ad.takeAlongAxis(x, [2, 2, 0]),
        ref: (a) => takeAlongAxisRef(a, arr([3], [2, 2, 0]), 0),
      },
    ],
  },
  {
    name: 'oneHot',
    nonDifferentiable: true,
    cases: [
      {
        label: '[0,2,1] depth 3',
        inputs: [],
        fn: () => ad.oneHot([0, 2, 1], 3),
        ref: () => oneHotRef(arr([3], [0, 2, 1]), 3),
      },
      {
        label: '2-D indices, negative',
        inputs: [],
        fn: () => ad.oneHot(T([2, 2], [0, -1, 1, 1]), 4),
        ref: () => oneHotRef(arr([2, 2], [0, -1, 1, 1]), 4),
      },
      {
        label: '0-d index',
        inputs: [],
        fn: () => ad.oneHot(T([], [1]), 2),
        ref: () => oneHotRef(arr([], [1]), 2),
      },
      { label: 'no indices', inputs: [], fn: () => ad.oneHot([], 2), ref: () => oneHotRef(arr([0], []), 2) },
    ],
  },
  {
    name: 'sumTo',
    cases: [
      {
        label: '[2,3,4] -> [3,1]',
        inputs: [u([2, 3, 4])],
        fn: (x) => ad.sumTo(x, [3, 1]),
        ref: (a) => sumToRef(a, [3, 1]),
      },
      { label: '[2,3] -> 0-d', inputs: [u([2, 3])], fn: (x) => ad.sumTo(x, []), ref: (a) => sumToRef(a, []) },
      {
        label: '[2,3] -> [1,3]',
        inputs: [u([2, 3])],
        fn: (x) => ad.sumTo(x, [1, 3]),
        ref: (a) => sumToRef(a, [1, 3]),
      },
      {
        label: '[1,3] -> [3]',
        inputs: [u([1, 3])],
        fn: (x) => ad.sumTo(x, [3]),
        ref: (a) => sumToRef(a, [3]),
      },
      { label: 'same shape', inputs: [u([2, 2])], fn: (x) => ad.sumTo(x, [2, 2]), ref: (a) => a },
      {
        label: '[0,3] -> [3]',
        inputs: [u([0, 3])],
        fn: (x) => ad.sumTo(x, [3]),
        ref: (a) => sumToRef(a, [3]),
      },
    ],
  },
  // ---- linear algebra
  {
    name: 'matmul',
    fwdTol: 1e-11,
    cases: [
      { label: '[2,3] @ [3,4]', inputs: [u([2, 3]), u([3, 4])], fn: ad.matmul, ref: matmulRef },
      { label: '[3] @ [3,4]', inputs: [u([3]), u([3, 4])], fn: ad.matmul, ref: matmulRef },
      { label: '[2,3] @ [3]', inputs: [u([2, 3]), u([3])], fn: ad.matmul, ref: matmulRef },
      { label: '[3] @ [3] -> 0-d', inputs: [u([3]), u([3])], fn: ad.matmul, ref: matmulRef },
      { label: 'batch [2,3,4] @ [4,2]', inputs: [u([2, 3, 4]), u([4, 2])], fn: ad.matmul, ref: matmulRef },
      {
        label: 'broadcast batch [2,1,2,3] @ [3,3,2]',
        inputs: [u([2, 1, 2, 3]), u([3, 3, 2])],
        fn: ad.matmul,
        ref: matmulRef,
      },
      { label: '[3,2] @ batch [2,2,3]', inputs: [u([3, 2]), u([2, 2, 3])], fn: ad.matmul, ref: matmulRef },
      { label: '[1,1] @ [1,1]', inputs: [u([1, 1]), u([1, 1])], fn: ad.matmul, ref: matmulRef },
      { label: 'empty inner [2,0] @ [0,3]', inputs: [u([2, 0]), u([0, 3])], fn: ad.matmul, ref: matmulRef },
      {
        label: 'batch, empty inner [2,3,0] @ [0,2]',
        inputs: [u([2, 3, 0]), u([0, 2])],
        fn: ad.matmul,
        ref: matmulRef,
      },
      {
        label: 'empty batch [0,2,3] @ [3,2]',
        inputs: [u([0, 2, 3]), u([3, 2])],
        fn: ad.matmul,
        ref: matmulRef,
      },
      { label: 'empty rows [0,3] @ [3,2]', inputs: [u([0, 3]), u([3, 2])], fn: ad.matmul, ref: matmulRef },
      {
        label: 'same tensor twice: x @ x',
        inputs: [u([3, 3])],
        fn: (x) => ad.matmul(x, x),
        ref: (a) => matmulRef(a, a),
      },
    ],
  },
  {
    name: 'dot',
    cases: [
      { label: '[4] . [4]', inputs: [u([4]), u([4])], fn: ad.dot, ref: matmulRef },
      { label: '[2,3] . [3,2]', inputs: [u([2, 3]), u([3, 2])], fn: ad.dot, ref: matmulRef },
      { label: '[1] . [1]', inputs: [u([1]), u([1])], fn: ad.dot, ref: matmulRef },
    ],
  },
  {
    name: 'outer',
    cases: [
      {
        label: '[3] x [4]',
        inputs: [u([3]), u([4])],
        fn: ad.outer,
        ref: (a, b) => map2(reshapeRef(a, [3, 1]), reshapeRef(b, [1, 4]), (x, y) => x * y),
      },
      {
        label: '[1] x 0-d',
        inputs: [u([1]), u([])],
        fn: ad.outer,
        ref: (a, b) => map2(reshapeRef(a, [1, 1]), reshapeRef(b, [1, 1]), (x, y) => x * y),
      },
      {
        label: '[2,2] flattened x [2]',
        inputs: [u([2, 2]), u([2])],
        fn: ad.outer,
        ref: (a, b) => map2(reshapeRef(a, [4, 1]), reshapeRef(b, [1, 2]), (x, y) => x * y),
      },
    ],
  },
  {
    name: 'solve',
    fwdTol: 1e-10,
    cases: [
      { label: 'A [3,3], b [3]', inputs: [fixed([3, 3], A3), u([3])], fn: ad.solve, ref: solveRef },
      { label: 'A [3,3], B [3,2]', inputs: [fixed([3, 3], A3), u([3, 2])], fn: ad.solve, ref: solveRef },
      { label: 'A [1,1]', inputs: [fixed([1, 1], [1.7]), u([1])], fn: ad.solve, ref: solveRef },
      {
        label: 'random A [2,2] + 3I',
        inputs: [u([2, 2])],
        fn: (a) => ad.solve(ad.add(a, ad.mul(ad.eye(2, a.dtype), 3)), ad.tensor([1, -2], { dtype: a.dtype })),
        ref: (a) =>
          solveRef(
            map2(a, arr([2, 2], [3, 0, 0, 3]), (x, y) => x + y),
            arr([2], [1, -2]),
          ),
      },
    ],
  },
  // ---- nn and log-densities
  {
    name: 'logSoftmax',
    cases: [
      {
        label: '[2,4] axis -1',
        inputs: [u([2, 4])],
        fn: (x) => ad.logSoftmax(x),
        ref: (a) => logSoftmaxRef(a, -1),
      },
      {
        label: '[3,2] axis 0',
        inputs: [u([3, 2])],
        fn: (x) => ad.logSoftmax(x, 0),
        ref: (a) => logSoftmaxRef(a, 0),
      },
      { label: '[1]', inputs: [u([1])], fn: (x) => ad.logSoftmax(x), ref: (a) => logSoftmaxRef(a, 0) },
      {
        label: 'large logits',
        inputs: [fixed([3], [1000, 999, -1000])],
        fn: (x) => ad.logSoftmax(x),
        ref: (a) => logSoftmaxRef(a, 0),
      },
    ],
  },
  {
    name: 'softmax',
    cases: [
      {
        label: '[2,4] axis -1',
        inputs: [u([2, 4])],
        fn: (x) => ad.softmax(x),
        ref: (a) => map1(logSoftmaxRef(a, -1), Math.exp),
      },
      {
        label: '[3,2,2] axis 1',
        inputs: [u([3, 2, 2])],
        fn: (x) => ad.softmax(x, 1),
        ref: (a) => map1(logSoftmaxRef(a, 1), Math.exp),
      },
      {
        label: '[1,3] axis -1',
        inputs: [u([1, 3])],
        fn: (x) => ad.softmax(x),
        ref: (a) => map1(logSoftmaxRef(a, -1), Math.exp),
      },
      {
        label: 'large logits',
        inputs: [fixed([3], [800, 801, 0])],
        fn: (x) => ad.softmax(x),
        ref: (a) => map1(logSoftmaxRef(a, 0), Math.exp),
      },
    ],
  },
  {
    name: 'gaussianLogProb',
    cases: [
      {
        label: 'x, mean [4,2], logStd [2]',
        inputs: [u([4, 2]), u([4, 2]), u([2], -1, 1)],
        fn: ad.gaussianLogProb,
        ref: gaussianRef,
      },
      {
        label: 'x [3], mean 0-d, logStd [3]',
        inputs: [u([3]), u([]), u([3], -1, 1)],
        fn: ad.gaussianLogProb,
        ref: gaussianRef,
      },
      { label: 'all 0-d', inputs: [u([]), u([]), u([], -1, 1)], fn: ad.gaussianLogProb, ref: gaussianRef },
      {
        label: 'numbers for mean and logStd',
        inputs: [u([2, 3])],
        fn: (x) => ad.gaussianLogProb(x, 0.5, -0.3),
        ref: (x) => gaussianRef(x, arr([], [0.5]), arr([], [-0.3])),
      },
    ],
  },
  {
    name: 'categoricalLogProb',
    cases: [
      {
        label: 'logits [3,4], actions [3]',
        inputs: [u([3, 4])],
        fn: (l) => ad.categoricalLogProb(l, [3, 0, 1]),
        ref: (l) => reshapeRef(takeAlongAxisRef(logSoftmaxRef(l, -1), arr([3, 1], [3, 0, 1]), -1), [3]),
      },
      {
        label: 'logits [1,2], actions [1]',
        inputs: [u([1, 2])],
        fn: (l) => ad.categoricalLogProb(l, [1]),
        ref: (l) => arr([1], [logSoftmaxRef(l, -1).data[1]]),
      },
      {
        label: 'logits [4], 0-d action',
        inputs: [u([4])],
        fn: (l) => ad.categoricalLogProb(l, T([], [2])),
        ref: (l) => arr([], [logSoftmaxRef(l, 0).data[2]]),
      },
      {
        label: 'logits [2,2,3], actions tensor [2,2]',
        inputs: [u([2, 2, 3])],
        fn: (l) => ad.categoricalLogProb(l, T([2, 2], [0, 2, 1, 1])),
        ref: (l) =>
          reshapeRef(takeAlongAxisRef(logSoftmaxRef(l, -1), arr([2, 2, 1], [0, 2, 1, 1]), -1), [2, 2]),
      },
    ],
  },
];

/**
 * Exports of src/index.ts that are not tensor ops (creators, transforms, classes, errors,
 * randomness, backend controls, pytree helpers). Everything else must be in OP_TABLE.
 */
export const NOT_OPS: readonly string[] = [
  // classes and errors
  'Tensor',
  'Rng',
  'Adam',
  'Sgd',
  'ArgumentError',
  'NonFiniteError',
  'ShapeError',
  'UnsupportedDerivativeError',
  'fmtShape',
  // creators
  'tensor',
  'scalar',
  'zeros',
  'ones',
  'full',
  'eye',
  'arange',
  'zerosLike',
  'onesLike',
  'fromNdarray',
  'toNdarray',
  'randomUniform',
  'randomNormal',
  'randomCategorical',
  // transforms (stopGradient is tested in second-order.test.ts: its derivative is zero by design)
  'grad',
  'valueAndGrad',
  'vjp',
  'vjpWithAux',
  'jvp',
  'hvp',
  'jacobian',
  'hessian',
  'stopGradient',
  'flattenTree',
  'mapTree',
  'treeLeaves',
  'checkGrad',
  'checkGradGrad',
  // engine switches and backend
  'setFiniteCheck',
  'getFiniteCheck',
  'matmulKernel',
  'referenceMatmul',
  'cpuMatmul',
  'gpuMatmul',
  'setBackend',
  'getBackend',
  'setAutoThreshold',
  'calibrateAutoThreshold',
  'shutdownGpu',
  'setNumThreads',
  'getNumThreads',
  'shutdownThreads',
  'profileMatmuls',
];
