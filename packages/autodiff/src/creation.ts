// The public signatures use the named types only, so a consumer's compiler needs no esModuleInterop.
import ndarray, { type Data, type NdArray } from 'ndarray';
import { describe } from './describe';
import { allocate, checkDtype, type DType, type FloatArray } from './dtype';
import { ArgumentError, fmtShape, ShapeError } from './errors';
import { checkShape, type Shape, sizeOf, stridesOf } from './shape';
import { type NestedArray, Tensor } from './tensor';

export interface TensorOptions {
  shape?: readonly number[];
  dtype?: DType;
}

export type TensorLike = Tensor | number;

/** The shape from the first element at each depth; flattenInto checks the rest against it. */
function inferShape(v: NestedArray, where: string): number[] {
  const shape: number[] = [];
  let cur: NestedArray = v;
  let at = '';
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0];
    at += '[0]';
  }
  if (!Array.isArray(cur) && typeof cur !== 'number') throw notANumber(where, at, cur);
  return shape;
}

function notANumber(where: string, at: string, v: unknown): ArgumentError {
  return at === ''
    ? new ArgumentError(
        `${where}: values must be a number, nested arrays of numbers or a typed array, got ${describe(v)}`,
      )
    : new ArgumentError(`${where}: element ${at} is ${describe(v)}, expected a number`);
}

const pathOf = (idx: readonly number[]): string => idx.map((k) => `[${k}]`).join('');

/** `idx` is the index path of `v`, turned into text only for an error (no string per element). */
function flattenInto(
  v: NestedArray,
  shape: readonly number[],
  idx: number[],
  out: FloatArray,
  pos: { i: number },
  where: string,
): void {
  const dim = idx.length;
  if (dim === shape.length) {
    if (typeof v === 'number') out[pos.i++] = v;
    else if (Array.isArray(v))
      throw new ShapeError(
        `${where}: ragged nested array: element ${pathOf(idx)} is an array, expected a number at depth ${dim}`,
      );
    else throw notANumber(where, pathOf(idx), v);
    return;
  }
  if (!Array.isArray(v)) {
    if (typeof v !== 'number') throw notANumber(where, pathOf(idx), v);
    throw new ShapeError(
      `${where}: ragged nested array: element ${pathOf(idx)} is a number, expected an array of length ${shape[dim]} at depth ${dim}`,
    );
  }
  if (v.length !== shape[dim])
    throw new ShapeError(
      `${where}: ragged nested array: element ${pathOf(idx) || '(the root)'} has length ${v.length}, expected ${shape[dim]} at depth ${dim}`,
    );
  for (let k = 0; k < v.length; k++) {
    idx.push(k);
    flattenInto(v[k], shape, idx, out, pos, where);
    idx.pop();
  }
}

/**
 * Storage for a creation function: a shape too large to allocate is named (a typed array
 * throws a bare "Invalid typed array length" RangeError).
 */
export function allocateShape(dtype: DType, shape: readonly number[], where: string): FloatArray {
  const n = sizeOf(shape);
  try {
    return allocate(dtype, n);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const bytes = n * (dtype === 'float64' ? 8 : 4);
    throw new ArgumentError(
      `${where}: shape ${fmtShape(shape)} has ${n} elements (${bytes} bytes as ${dtype}), more than can be allocated`,
    );
  }
}

/** Wrap existing storage without copying (internal: callers guarantee size and ownership). */
export function fromData(data: FloatArray, shape: Shape): Tensor {
  return new Tensor(data, shape, data.length);
}

/** A tensor from a number, nested arrays, or a typed array (with `shape`; default 1-D). */
export function tensor(
  values: NestedArray | FloatArray | readonly number[] | Tensor,
  opts: TensorOptions = {},
): Tensor {
  const dtype = checkDtype(
    opts.dtype ??
      (values instanceof Float32Array ? 'float32' : values instanceof Tensor ? values.dtype : 'float64'),
    'tensor',
  );
  if (values instanceof Tensor) {
    const shape = opts.shape ? checkShape(opts.shape, 'tensor') : values.shape.slice();
    if (sizeOf(shape) !== values.size)
      throw new ShapeError(`tensor: shape ${fmtShape(shape)} does not match ${values.size} elements`);
    const data = allocate(dtype, values.size);
    data.set(values.data);
    return fromData(data, shape);
  }
  if (values instanceof Float64Array || values instanceof Float32Array) {
    const shape = opts.shape ? checkShape(opts.shape, 'tensor') : [values.length];
    if (sizeOf(shape) !== values.length) {
      throw new ShapeError(
        `tensor: shape ${fmtShape(shape)} needs ${sizeOf(shape)} elements, the array has ${values.length}`,
      );
    }
    const data = allocate(dtype, values.length);
    data.set(values);
    return fromData(data, shape);
  }
  const nested = values as NestedArray;
  const inferred = inferShape(nested, 'tensor');
  const data = allocateShape(dtype, inferred, 'tensor');
  flattenInto(nested, inferred, [], data, { i: 0 }, 'tensor');
  if (opts.shape) {
    const shape = checkShape(opts.shape, 'tensor');
    if (sizeOf(shape) !== data.length)
      throw new ShapeError(`tensor: shape ${fmtShape(shape)} does not match ${data.length} elements`);
    return fromData(data, shape);
  }
  return fromData(data, inferred);
}

export function scalar(value: number, dtype: DType = 'float64'): Tensor {
  const data = allocate(checkDtype(dtype, 'scalar'), 1);
  data[0] = value;
  return fromData(data, []);
}

/** A filled tensor; `where` names the public function in error messages. */
function filled(shape: readonly number[], value: number, dtype: DType, where: string): Tensor {
  const s = checkShape(shape, where);
  const data = allocateShape(checkDtype(dtype, where), s, where);
  if (value !== 0) data.fill(value);
  return fromData(data, s);
}

export function full(shape: readonly number[], value: number, dtype: DType = 'float64'): Tensor {
  return filled(shape, value, dtype, 'full');
}

export function zeros(shape: readonly number[], dtype: DType = 'float64'): Tensor {
  return filled(shape, 0, dtype, 'zeros');
}

export function ones(shape: readonly number[], dtype: DType = 'float64'): Tensor {
  return filled(shape, 1, dtype, 'ones');
}

export function zerosLike(x: Tensor): Tensor {
  return full(x.shape, 0, x.dtype);
}

export function onesLike(x: Tensor): Tensor {
  return full(x.shape, 1, x.dtype);
}

export function eye(n: number, dtype: DType = 'float64'): Tensor {
  if (!Number.isInteger(n) || n < 0)
    throw new ArgumentError(`eye: n must be a non-negative integer, got ${describe(n)}`);
  const t = filled([n, n], 0, dtype, 'eye');
  for (let i = 0; i < n; i++) t.data[i * n + i] = 1;
  return t;
}

/** Values start, start+step, ... below stop (numpy arange). */
export function arange(start: number, stop?: number, step = 1, dtype: DType = 'float64'): Tensor {
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  if (!Number.isFinite(start) || !Number.isFinite(stop) || !Number.isFinite(step) || step === 0) {
    throw new ArgumentError(
      `arange: start, stop and step must be finite and step non-zero, got ${start}, ${stop}, ${step}`,
    );
  }
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const data = allocateShape(checkDtype(dtype, 'arange'), [n], 'arange');
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return fromData(data, [n]);
}

/**
 * An op's tensor argument: a tensor as it is, a number as a 0-d tensor whose dtype follows
 * `like` (numbers are weakly typed). Nested arrays are rejected by every op alike (they would
 * need a dtype and a shape check per call): wrap them with tensor().
 */
export function toTensor(x: TensorLike, op: string, arg: string, like?: Tensor): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === 'number') return scalar(x, like ? like.dtype : 'float64');
  const hint = Array.isArray(x) ? ' (wrap arrays with tensor())' : '';
  throw new TypeError(`${op}: argument ${arg} is ${describe(x)}; expected a Tensor or a number${hint}`);
}

/** Copy an ndarray view (any strides/offset) into a new contiguous tensor. */
export function fromNdarray(arr: NdArray<Data<number>>, dtype?: DType): Tensor {
  const shape = arr.shape.slice();
  const dt = dtype ?? (arr.data instanceof Float32Array ? 'float32' : 'float64');
  const data = allocate(dt, sizeOf(shape));
  const nd = shape.length;
  const idx = new Array<number>(nd).fill(0);
  for (let i = 0; i < data.length; i++) {
    let off = arr.offset;
    for (let d = 0; d < nd; d++) off += idx[d] * arr.stride[d];
    data[i] = (arr.data as ArrayLike<number>)[off];
    for (let d = nd - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return fromData(data, shape);
}

/** An ndarray view over a copy of the tensor's storage (tensors stay immutable). */
export function toNdarray(x: Tensor): NdArray<Float64Array | Float32Array> {
  const copy = x.dtype === 'float64' ? Float64Array.from(x.data) : Float32Array.from(x.data);
  return ndarray(copy, x.shape.slice(), stridesOf(x.shape), 0);
}
