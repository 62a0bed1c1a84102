/**
 * Packed, cache-blocked GEMM for one matrix of a batch (Goto/BLIS loop order): for each NC-wide
 * column block and KC-deep slice, pack B once (stays in L2), then for each MC-tall row block pack
 * A (stays in L1/L2) and run the macro-kernel. Packing buffers are module-level and sized once,
 * so the hot path allocates nothing.
 */
import type { FloatArray } from '../types';
import { macroKernel } from './macro-kernel';
import { packA, packB } from './pack';

/**
 * Block sizes, tuned on a Zen 4 core (32 KiB L1d, 1 MiB L2); multiples of 4. The packed B panel
 * (KC·NC doubles = 512 KiB) must leave room in L2 for the A block: at 1 MiB, 512³ ran 30% slower.
 */
export const MC = 64;
export const KC = 256;
export const NC = 256;

const packedA = new Float64Array(MC * KC);
const packedB = new Float64Array(KC * NC);

/** Strided view of one operand: element (r, c) is at data[base + r·rs + c·cs]. */
export interface Strided {
  data: FloatArray;
  base: number;
  rs: number;
  cs: number;
}

/**
 * One m×k by k×n product into `out` from offset `o0`, row-major with `ldc` per row (default n;
 * only the blocked kernel takes another, for the column blocks of the thread split).
 */
export type Gemm = (
  m: number,
  n: number,
  k: number,
  A: Strided,
  B: Strided,
  out: FloatArray,
  o0: number,
  ldc?: number,
) => void;

/**
 * out[o0 + i·ldc + j] = Σ_q A(i, q)·B(q, j), for an m×k A and k×n B. Requires k ≥ 1. Each output's
 * sum runs over the same KC-deep slices in the same order whatever m, n and the block it falls
 * in, so any split of the rows or columns (threads) gives the same bits.
 */
export const gemmBlocked: Gemm = (m, n, k, A, B, out, o0, ldc = n) => {
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(n - jc, NC);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(k - pc, KC);
      packB(B.data, B.base, B.rs, B.cs, pc, kc, jc, nc, packedB);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(m - ic, MC);
        packA(A.data, A.base, A.rs, A.cs, ic, mc, pc, kc, packedA);
        macroKernel(mc, nc, kc, packedA, packedB, out, o0 + ic * ldc + jc, ldc, pc > 0);
      }
    }
  }
};
