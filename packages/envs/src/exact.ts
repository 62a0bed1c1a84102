import {
  add,
  exp,
  expandDims,
  eye,
  logSoftmax,
  matmul,
  mul,
  reshape,
  softmax,
  solve,
  sub,
  sum,
  type Tensor,
  take,
  tensor,
} from '@metagrad/autodiff';
import type { Batch } from './batch';
import { checkInt, EnvConfigError } from './errors';
import { oneHotIndex } from './one-hot';
import type { TabularMdp } from './tabular-mdp';
import { enumerateTrajectories, type Trajectories, trajectoryCount } from './trajectories';

/**
 * Exact expected returns of a stationary tabular softmax policy π(a|s) = softmax(θ[s]) as
 * differentiable expressions of the logits θ [S, A], so `grad`/`hessian` of them are the exact
 * ∇J and ∇²J the estimators are tested against. Dynamics and rewards enter as constants.
 */

function checkLogits(m: TabularMdp, logits: Tensor): void {
  const [S, A] = [m.states, m.actions];
  if (logits.shape.length !== 2 || logits.shape[0] !== S || logits.shape[1] !== A) {
    throw new EnvConfigError(
      `logits: expected a tensor of shape [${S}, ${A}], got [${logits.shape.join(', ')}]`,
    );
  }
}

/** The differentiable per-trajectory quantities over an enumerated trajectory set. */
export interface TrajectoryDistribution {
  /** log π(a_t | s_t) per trajectory and step: [N, T]. */
  readonly stepLogProbs: Tensor;
  /** log p_θ(τ) = env log-prob + Σ_t log π(a_t|s_t): [N]. */
  readonly logProbs: Tensor;
  /** p_θ(τ): [N], sums to 1. */
  readonly probs: Tensor;
}

/** log π, log p_θ(τ) and p_θ(τ) of every trajectory of `traj` under logits θ. */
export function trajectoryDistribution(traj: Trajectories, logits: Tensor): TrajectoryDistribution {
  const { count: N, horizon: T } = traj;
  const flatLogPi = reshape(logSoftmax(logits, -1), [logits.size]);
  const stepLogProbs = reshape(take(flatLogPi, traj.stateActions, 0), [N, T]);
  const logProbs = sum(stepLogProbs, [1]).add(tensor(traj.envLogProbs, { shape: [N] }));
  return { stepLogProbs, logProbs, probs: exp(logProbs) };
}

/** J(θ) = Σ_τ p_θ(τ) R(τ) by enumerating trajectories (pass `traj` to reuse an enumeration). */
export function exactReturnEnumerated(m: TabularMdp, logits: Tensor, traj?: Trajectories): Tensor {
  checkLogits(m, logits);
  const t = traj ?? enumerateTrajectories(m);
  const { probs } = trajectoryDistribution(t, logits);
  return sum(mul(probs, tensor(t.returns, { shape: [t.count] })));
}

/**
 * J(θ) by backward induction: V_T = 0, Q_t = R + γ P V_{t+1}, V_t(s) = Σ_a π(a|s) Q_t(s,a),
 * J = initialᵀ V_0. Cost O(T·S²·A) per policy, so it scales where enumeration cannot.
 *
 * θ is one policy, `[S, A]` or flat `[S·A]` (index s·A + a), giving a scalar; or M policies at
 * once, `[M, S, A]` or `[M, S·A]`, giving `[M]` (e.g. the adapted θ′ of many inner-loop samples).
 * A 2-D `[S, A]` always counts as one policy (for S = 1 write a batch as `[M, 1, A]`).
 * `horizon` overrides the MDP's T.
 */
export function exactReturnBackward(m: TabularMdp, logits: Tensor, horizon = m.horizon): Tensor {
  checkInt('horizon', horizon, 1);
  const { states: S, actions: A } = m;
  const shape = logits.shape;
  const single =
    (shape.length === 1 && shape[0] === S * A) || (shape.length === 2 && shape[0] === S && shape[1] === A);
  const batched =
    !single &&
    ((shape.length === 2 && shape[1] === S * A) || (shape.length === 3 && shape[1] === S && shape[2] === A));
  if (!single && !batched) {
    throw new EnvConfigError(
      `logits: expected a tensor of shape [${S}, ${A}], [${S * A}], [M, ${S}, ${A}] or [M, ${S * A}], ` +
        `got [${shape.join(', ')}]`,
    );
  }
  const M = batched ? shape[0] : 1;
  const pi = softmax(reshape(logits, [M, S, A]), 2);
  // Pᵀ as [S', S·A], so V [M, S'] @ Pᵀ gives E[V(s') | s, a] for every (s, a) of every policy
  const pt = new Float64Array(S * S * A);
  for (let sa = 0; sa < S * A; sa++)
    for (let s2 = 0; s2 < S; s2++) pt[s2 * S * A + sa] = m.transitions[sa * S + s2];
  const P = tensor(pt, { shape: [S, S * A] });
  const R = tensor(m.rewards, { shape: [1, S * A] });
  let v: Tensor | null = null; // V_{t+1} [M, S]; null stands for V_T = 0
  for (let t = horizon - 1; t >= 0; t--) {
    const q: Tensor = v === null ? R : add(R, mul(m.discount, matmul(v, P)));
    v = sum(mul(pi, reshape(q, [q.shape[0], S, A])), 2);
  }
  const j = matmul(v!, tensor(m.initial, { shape: [S, 1] }));
  return reshape(j, batched ? [M] : []);
}

export type ExactMethod = 'enumerate' | 'backward' | 'auto';

/** Largest trajectory count for which `auto` enumerates (beyond it, backward induction). */
export const AUTO_ENUMERATION_LIMIT = 20000;

/** Exact finite-horizon J(θ); `auto` enumerates small problems and uses backward induction otherwise. */
export function exactReturn(m: TabularMdp, logits: Tensor, method: ExactMethod = 'auto'): Tensor {
  if (method === 'enumerate') return exactReturnEnumerated(m, logits);
  if (method === 'backward') return exactReturnBackward(m, logits);
  if (method !== 'auto')
    throw new EnvConfigError(`method: expected "enumerate", "backward" or "auto", got ${method}`);
  return trajectoryCount(m) <= AUTO_ENUMERATION_LIMIT
    ? exactReturnEnumerated(m, logits)
    : exactReturnBackward(m, logits);
}

/** P_π [S, S] and R_π [S] of the policy: the Markov chain the policy induces. */
export function policyMarkovChain(m: TabularMdp, logits: Tensor): { P: Tensor; R: Tensor } {
  checkLogits(m, logits);
  const { states: S, actions: A } = m;
  const pi = softmax(logits, -1);
  const P3 = tensor(m.transitions, { shape: [S, A, S] });
  return {
    P: sum(mul(expandDims(pi, 2), P3), [1]),
    R: sum(mul(pi, tensor(m.rewards, { shape: [S, A] })), [1]),
  };
}

/** Infinite-horizon discounted value V = s0ᵀ (I − γ P_π)⁻¹ R_π by a differentiable linear solve (γ < 1). */
export function infiniteHorizonValue(m: TabularMdp, logits: Tensor): Tensor {
  if (!(m.discount < 1)) {
    throw new EnvConfigError(`discount: expected < 1 for an infinite-horizon value, got ${m.discount}`);
  }
  const S = m.states;
  const { P, R } = policyMarkovChain(m, logits);
  const v = solve(sub(eye(S), mul(m.discount, P)), reshape(R, [S, 1]));
  return sum(mul(tensor(m.initial, { shape: [S] }), reshape(v, [S])));
}

/**
 * log π(a_t|s_t) of a tabular-MDP batch (one-hot observations) as a differentiable [B, T]
 * tensor; padded steps are exactly 0.
 */
export function tabularBatchLogProbs(logits: Tensor, batch: Batch): Tensor {
  const [S, A] = logits.shape;
  const { size: B, horizon: T, observations, actions, mask } = batch;
  if (batch.obsDim !== S || batch.actDim !== 1) {
    throw new EnvConfigError(
      `batch: expected one-hot observations of ${S} states and discrete actions, got obsDim ${batch.obsDim}, actDim ${batch.actDim}`,
    );
  }
  const idx = new Int32Array(B * T);
  for (let k = 0; k < B * T; k++) {
    if (mask[k] === 0) continue; // index 0 is a valid entry; the mask zeroes it below
    const s = oneHotIndex(observations, k, S, () => `batch.observations[${Math.floor(k / T)}][${k % T}]`);
    idx[k] = s * A + actions[k];
  }
  const flatLogPi = reshape(logSoftmax(logits, -1), [S * A]);
  return mul(reshape(take(flatLogPi, idx, 0), [B, T]), tensor(mask, { shape: [B, T] }));
}

/** One enumerated trajectory with its differentiable probability. */
export interface EnumeratedTrajectory {
  readonly states: Int32Array;
  readonly actions: Int32Array;
  readonly rewards: Float64Array;
  /** Σ_t γ^t R(s_t, a_t). */
  readonly return: number;
  /** log π(a_t|s_t): [T]. */
  readonly stepLogProbs: Tensor;
  /** log p_θ(τ) (scalar). */
  readonly logProb: Tensor;
  /** p_θ(τ) (scalar). */
  readonly prob: Tensor;
}

/**
 * The trajectories as a list of objects (convenient for small problems and for splitting the
 * exact Hessian into per-trajectory terms; for speed use `trajectoryDistribution`'s batched tensors).
 */
export function trajectoryList(m: TabularMdp, logits: Tensor, traj?: Trajectories): EnumeratedTrajectory[] {
  checkLogits(m, logits);
  const t = traj ?? enumerateTrajectories(m);
  const d = trajectoryDistribution(t, logits);
  const T = t.horizon;
  return Array.from({ length: t.count }, (_, n) => ({
    states: t.states.slice(n * T, (n + 1) * T),
    actions: t.actions.slice(n * T, (n + 1) * T),
    rewards: t.rewards.slice(n * T, (n + 1) * T),
    return: t.returns[n],
    stepLogProbs: reshape(take(d.stepLogProbs, [n], 0), [T]),
    logProb: reshape(take(d.logProbs, [n], 0), []),
    prob: reshape(take(d.probs, [n], 0), []),
  }));
}
