import { type Batch, episodeReturns } from '@metagrad/envs';

/**
 * Lanes `start .. start + count − 1` of a batch, as a batch of their own (copies). Rollouts of
 * several tasks are task-major, so task i's episodes are lanes i·E .. i·E + E − 1.
 */
export function sliceLanes(batch: Batch, start: number, count: number): Batch {
  if (
    !(
      Number.isInteger(start) &&
      Number.isInteger(count) &&
      start >= 0 &&
      count >= 1 &&
      start + count <= batch.size
    )
  )
    throw new RangeError(
      `sliceLanes: expected lanes within [0, ${batch.size}), got start ${start}, count ${count}`,
    );
  const { horizon: T, obsDim, actDim } = batch;
  const lanes = <A extends Float64Array | Uint8Array | Int32Array>(x: A, perLane: number): A =>
    x.slice(start * perLane, (start + count) * perLane) as A;
  return {
    size: count,
    horizon: T,
    obsDim,
    actDim,
    observations: lanes(batch.observations, T * obsDim),
    actions: lanes(batch.actions, T * actDim),
    rewards: lanes(batch.rewards, T),
    mask: lanes(batch.mask, T),
    dones: lanes(batch.dones, T),
    lengths: lanes(batch.lengths, 1),
    taskIndex: lanes(batch.taskIndex, 1),
    episodeIndex: lanes(batch.episodeIndex, 1),
    discount: batch.discount,
  };
}

/** Mean undiscounted episode return of a batch. */
export function meanReturn(batch: Batch): number {
  return episodeReturns(batch).reduce((a, b) => a + b, 0) / batch.size;
}
