import type { FloatArray } from '../dtype';

/** LU solve of A X = B for square A [n, n] and B [n, m], partial pivoting, float64. */
export function solveInto(a: FloatArray, b: FloatArray, n: number, m: number, out: FloatArray): number {
  const lu = Float64Array.from(a);
  const x = Float64Array.from(b);
  let minPivot = Number.POSITIVE_INFINITY;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(lu[r * n + c]) > Math.abs(lu[p * n + c])) p = r;
    if (p !== c) {
      for (let j = 0; j < n; j++) {
        const t = lu[c * n + j];
        lu[c * n + j] = lu[p * n + j];
        lu[p * n + j] = t;
      }
      for (let j = 0; j < m; j++) {
        const t = x[c * m + j];
        x[c * m + j] = x[p * m + j];
        x[p * m + j] = t;
      }
    }
    const piv = lu[c * n + c];
    minPivot = Math.min(minPivot, Math.abs(piv));
    if (piv === 0) return 0;
    for (let r = c + 1; r < n; r++) {
      const f = lu[r * n + c] / piv;
      if (f === 0) continue;
      for (let j = c; j < n; j++) lu[r * n + j] -= f * lu[c * n + j];
      for (let j = 0; j < m; j++) x[r * m + j] -= f * x[c * m + j];
    }
  }
  for (let r = n - 1; r >= 0; r--) {
    for (let j = 0; j < m; j++) {
      let s = x[r * m + j];
      for (let c = r + 1; c < n; c++) s -= lu[r * n + c] * x[c * m + j];
      x[r * m + j] = s / lu[r * n + r];
    }
  }
  out.set(x);
  return minPivot;
}
