/**
 * The CPU backend's batched matmul: picks the blocked or the direct kernel per shape, and splits
 * large blocked products across threads (threads.ts).
 */
import type { FloatArray, MatmulSpec } from '../types';
import { validateMatmul } from '../validate';
import { gemmBlocked, type Strided } from './gemm';
import { gemmSmall } from './small';
import { parallelGemm } from './threads';

/**
 * Below this many multiply-adds the blocked kernel's fixed costs dominate. Measured: the blocked
 * kernel wins from about 4³ up, and also for thin shapes (2000×100·100×2, 2000×2·2×100, …)
 * despite computing padded 4×4 tiles; direct loops win only for row vectors and tiny m, n.
 */
const SMALL_MACS = 64;

/** Reused operand views, so a call allocates nothing. */
const viewA: Strided = { data: new Float64Array(0), base: 0, rs: 0, cs: 0 };
const viewB: Strided = { data: new Float64Array(0), base: 0, rs: 0, cs: 0 };

/** True when (m, n, k) goes to the direct loops rather than the packed kernel. */
export function isSmallProduct(m: number, n: number, k: number): boolean {
  return m * n * k < SMALL_MACS || m === 1 || (m <= 2 && n <= 2);
}

export function cpuMatmul(a: FloatArray, b: FloatArray, out: FloatArray, spec: MatmulSpec): void {
  validateMatmul(a, b, out, spec);
  const { batch, m, k, n, transA, transB, aOffsets, bOffsets } = spec;
  if (k === 0) {
    out.fill(0);
    return;
  }
  viewA.data = a;
  viewA.rs = transA ? 1 : k;
  viewA.cs = transA ? m : 1;
  viewB.data = b;
  viewB.rs = transB ? 1 : n;
  viewB.cs = transB ? k : 1;
  const small = isSmallProduct(m, n, k);
  for (let p = 0; p < batch; p++) {
    viewA.base = aOffsets ? aOffsets[p] : p * m * k;
    viewB.base = bOffsets ? bOffsets[p] : p * k * n;
    if (small) gemmSmall(m, n, k, viewA, viewB, out, p * m * n);
    else if (!parallelGemm(m, n, k, viewA, viewB, out, p * m * n))
      gemmBlocked(m, n, k, viewA, viewB, out, p * m * n);
  }
}
