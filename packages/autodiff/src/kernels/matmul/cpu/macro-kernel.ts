/**
 * The inner two loops of the blocked GEMM: every 4×4 tile of C(mc×nc) from packed panels, with
 * 16 local accumulators (V8 keeps them in registers; larger tiles spill). Panels are zero-padded,
 * so edge tiles compute a full 4×4 and store only their valid part.
 */
import type { FloatArray } from '../types';

const edge = new Float64Array(16);

/**
 * C[c0 + i·ldc + j] (+)= Σ_q Ap[i, q]·Bp[q, j] for i < mc, j < nc. `accumulate` is false for the
 * first k-block, so C is overwritten without a separate zeroing pass.
 */
export function macroKernel(
  mc: number,
  nc: number,
  kc: number,
  ap: Float64Array,
  bp: Float64Array,
  c: FloatArray,
  c0: number,
  ldc: number,
  accumulate: boolean,
): void {
  const k4 = 4 * kc;
  for (let jr = 0; jr < nc; jr += 4) {
    const nr = Math.min(nc - jr, 4);
    const bBase = (jr >> 2) * k4;
    for (let ir = 0; ir < mc; ir += 4) {
      const mr = Math.min(mc - ir, 4);
      let ia = (ir >> 2) * k4;
      let ib = bBase;
      const end = ia + k4;
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0;
      let c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0;
      let c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0;
      let c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0;
      for (; ia < end; ia += 4, ib += 4) {
        const a0 = ap[ia];
        const a1 = ap[ia + 1];
        const a2 = ap[ia + 2];
        const a3 = ap[ia + 3];
        const b0 = bp[ib];
        const b1 = bp[ib + 1];
        const b2 = bp[ib + 2];
        const b3 = bp[ib + 3];
        c00 += a0 * b0;
        c01 += a0 * b1;
        c02 += a0 * b2;
        c03 += a0 * b3;
        c10 += a1 * b0;
        c11 += a1 * b1;
        c12 += a1 * b2;
        c13 += a1 * b3;
        c20 += a2 * b0;
        c21 += a2 * b1;
        c22 += a2 * b2;
        c23 += a2 * b3;
        c30 += a3 * b0;
        c31 += a3 * b1;
        c32 += a3 * b2;
        c33 += a3 * b3;
      }
      const o = c0 + ir * ldc + jr;
      if (mr === 4 && nr === 4) {
        const o1 = o + ldc;
        const o2 = o1 + ldc;
        const o3 = o2 + ldc;
        if (accumulate) {
          c[o] += c00;
          c[o + 1] += c01;
          c[o + 2] += c02;
          c[o + 3] += c03;
          c[o1] += c10;
          c[o1 + 1] += c11;
          c[o1 + 2] += c12;
          c[o1 + 3] += c13;
          c[o2] += c20;
          c[o2 + 1] += c21;
          c[o2 + 2] += c22;
          c[o2 + 3] += c23;
          c[o3] += c30;
          c[o3 + 1] += c31;
          c[o3 + 2] += c32;
          c[o3 + 3] += c33;
        } else {
          c[o] = c00;
          c[o + 1] = c01;
          c[o + 2] = c02;
          c[o + 3] = c03;
          c[o1] = c10;
          c[o1 + 1] = c11;
          c[o1 + 2] = c12;
          c[o1 + 3] = c13;
          c[o2] = c20;
          c[o2 + 1] = c21;
          c[o2 + 2] = c22;
          c[o2 + 3] = c23;
          c[o3] = c30;
          c[o3 + 1] = c31;
          c[o3 + 2] = c32;
          c[o3 + 3] = c33;
        }
      } else {
        edge[0] = c00;
        edge[1] = c01;
        edge[2] = c02;
        edge[3] = c03;
        edge[4] = c10;
        edge[5] = c11;
        edge[6] = c12;
        edge[7] = c13;
        edge[8] = c20;
        edge[9] = c21;
        edge[10] = c22;
        edge[11] = c23;
        edge[12] = c30;
        edge[13] = c31;
        edge[14] = c32;
        edge[15] = c33;
        for (let ii = 0; ii < mr; ii++) {
          for (let jj = 0; jj < nr; jj++) {
            const t = o + ii * ldc + jj;
            c[t] = accumulate ? c[t] + edge[4 * ii + jj] : edge[4 * ii + jj];
          }
        }
      }
    }
  }
}
