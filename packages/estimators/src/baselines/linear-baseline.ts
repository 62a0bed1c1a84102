import type { Batch } from '@metagrad/envs';
import { returnsFromEachStep } from '../returns';

/**
 * The per-task linear feature baseline of the MAML-RL/rllab code: ridge regression of the
 * discounted return-from-t Σ_{k≥t} γ^{k−t} r_k on features [o, o², t/T, (t/T)², (t/T)³, 1] of the
 * real steps. Fit it on a batch independent of the one it is used on, so the estimators that
 * take it under ⊥ stay unbiased.
 */
export interface LinearBaselineFitOptions {
  /** γ of the returns fitted (default: the batch's). */
  discount?: number;
  /** Ridge λ added to the diagonal of XᵀX: a finite number > 0 (default 1e-5, as rllab). */
  ridge?: number;
}

const DEFAULT_RIDGE = 1e-5;
/** Tries of the solve, the ridge ×10 each time (ridge … ridge·10⁴). */
const RIDGE_ATTEMPTS = 5;

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

  /**
   * Ridge regression on the real steps of `batch` (padded steps are skipped). When the normal
   * equations are singular to working precision or give a non-finite weight, the ridge is raised
   * ×10 and the solve retried (as pytorch-maml-rl does since its issue #48), up to
   * RIDGE_ATTEMPTS tries; then it throws, naming the batch.
   */
  static fit(batch: Batch, options: LinearBaselineFitOptions = {}): LinearBaseline {
    const discount = options.discount ?? batch.discount;
    if (!(discount >= 0 && discount <= 1))
      throw new RangeError(`LinearBaseline.fit: discount: expected a number in [0, 1], got ${discount}`);
    const ridge = options.ridge ?? DEFAULT_RIDGE;
    if (!(Number.isFinite(ridge) && ridge > 0))
      throw new RangeError(`LinearBaseline.fit: ridge: expected a finite number > 0, got ${ridge}`);
    const { size: B, horizon: T, obsDim: d, observations, rewards, mask } = batch;
    const k = 2 * d + 4;
    const xtx = new Float64Array(k * k);
    const xty = new Float64Array(k);
    const returns = returnsFromEachStep(rewards, B, T, discount, mask);
    for (let b = 0; b < B; b++) {
      for (let t = T - 1; t >= 0; t--) {
        const i = b * T + t;
        if (!mask[i]) continue;
        const f = LinearBaseline.features(observations, i * d, d, t, T);
        for (let p = 0; p < k; p++) {
          xty[p] += f[p] * returns[i];
          for (let q = 0; q < k; q++) xtx[p * k + q] += f[p] * f[q];
        }
      }
    }
    let lambda = ridge;
    for (let attempt = 1; ; attempt++) {
      const a = Float64Array.from(xtx);
      for (let p = 0; p < k; p++) a[p * k + p] += lambda;
      const w = solveSymmetric(a, xty, k);
      if (w?.every(Number.isFinite)) return new LinearBaseline(w, T);
      if (attempt === RIDGE_ATTEMPTS) break;
      lambda *= 10;
    }
    const tasks = [...new Set(batch.taskIndex)].join(', ');
    throw new RangeError(
      `LinearBaseline.fit: batch of ${B} episodes × ${T} steps (tasks ${tasks || 'none'}): ` +
        `expected solvable normal equations, got a singular or non-finite solution for every ridge from ${ridge} to ${lambda} (are the observations finite?)`,
    );
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

/**
 * Gaussian elimination with partial pivoting (the system is tiny: 2·obsDim + 4 unknowns); null
 * when a pivot is 0 to working precision (relative to the largest diagonal entry).
 */
function solveSymmetric(a: Float64Array, y: Float64Array, n: number): Float64Array | null {
  const m = Float64Array.from(a);
  const x = Float64Array.from(y);
  let scale = 0;
  for (let c = 0; c < n; c++) scale = Math.max(scale, Math.abs(m[c * n + c]));
  const tiny = Number.EPSILON * n * scale;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r * n + c]) > Math.abs(m[piv * n + c])) piv = r;
    if (piv !== c) {
      for (let j = 0; j < n; j++) [m[c * n + j], m[piv * n + j]] = [m[piv * n + j], m[c * n + j]];
      [x[c], x[piv]] = [x[piv], x[c]];
    }
    const d = m[c * n + c];
    if (!(Math.abs(d) > tiny)) return null;
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
    x[c] = s / m[c * n + c];
  }
  return x;
}
