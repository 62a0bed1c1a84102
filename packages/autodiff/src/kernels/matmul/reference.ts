import type { FloatArray, MatmulSpec } from './types';

/**
 * The obviously-correct triple loop, accumulating in float64. It is the oracle the fast
 * kernels are tested against, never a hot path.
 */
export function referenceMatmul(a: FloatArray, b: FloatArray, out: FloatArray, spec: MatmulSpec): void {
  const { batch, m, k, n, transA, transB, aOffsets, bOffsets } = spec;
  for (let p = 0; p < batch; p++) {
    const ao = aOffsets ? aOffsets[p] : p * m * k;
    const bo = bOffsets ? bOffsets[p] : p * k * n;
    const oo = p * m * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) {
          const av = transA ? a[ao + q * m + i] : a[ao + i * k + q];
          const bv = transB ? b[bo + j * k + q] : b[bo + q * n + j];
          s += av * bv;
        }
        out[oo + i * n + j] = s;
      }
    }
  }
}
