import type { Rng } from '@metagrad/autodiff';
import { checkInt, checkOneOf } from './errors';
import { box, discrete } from './spaces';
import type { TabularMdp } from './tabular-mdp';
import { type TaskDistribution, taskDistribution } from './task-distribution';
import { VecEnv } from './vec-env';

export type BanditKind = 'bernoulli' | 'gaussian';

/** One bandit task: the mean reward of each arm (Bernoulli p_a, or Gaussian μ_a with unit std). */
export interface BanditTask {
  readonly kind: BanditKind;
  readonly means: Float64Array;
}

export interface BanditOptions {
  /** Number of arms k (RL² / MAML-RL use 5, 10, 50; default 5). */
  arms?: number;
  kind?: BanditKind;
  /** Pulls per episode (default 1: one pull per episode). */
  horizon?: number;
  /** Law of the per-task arm means: U[0,1] (default) or N(0,1) (Gaussian arms only). */
  means?: 'uniform' | 'normal';
}

interface BanditState {
  readonly size: number;
  readonly tasks: readonly BanditTask[];
  readonly rngs: readonly Rng[];
}

/**
 * k-armed bandit. Observation is the constant [1] (there is no state); reward ∼ Bernoulli(p_a)
 * or N(μ_a, 1); never terminates before the horizon.
 */
export class BanditEnv extends VecEnv<BanditTask, BanditState> {
  readonly name: string;
  readonly observationSpace = box([1], 1, 1);
  readonly actionSpace;
  readonly horizon: number;

  constructor(
    readonly arms: number,
    readonly kind: BanditKind = 'bernoulli',
    horizon = 1,
  ) {
    super();
    checkInt('arms', arms, 1);
    checkOneOf('kind', kind, ['bernoulli', 'gaussian']);
    this.horizon = checkInt('horizon', horizon, 1);
    this.name = `${kind}-bandit`;
    this.actionSpace = discrete(arms);
  }

  protected init(tasks: readonly BanditTask[], rngs: readonly Rng[]): BanditState {
    tasks.forEach((task, b) => {
      checkInt(`${this.name}.reset: tasks[${b}].means.length`, task.means.length, this.arms, this.arms);
    });
    return { size: tasks.length, tasks, rngs };
  }

  protected advance(
    st: BanditState,
    actions: Float64Array,
    reward: Float64Array,
    done: Uint8Array,
    active: Uint8Array | null,
  ): void {
    for (let b = 0; b < st.size; b++) {
      if (active !== null && active[b] === 0) continue;
      const mean = st.tasks[b].means[actions[b]];
      reward[b] =
        this.kind === 'bernoulli' ? (st.rngs[b].uniform() < mean ? 1 : 0) : st.rngs[b].normal(mean, 1);
      done[b] = 0;
    }
  }

  protected observe(st: BanditState, obs: Float64Array, active: Uint8Array | null = null): void {
    for (let b = 0; b < st.size; b++) if (active === null || active[b] !== 0) obs[b] = 1;
  }
}

/** Bandit tasks: arm means ∼ U[0,1] (or N(0,1) for Gaussian arms with `means: 'normal'`). */
export function banditTasks(options: BanditOptions = {}): TaskDistribution<BanditTask> {
  const arms = checkInt('arms', options.arms ?? 5, 1);
  const kind = checkOneOf('kind', options.kind ?? 'bernoulli', ['bernoulli', 'gaussian']);
  const law = checkOneOf('means', options.means ?? 'uniform', ['uniform', 'normal']);
  if (kind === 'bernoulli' && law === 'normal') checkOneOf('means (for Bernoulli arms)', law, ['uniform']);
  return taskDistribution(`${kind}-bandit`, (rng) => ({
    kind,
    means:
      law === 'uniform' ? rng.fillUniform(new Float64Array(arms)) : rng.fillNormal(new Float64Array(arms)),
  }));
}

/**
 * The bandit as a one-state tabular MDP (horizon pulls, γ = 1), so the exact oracles apply:
 * expected rewards are the arm means (Bernoulli noise or unit Gaussian noise does not change J).
 */
export function banditAsMdp(task: BanditTask, horizon = 1): TabularMdp {
  const k = task.means.length;
  return {
    states: 1,
    actions: k,
    transitions: new Float64Array(k).fill(1),
    rewards: Float64Array.from(task.means),
    rewardStd: task.kind === 'gaussian' ? 1 : 0,
    initial: Float64Array.of(1),
    horizon: checkInt('horizon', horizon, 1),
    discount: 1,
  };
}
