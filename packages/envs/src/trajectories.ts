import { EnvConfigError } from './errors';
import type { TabularMdp } from './tabular-mdp';

/**
 * Every trajectory (s_0, a_0, …, s_{T−1}, a_{T−1}) of a small tabular MDP with nonzero
 * environment probability, as flat typed arrays. The last transition is summed out (it does not
 * change the return), so there are |supp s_0|·A^T·S^(T−1) of them at most.
 */
export interface Trajectories {
  readonly count: number;
  readonly horizon: number;
  /** s_t: [N, T]. */
  readonly states: Int32Array;
  /** a_t: [N, T]. */
  readonly actions: Int32Array;
  /** s_t·A + a_t, the flat index into logits [S·A] (and into `rewards` [S, A]): [N, T]. */
  readonly stateActions: Int32Array;
  /** Expected reward R(s_t, a_t), undiscounted: [N, T]. */
  readonly rewards: Float64Array;
  /** Σ_t γ^t R(s_t, a_t): [N]. */
  readonly returns: Float64Array;
  /** log initial(s_0) + Σ_{t<T−1} log P(s_{t+1}|s_t,a_t): the policy-free part of log p(τ): [N]. */
  readonly envLogProbs: Float64Array;
  /** initial(s_0) · Π_{t<T−1} P(s_{t+1}|s_t,a_t), multiplied in that order (not exp of `envLogProbs`): [N]. */
  readonly envProbs: Float64Array;
}

/** Default cap on the number of enumerated trajectories. */
export const MAX_TRAJECTORIES = 1_000_000;

/** Upper bound on the number of trajectories: the count before pruning zero-probability transitions. */
export function trajectoryCount(m: TabularMdp): number {
  let starts = 0;
  for (const p of m.initial) if (p > 0) starts++;
  return starts * m.actions ** m.horizon * m.states ** (m.horizon - 1);
}

/**
 * Exact number of trajectories `enumerateTrajectories` produces (zero-probability transitions
 * pruned), by counting paths backwards in O(T·S²·A) without enumerating them.
 */
export function prunedTrajectoryCount(m: TabularMdp): number {
  const { states: S, actions: A, horizon: T, transitions: P } = m;
  let next = new Float64Array(S).fill(A); // paths from s at step T−1: one per action
  for (let t = T - 2; t >= 0; t--) {
    const cur = new Float64Array(S);
    for (let sa = 0; sa < S * A; sa++)
      for (let s2 = 0; s2 < S; s2++) if (P[sa * S + s2] !== 0) cur[Math.floor(sa / A)] += next[s2];
    next = cur;
  }
  let count = 0;
  for (let s = 0; s < S; s++) if (m.initial[s] !== 0) count += next[s];
  return count;
}

/**
 * Enumerate every trajectory with nonzero environment probability, depth-first: s_0 ascending, then
 * a_t and s_{t+1} ascending. Throws an EnvConfigError when there would be more than
 * `maxTrajectories` of them (counted after pruning, before any enumeration work).
 */
export function enumerateTrajectories(m: TabularMdp, maxTrajectories = MAX_TRAJECTORIES): Trajectories {
  const { states: S, actions: A, horizon: T, transitions: P, rewards: R, discount: g } = m;
  const count = prunedTrajectoryCount(m);
  if (count > maxTrajectories) {
    throw new EnvConfigError(
      `horizon: enumerating ${S} states × ${A} actions × horizon ${T} gives ${count} trajectories, ` +
        `expected at most ${maxTrajectories}; use backward induction (exactReturnBackward) instead`,
    );
  }
  const states: number[] = [];
  const actions: number[] = [];
  const rewards: number[] = [];
  const returns: number[] = [];
  const envLogProbs: number[] = [];
  const envProbs: number[] = [];
  const s = new Int32Array(T);
  const a = new Int32Array(T);
  // depth-first over (a_t, s_{t+1}); zero-probability branches are pruned, not given −∞ log-probs
  const visit = (t: number, logp: number, prob: number, ret: number, w: number): void => {
    for (let act = 0; act < A; act++) {
      a[t] = act;
      const sa = s[t] * A + act;
      const r = ret + w * R[sa];
      if (t === T - 1) {
        for (let k = 0; k < T; k++) {
          states.push(s[k]);
          actions.push(a[k]);
          rewards.push(R[s[k] * A + a[k]]);
        }
        returns.push(r);
        envLogProbs.push(logp);
        envProbs.push(prob);
        continue;
      }
      for (let next = 0; next < S; next++) {
        const p = P[sa * S + next];
        if (p === 0) continue;
        s[t + 1] = next;
        visit(t + 1, logp + Math.log(p), prob * p, r, w * g);
      }
    }
  };
  for (let s0 = 0; s0 < S; s0++) {
    if (m.initial[s0] === 0) continue;
    s[0] = s0;
    visit(0, Math.log(m.initial[s0]), m.initial[s0], 0, 1);
  }
  const stateActions = new Int32Array(states.length);
  for (let k = 0; k < states.length; k++) stateActions[k] = states[k] * A + actions[k];
  return {
    count: returns.length,
    horizon: T,
    states: Int32Array.from(states),
    actions: Int32Array.from(actions),
    stateActions,
    rewards: Float64Array.from(rewards),
    returns: Float64Array.from(returns),
    envLogProbs: Float64Array.from(envLogProbs),
    envProbs: Float64Array.from(envProbs),
  };
}
