import { EnvConfigError } from './errors';
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

/**
 * π(a|s) = softmax(θ[s]) for one-hot observations of S states (the tabular MDP's observation);
 * `logits` is θ flattened row-major [S, A].
 */
export function tabularSoftmaxPolicy(logits: ArrayLike<number>, states: number, actions: number): Policy {
  if (logits.length !== states * actions) {
    throw new EnvConfigError(
      `tabularSoftmaxPolicy: logits: expected length ${states * actions} ([${states}, ${actions}]), got ${logits.length}`,
    );
  }
  const theta = Float64Array.from(logits);
  return (obs, _t, out, ctx) => {
    for (let b = 0; b < ctx.size; b++) {
      if (!ctx.active[b]) {
        out[b] = 0;
        continue;
      }
      let s = 0;
      while (s < states && obs[b * states + s] !== 1) s++;
      if (s === states)
        throw new EnvConfigError(`tabularSoftmaxPolicy: obs[${b}]: expected a one-hot state vector`);
      out[b] = ctx.rngs[b].categoricalLogits(theta, s * actions, actions);
    }
  };
}
