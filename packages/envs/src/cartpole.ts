import type { Rng } from '@metagrad/autodiff';
import { checkInt, checkNumber } from './errors';
import { box } from './spaces';
import { type TaskDistribution, taskDistribution } from './task-distribution';
import { VecEnv } from './vec-env';

/** Classic cart-pole constants (Barto et al. 1983, as in Gym's CartPole-v1). */
export const CARTPOLE = {
  gravity: 9.8,
  massCart: 1.0,
  massPole: 0.1,
  halfLength: 0.5,
  forceMag: 10,
  tau: 0.02,
  xThreshold: 2.4,
  thetaThreshold: (12 * 2 * Math.PI) / 360,
  initBound: 0.05,
} as const;

/** Bias grid of NoRML / ES-MAML: linspace(−π/18, π/18, 5000). */
export const CARTPOLE_BIAS_GRID_SIZE = 5000;
export const CARTPOLE_BIAS_BOUND = Math.PI / 18;

export function cartpoleBias(index: number): number {
  checkInt('bias index', index, 0, CARTPOLE_BIAS_GRID_SIZE - 1);
  return -CARTPOLE_BIAS_BOUND + (2 * CARTPOLE_BIAS_BOUND * index) / (CARTPOLE_BIAS_GRID_SIZE - 1);
}

/** A task: the bias added to the observed pole angle. */
export interface CartpoleTask {
  readonly bias: number;
}

interface CartState {
  readonly size: number;
  /** [B, 4]: x, ẋ, θ, θ̇ (true state). */
  readonly s: Float64Array;
  readonly bias: Float64Array;
}

/**
 * Cart-pole with a biased angle sensor: continuous force action clipped to [−10, 10], Euler
 * integration with τ = 0.02 s, reward 1 per step (including the failing step, as in Gym), done
 * when |x| > 2.4 or |θ| > 12°. Observation [x, ẋ, θ + bias, θ̇]; the dynamics see the true θ.
 */
export class CartpoleEnv extends VecEnv<CartpoleTask, CartState> {
  readonly name = 'cartpole';
  readonly observationSpace = box([4], -Infinity, Infinity);
  readonly actionSpace = box([1], -CARTPOLE.forceMag, CARTPOLE.forceMag);
  readonly horizon: number;

  constructor(options: { horizon?: number } = {}) {
    super();
    this.horizon = checkInt('horizon', options.horizon ?? 500, 1);
  }

  protected init(tasks: readonly CartpoleTask[], rngs: readonly Rng[]): CartState {
    const B = tasks.length;
    const s = new Float64Array(B * 4);
    const bias = new Float64Array(B);
    for (let b = 0; b < B; b++) {
      bias[b] = checkNumber(`cartpole.reset: tasks[${b}].bias`, tasks[b].bias);
      for (let j = 0; j < 4; j++)
        s[4 * b + j] = rngs[b].uniformRange(-CARTPOLE.initBound, CARTPOLE.initBound);
    }
    return { size: B, s, bias };
  }

  protected advance(
    st: CartState,
    actions: Float64Array,
    reward: Float64Array,
    done: Uint8Array,
    active: Uint8Array | null,
  ): void {
    const { gravity, massCart, massPole, halfLength, forceMag, tau, xThreshold, thetaThreshold } = CARTPOLE;
    const total = massCart + massPole;
    const poleMassLength = massPole * halfLength;
    const s = st.s;
    for (let b = 0; b < st.size; b++) {
      if (active !== null && active[b] === 0) continue;
      const i = 4 * b;
      const force = Math.min(forceMag, Math.max(-forceMag, actions[b]));
      const x = s[i];
      const xDot = s[i + 1];
      const th = s[i + 2];
      const thDot = s[i + 3];
      const cos = Math.cos(th);
      const sin = Math.sin(th);
      const temp = (force + poleMassLength * thDot * thDot * sin) / total;
      const thAcc = (gravity * sin - cos * temp) / (halfLength * (4 / 3 - (massPole * cos * cos) / total));
      const xAcc = temp - (poleMassLength * thAcc * cos) / total;
      s[i] = x + tau * xDot;
      s[i + 1] = xDot + tau * xAcc;
      s[i + 2] = th + tau * thDot;
      s[i + 3] = thDot + tau * thAcc;
      reward[b] = 1;
      done[b] = Math.abs(s[i]) > xThreshold || Math.abs(s[i + 2]) > thetaThreshold ? 1 : 0;
    }
  }

  protected observe(st: CartState, obs: Float64Array, active: Uint8Array | null = null): void {
    for (let b = 0; b < st.size; b++) {
      if (active !== null && active[b] === 0) continue;
      const i = 4 * b;
      obs[i] = st.s[i];
      obs[i + 1] = st.s[i + 1];
      obs[i + 2] = st.s[i + 2] + st.bias[b];
      obs[i + 3] = st.s[i + 3];
    }
  }
}

/** Sensor bias drawn uniformly from the 5000-point grid on [−π/18, π/18]. */
export function cartpoleTasks(): TaskDistribution<CartpoleTask> {
  return taskDistribution('cartpole', (rng) => ({ bias: cartpoleBias(rng.int(CARTPOLE_BIAS_GRID_SIZE)) }));
}
