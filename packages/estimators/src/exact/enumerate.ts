import type { TabularMdp } from '@metagrad/envs';

/**
 * Every trajectory of a finite MDP with non-zero environment probability, for a given horizon:
 * the data of a "batch" whose rows are all possible trajectories. Action choices are all
 * enumerated (the policy's probability is applied later, differentiably).
 */
export interface Enumerated {
  count: number;
  horizon: number;
  /** s·A + a per step: [K, T]. */
  sa: Int32Array;
  /** States [K, T]. */
  states: Int32Array;
  /** Probability of the environment's part: initial · Π transitions: [K]. */
  envProb: Float64Array;
  /** Expected rewards R(s_t, a_t) (noise averages out of every estimator linear in rewards): [K, T]. */
  rewards: Float64Array;
}

/** Refuse enumerations above this many trajectories (memory and time). */
export const MAX_TRAJECTORIES = 200_000;

export function enumerateTrajectories(mdp: TabularMdp, horizon = mdp.horizon): Enumerated {
  const { states: S, actions: A, transitions: P, rewards: R } = mdp;
  const T = horizon;
  const sa: number[] = [];
  const st: number[] = [];
  const probs: number[] = [];
  const rew: number[] = [];
  const pathSa = new Int32Array(T);
  const pathS = new Int32Array(T);
  let count = 0;
  const walk = (t: number, s: number, p: number): void => {
    for (let a = 0; a < A; a++) {
      pathS[t] = s;
      pathSa[t] = s * A + a;
      if (t === T - 1) {
        if (++count > MAX_TRAJECTORIES)
          throw new RangeError(
            `enumeration: more than ${MAX_TRAJECTORIES} trajectories; use a smaller MDP or horizon`,
          );
        for (let k = 0; k < T; k++) {
          sa.push(pathSa[k]);
          st.push(pathS[k]);
          rew.push(R[pathSa[k]]);
        }
        probs.push(p);
        continue;
      }
      for (let s2 = 0; s2 < S; s2++) {
        const q = P[(s * A + a) * S + s2];
        if (q > 0) walk(t + 1, s2, p * q);
      }
    }
  };
  for (let s = 0; s < S; s++) if (mdp.initial[s] > 0) walk(0, s, mdp.initial[s]);
  return {
    count,
    horizon: T,
    sa: Int32Array.from(sa),
    states: Int32Array.from(st),
    envProb: Float64Array.from(probs),
    rewards: Float64Array.from(rew),
  };
}
