/**
 * Direct loops for products too small to repay packing (a few elements, row vectors times a
 * matrix). Loop order keeps the innermost loop long and, where the layout allows, unit-stride.
 */
import type { Gemm } from './gemm';

/** out[o0 + i·n + j] = Σ_q A(i, q)·B(q, j), accumulating each output in a local. */
export const gemmSmall: Gemm = (m, n, k, A, B, out, o0) => {
  const { data: a, rs: ars, cs: acs } = A;
  const { data: b, rs: brs, cs: bcs } = B;
  if (k <= n && bcs === 1) {
    // short k, long unit-stride rows of B: out row i = Σ_q A(i,q)·B(q,:) (axpy form)
    for (let i = 0; i < m; i++) {
      const ob = o0 + i * n;
      const ab = A.base + i * ars;
      const a0 = a[ab];
      const b0 = B.base;
      for (let j = 0; j < n; j++) out[ob + j] = a0 * b[b0 + j]; // q = 0 writes, so no zeroing pass
      for (let q = 1; q < k; q++) {
        const aiq = a[ab + q * acs];
        const bb = B.base + q * brs;
        for (let j = 0; j < n; j++) out[ob + j] += aiq * b[bb + j];
      }
    }
    return;
  }
  // dot form: each output is one long dot product over k
  for (let i = 0; i < m; i++) {
    const ob = o0 + i * n;
    const ab = A.base + i * ars;
    for (let j = 0; j < n; j++) {
      const bb = B.base + j * bcs;
      let s = 0;
      for (let q = 0; q < k; q++) s += a[ab + q * acs] * b[bb + q * brs];
      out[ob + j] = s;
    }
  }
};
