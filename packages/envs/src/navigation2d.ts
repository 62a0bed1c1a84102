import type { Rng } from '@metagrad/autodiff';
import { checkInt, checkOneOf, checkPositive } from './errors';
import { box } from './spaces';
import { type TaskDistribution, taskDistribution } from './task-distribution';
import { VecEnv } from './vec-env';

/** A 2D navigation task: the goal position. */
export interface NavigationTask {
  readonly goal: readonly [number, number];
}

export interface Navigation2dOptions {
  /** Episode length (default 100). */
  horizon?: number;
  /** Actions are clipped to [−actionBound, actionBound]² (default 0.1). */
  actionBound?: number;
  /** Goals ∼ U[−goalBound, goalBound]² (default 0.5). */
  goalBound?: number;
  /** 'distance': −‖s − g‖₂ (the original code, default); 'squared': −‖s − g‖² (the paper's text). */
  reward?: 'distance' | 'squared';
  /** The episode ends when |dx| and |dy| are both below this (default 0.01). */
  doneTolerance?: number;
}

export const NAVIGATION2D_DEFAULTS = {
  horizon: 100,
  actionBound: 0.1,
  goalBound: 0.5,
  reward: 'distance',
  doneTolerance: 0.01,
} as const;

interface NavState {
  readonly size: number;
  readonly pos: Float64Array;
  readonly goal: Float64Array;
}

/**
 * 2D point navigation (Finn et al. 2017, as the original MAML code behaves): start at (0, 0),
 * s' = s + clip(a), reward −‖s' − g‖₂ measured after the move, observation s', done when
 * |dx| < 0.01 and |dy| < 0.01.
 */
export class Navigation2dEnv extends VecEnv<NavigationTask, NavState> {
  readonly name = 'navigation2d';
  readonly observationSpace = box([2], -Infinity, Infinity);
  readonly actionSpace;
  readonly horizon: number;
  readonly actionBound: number;
  readonly squared: boolean;
  readonly doneTolerance: number;

  constructor(options: Navigation2dOptions = {}) {
    super();
    const o = { ...NAVIGATION2D_DEFAULTS, ...options };
    this.horizon = checkInt('horizon', o.horizon, 1);
    this.actionBound = checkPositive('actionBound', o.actionBound);
    this.squared = checkOneOf('reward', o.reward, ['distance', 'squared']) === 'squared';
    this.doneTolerance = checkPositive('doneTolerance', o.doneTolerance);
    // the policy may output any finite action: it is clipped, as rllab's sampler did
    this.actionSpace = box([2], -this.actionBound, this.actionBound);
  }

  protected init(tasks: readonly NavigationTask[], _rngs: readonly Rng[]): NavState {
    const goal = new Float64Array(tasks.length * 2);
    tasks.forEach((t, b) => {
      goal[2 * b] = t.goal[0];
      goal[2 * b + 1] = t.goal[1];
    });
    return { size: tasks.length, pos: new Float64Array(tasks.length * 2), goal };
  }

  protected advance(
    st: NavState,
    actions: Float64Array,
    reward: Float64Array,
    done: Uint8Array,
    active: Uint8Array | null,
  ): void {
    const { pos, goal } = st;
    const lim = this.actionBound;
    const tol = this.doneTolerance;
    for (let b = 0; b < st.size; b++) {
      if (active !== null && active[b] === 0) continue;
      const i = 2 * b;
      const x = pos[i] + Math.min(lim, Math.max(-lim, actions[i]));
      const y = pos[i + 1] + Math.min(lim, Math.max(-lim, actions[i + 1]));
      pos[i] = x;
      pos[i + 1] = y;
      const dx = x - goal[i];
      const dy = y - goal[i + 1];
      const d2 = dx * dx + dy * dy;
      reward[b] = this.squared ? -d2 : -Math.sqrt(d2);
      done[b] = Math.abs(dx) < tol && Math.abs(dy) < tol ? 1 : 0;
    }
  }

  protected observe(st: NavState, obs: Float64Array, active: Uint8Array | null = null): void {
    if (active === null) {
      obs.set(st.pos);
      return;
    }
    for (let b = 0; b < st.size; b++) {
      if (active[b] === 0) continue;
      obs[2 * b] = st.pos[2 * b];
      obs[2 * b + 1] = st.pos[2 * b + 1];
    }
  }
}

/** Goals ∼ U[−goalBound, goalBound]² (default ±0.5). */
export function navigation2dTasks(
  options: Pick<Navigation2dOptions, 'goalBound'> = {},
): TaskDistribution<NavigationTask> {
  const g = checkPositive('goalBound', options.goalBound ?? NAVIGATION2D_DEFAULTS.goalBound);
  return taskDistribution('navigation2d', (rng) => ({
    goal: [rng.uniformRange(-g, g), rng.uniformRange(-g, g)],
  }));
}

/** Published MAML-paper numbers for 2D navigation (mean return over 40 test tasks, horizon 100). */
export const NAVIGATION2D_PUBLISHED = {
  mamlBeforeAdaptation: -40.4,
  mamlAfterSteps: [-11.7, -3.3, -3.2],
  oracle: -2.29,
  pretrained: { before: -40.8, after: -8.5 },
  randomInit: { before: -82.7, after: -46.8 },
  testTasks: 40,
  horizon: 100,
} as const;
