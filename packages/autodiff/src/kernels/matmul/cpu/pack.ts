/**
 * Packing for the blocked GEMM. A block of op(A) is copied into micro-panels of 4 rows, B into
 * micro-panels of 4 columns, k-major, zero-padded at the edges, so the micro-kernel reads both
 * with unit stride whatever the transposition. Strides express transposition, so no transpose
 * is ever materialised.
 */
import type { FloatArray } from '../types';

/**
 * Packs rows [i0, i0+mc) × cols [q0, q0+kc) of A into `dst`: panel r holds rows 4r..4r+3,
 * laid out as dst[r·4·kc + 4q + ii]. Element (i, q) of A is a[base + i·rs + q·cs].
 */
export function packA(
  a: FloatArray,
  base: number,
  rs: number,
  cs: number,
  i0: number,
  mc: number,
  q0: number,
  kc: number,
  dst: Float64Array,
): void {
  let d = 0;
  for (let ir = 0; ir < mc; ir += 4) {
    const mr = Math.min(mc - ir, 4);
    const r0 = base + (i0 + ir) * rs + q0 * cs;
    if (mr === 4) {
      const r1 = r0 + rs;
      const r2 = r1 + rs;
      const r3 = r2 + rs;
      for (let q = 0, s = 0; q < kc; q++, s += cs, d += 4) {
        dst[d] = a[r0 + s];
        dst[d + 1] = a[r1 + s];
        dst[d + 2] = a[r2 + s];
        dst[d + 3] = a[r3 + s];
      }
    } else {
      for (let q = 0, s = 0; q < kc; q++, s += cs, d += 4) {
        for (let ii = 0; ii < 4; ii++) dst[d + ii] = ii < mr ? a[r0 + ii * rs + s] : 0;
      }
    }
  }
}

/**
 * Packs rows [q0, q0+kc) × cols [j0, j0+nc) of B into `dst`: panel c holds columns 4c..4c+3,
 * laid out as dst[c·4·kc + 4q + jj]. Element (q, j) of B is b[base + q·rs + j·cs]. That is
 * packA of Bᵀ (its rows are B's columns), so the strides swap.
 */
export function packB(
  b: FloatArray,
  base: number,
  rs: number,
  cs: number,
  q0: number,
  kc: number,
  j0: number,
  nc: number,
  dst: Float64Array,
): void {
  packA(b, base, cs, rs, j0, nc, q0, kc, dst);
}
