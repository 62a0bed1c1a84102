import type { Rng } from '@metagrad/autodiff';
import { checkInt, checkOneOf } from './errors';
import { box } from './spaces';
import { type TaskDistribution, taskDistribution } from './task-distribution';
import { VecEnv } from './vec-env';

/** The four goal corners (±2, ±2), indexed 0..3. */
export const CORNERS: readonly (readonly [number, number])[] = [
  [2, 2],
  [-2, 2],
  [-2, -2],
  [2, -2],
];

export interface FourCornersTask {
  /** Index into CORNERS. */
  readonly corner: number;
}

export type FourCornersVariant = 'es-maml' | 'promp';

export interface FourCornersOptions {
  variant?: FourCornersVariant;
  horizon?: number;
}

interface CornerState {
  readonly size: number;
  readonly pos: Float64Array;
  readonly corner: Int32Array;
}

const ES_ACTION_BOUND = 0.1;
const ES_POSITION_BOUND = 5;
const PROMP_ACTION_BOUND = 0.2;
const PROMP_START_BOUND = 0.2;
const PROMP_MIN_L1 = 0.5;

/**
 * Sparse four-corners navigation.
 * 'es-maml' (default): start (0,0), action clip ±0.1, position clip ±5,
 *   reward −4 + max(0, 4 − ‖p − g‖²).
 * 'promp': start ∼ U[−0.2,0.2]², action clip ±0.2, reward = (previous − new) distance to the goal,
 *   paid only when the goal is the nearest corner to the new position and ‖p‖₁ ≥ 0.5, else 0.
 * Observation: the position. Never terminates before the horizon.
 */
export class FourCornersEnv extends VecEnv<FourCornersTask, CornerState> {
  readonly name = 'four-corners';
  readonly observationSpace = box([2], -Infinity, Infinity);
  readonly actionSpace;
  readonly horizon: number;
  readonly variant: FourCornersVariant;

  constructor(options: FourCornersOptions = {}) {
    super();
    this.variant = checkOneOf('variant', options.variant ?? 'es-maml', ['es-maml', 'promp']);
    this.horizon = checkInt('horizon', options.horizon ?? 100, 1);
    const a = this.variant === 'es-maml' ? ES_ACTION_BOUND : PROMP_ACTION_BOUND;
    this.actionSpace = box([2], -a, a);
  }

  protected init(tasks: readonly FourCornersTask[], rngs: readonly Rng[]): CornerState {
    const B = tasks.length;
    const pos = new Float64Array(B * 2);
    const corner = new Int32Array(B);
    tasks.forEach((t, b) => {
      corner[b] = checkInt(`four-corners.reset: tasks[${b}].corner`, t.corner, 0, 3);
      if (this.variant === 'promp') {
        pos[2 * b] = rngs[b].uniformRange(-PROMP_START_BOUND, PROMP_START_BOUND);
        pos[2 * b + 1] = rngs[b].uniformRange(-PROMP_START_BOUND, PROMP_START_BOUND);
      }
    });
    return { size: B, pos, corner };
  }

  protected advance(
    st: CornerState,
    actions: Float64Array,
    reward: Float64Array,
    done: Uint8Array,
    active: Uint8Array | null,
  ): void {
    const es = this.variant === 'es-maml';
    const lim = es ? ES_ACTION_BOUND : PROMP_ACTION_BOUND;
    const clip = (v: number, m: number) => Math.min(m, Math.max(-m, v));
    for (let b = 0; b < st.size; b++) {
      if (active !== null && active[b] === 0) continue;
      const goal = CORNERS[st.corner[b]];
      const gx = goal[0];
      const gy = goal[1];
      const x0 = st.pos[2 * b];
      const y0 = st.pos[2 * b + 1];
      let x = x0 + clip(actions[2 * b], lim);
      let y = y0 + clip(actions[2 * b + 1], lim);
      if (es) {
        x = clip(x, ES_POSITION_BOUND);
        y = clip(y, ES_POSITION_BOUND);
        const d2 = (x - gx) ** 2 + (y - gy) ** 2;
        reward[b] = -4 + Math.max(0, 4 - d2);
      } else {
        reward[b] =
          nearestCorner(x, y) === st.corner[b] && Math.abs(x) + Math.abs(y) >= PROMP_MIN_L1
            ? Math.hypot(x0 - gx, y0 - gy) - Math.hypot(x - gx, y - gy)
            : 0;
      }
      st.pos[2 * b] = x;
      st.pos[2 * b + 1] = y;
      done[b] = 0;
    }
  }

  protected observe(st: CornerState, obs: Float64Array, active: Uint8Array | null = null): void {
    for (let b = 0; b < st.size; b++) {
      if (active !== null && active[b] === 0) continue;
      obs[2 * b] = st.pos[2 * b];
      obs[2 * b + 1] = st.pos[2 * b + 1];
    }
  }
}

/** Index of the corner nearest to (x, y) (ties to the lowest index). */
export function nearestCorner(x: number, y: number): number {
  let best = 0;
  let bestD = Infinity;
  CORNERS.forEach(([cx, cy], i) => {
    const d = (x - cx) ** 2 + (y - cy) ** 2;
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  });
  return best;
}

/** The goal corner uniformly at random. */
export function fourCornersTasks(): TaskDistribution<FourCornersTask> {
  return taskDistribution('four-corners', (rng) => ({ corner: rng.int(4) }));
}
