import type { Rng } from '@metagrad/autodiff';
import { checkInt, checkNumber, checkPositive, EnvConfigError } from './errors';
import { box, discrete } from './spaces';
import type { TabularMdp } from './tabular-mdp';
import { type TaskDistribution, taskDistribution } from './task-distribution';
import { VecEnv } from './vec-env';

interface TabularState {
  readonly size: number;
  readonly tasks: readonly TabularMdp[];
  readonly rngs: readonly Rng[];
  readonly s: Int32Array;
}

/**
 * Any finite MDP with S states and A actions: one-hot observation of the state, discrete action,
 * reward R(s,a) + rewardStd·N(0,1), next state ∼ P(·|s,a); never terminates. The task is the MDP
 * itself, so random tasks and a user's JSON file play through the same class.
 */
export class TabularMdpEnv extends VecEnv<TabularMdp, TabularState> {
  readonly name = 'tabular-mdp';
  readonly observationSpace;
  readonly actionSpace;
  override readonly discount: number;

  constructor(
    readonly states: number,
    readonly actions: number,
    readonly horizon: number,
    discount = 1,
  ) {
    super();
    checkInt('states', states, 1);
    checkInt('actions', actions, 1);
    checkInt('horizon', horizon, 1);
    this.discount = checkNumber('discount', discount, 0, 1);
    this.observationSpace = box([states], 0, 1);
    this.actionSpace = discrete(actions);
  }

  /** The environment that plays exactly this MDP (dims, horizon and γ taken from it). */
  static forMdp(mdp: TabularMdp): TabularMdpEnv {
    return new TabularMdpEnv(mdp.states, mdp.actions, mdp.horizon, mdp.discount);
  }

  protected init(tasks: readonly TabularMdp[], rngs: readonly Rng[]): TabularState {
    const s = new Int32Array(tasks.length);
    tasks.forEach((m, b) => {
      if (m.states !== this.states || m.actions !== this.actions) {
        throw new EnvConfigError(
          `tabular-mdp.reset: tasks[${b}]: expected ${this.states} states × ${this.actions} actions, got ${m.states} × ${m.actions}`,
        );
      }
      s[b] = rngs[b].categorical(m.initial);
    });
    return { size: tasks.length, tasks, rngs, s };
  }

  protected advance(
    st: TabularState,
    actions: Float64Array,
    reward: Float64Array,
    done: Uint8Array,
    active: Uint8Array | null,
  ): void {
    const S = this.states;
    const A = this.actions;
    for (let b = 0; b < st.size; b++) {
      if (active !== null && active[b] === 0) continue;
      const m = st.tasks[b];
      const rng = st.rngs[b];
      const sa = st.s[b] * A + actions[b];
      reward[b] = m.rewardStd > 0 ? rng.normal(m.rewards[sa], m.rewardStd) : m.rewards[sa];
      st.s[b] = rng.categorical(m.transitions, sa * S, S);
      done[b] = 0;
    }
  }

  protected observe(st: TabularState, obs: Float64Array, active: Uint8Array | null = null): void {
    const S = this.states;
    for (let b = 0; b < st.size; b++) {
      if (active !== null && active[b] === 0) continue;
      obs.fill(0, b * S, (b + 1) * S);
      obs[b * S + st.s[b]] = 1;
    }
  }

  /** Current state index of each lane (for tests and tabular learners). */
  stateIndices(st: TabularState): Int32Array {
    return st.s;
  }
}

export interface TabularMdpOptions {
  states?: number;
  actions?: number;
  horizon?: number;
  discount?: number;
  /** Dirichlet concentration of each transition row (default 1). */
  alpha?: number;
  /** Mean rewards R(s,a) ∼ N(rewardMean, rewardMeanStd²) per task (defaults 1, 1). */
  rewardMean?: number;
  rewardMeanStd?: number;
  /** Observed reward noise (default 1). */
  rewardStd?: number;
}

export const TABULAR_MDP_DEFAULTS = {
  states: 10,
  actions: 5,
  horizon: 10,
  discount: 1,
  alpha: 1,
  rewardMean: 1,
  rewardMeanStd: 1,
  rewardStd: 1,
} as const;

/**
 * Random tabular MDPs (MAML-RL / RL² defaults: 10 states × 5 actions, horizon 10,
 * P(·|s,a) ∼ Dirichlet(1), R(s,a) ∼ N(1,1), observed reward ∼ N(R(s,a), 1), start state 0).
 */
export function tabularMdpTasks(options: TabularMdpOptions = {}): TaskDistribution<TabularMdp> {
  const o = { ...TABULAR_MDP_DEFAULTS, ...options };
  const S = checkInt('states', o.states, 1);
  const A = checkInt('actions', o.actions, 1);
  const T = checkInt('horizon', o.horizon, 1);
  const discount = checkNumber('discount', o.discount, 0, 1);
  const alpha = checkPositive('alpha', o.alpha);
  const rewardMean = checkNumber('rewardMean', o.rewardMean);
  const rewardMeanStd = checkNumber('rewardMeanStd', o.rewardMeanStd, 0);
  const rewardStd = checkNumber('rewardStd', o.rewardStd, 0);
  return taskDistribution('tabular-mdp', (rng) => {
    const transitions = new Float64Array(S * A * S);
    for (let sa = 0; sa < S * A; sa++) transitions.set(rng.dirichlet(S, alpha), sa * S);
    const rewards = new Float64Array(S * A);
    for (let i = 0; i < S * A; i++) rewards[i] = rng.normal(rewardMean, rewardMeanStd);
    const initial = new Float64Array(S);
    initial[0] = 1;
    return { states: S, actions: A, transitions, rewards, rewardStd, initial, horizon: T, discount };
  });
}
