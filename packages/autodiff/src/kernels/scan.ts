import type { FloatArray } from '../dtype';

/** Cumulative sum or product along the middle axis of [outer, len, inner]. */
export function scanInto(
  kind: 'sum' | 'prod',
  x: FloatArray,
  outer: number,
  len: number,
  inner: number,
  exclusive: boolean,
  reverse: boolean,
  out: FloatArray,
): void {
  const unit = kind === 'sum' ? 0 : 1;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < inner; j++) {
      let acc = unit;
      const base = o * len * inner + j;
      for (let s = 0; s < len; s++) {
        const t = reverse ? len - 1 - s : s;
        const k = base + t * inner;
        const v = x[k];
        if (exclusive) {
          out[k] = acc;
          acc = kind === 'sum' ? acc + v : acc * v;
        } else {
          acc = kind === 'sum' ? acc + v : acc * v;
          out[k] = acc;
        }
      }
    }
  }
}
