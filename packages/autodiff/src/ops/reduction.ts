import { eye, type TensorLike, toTensor } from '../creation';
import { allocate } from '../dtype';
import { type ReduceKind, reduceInto } from '../kernels/reduce';
import { scanInto } from '../kernels/scan';
import { normalizeAxes, normalizeAxis, reducedShape, sizeOf } from '../shape';
import { Tensor } from '../tensor';
import { equal } from './elementwise/compare';
import { div, exp, mul, sub, where } from './elementwise/spec';
import { emit } from './emit';
import { broadcastTo, expandDims, reshape } from './movement';
import type { RulesFor } from './rule';

type Axes = number | readonly number[] | null | undefined;

interface ReduceAttrs {
  axes: number[];
  keepShape: number[];
}

interface ScanAttrs {
  axis: number;
  exclusive: boolean;
  reverse: boolean;
}

/** The reductions and scans, with the attrs each node carries. */
export interface ReductionAttrs {
  sum: ReduceAttrs;
  max: ReduceAttrs;
  min: ReduceAttrs;
  logsumexp: ReduceAttrs;
  cumsum: ScanAttrs;
  cumprod: ScanAttrs;
}

function reduce(op: ReduceKind, x: TensorLike, axes: Axes, keepDims: boolean): Tensor {
  const t = toTensor(x, op, 'x');
  const ax = normalizeAxes(op, axes, t.ndim);
  const keepShape = reducedShape(t.shape, ax, true);
  if (op !== 'sum' && t.size === 0)
    throw new RangeError(`${op}: cannot reduce an empty tensor of shape [${t.shape.join(', ')}]`);
  const data = allocate(t.dtype, sizeOf(keepShape));
  reduceInto(op, t.data, t.shape, ax, data);
  const attrs: ReduceAttrs = { axes: ax, keepShape };
  return emit(op, data, keepDims ? keepShape : reducedShape(t.shape, ax, false), [t], attrs);
}

/** Sum over `axes` (all when omitted). */
// Declared as functions, not consts: Tensor's fluent methods refer to these types, and a const's
// type in that cycle would be inferred as any.
export function sum(x: TensorLike, axes?: Axes, keepDims = false): Tensor {
  return reduce('sum', x, axes, keepDims);
}
/** Max over `axes`; ties share the derivative equally. */
export function max(x: TensorLike, axes?: Axes, keepDims = false): Tensor {
  return reduce('max', x, axes, keepDims);
}
export function min(x: TensorLike, axes?: Axes, keepDims = false): Tensor {
  return reduce('min', x, axes, keepDims);
}

/** Mean over `axes` (all when omitted). */
export function mean(x: TensorLike, axes?: Axes, keepDims = false): Tensor {
  const t = toTensor(x, 'mean', 'x');
  const ax = normalizeAxes('mean', axes, t.ndim);
  let count = 1;
  for (const a of ax) count *= t.shape[a];
  if (count === 0)
    throw new RangeError(`mean: cannot average over an empty axis of shape [${t.shape.join(', ')}]`);
  return div(sum(t, ax, keepDims), count);
}

/** log Σ exp(x) over `axes`, shifted by the max so it neither overflows nor underflows. */
export function logsumexp(x: TensorLike, axes?: Axes, keepDims = false): Tensor {
  const t = toTensor(x, 'logsumexp', 'x');
  const ax = normalizeAxes('logsumexp', axes, t.ndim);
  const keepShape = reducedShape(t.shape, ax, true);
  if (t.size === 0)
    throw new RangeError(`logsumexp: cannot reduce an empty tensor of shape [${t.shape.join(', ')}]`);
  const m = allocate(t.dtype, sizeOf(keepShape));
  reduceInto('max', t.data, t.shape, ax, m);
  for (let i = 0; i < m.length; i++) if (!Number.isFinite(m[i])) m[i] = Number.isNaN(m[i]) ? m[i] : 0;
  // exp(x - m) through the broadcast kernel, summed, then log + m
  const shifted = sub(new Tensor(t.data, t.shape, t.size), new Tensor(m, keepShape, m.length));
  const e = exp(shifted).data;
  const s = allocate(t.dtype, m.length);
  reduceInto('sum', e, t.shape, ax, s);
  for (let i = 0; i < s.length; i++) s[i] = Math.log(s[i]) + m[i];
  const attrs: ReduceAttrs = { axes: ax, keepShape };
  return emit('logsumexp', s, keepDims ? keepShape : reducedShape(t.shape, ax, false), [t], attrs);
}

export interface ScanOptions {
  /** Leave out the element itself: out[t] = x[0] ⊕ … ⊕ x[t−1] (the unit at t = 0). */
  exclusive?: boolean;
  /** Scan from the end: out[t] = x[t] ⊕ … ⊕ x[n−1]. */
  reverse?: boolean;
}

function scan(op: 'cumsum' | 'cumprod', x: TensorLike, axis: number, opts: ScanOptions): Tensor {
  const t = toTensor(x, op, 'x');
  const ax = normalizeAxis(op, axis, t.ndim);
  const outer = sizeOf(t.shape.slice(0, ax));
  const inner = sizeOf(t.shape.slice(ax + 1));
  const data = allocate(t.dtype, t.size);
  const attrs: ScanAttrs = { axis: ax, exclusive: !!opts.exclusive, reverse: !!opts.reverse };
  scanInto(
    op === 'cumsum' ? 'sum' : 'prod',
    t.data,
    outer,
    t.shape[ax],
    inner,
    attrs.exclusive,
    attrs.reverse,
    data,
  );
  return emit(op, data, t.shape, [t], attrs);
}

/** Cumulative sum along `axis` (inclusive by default; exclusive and reverse as options). */
export function cumsum(x: TensorLike, axis = -1, opts: ScanOptions = {}): Tensor {
  return scan('cumsum', x, axis, opts);
}
/** Cumulative product along `axis` (differentiable at zeros too, at any order). */
export function cumprod(x: TensorLike, axis = -1, opts: ScanOptions = {}): Tensor {
  return scan('cumprod', x, axis, opts);
}

/** Cotangent of a reduction's output, reshaped to keepDims and broadcast back over the input. */
function spread(g: Tensor, x: Tensor, keepShape: readonly number[]): Tensor {
  return broadcastTo(reshape(g, keepShape), x.shape);
}

function extremumRule(
  g: Tensor,
  o: Tensor,
  [x]: readonly Tensor[],
  { axes, keepShape }: ReduceAttrs,
): Tensor[] {
  const hit = equal(x, new Tensor(o.data, keepShape, o.size));
  const share = div(hit, sum(hit, axes, true));
  return [mul(spread(g, x, keepShape), share)];
}

/**
 * ∂y_t/∂x_k is the product over t's window with x_k left out (0 when k is outside it). As a
 * table over a new axis k after the scan axis: x with its own entry replaced by 1, scanned like
 * the forward, times the window mask (the same scan of the identity). No division by x, so it
 * is exact at zeros, and built from differentiable ops, so second order works. Costs n× the
 * forward's memory along the scan axis.
 */
function cumprodVjp(g: Tensor, x: Tensor, axis: number, exclusive: boolean, reverse: boolean): Tensor {
  const n = x.shape[axis];
  const ones = (k: number) => new Array<number>(k).fill(1);
  const id = reshape(eye(n, x.dtype), [...ones(axis), n, n, ...ones(x.ndim - axis - 1)]);
  const leftOut = where(id, 1, expandDims(x, axis + 1));
  const opts = { exclusive, reverse };
  const jac = mul(cumprod(leftOut, axis, opts), cumsum(id, axis, opts));
  return sum(mul(expandDims(g, axis + 1), jac), axis);
}

export const reductionRules: RulesFor<ReductionAttrs> = {
  sum: (g, _o, [x], { keepShape }) => [spread(g, x, keepShape)],
  max: extremumRule,
  min: extremumRule,
  logsumexp: (g, o, [x], { keepShape }) => [mul(spread(g, x, keepShape), exp(sub(x, reshape(o, keepShape))))],
  cumsum: (g, _o, _x, { axis, exclusive, reverse }) => [cumsum(g, axis, { exclusive, reverse: !reverse })],
  cumprod: (g, _o, [x], { axis, exclusive, reverse }) => [cumprodVjp(g, x, axis, exclusive, reverse)],
};
