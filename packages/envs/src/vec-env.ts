import type { Rng } from '@metagrad/autodiff';
import { ActionError, EnvConfigError } from './errors';
import { type BoxSpace, flatSize, type Space } from './spaces';

/** Per-batch state an environment keeps between steps; `size` is the number of lanes B. */
export interface LaneState {
  readonly size: number;
}

/**
 * A vectorised environment: B lanes (episodes), each playing its own task with its own random
 * stream, stepped together on flat typed arrays. Lanes never share randomness, so a lane's
 * episode is the same bits whatever other lanes run beside it.
 *
 * Buffers: observations `[B, obsDim]`, actions `[B, actDim]` (discrete: one float holding the
 * index), rewards `[B]`, done `[B]` (1 when the step ended the episode).
 */
export abstract class VecEnv<Task, State extends LaneState = LaneState> {
  abstract readonly name: string;
  abstract readonly observationSpace: BoxSpace;
  abstract readonly actionSpace: Space;
  /** Default episode length (rollouts may ask for a different one). */
  abstract readonly horizon: number;
  /** γ used by estimators and exact oracles; rewards in a batch are never pre-discounted. */
  readonly discount: number = 1;

  get obsDim(): number {
    return flatSize(this.observationSpace);
  }

  get actDim(): number {
    return flatSize(this.actionSpace);
  }

  /** Start one episode per lane and write the first observations into `obs`. */
  reset(tasks: readonly Task[], rngs: readonly Rng[], obs: Float64Array): State {
    if (tasks.length === 0)
      throw new EnvConfigError(`${this.name}.reset: tasks: expected at least one lane, got 0`);
    if (rngs.length !== tasks.length) {
      throw new EnvConfigError(
        `${this.name}.reset: rngs: expected one per lane (${tasks.length}), got ${rngs.length}`,
      );
    }
    this.checkBuffer('obs', obs, tasks.length * this.obsDim);
    const state = this.init(tasks, rngs);
    this.observe(state, obs);
    return state;
  }

  /**
   * Advance every active lane by one step (all lanes when `active` is omitted). Inactive lanes
   * keep their state and their slots in `obs`, `reward`, `done` are left untouched.
   * Throws ActionError for a wrong-sized buffer, a NaN/infinite action or a discrete action out
   * of range, before any lane moves.
   */
  step(
    state: State,
    actions: Float64Array,
    obs: Float64Array,
    reward: Float64Array,
    done: Uint8Array,
    active: Uint8Array | null = null,
  ): void {
    const B = state.size;
    this.checkActions(actions, B, active);
    this.checkBuffer('obs', obs, B * this.obsDim);
    this.checkBuffer('reward', reward, B);
    this.checkBuffer('done', done, B);
    if (active !== null) this.checkBuffer('active', active, B);
    this.advance(state, actions, reward, done, active);
    this.observe(state, obs, active);
  }

  /** Build lane state for the tasks (the initial state may be random: use `rngs[b]`). */
  protected abstract init(tasks: readonly Task[], rngs: readonly Rng[]): State;

  /** Apply (already validated) actions to active lanes, writing reward and done. */
  protected abstract advance(
    state: State,
    actions: Float64Array,
    reward: Float64Array,
    done: Uint8Array,
    active: Uint8Array | null,
  ): void;

  /** Write the current observation of every (active) lane. */
  protected abstract observe(state: State, obs: Float64Array, active?: Uint8Array | null): void;

  private checkBuffer(param: string, buf: ArrayLike<number>, expected: number): void {
    if (buf.length !== expected) {
      throw new ActionError(`${this.name}.step: ${param}: expected length ${expected}, got ${buf.length}`);
    }
  }

  private checkActions(actions: Float64Array, B: number, active: Uint8Array | null): void {
    const d = this.actDim;
    if (!(actions instanceof Float64Array) || actions.length !== B * d) {
      const got = actions instanceof Float64Array ? `length ${actions.length}` : String(actions);
      throw new ActionError(
        `${this.name}.step: actions: expected a Float64Array of shape [${B}, ${d}] (length ${B * d}), got ${got}`,
      );
    }
    const space = this.actionSpace;
    const n = space.kind === 'discrete' ? space.n : 0;
    // one flat pass; `a - a !== 0` is true exactly for NaN and ±Infinity (hot loop: no calls)
    for (let k = 0; k < actions.length; k++) {
      const a = actions[k];
      const bad = space.kind === 'discrete' ? !(a >= 0 && a < n && Math.floor(a) === a) : a - a !== 0;
      if (!bad) continue;
      const b = Math.floor(k / d);
      if (active !== null && active[b] === 0) continue; // inactive lanes may hold anything
      if (a - a !== 0) {
        throw new ActionError(
          `${this.name}.step: actions[${b}][${k % d}]: expected a finite number, got ${a}`,
        );
      }
      throw new ActionError(
        `${this.name}.step: actions[${b}]: expected an integer in [0, ${n - 1}], got ${a}`,
      );
    }
  }
}
