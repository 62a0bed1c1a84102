import type { FloatArray } from '../dtype';
import { stridesOf } from '../shape';

export type ReduceKind = 'sum' | 'max' | 'min';

/**
 * Reduce `x` (of `shape`) over `axes` (sorted) into `out`, laid out as the keepDims shape.
 * Two loops cover every case: trailing axes (all axes included), where each output is a
 * contiguous row of the input, and a general odometer.
 */
export function reduceInto(
  kind: ReduceKind,
  x: FloatArray,
  shape: readonly number[],
  axes: readonly number[],
  out: FloatArray,
): void {
  const nd = shape.length;
  const init = kind === 'sum' ? 0 : kind === 'max' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  out.fill(init);
  const size = x.length;
  if (size === 0) return;
  // trailing axes reduced: each output element is a contiguous row of the input
  let trailing = true;
  for (let i = 0; i < axes.length; i++) if (axes[axes.length - 1 - i] !== nd - 1 - i) trailing = false;
  if (trailing) {
    const row = size / out.length;
    for (let r = 0, base = 0; r < out.length; r++, base += row) {
      let acc = init;
      if (kind === 'sum') for (let j = 0; j < row; j++) acc += x[base + j];
      else if (kind === 'max')
        for (let j = 0; j < row; j++) {
          const v = x[base + j];
          if (v > acc || Number.isNaN(v)) acc = v;
        }
      else
        for (let j = 0; j < row; j++) {
          const v = x[base + j];
          if (v < acc || Number.isNaN(v)) acc = v;
        }
      out[r] = acc;
    }
    return;
  }
  // general: walk the input in order, the output offset follows with 0 strides on reduced axes
  const keep = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const ks = stridesOf(keep);
  const os = shape.map((_, i) => (axes.includes(i) ? 0 : ks[i]));
  const inner = shape[nd - 1];
  const si = os[nd - 1];
  const idx = new Int32Array(nd);
  let oo = 0;
  for (let base = 0; base < size; base += inner) {
    if (kind === 'sum') for (let j = 0; j < inner; j++) out[oo + j * si] += x[base + j];
    else if (kind === 'max')
      for (let j = 0; j < inner; j++) {
        const v = x[base + j];
        const k = oo + j * si;
        if (v > out[k] || Number.isNaN(v)) out[k] = v;
      }
    else
      for (let j = 0; j < inner; j++) {
        const v = x[base + j];
        const k = oo + j * si;
        if (v < out[k] || Number.isNaN(v)) out[k] = v;
      }
    for (let d = nd - 2; d >= 0; d--) {
      idx[d]++;
      oo += os[d];
      if (idx[d] < shape[d]) break;
      oo -= os[d] * shape[d];
      idx[d] = 0;
    }
  }
}
