import type { FloatArray } from '../dtype';
import { stridesOf } from '../shape';

/** out = x permuted: out dim i is x dim perm[i] (a strided read of x). */
export function permuteInto(
  x: FloatArray,
  shape: readonly number[],
  perm: readonly number[],
  out: FloatArray,
): void {
  const xs = stridesOf(shape);
  stridedCopy(
    x,
    0,
    perm.map((p) => xs[p]),
    perm.map((p) => shape[p]),
    out,
    'extract',
  );
}

/**
 * Copy the box `begin .. begin+size` of `big` into `box` (slice), or the reverse: accumulate a
 * box-shaped `box` into that box of `big` (the slice's adjoint, pad).
 */
export function boxCopy(
  big: FloatArray,
  bigShape: readonly number[],
  begin: readonly number[],
  box: FloatArray,
  boxShape: readonly number[],
  direction: 'extract' | 'insert',
): void {
  const bs = stridesOf(bigShape);
  let start = 0;
  for (let d = 0; d < bigShape.length; d++) start += begin[d] * bs[d];
  stridedCopy(big, start, bs, boxShape, box, direction);
}

/**
 * The walk both share: `flat` is contiguous with `shape`; element i of it sits in `big` at
 * `start` + Σ idx_d·strides_d. 'extract' reads big into flat; 'insert' adds flat into big.
 */
function stridedCopy(
  big: FloatArray,
  start: number,
  strides: readonly number[],
  shape: readonly number[],
  flat: FloatArray,
  direction: 'extract' | 'insert',
): void {
  const nd = shape.length;
  const size = flat.length;
  if (size === 0) return;
  if (nd === 0) {
    if (direction === 'extract') flat[0] = big[start];
    else big[start] += flat[0];
    return;
  }
  const inner = shape[nd - 1];
  const si = strides[nd - 1];
  const idx = new Int32Array(nd);
  let bo = start;
  for (let o = 0; o < size; o += inner) {
    if (direction === 'extract') for (let j = 0; j < inner; j++) flat[o + j] = big[bo + j * si];
    else for (let j = 0; j < inner; j++) big[bo + j * si] += flat[o + j];
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      bo += strides[d];
      if (idx[d] < shape[d]) break;
      bo -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
}

/**
 * numpy take and its adjoint, x viewed as [outer, axisLen, inner] and the taken rows as
 * [outer, idx.length, inner]: 'take' copies x's rows idx[i] into `rows`; 'scatterAdd' adds
 * `rows` into x's rows idx[i] (x zero-filled: the take's cotangent).
 */
export function takeRows(
  x: FloatArray,
  outer: number,
  axisLen: number,
  inner: number,
  idx: Int32Array,
  rows: FloatArray,
  direction: 'take' | 'scatterAdd',
): void {
  const n = idx.length;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < n; i++) {
      const at = (o * axisLen + idx[i]) * inner;
      const r = (o * n + i) * inner;
      if (direction === 'take') for (let j = 0; j < inner; j++) rows[r + j] = x[at + j];
      else for (let j = 0; j < inner; j++) x[at + j] += rows[r + j];
    }
  }
}
