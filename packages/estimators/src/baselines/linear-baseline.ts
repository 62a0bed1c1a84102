import type { Batch } from '@metagrad/envs';

/**
 * The per-task linear feature baseline of the MAML-RL/rllab code: ridge regression of the
 * discounted return-from-t Σ_{k≥t} γ^{k−t} r_k on features [o, o², t/T, (t/T)², (t/T)³, 1] of the
 * real steps. Fit it on a batch independent of the one it is used on, so the estimators that
 * take it under ⊥ stay unbiased.
 */
export class LinearBaseline {
  private constructor(
    private readonly weights: Float64Array,
    private readonly horizon: number,
  ) {}

  static features(obs: ArrayLike<number>, offset: number, dim: number, t: number, horizon: number): number[] {
    const f: number[] = [];
    for (let j = 0; j < dim; j++) f.push(obs[offset + j]);
    for (let j = 0; j < dim; j++) f.push(obs[offset + j] ** 2);
    const u = t / horizon;
    f.push(u, u * u, u * u * u, 1);
    return f;
  }

  static fit(batch: Batch, discount = batch.discount, ridge = 1e-5): LinearBaseline {
    const { size: B, horizon: T, obsDim: d, observations, rewards, mask } = batch;
    const k = 2 * d + 4;
    const xtx = new Float64Array(k * k);
    const xty = new Float64Array(k);
    for (let b = 0; b < B; b++) {
      let g = 0;
      for (let t = T - 1; t >= 0; t--) {
        const i = b * T + t;
        if (!mask[i]) continue;
        g = rewards[i] + discount * g;
        const f = LinearBaseline.features(observations, i * d, d, t, T);
        for (let p = 0; p < k; p++) {
          xty[p] += f[p] * g;
          for (let q = 0; q < k; q++) xtx[p * k + q] += f[p] * f[q];
        }
      }
    }
    for (let p = 0; p < k; p++) xtx[p * k + p] += ridge;
    return new LinearBaseline(solveSymmetric(xtx, xty, k), T);
  }

  /** Predicted V(s_t) for every step of a batch: [B, T], 0 on padding. */
  predict(batch: Batch): Float64Array {
    const { size: B, horizon: T, obsDim: d, observations, mask } = batch;
    const out = new Float64Array(B * T);
    for (let i = 0; i < B * T; i++) {
      if (!mask[i]) continue;
      const f = LinearBaseline.features(observations, i * d, d, i % T, this.horizon);
      out[i] = f.reduce((s, x, p) => s + x * this.weights[p], 0);
    }
    return out;
  }
}

/** Gaussian elimination with partial pivoting (the system is tiny: 2·obsDim + 4 unknowns). */
function solveSymmetric(a: Float64Array, y: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  const x = Float64Array.from(y);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[piv * n + c])) piv = r;
    if (piv !== c) {
      for (let j = 0; j < n; j++) [m[c * n + j], m[piv * n + j]] = [m[piv * n + j], m[c * n + j]];
      [x[c], x[piv]] = [x[piv], x[c]];
    }
    const d = m[c * n + c];
    if (d === 0) continue;
    for (let r = c + 1; r < n; r++) {
      const f = m[r * n + c] / d;
      if (f === 0) continue;
      for (let j = c; j < n; j++) m[r * n + j] -= f * m[c * n + j];
      x[r] -= f * x[c];
    }
  }
  for (let c = n - 1; c >= 0; c--) {
    let s = x[c];
    for (let j = c + 1; j < n; j++) s -= m[c * n + j] * x[j];
    x[c] = m[c * n + c] === 0 ? 0 : s / m[c * n + c];
  }
  return x;
}
