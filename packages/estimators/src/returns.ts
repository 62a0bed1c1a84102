/**
 * Discounted returns from each step, Σ_{k≥t} γ^{k−t} x_k, of a batch-major [B, T] array (summed
 * backwards in time). With a mask, padded steps (mask 0, which follow an episode's end) get 0 and
 * add nothing.
 */
export function returnsFromEachStep(
  x: ArrayLike<number>,
  B: number,
  T: number,
  discount: number,
  mask?: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(B * T);
  for (let b = 0; b < B; b++) {
    let g = 0;
    for (let t = T - 1; t >= 0; t--) {
      const i = b * T + t;
      if (mask !== undefined && !mask[i]) continue;
      g = x[i] + discount * g;
      out[i] = g;
    }
  }
  return out;
}
