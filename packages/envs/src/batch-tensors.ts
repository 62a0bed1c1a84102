import { type Tensor, tensor } from '@metagrad/autodiff';
import type { Batch } from './batch';

/** A batch's arrays as (constant) float64 tensors, batch-major, for policies and surrogates. */
export interface BatchTensors {
  /** [B, T, obsDim] */
  readonly observations: Tensor;
  /** [B, T, actDim] (discrete: the index as a float) */
  readonly actions: Tensor;
  /** [B, T], undiscounted */
  readonly rewards: Tensor;
  /** [B, T], 1 on real steps */
  readonly mask: Tensor;
  /** [T]: γ^t, to discount per-step rewards as the estimators expect (γ^t r_t) */
  readonly discounts: Tensor;
}

export function batchTensors(batch: Batch, discount = batch.discount): BatchTensors {
  const { size: B, horizon: T } = batch;
  const discounts = new Float64Array(T);
  for (let t = 0, w = 1; t < T; t++, w *= discount) discounts[t] = w;
  return {
    observations: tensor(batch.observations, { shape: [B, T, batch.obsDim] }),
    actions: tensor(batch.actions, { shape: [B, T, batch.actDim] }),
    rewards: tensor(batch.rewards, { shape: [B, T] }),
    mask: tensor(batch.mask, { shape: [B, T] }),
    discounts: tensor(discounts, { shape: [T] }),
  };
}
