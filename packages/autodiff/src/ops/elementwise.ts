import { type TensorLike, toTensor } from '../creation';
import { allocate, resultDtype } from '../dtype';
import { ArgumentError } from '../errors';
import { type Kernel, makeKernel } from '../kernels/elementwise';
import { tanh as fastTanh } from '../kernels/math';
import { broadcastShapes, broadcastStrides, type Shape, sizeOf } from '../shape';
import { Tensor } from '../tensor';
import { sumTo } from './broadcast';
import { emit } from './emit';
import type { VjpRule } from './rule';
import { wants } from './rule';

/** Elementwise primitives with derivative rules (comparisons have none: their outputs are constants). */
export const ELEMENTWISE_OPS = [
  'add',
  'sub',
  'mul',
  'div',
  'pow',
  'maximum',
  'minimum',
  'neg',
  'exp',
  'log',
  'log1p',
  'expm1',
  'sqrt',
  'square',
  'abs',
  'sin',
  'cos',
  'tanh',
  'tanhBackward',
  'sigmoid',
  'relu',
  'softplus',
  'clip',
  'where',
] as const;
export type ElementwiseOp = (typeof ELEMENTWISE_OPS)[number];

const K = {
  add: makeKernel(2, 'x + y'),
  sub: makeKernel(2, 'x - y'),
  mul: makeKernel(2, 'x * y'),
  div: makeKernel(2, 'x / y'),
  pow: makeKernel(2, 'Math.pow(x, y)'),
  maximum: makeKernel(2, '(x >= y || x !== x ? x : y)'),
  minimum: makeKernel(2, '(x <= y || x !== x ? x : y)'),
  neg: makeKernel(1, '-x'),
  exp: makeKernel(1, 'Math.exp(x)'),
  log: makeKernel(1, 'Math.log(x)'),
  log1p: makeKernel(1, 'Math.log1p(x)'),
  expm1: makeKernel(1, 'Math.expm1(x)'),
  sqrt: makeKernel(1, 'Math.sqrt(x)'),
  square: makeKernel(1, 'x * x'),
  abs: makeKernel(1, 'Math.abs(x)'),
  sin: makeKernel(1, 'Math.sin(x)'),
  cos: makeKernel(1, 'Math.cos(x)'),
  tanh: makeKernel(1, 'tanh(x)', { tanh: fastTanh }),
  // g * (1 - y^2): the tanh derivative fused into one pass (x = g, y = tanh output)
  tanhBackward: makeKernel(2, 'x * (1 - y * y)'),
  // stable in both tails
  sigmoid: makeKernel(1, '(x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)))'),
  relu: makeKernel(1, '(x > 0 ? x : (x !== x ? x : 0))'),
  softplus: makeKernel(1, '(x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)))'),
  clip: makeKernel(1, '(x < p0 ? p0 : (x > p1 ? p1 : x))'),
  where: makeKernel(3, '(x !== 0 ? y : z)'),
  // constant-valued helpers (no derivative)
  sign: makeKernel(1, '(x > 0 ? 1 : (x < 0 ? -1 : (x === 0 ? 0 : x)))'),
  equal: makeKernel(2, '(x === y ? 1 : 0)'),
  notEqual: makeKernel(2, '(x !== y ? 1 : 0)'),
  greater: makeKernel(2, '(x > y ? 1 : 0)'),
  greaterEqual: makeKernel(2, '(x >= y ? 1 : 0)'),
  less: makeKernel(2, '(x < y ? 1 : 0)'),
  lessEqual: makeKernel(2, '(x <= y ? 1 : 0)'),
  inRange: makeKernel(1, '(x >= p0 && x <= p1 ? 1 : 0)'),
  tieShare: makeKernel(2, '(x > y ? 1 : (x === y ? 0.5 : 0))'),
};

/** Run an n-ary kernel with broadcasting; returns storage and shape of the result. */
function runKernel(
  op: string,
  kernel: Kernel,
  inputs: Tensor[],
  p0 = 0,
  p1 = 0,
  dtypeFrom = 0,
): { data: Float64Array | Float32Array; shape: Shape } {
  let shape: Shape = inputs[0].shape;
  // inputs before `dtypeFrom` (where's condition) shape the result but do not set its dtype
  let dtype = inputs[dtypeFrom].dtype;
  for (let i = 1; i < inputs.length; i++) {
    shape = broadcastShapes(op, shape, inputs[i].shape);
    if (i >= dtypeFrom) dtype = resultDtype(dtype, inputs[i].dtype);
  }
  const size = sizeOf(shape);
  const data = allocate(dtype, size);
  // flat loop when every input is either full-size (same layout) or a single value
  let flat = true;
  for (const x of inputs) if (x.size !== size && x.size !== 1) flat = false;
  const strides = flat ? null : inputs.map((x) => broadcastStrides(x.shape, shape));
  kernel(
    inputs.map((x) => x.data),
    data,
    shape,
    strides,
    p0,
    p1,
  );
  return { data, shape };
}

function unary(op: ElementwiseOp, x: TensorLike, p0 = 0, p1 = 0, attrs: unknown = null): Tensor {
  const t = toTensor(x);
  const { data, shape } = runKernel(op, K[op as keyof typeof K], [t], p0, p1);
  return emit(op, data, shape, [t], attrs);
}

function binary(op: ElementwiseOp, a: TensorLike, b: TensorLike): Tensor {
  const ta = toTensor(a, b instanceof Tensor ? b : undefined);
  const tb = toTensor(b, ta);
  const { data, shape } = runKernel(op, K[op as keyof typeof K], [ta, tb]);
  return emit(op, data, shape, [ta, tb]);
}

/** A constant (untracked) result: comparisons and masks. */
function constant(name: keyof typeof K, inputs: TensorLike[], p0 = 0, p1 = 0): Tensor {
  const ts: Tensor[] = [];
  for (const x of inputs) ts.push(toTensor(x, inputs.find((y) => y instanceof Tensor) as Tensor | undefined));
  const { data, shape } = runKernel(name, K[name], ts, p0, p1);
  return new Tensor(data, shape, data.length);
}

export const add = (a: TensorLike, b: TensorLike): Tensor => binary('add', a, b);
export const sub = (a: TensorLike, b: TensorLike): Tensor => binary('sub', a, b);
export const mul = (a: TensorLike, b: TensorLike): Tensor => binary('mul', a, b);
export const div = (a: TensorLike, b: TensorLike): Tensor => binary('div', a, b);
export const pow = (a: TensorLike, b: TensorLike): Tensor => binary('pow', a, b);
/** Elementwise max; at ties the derivative is shared equally between the inputs. */
export const maximum = (a: TensorLike, b: TensorLike): Tensor => binary('maximum', a, b);
export const minimum = (a: TensorLike, b: TensorLike): Tensor => binary('minimum', a, b);
export const neg = (x: TensorLike): Tensor => unary('neg', x);
export const exp = (x: TensorLike): Tensor => unary('exp', x);
export const log = (x: TensorLike): Tensor => unary('log', x);
export const log1p = (x: TensorLike): Tensor => unary('log1p', x);
export const expm1 = (x: TensorLike): Tensor => unary('expm1', x);
export const sqrt = (x: TensorLike): Tensor => unary('sqrt', x);
export const square = (x: TensorLike): Tensor => unary('square', x);
export const abs = (x: TensorLike): Tensor => unary('abs', x);
export const sin = (x: TensorLike): Tensor => unary('sin', x);
export const cos = (x: TensorLike): Tensor => unary('cos', x);
export const tanh = (x: TensorLike): Tensor => unary('tanh', x);
export const sigmoid = (x: TensorLike): Tensor => unary('sigmoid', x);
export const relu = (x: TensorLike): Tensor => unary('relu', x);
export const softplus = (x: TensorLike): Tensor => unary('softplus', x);

/** g · (1 − y²) in one pass: the derivative of tanh given its output y. */
export const tanhBackward = (g: Tensor, y: Tensor): Tensor => binary('tanhBackward', g, y);

/** Clamp into [lo, hi]; the derivative is 1 inside (bounds included) and 0 outside. */
export function clip(x: TensorLike, lo: number, hi: number): Tensor {
  if (Number.isNaN(lo) || Number.isNaN(hi) || lo > hi)
    throw new ArgumentError(`clip: need lo <= hi, got lo=${lo}, hi=${hi}`);
  return unary('clip', x, lo, hi, [lo, hi]);
}

/** Select `a` where `cond` is non-zero (true), else `b`; cond is a 0/1 tensor or booleans. */
export function where(cond: Tensor | boolean[] | number[] | boolean, a: TensorLike, b: TensorLike): Tensor {
  const c = cond instanceof Tensor ? cond : Array.isArray(cond) ? fromBooleans(cond) : toTensor(cond ? 1 : 0);
  const ta = toTensor(a, b instanceof Tensor ? b : undefined);
  const tb = toTensor(b, ta);
  const { data, shape } = runKernel('where', K.where, [c, ta, tb], 0, 0, 1);
  return emit('where', data, shape, [c, ta, tb]);
}

function fromBooleans(v: readonly (boolean | number)[]): Tensor {
  const d = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) d[i] = v[i] ? 1 : 0;
  return new Tensor(d, [v.length], v.length);
}

// comparisons: 0/1 tensors that are constants for differentiation
export const equal = (a: TensorLike, b: TensorLike): Tensor => constant('equal', [a, b]);
export const notEqual = (a: TensorLike, b: TensorLike): Tensor => constant('notEqual', [a, b]);
export const greater = (a: TensorLike, b: TensorLike): Tensor => constant('greater', [a, b]);
export const greaterEqual = (a: TensorLike, b: TensorLike): Tensor => constant('greaterEqual', [a, b]);
export const less = (a: TensorLike, b: TensorLike): Tensor => constant('less', [a, b]);
export const lessEqual = (a: TensorLike, b: TensorLike): Tensor => constant('lessEqual', [a, b]);
/** −1, 0 or 1 (a constant for differentiation). */
export const sign = (x: TensorLike): Tensor => constant('sign', [x]);

const inRange = (x: Tensor, lo: number, hi: number): Tensor => constant('inRange', [x], lo, hi);

export const elementwiseRules: Record<ElementwiseOp, VjpRule> = {
  add: (g, o) => {
    const [a, b] = o.inputs!;
    return [wants(a) ? sumTo(g, a.shape) : null, wants(b) ? sumTo(g, b.shape) : null];
  },
  sub: (g, o) => {
    const [a, b] = o.inputs!;
    return [wants(a) ? sumTo(g, a.shape) : null, wants(b) ? sumTo(neg(g), b.shape) : null];
  },
  mul: (g, o) => {
    const [a, b] = o.inputs!;
    return [wants(a) ? sumTo(mul(g, b), a.shape) : null, wants(b) ? sumTo(mul(g, a), b.shape) : null];
  },
  div: (g, o) => {
    const [a, b] = o.inputs!;
    return [
      wants(a) ? sumTo(div(g, b), a.shape) : null,
      wants(b) ? sumTo(neg(div(mul(g, o), b)), b.shape) : null,
    ];
  },
  pow: (g, o) => {
    const [a, b] = o.inputs!;
    return [
      wants(a) ? sumTo(mul(g, mul(b, pow(a, sub(b, 1)))), a.shape) : null,
      wants(b) ? sumTo(mul(g, mul(o, log(a))), b.shape) : null,
    ];
  },
  maximum: (g, o) => {
    const [a, b] = o.inputs!;
    return [
      wants(a) ? sumTo(mul(g, constant('tieShare', [a, b])), a.shape) : null,
      wants(b) ? sumTo(mul(g, constant('tieShare', [b, a])), b.shape) : null,
    ];
  },
  minimum: (g, o) => {
    const [a, b] = o.inputs!;
    return [
      wants(a) ? sumTo(mul(g, constant('tieShare', [b, a])), a.shape) : null,
      wants(b) ? sumTo(mul(g, constant('tieShare', [a, b])), b.shape) : null,
    ];
  },
  neg: (g) => [neg(g)],
  exp: (g, o) => [mul(g, o)],
  log: (g, o) => [div(g, o.inputs![0])],
  log1p: (g, o) => [div(g, add(o.inputs![0], 1))],
  expm1: (g, o) => [mul(g, add(o, 1))],
  sqrt: (g, o) => [div(g, mul(o, 2))],
  square: (g, o) => [mul(g, mul(o.inputs![0], 2))],
  abs: (g, o) => [mul(g, sign(o.inputs![0]))],
  sin: (g, o) => [mul(g, cos(o.inputs![0]))],
  cos: (g, o) => [neg(mul(g, sin(o.inputs![0])))],
  tanh: (g, o) => [tanhBackward(g, o)],
  tanhBackward: (gg, o) => {
    const [g, y] = o.inputs!;
    return [wants(g) ? tanhBackward(gg, y) : null, wants(y) ? mul(gg, mul(g, mul(y, -2))) : null];
  },
  sigmoid: (g, o) => [mul(g, mul(o, sub(1, o)))],
  relu: (g, o) => [mul(g, greater(o.inputs![0], 0))],
  softplus: (g, o) => [mul(g, sigmoid(o.inputs![0]))],
  clip: (g, o) => {
    const [lo, hi] = o.attrs as [number, number];
    return [mul(g, inRange(o.inputs![0], lo, hi))];
  },
  where: (g, o) => {
    const [c, a, b] = o.inputs!;
    return [
      null,
      wants(a) ? sumTo(where(c, g, 0), a.shape) : null,
      wants(b) ? sumTo(where(c, 0, g), b.shape) : null,
    ];
  },
};
