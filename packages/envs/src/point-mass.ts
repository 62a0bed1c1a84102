import type { Rng } from '@metagrad/autodiff';
import { checkInt, checkOneOf, checkPositive } from './errors';
import { box } from './spaces';
import { type TaskDistribution, taskDistribution } from './task-distribution';
import { VecEnv } from './vec-env';

/**
 * A 2-D point mass that mimics the task structure of the MuJoCo locomotion benchmarks (which need
 * a physics engine this runtime lacks): 'velocity' tasks ask for a forward speed (like
 * HalfCheetah-Vel, target ∼ U[0, 2]), 'direction' tasks for running forward or backward (like
 * HalfCheetah-Dir / Ant-Dir). It is a stand-in with the same meta-structure, not those tasks.
 */
export type PointMassTaskKind = 'velocity' | 'direction';

export interface PointMassTask {
  readonly kind: PointMassTaskKind;
  /** Target x-velocity ('velocity') or ±1 ('direction'). */
  readonly target: number;
}

export interface PointMassOptions {
  kind?: PointMassTaskKind;
  horizon?: number;
  /** Weight of the control cost c‖a‖² (default 0.05, as in the locomotion tasks' ctrl_cost). */
  controlCost?: number;
}

export const POINT_MASS = { dt: 0.1, actionBound: 1, velocityRange: [0, 2] } as const;

interface PointState {
  readonly size: number;
  /** [B, 4]: x, y, vx, vy. */
  readonly s: Float64Array;
  readonly target: Float64Array;
}

/**
 * Dynamics: v' = v + dt·clip(a, ±1), p' = p + dt·v'. Observation [x, y, vx, vy], start at rest at
 * the origin. Reward: velocity −|vx − target| − c‖a‖²; direction target·vx − c‖a‖². Never terminates.
 */
export class PointMassEnv extends VecEnv<PointMassTask, PointState> {
  readonly name = 'point-mass';
  readonly observationSpace = box([4], -Infinity, Infinity);
  readonly actionSpace = box([2], -POINT_MASS.actionBound, POINT_MASS.actionBound);
  readonly horizon: number;
  readonly kind: PointMassTaskKind;
  readonly controlCost: number;

  constructor(options: PointMassOptions = {}) {
    super();
    this.kind = checkOneOf('kind', options.kind ?? 'velocity', ['velocity', 'direction']);
    this.horizon = checkInt('horizon', options.horizon ?? 100, 1);
    const c = options.controlCost ?? 0.05;
    this.controlCost = c === 0 ? 0 : checkPositive('controlCost', c);
  }

  protected init(tasks: readonly PointMassTask[], _rngs: readonly Rng[]): PointState {
    const target = new Float64Array(tasks.length);
    tasks.forEach((t, b) => {
      checkOneOf(`point-mass.reset: tasks[${b}].kind`, t.kind, [this.kind]);
      target[b] = t.target;
    });
    return { size: tasks.length, s: new Float64Array(tasks.length * 4), target };
  }

  protected advance(
    st: PointState,
    actions: Float64Array,
    reward: Float64Array,
    done: Uint8Array,
    active: Uint8Array | null,
  ): void {
    const { dt, actionBound: m } = POINT_MASS;
    const s = st.s;
    const velocity = this.kind === 'velocity';
    for (let b = 0; b < st.size; b++) {
      if (active !== null && active[b] === 0) continue;
      const ax = Math.min(m, Math.max(-m, actions[2 * b]));
      const ay = Math.min(m, Math.max(-m, actions[2 * b + 1]));
      const i = 4 * b;
      s[i + 2] += dt * ax;
      s[i + 3] += dt * ay;
      s[i] += dt * s[i + 2];
      s[i + 1] += dt * s[i + 3];
      const ctrl = this.controlCost * (ax * ax + ay * ay);
      reward[b] = (velocity ? -Math.abs(s[i + 2] - st.target[b]) : st.target[b] * s[i + 2]) - ctrl;
      done[b] = 0;
    }
  }

  protected observe(st: PointState, obs: Float64Array, active: Uint8Array | null = null): void {
    for (let b = 0; b < st.size; b++) {
      if (active !== null && active[b] === 0) continue;
      for (let j = 0; j < 4; j++) obs[4 * b + j] = st.s[4 * b + j];
    }
  }
}

/** Velocity targets ∼ U[0, 2], or directions ±1 with equal probability. */
export function pointMassTasks(
  options: Pick<PointMassOptions, 'kind'> = {},
): TaskDistribution<PointMassTask> {
  const kind = checkOneOf('kind', options.kind ?? 'velocity', ['velocity', 'direction']);
  return taskDistribution(`point-mass-${kind}`, (rng) => ({
    kind,
    target:
      kind === 'velocity'
        ? rng.uniformRange(POINT_MASS.velocityRange[0], POINT_MASS.velocityRange[1])
        : rng.int(2) === 0
          ? -1
          : 1,
  }));
}
