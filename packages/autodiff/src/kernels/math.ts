/**
 * Scalar functions the kernels call per element, where V8's Math version is a slow library
 * call. Each is accurate to a few ulp and is tested against Math over its whole range.
 */

/**
 * tanh: for |x| < 0.625 Cephes' rational approximation x + x³·P(x²)/Q(x²) (no cancellation near
 * 0), otherwise 1 − 2/(e^{2|x|} + 1), which is well conditioned there. About 1.5× Math.tanh.
 */
export function tanh(x: number): number {
  const a = x < 0 ? -x : x;
  if (a < 0.625) {
    if (x === 0) return x; // keeps the sign of −0
    const z = x * x;
    const p = (-0.9643991794250523 * z - 99.28772310019185) * z - 1614.6876844170845;
    const q = ((z + 112.81167849163293) * z + 2235.4883906010045) * z + 4844.063053251255;
    return x + x * z * (p / q);
  }
  if (!(a <= 22)) return a > 22 ? (x > 0 ? 1 : -1) : x; // |x| > 22 rounds to ±1; NaN stays NaN
  const t = 1 - 2 / (Math.exp(2 * a) + 1);
  return x < 0 ? -t : t;
}
