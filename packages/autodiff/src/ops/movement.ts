import { type TensorLike, toTensor } from '../creation';
import { allocate } from '../dtype';
import { ArgumentError, fmtShape, ShapeError } from '../errors';
import { makeKernel } from '../kernels/elementwise';
import { boxCopy, permuteInto, takeRows } from '../kernels/movement';
import { broadcastShapes, broadcastStrides, normalizeAxis, sameShape, sizeOf, stridesOf } from '../shape';
import { Tensor } from '../tensor';
import { sumTo } from './broadcast';
import { emit } from './emit';
import type { RulesFor } from './rule';

interface ConcatAttrs {
  axis: number;
  offsets: number[];
}

interface TakeAttrs {
  axis: number;
  idx: Int32Array;
  idxShape: number[];
  axisLen: number;
}

/** The movement ops, with the attrs each node carries (the input shape, the permutation, ...). */
export interface MovementAttrs {
  /** the input's shape */
  reshape: readonly number[];
  /** the permutation */
  permute: readonly number[];
  broadcastTo: null;
  /** where the box begins */
  slice: readonly number[];
  padSlice: readonly number[];
  concat: ConcatAttrs;
  take: TakeAttrs;
  scatterAdd: TakeAttrs;
}

/** Same elements in a new shape; shares storage (no copy). One dimension may be −1. */
export function reshape(x: TensorLike, shape: readonly number[]): Tensor {
  const t = toTensor(x, 'reshape', 'x');
  const s = shape.slice();
  const free = s.indexOf(-1);
  if (free >= 0 && s.lastIndexOf(-1) !== free)
    throw new ArgumentError(`reshape: only one dimension may be -1, got ${fmtShape(shape)}`);
  if (free >= 0) {
    const rest = sizeOf(s.filter((_, i) => i !== free));
    if (rest === 0 || t.size % rest !== 0)
      throw new ShapeError(
        `reshape: cannot infer -1 in ${fmtShape(shape)} for ${t.size} elements (from ${fmtShape(t.shape)})`,
      );
    s[free] = t.size / rest;
  }
  for (const d of s)
    if (!Number.isInteger(d) || d < 0)
      throw new ArgumentError(`reshape: bad dimension ${d} in ${fmtShape(shape)}`);
  if (sizeOf(s) !== t.size)
    throw new ShapeError(
      `reshape: cannot reshape ${fmtShape(t.shape)} (${t.size} elements) into ${fmtShape(shape)}`,
    );
  if (sameShape(s, t.shape)) return t;
  return emit('reshape', t.data, s, [t], t.shape);
}

/** Reorder dimensions: output dim i is input dim perm[i]. */
export function permute(x: TensorLike, perm: readonly number[]): Tensor {
  const t = toTensor(x, 'permute', 'x');
  const p = perm.map((a) => normalizeAxis('permute', a, t.ndim));
  if (p.length !== t.ndim || new Set(p).size !== p.length) {
    throw new ArgumentError(
      `permute: ${JSON.stringify(perm)} is not a permutation of the ${t.ndim} axes of ${fmtShape(t.shape)}`,
    );
  }
  if (p.every((a, i) => a === i)) return t;
  const data = allocate(t.dtype, t.size);
  permuteInto(t.data, t.shape, p, data);
  return emit(
    'permute',
    data,
    p.map((a) => t.shape[a]),
    [t],
    p,
  );
}

/** Transpose: reverse the axes, or apply `perm`. */
export function transpose(x: TensorLike, perm?: readonly number[]): Tensor {
  const t = toTensor(x, 'transpose', 'x');
  return permute(t, perm ?? t.shape.map((_, i) => t.ndim - 1 - i));
}

const copyKernel = makeKernel(1, 'x');

/** Broadcast to `shape` (numpy rules), materialised. */
export function broadcastTo(x: TensorLike, shape: readonly number[]): Tensor {
  const t = toTensor(x, 'broadcastTo', 'x');
  const out = broadcastShapes('broadcastTo', t.shape, shape);
  if (!sameShape(out, shape))
    throw new ShapeError(`broadcastTo: cannot broadcast ${fmtShape(t.shape)} to ${fmtShape(shape)}`);
  if (sameShape(t.shape, shape)) return t;
  const data = allocate(t.dtype, sizeOf(shape));
  if (t.size === 1) data.fill(t.data[0]);
  else copyKernel([t.data], data, shape, [broadcastStrides(t.shape, shape)], 0, 0);
  return emit('broadcastTo', data, shape.slice(), [t], null);
}

export function expandDims(x: TensorLike, axis: number): Tensor {
  const t = toTensor(x, 'expandDims', 'x');
  const a = normalizeAxis('expandDims', axis, t.ndim + 1);
  const s = t.shape.slice();
  s.splice(a, 0, 1);
  return reshape(t, s);
}

/** Drop size-1 dimensions (all, or the given axes, which must have size 1). */
export function squeeze(x: TensorLike, axes?: number | readonly number[]): Tensor {
  const t = toTensor(x, 'squeeze', 'x');
  if (axes === undefined)
    return reshape(
      t,
      t.shape.filter((d) => d !== 1),
    );
  const list = (typeof axes === 'number' ? [axes] : axes).map((a) => normalizeAxis('squeeze', a, t.ndim));
  for (const a of list)
    if (t.shape[a] !== 1)
      throw new ShapeError(`squeeze: axis ${a} of ${fmtShape(t.shape)} has size ${t.shape[a]}, expected 1`);
  return reshape(
    t,
    t.shape.filter((_, i) => !list.includes(i)),
  );
}

/** The box starting at `begin` with `size` (−1 = to the end) along every axis. */
export function slice(x: TensorLike, begin: readonly number[], size?: readonly number[]): Tensor {
  const t = toTensor(x, 'slice', 'x');
  if (begin.length !== t.ndim)
    throw new ArgumentError(
      `slice: begin ${JSON.stringify(begin)} needs ${t.ndim} entries for ${fmtShape(t.shape)}`,
    );
  const b = begin.map((v, i) => {
    if (!Number.isInteger(v)) throw new ArgumentError(`slice: begin[${i}] = ${v} is not an integer`);
    const p = v < 0 ? v + t.shape[i] : v;
    if (p < 0 || p > t.shape[i])
      throw new ArgumentError(`slice: begin[${i}] = ${v} out of range for dimension ${t.shape[i]}`);
    return p;
  });
  const s = b.map((p, i) => {
    const want = size ? size[i] : -1;
    const n = want === -1 ? t.shape[i] - p : want;
    if (!Number.isInteger(n) || n < 0 || p + n > t.shape[i]) {
      throw new ArgumentError(
        `slice: size[${i}] = ${want} from ${p} exceeds dimension ${t.shape[i]} of ${fmtShape(t.shape)}`,
      );
    }
    return n;
  });
  if (sameShape(s, t.shape)) return t;
  const data = allocate(t.dtype, sizeOf(s));
  boxCopy(t.data, t.shape, b, data, s, 'extract');
  return emit('slice', data, s, [t], b);
}

/** Adjoint of slice: place `x` at `begin` inside zeros of `shape`. */
export function padSlice(x: Tensor, begin: readonly number[], shape: readonly number[]): Tensor {
  const data = allocate(x.dtype, sizeOf(shape));
  boxCopy(data, shape, begin, x.data, x.shape, 'insert');
  return emit('padSlice', data, shape.slice(), [x], begin);
}

/** Join tensors along an existing axis. */
export function concat(xs: readonly TensorLike[], axis = 0): Tensor {
  if (xs.length === 0) throw new ArgumentError('concat: needs at least one tensor');
  const ts = xs.map((x, i) => toTensor(x, 'concat', `xs[${i}]`));
  const nd = ts[0].ndim;
  const ax = normalizeAxis('concat', axis, nd);
  let total = 0;
  for (const t of ts) {
    if (t.ndim !== nd || t.shape.some((d, i) => i !== ax && d !== ts[0].shape[i])) {
      throw new ShapeError(
        `concat: shapes ${ts.map((u) => fmtShape(u.shape)).join(', ')} differ outside axis ${ax}`,
      );
    }
    total += t.shape[ax];
  }
  const shape = ts[0].shape.slice();
  shape[ax] = total;
  const dtype = ts.some((t) => t.dtype === 'float64') ? 'float64' : 'float32';
  const data = allocate(dtype, sizeOf(shape));
  const begin = new Array<number>(nd).fill(0);
  const offsets: number[] = [];
  for (const t of ts) {
    offsets.push(begin[ax]);
    boxCopy(data, shape, begin, t.data, t.shape, 'insert');
    begin[ax] += t.shape[ax];
  }
  return emit('concat', data, shape, ts, { axis: ax, offsets });
}

/** Join tensors along a new axis. */
export function stack(xs: readonly TensorLike[], axis = 0): Tensor {
  if (xs.length === 0) throw new ArgumentError('stack: needs at least one tensor');
  const ts = xs.map((x, i) => toTensor(x, 'stack', `xs[${i}]`));
  const ax = normalizeAxis('stack', axis, ts[0].ndim + 1);
  for (const t of ts)
    if (!sameShape(t.shape, ts[0].shape))
      throw new ShapeError(`stack: shapes ${ts.map((u) => fmtShape(u.shape)).join(', ')} differ`);
  return concat(
    ts.map((t) => expandDims(t, ax)),
    ax,
  );
}

export type Indices = Tensor | Int32Array | readonly number[];

function toIndexArray(op: string, idx: Indices, bound: number): { data: Int32Array; shape: number[] } {
  const src = idx instanceof Tensor ? idx.data : idx;
  const shape = idx instanceof Tensor ? idx.shape.slice() : [idx.length];
  const out = new Int32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    if (!Number.isInteger(v) || v < -bound || v >= bound) {
      throw new ArgumentError(
        `${op}: index ${v} at position ${i} is not an integer in [-${bound}, ${bound})`,
      );
    }
    out[i] = v < 0 ? v + bound : v;
  }
  return { data: out, shape };
}

/** numpy take: pick entries `indices` (any shape) along `axis`; result dims replace that axis. */
export function take(x: TensorLike, indices: Indices, axis = 0): Tensor {
  const t = toTensor(x, 'take', 'x');
  const ax = normalizeAxis('take', axis, t.ndim);
  const { data: idx, shape: idxShape } = toIndexArray('take', indices, t.shape[ax]);
  const outer = sizeOf(t.shape.slice(0, ax));
  const inner = sizeOf(t.shape.slice(ax + 1));
  const shape = [...t.shape.slice(0, ax), ...idxShape, ...t.shape.slice(ax + 1)];
  const data = allocate(t.dtype, sizeOf(shape));
  takeRows(t.data, outer, t.shape[ax], inner, idx, data, 'take');
  const attrs: TakeAttrs = { axis: ax, idx, idxShape, axisLen: t.shape[ax] };
  return emit('take', data, shape, [t], attrs);
}

/** Alias of `take` (TensorFlow's name). */
export const gather = take;

/** Adjoint of take: add `g` into zeros of the source shape at the taken positions. */
function scatterAdd(g: Tensor, a: TakeAttrs, srcShape: readonly number[]): Tensor {
  const outer = sizeOf(srcShape.slice(0, a.axis));
  const inner = sizeOf(srcShape.slice(a.axis + 1));
  const data = allocate(g.dtype, sizeOf(srcShape));
  takeRows(data, outer, a.axisLen, inner, a.idx, g.data, 'scatterAdd');
  return emit('scatterAdd', data, srcShape.slice(), [g], a);
}

/**
 * numpy take_along_axis: `indices` has x's rank (size 1 or equal on the other axes) and picks
 * one entry per position along `axis`, e.g. the log-prob of the action taken at each step.
 */
export function takeAlongAxis(x: TensorLike, indices: Indices, axis = -1): Tensor {
  const t = toTensor(x, 'takeAlongAxis', 'x');
  const ax = normalizeAxis('takeAlongAxis', axis, t.ndim);
  const idxT =
    indices instanceof Tensor
      ? indices
      : new Tensor(Float64Array.from(indices as ArrayLike<number>), [indices.length], indices.length);
  if (idxT.ndim !== t.ndim) {
    throw new ShapeError(
      `takeAlongAxis: indices of shape ${fmtShape(idxT.shape)} must have the rank of x ${fmtShape(t.shape)}`,
    );
  }
  const outShape = t.shape.map((d, i) => (i === ax ? idxT.shape[i] : d));
  for (let i = 0; i < t.ndim; i++) {
    if (i !== ax && idxT.shape[i] !== 1 && idxT.shape[i] !== t.shape[i]) {
      throw new ShapeError(
        `takeAlongAxis: indices ${fmtShape(idxT.shape)} do not match x ${fmtShape(t.shape)} outside axis ${ax}`,
      );
    }
  }
  const { data: idx } = toIndexArray('takeAlongAxis', idxT, t.shape[ax]);
  // flat positions into x, then a take along axis 0 of x's flat view
  const xs = stridesOf(t.shape);
  const is = broadcastStrides(idxT.shape, outShape);
  const n = sizeOf(outShape);
  const flat = new Int32Array(n);
  const pos = new Array<number>(t.ndim).fill(0);
  for (let k = 0; k < n; k++) {
    let off = 0;
    let io = 0;
    for (let d = 0; d < t.ndim; d++) io += pos[d] * is[d];
    for (let d = 0; d < t.ndim; d++) off += (d === ax ? idx[io] : pos[d]) * xs[d];
    flat[k] = off;
    for (let d = t.ndim - 1; d >= 0; d--) {
      if (++pos[d] < outShape[d]) break;
      pos[d] = 0;
    }
  }
  return reshape(take(reshape(t, [t.size]), flat, 0), outShape);
}

/** One-hot rows (a constant): shape [...indices.shape, depth]. */
export function oneHot(indices: Indices, depth: number): Tensor {
  if (!Number.isInteger(depth) || depth <= 0)
    throw new ArgumentError(`oneHot: depth must be a positive integer, got ${depth}`);
  const { data: idx, shape } = toIndexArray('oneHot', indices, depth);
  const data = new Float64Array(idx.length * depth);
  for (let i = 0; i < idx.length; i++) data[i * depth + idx[i]] = 1;
  return new Tensor(data, [...shape, depth], data.length);
}

export const movementRules: RulesFor<MovementAttrs> = {
  reshape: (g, _o, _x, shape) => [reshape(g, shape)],
  permute: (g, _o, _x, p) => {
    const inv = new Array<number>(p.length);
    p.forEach((a, i) => {
      inv[a] = i;
    });
    return [permute(g, inv)];
  },
  broadcastTo: (g, _o, [x]) => [sumTo(g, x.shape)],
  slice: (g, _o, [x], begin) => [padSlice(g, begin, x.shape)],
  padSlice: (g, _o, [x], begin) => [slice(g, begin, x.shape)],
  concat: (g, _o, inputs, { axis, offsets }) =>
    inputs.map((x, i) => {
      const begin = new Array<number>(g.ndim).fill(0);
      begin[axis] = offsets[i];
      return slice(g, begin, x.shape);
    }),
  take: (g, _o, [x], a) => [scatterAdd(g, a, x.shape)],
  scatterAdd: (g, _o, _x, a) => [
    take(g, new Tensor(Float64Array.from(a.idx), a.idxShape, a.idx.length), a.axis),
  ],
};
