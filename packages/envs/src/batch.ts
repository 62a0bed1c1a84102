import { EnvConfigError } from './errors';

/**
 * A batch of B episodes padded to horizon T, batch-major. Padded steps (after an episode ended)
 * have observation 0, action 0, reward 0 and mask 0, so they drop out of any masked sum exactly.
 * Lanes are ordered task-major: lane b = taskLocal * episodesPerTask + episode.
 */
export interface Batch {
  readonly size: number;
  readonly horizon: number;
  readonly obsDim: number;
  readonly actDim: number;
  /** Observation seen before acting at step t: [B, T, obsDim]. */
  readonly observations: Float64Array;
  /** Action taken at step t (discrete: the index as a float): [B, T, actDim]. */
  readonly actions: Float64Array;
  /** Undiscounted reward of step t: [B, T]. */
  readonly rewards: Float64Array;
  /** 1 for a real step, 0 for padding: [B, T]. */
  readonly mask: Float64Array;
  /** 1 at the step that ended the episode by termination (not by reaching the horizon): [B, T]. */
  readonly dones: Uint8Array;
  /** Number of real steps per episode: [B]. */
  readonly lengths: Int32Array;
  /** Global task index of each lane (the index its random streams are keyed by): [B]. */
  readonly taskIndex: Int32Array;
  /** Episode index of each lane within its task: [B]. */
  readonly episodeIndex: Int32Array;
  /** γ of the environment, for estimators; rewards are not discounted here. */
  readonly discount: number;
}

/** Undiscounted (or γ-discounted) return of each episode: [B]. */
export function episodeReturns(batch: Batch, discount = 1): Float64Array {
  const { size: B, horizon: T, rewards } = batch;
  const out = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    let g = 0;
    let w = 1;
    for (let t = 0; t < T; t++) {
      g += w * rewards[b * T + t];
      w *= discount;
    }
    out[b] = g;
  }
  return out;
}

/** Join batches with equal horizon and dims along the lane axis (e.g. the pieces of a split run). */
export function concatBatches(batches: readonly Batch[]): Batch {
  if (batches.length === 0)
    throw new EnvConfigError('concatBatches: batches: expected at least one batch, got 0');
  const first = batches[0];
  for (const [i, b] of batches.entries()) {
    if (b.horizon !== first.horizon || b.obsDim !== first.obsDim || b.actDim !== first.actDim) {
      throw new EnvConfigError(
        `concatBatches: batches[${i}]: expected horizon ${first.horizon}, obsDim ${first.obsDim}, actDim ${first.actDim}, ` +
          `got ${b.horizon}, ${b.obsDim}, ${b.actDim}`,
      );
    }
  }
  const cat = <A extends Float64Array | Uint8Array | Int32Array>(
    pick: (b: Batch) => A,
    ctor: new (n: number) => A,
  ): A => {
    const total = batches.reduce((n, b) => n + pick(b).length, 0);
    const out = new ctor(total);
    let off = 0;
    for (const b of batches) {
      out.set(pick(b), off);
      off += pick(b).length;
    }
    return out;
  };
  return {
    size: batches.reduce((n, b) => n + b.size, 0),
    horizon: first.horizon,
    obsDim: first.obsDim,
    actDim: first.actDim,
    observations: cat((b) => b.observations, Float64Array),
    actions: cat((b) => b.actions, Float64Array),
    rewards: cat((b) => b.rewards, Float64Array),
    mask: cat((b) => b.mask, Float64Array),
    dones: cat((b) => b.dones, Uint8Array),
    lengths: cat((b) => b.lengths, Int32Array),
    taskIndex: cat((b) => b.taskIndex, Int32Array),
    episodeIndex: cat((b) => b.episodeIndex, Int32Array),
    discount: first.discount,
  };
}
