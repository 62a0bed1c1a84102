import { describe } from './describe';
import { ArgumentError, fmtShape, ShapeError } from './errors';

export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function checkShape(shape: unknown, where: string): number[] {
  if (!Array.isArray(shape))
    throw new ArgumentError(`${where}: shape must be an array of integers, got ${String(shape)}`);
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new ArgumentError(
        `${where}: shape ${fmtShape(shape)} has dimension ${d}; expected non-negative integers`,
      );
    }
  }
  return shape.slice();
}

/** Row-major strides. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** numpy broadcasting of two shapes; the error names the op and both shapes. */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  if (sameShape(a, b)) return a as number[]; // shapes are never mutated: share it
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) {
      throw new ShapeError(`${op}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot be broadcast together`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides for reading an input of `shape` as if broadcast to `outShape` (0 on broadcast dims). */
export function broadcastStrides(shape: Shape, outShape: Shape): number[] {
  const own = stridesOf(shape);
  const off = outShape.length - shape.length;
  const s = new Array<number>(outShape.length).fill(0);
  for (let i = 0; i < shape.length; i++) s[i + off] = shape[i] === 1 && outShape[i + off] !== 1 ? 0 : own[i];
  return s;
}

export function normalizeAxis(op: string, axis: number, ndim: number): number {
  if (typeof axis !== 'number')
    throw new ArgumentError(`${op}: axis must be an integer, got ${describe(axis)}`);
  if (ndim === 0 && Number.isInteger(axis))
    throw new ArgumentError(`${op}: a 0-d tensor has no axis ${axis}; this needs at least one dimension`);
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    throw new ArgumentError(
      `${op}: axis ${axis} is out of range for a tensor of rank ${ndim} (expected -${ndim}..${ndim - 1})`,
    );
  }
  return axis < 0 ? axis + ndim : axis;
}

/** Sorted unique non-negative axes; undefined/null means all axes. */
export function normalizeAxes(
  op: string,
  axes: number | readonly number[] | undefined | null,
  ndim: number,
): number[] {
  if (axes === undefined || axes === null) {
    const all = new Array<number>(ndim);
    for (let i = 0; i < ndim; i++) all[i] = i;
    return all;
  }
  if (typeof axes === 'number') return [normalizeAxis(op, axes, ndim)];
  if (isJaxAxisOptions(axes)) {
    const { axis, keepdims, keepDims } = axes as { axis?: unknown; keepdims?: unknown; keepDims?: unknown };
    const keep = keepdims ?? keepDims;
    throw new ArgumentError(
      `${op}: axes is ${describe(axes)}, JAX's axis=/keepdims= keywords; ` +
        `metagrad takes them positionally: ${op}(x, ${JSON.stringify(axis ?? null)}${keep === undefined ? '' : `, ${JSON.stringify(keep)}`})`,
    );
  }
  if (!Array.isArray(axes))
    throw new ArgumentError(
      `${op}: axes must be an integer, an array of integers or null (every axis), got ${describe(axes)}`,
    );
  const list = axes;
  const out = list.map((a) => normalizeAxis(op, a, ndim));
  const sorted = Array.from(new Set(out)).sort((x, y) => x - y);
  if (sorted.length !== out.length)
    throw new ArgumentError(`${op}: repeated axis in ${JSON.stringify(list)}`);
  return sorted;
}

/** `{axis: 1}` or `{keepdims: true}`: the JAX keyword spelling of a reduction's arguments. */
function isJaxAxisOptions(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  return Object.keys(v).some((k) => k === 'axis' || k === 'keepdims' || k === 'keepDims');
}

/** Shape after reducing `axes`, with the reduced dims kept as 1 (keepDims) or dropped. */
export function reducedShape(shape: Shape, axes: readonly number[], keepDims: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (axes.includes(i)) {
      if (keepDims) out.push(1);
    } else out.push(shape[i]);
  }
  return out;
}
