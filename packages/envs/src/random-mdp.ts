import type { Rng } from '@metagrad/autodiff';
import { checkInt, checkNumber } from './errors';
import type { TabularMdp } from './tabular-mdp';
import { type TaskDistribution, taskDistribution } from './task-distribution';

export interface RandomMdpOptions {
  states?: number;
  actions?: number;
  discount?: number;
  /** Horizon used when sampling episodes; the exact value is the infinite-horizon one. */
  horizon?: number;
}

/** Loaded DiCE (Farquhar et al. 2019) random-MDP constants. */
export const RANDOM_MDP_DEFAULTS = { states: 5, actions: 4, discount: 0.95, horizon: 100 } as const;

/**
 * The Loaded DiCE random MDP: rewards R(s,a) = (N(0,1) + 5)·10 (deterministic given the task),
 * transitions P(·|s,a) ∼ Dirichlet(1), initial state uniform, γ = 0.95. Its exact value is the
 * infinite-horizon V = s0ᵀ(I − γP_π)⁻¹R_π (`infiniteHorizonValue`).
 * The paper fixes the reward law and γ; the transition law and s0 are not published, so
 * Dirichlet(1) rows and a uniform s0 are our choice.
 */
export function randomMdpTasks(options: RandomMdpOptions = {}): TaskDistribution<TabularMdp> {
  const o = { ...RANDOM_MDP_DEFAULTS, ...options };
  const S = checkInt('states', o.states, 1);
  const A = checkInt('actions', o.actions, 1);
  const discount = checkNumber('discount', o.discount, 0, 1);
  const T = checkInt('horizon', o.horizon, 1);
  return taskDistribution('random-mdp', (rng) => {
    const transitions = new Float64Array(S * A * S);
    for (let sa = 0; sa < S * A; sa++) transitions.set(rng.dirichlet(S, 1), sa * S);
    const rewards = new Float64Array(S * A);
    for (let i = 0; i < S * A; i++) rewards[i] = (rng.normal() + 5) * 10;
    const initial = new Float64Array(S).fill(1 / S);
    return { states: S, actions: A, transitions, rewards, rewardStd: 0, initial, horizon: T, discount };
  });
}

/** Initial tabular softmax logits θ[s][a] ∼ N(0, 1), as in the Loaded DiCE experiments: [S, A]. */
export function randomMdpLogits(
  rng: Rng,
  states: number = RANDOM_MDP_DEFAULTS.states,
  actions: number = RANDOM_MDP_DEFAULTS.actions,
): Float64Array {
  return rng.fillNormal(new Float64Array(states * actions));
}
