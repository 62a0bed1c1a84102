import {
  add,
  exp,
  grad,
  log,
  mul,
  reshape,
  softmax,
  sub,
  sum,
  type Tensor,
  tensor,
} from '@metagrad/autodiff';
import { enumerateTrajectories, exactReturnBackward, type TabularMdp } from '@metagrad/envs';
import { magicBox } from '../surrogates/magic-box';
import { tabularLogProbs } from '../tabular-policy';
import { MOMENTS_MAX_TRAJECTORIES } from './expectation';

/**
 * The N-sample one-step meta-objective of a tiny MDP, exactly, by enumerating ordered N-tuples of
 * trajectories: V_N(θ) = E_{τ_1..N ∼ p_θ}[J(θ + α ĝ(θ; τ_1..N))], ĝ = (1/N) Σ_i R(τ_i)∇log p_θ(τ_i)
 * (the inner SF estimate; rewards at their means, so an MDP with reward noise is treated as its mean).
 */
export interface NSampleMeta {
  /** ∇V_N (what an unbiased meta-gradient estimator averages to). */
  gradient: Float64Array;
  /**
   * E[(I + αĤ)∇J(θ′)] with Ĥ = (1/N)Σ R(τ_i)(∇²log p + ∇log p ∇log pᵀ) the unbiased (DiCE-type)
   * Hessian estimate: the exact mean of the LSF meta-gradient (exact outer gradient).
   */
  lsfMean: Float64Array;
  /** lsfMean − gradient: LSF's bias, O(1/N). */
  lsfBias: Float64Array;
  /** Number of N-tuples enumerated. */
  tuples: number;
}

export const MAX_TUPLES = 100_000;

export function exactNSampleMeta(
  mdp: TabularMdp,
  theta: ArrayLike<number>,
  alpha: number,
  n: number,
): NSampleMeta {
  const { states: S, actions: A } = mdp;
  const en = enumerateTrajectories(mdp, MOMENTS_MAX_TRAJECTORIES);
  const { count: K, horizon: T } = en;
  const tuples = K ** n;
  if (tuples > MAX_TUPLES)
    throw new RangeError(
      `n: ${K}^${n} = ${tuples} trajectory tuples exceed ${MAX_TUPLES}; use a smaller n or MDP`,
    );
  // per-trajectory counts of (s, a) and visits of s, so ∇log p(τ) = counts − visits ⊗ π
  const counts = new Float64Array(K * S * A);
  const visits = new Float64Array(K * S);
  const ret = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    for (let t = 0; t < T; t++) {
      const sa = en.stateActions[k * T + t];
      counts[k * S * A + sa]++;
      visits[k * S + Math.floor(sa / A)]++;
      ret[k] += mdp.discount ** t * en.rewards[k * T + t];
    }
  }
  const idx: Int32Array[] = Array.from({ length: n }, () => new Int32Array(tuples));
  for (let m = 0; m < tuples; m++)
    for (let i = 0, r = m; i < n; i++, r = Math.floor(r / K)) idx[i][m] = r % K;
  const C = tensor(counts, { shape: [K, S, A] });
  const Vt = tensor(visits, { shape: [K, S, 1] });
  const Rk = tensor(ret, { shape: [K, 1, 1] });

  // log-weight of each tuple and the adapted parameters θ′ of each tuple: [M], [M, S·A]
  // dice: weight each inner gradient by □(log p(τ_i)) so ∂θ′/∂θ gets the outer products too
  const parts = (th: Tensor, dice = false) => {
    const lp = sum(tabularLogProbs(th, S, A, en.stateActions, [K, T]), 1);
    const logw = add(lp, log(tensor(en.envProbs)));
    const pi = reshape(softmax(reshape(th, [S, A]), 1), [1, S, A]);
    let gk = reshape(mul(Rk, sub(C, mul(Vt, pi))), [K, S * A]);
    if (dice) gk = mul(gk, reshape(magicBox(lp), [K, 1]));
    let logW: Tensor | null = null;
    let gsum: Tensor | null = null;
    for (let i = 0; i < n; i++) {
      const li = logw.take(idx[i], 0);
      const gi = gk.take(idx[i], 0);
      logW = logW === null ? li : add(logW, li);
      gsum = gsum === null ? gi : add(gsum, gi);
    }
    const thetaPrime = add(reshape(th, [1, S * A]), mul(alpha / n, gsum!));
    return { logW: logW!, thetaPrime };
  };
  const th0 = tensor(Float64Array.from(theta));
  const full = (th: Tensor) => {
    const { logW, thetaPrime } = parts(th);
    return sum(mul(exp(logW), exactReturnBackward(mdp, thetaPrime)));
  };
  const weights = exp(parts(th0).logW);
  const lsf = (th: Tensor) => sum(mul(weights, exactReturnBackward(mdp, parts(th, true).thetaPrime)));
  const gradient = Float64Array.from(grad(full)(th0).data);
  const lsfMean = Float64Array.from(grad(lsf)(th0).data);
  return { gradient, lsfMean, lsfBias: lsfMean.map((g, i) => g - gradient[i]), tuples };
}
