import { EnvConfigError } from './errors';
import { oneHotIndex } from './one-hot';
import type { Policy } from './rollout';
import type { Space } from './spaces';

/**
 * Simple typed-array policies for rollouts, tests and baselines (learned policies live in
 * @metagrad/train). All sample only from the lane's own generator.
 */

/** Uniform over a discrete space; uniform within the bounds of a box (N(0, 1) where unbounded). */
export function randomPolicy(space: Space): Policy {
  return (_obs, _t, actions, ctx) => {
    if (space.kind === 'discrete') {
      for (let b = 0; b < ctx.size; b++) actions[b] = ctx.active[b] ? ctx.rngs[b].int(space.n) : 0;
      return;
    }
    const d = space.low.length;
    for (let b = 0; b < ctx.size; b++) {
      for (let j = 0; j < d; j++) {
        if (!ctx.active[b]) {
          actions[b * d + j] = 0;
          continue;
        }
        const lo = space.low[j];
        const hi = space.high[j];
        const r = ctx.rngs[b];
        actions[b * d + j] = Number.isFinite(lo) && Number.isFinite(hi) ? r.uniformRange(lo, hi) : r.normal();
      }
    }
  };
}

/** The same action in every lane at every step. */
export function constantPolicy(action: ArrayLike<number>): Policy {
  const a = Float64Array.from(action);
  return (_obs, _t, actions, ctx) => {
    for (let b = 0; b < ctx.size; b++) actions.set(a, b * a.length);
  };
}

export interface TabularSoftmaxPolicyOptions {
  /**
   * Several policies in one rollout: `logits` holds M parameter vectors `[M, S, A]` and lane b
   * samples with vector ⌊b / lanesPerPolicy⌋ (e.g. one vector per estimate of B episodes each).
   * Without it `logits` is one vector `[S, A]` used by every lane.
   */
  lanesPerPolicy?: number;
}

/**
 * π(a|s) = softmax(θ[s]) for one-hot observations of S states (the tabular MDP's observation);
 * `logits` is θ flattened row-major [S, A], or [M, S, A] with `lanesPerPolicy`.
 */
export function tabularSoftmaxPolicy(
  logits: ArrayLike<number>,
  states: number,
  actions: number,
  options: TabularSoftmaxPolicyOptions = {},
): Policy {
  const P = states * actions;
  const per = options.lanesPerPolicy;
  if (per === undefined) {
    if (logits.length !== P)
      throw new EnvConfigError(
        `tabularSoftmaxPolicy: logits: expected length ${P} ([${states}, ${actions}]), got ${logits.length}`,
      );
  } else {
    if (!(Number.isInteger(per) && per >= 1))
      throw new EnvConfigError(`tabularSoftmaxPolicy: lanesPerPolicy: expected an integer >= 1, got ${per}`);
    if (logits.length === 0 || logits.length % P !== 0)
      throw new EnvConfigError(
        `tabularSoftmaxPolicy: logits: expected a positive multiple of ${P} ([M, ${states}, ${actions}]), got length ${logits.length}`,
      );
  }
  const M = logits.length / P;
  const theta = Float64Array.from(logits);
  return (obs, _t, out, ctx) => {
    for (let b = 0; b < ctx.size; b++) {
      if (!ctx.active[b]) {
        out[b] = 0;
        continue;
      }
      const m = per === undefined ? 0 : Math.floor(b / per);
      if (m >= M)
        throw new EnvConfigError(
          `tabularSoftmaxPolicy: lane ${b}: expected at most ${M * (per as number)} lanes (${M} policies × ${per} lanes)`,
        );
      const s = oneHotIndex(obs, b, states, () => `tabularSoftmaxPolicy: obs[${b}]`);
      out[b] = ctx.rngs[b].categoricalLogits(theta, m * P + s * actions, actions);
    }
  };
}
