import { EnvConfigError } from './errors';
import type { TabularMdp } from './tabular-mdp';

/**
 * Plain-number dynamic programming on a tabular MDP: the expected return of a fixed softmax
 * policy and the optimal return. No autodiff here; the differentiable versions live in
 * `exact.ts`. These are also the cross-checks for them.
 */

/** Row-wise softmax of logits [S, A] into probabilities [S, A]. */
export function softmaxRows(logits: ArrayLike<number>, states: number, actions: number): Float64Array {
  if (logits.length !== states * actions) {
    throw new EnvConfigError(
      `logits: expected length ${states * actions} ([${states}, ${actions}]), got ${logits.length}`,
    );
  }
  const out = new Float64Array(states * actions);
  for (let s = 0; s < states; s++) {
    let max = -Infinity;
    for (let a = 0; a < actions; a++) max = Math.max(max, logits[s * actions + a]);
    let z = 0;
    for (let a = 0; a < actions; a++) z += out[s * actions + a] = Math.exp(logits[s * actions + a] - max);
    for (let a = 0; a < actions; a++) out[s * actions + a] /= z;
  }
  return out;
}

/** Q_t = R + γ P V_{t+1} for one stage: [S, A]. */
function backup(m: TabularMdp, v: Float64Array): Float64Array {
  const { states: S, actions: A, transitions: P, rewards: R, discount: g } = m;
  const q = new Float64Array(S * A);
  for (let sa = 0; sa < S * A; sa++) {
    let ev = 0;
    for (let s2 = 0; s2 < S; s2++) ev += P[sa * S + s2] * v[s2];
    q[sa] = R[sa] + g * ev;
  }
  return q;
}

/**
 * Time-dependent state values V_t(s) = E[Σ_{t≤k<T} γ^{k−t} R(s_k,a_k) | s_t = s] under
 * π = softmax(θ[s]), by backward induction: [T, S] row-major (row t holds V_t). These are the
 * exact ⊥ baselines of the estimator studies; `expectedReturn` is initialᵀ V_0.
 */
export function stateValues(m: TabularMdp, logits: ArrayLike<number>, horizon = m.horizon): Float64Array {
  const { states: S, actions: A } = m;
  const pi = softmaxRows(logits, S, A);
  const out = new Float64Array(horizon * S);
  let v = new Float64Array(S);
  for (let t = horizon - 1; t >= 0; t--) {
    const q = backup(m, v);
    v = new Float64Array(S);
    for (let s = 0; s < S; s++) for (let a = 0; a < A; a++) v[s] += pi[s * A + a] * q[s * A + a];
    out.set(v, t * S);
  }
  return out;
}

/** J(θ) = E[Σ_{t<T} γ^t R(s_t,a_t)] under π = softmax(θ[s]), by backward induction. */
export function expectedReturn(m: TabularMdp, logits: ArrayLike<number>, horizon = m.horizon): number {
  const v0 = horizon > 0 ? stateValues(m, logits, horizon).subarray(0, m.states) : new Float64Array(m.states);
  let j = 0;
  for (let s = 0; s < m.states; s++) j += m.initial[s] * v0[s];
  return j;
}

export interface OptimalSolution {
  /** max over policies of J (the "oracle" baseline). */
  readonly value: number;
  /** Optimal state values at t = 0: [S]. */
  readonly values: Float64Array;
  /** Greedy action per step and state: [T, S] (finite horizon) or [1, S] (infinite). */
  readonly policy: Int32Array;
}

/**
 * Optimal return by backward induction with max over actions (finite horizon, the default), or by
 * value iteration to `tolerance` for the infinite-horizon discounted value (needs γ < 1).
 */
export function optimalReturn(
  m: TabularMdp,
  options: { horizon?: number | 'infinite'; tolerance?: number; maxIterations?: number } = {},
): OptimalSolution {
  const { states: S, actions: A } = m;
  const horizon = options.horizon ?? m.horizon;
  const infinite = horizon === 'infinite';
  if (infinite && !(m.discount < 1)) {
    throw new EnvConfigError(`discount: expected < 1 for an infinite-horizon value, got ${m.discount}`);
  }
  const steps = infinite ? (options.maxIterations ?? 100000) : horizon;
  const tol = options.tolerance ?? 1e-13;
  const policy = new Int32Array((infinite ? 1 : steps) * S);
  let v = new Float64Array(S);
  for (let k = 0; k < steps; k++) {
    const t = infinite ? 0 : steps - 1 - k;
    const q = backup(m, v);
    const next = new Float64Array(S);
    for (let s = 0; s < S; s++) {
      let best = 0;
      for (let a = 1; a < A; a++) if (q[s * A + a] > q[s * A + best]) best = a;
      next[s] = q[s * A + best];
      policy[t * S + s] = best;
    }
    let delta = 0;
    for (let s = 0; s < S; s++) delta = Math.max(delta, Math.abs(next[s] - v[s]));
    v = next;
    if (infinite && delta <= tol * Math.max(1, Math.abs(v[0]))) break;
  }
  let value = 0;
  for (let s = 0; s < S; s++) value += m.initial[s] * v[s];
  return { value, values: v, policy };
}
