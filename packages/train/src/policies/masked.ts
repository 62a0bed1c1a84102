import { div, mul, stopGradient, sum, type Tensor, tensor } from '@metagrad/autodiff';
import type { Batch } from '@metagrad/envs';

/** Number of real (unpadded) steps of a batch; throws when there are none. */
export function realSteps(where: string, batch: Batch): number {
  let n = 0;
  for (let i = 0; i < batch.mask.length; i++) n += batch.mask[i];
  if (!(n > 0)) throw new RangeError(`${where}: batch: expected at least one real step, got mask sum ${n}`);
  return n;
}

/** Mean of a per-step quantity [B·T] over the real steps of `batch` (padding weighs exactly 0). */
export function maskedStepMean(where: string, perStep: Tensor, batch: Batch): Tensor {
  const n = realSteps(where, batch);
  return div(sum(mul(perStep, tensor(batch.mask))), n);
}

/** Observations of every step as rows [B·T, obsDim]. */
export function observationRows(batch: Batch): Tensor {
  return tensor(batch.observations, { shape: [batch.size * batch.horizon, batch.obsDim] });
}

/** Treat a parameter tensor as a constant (the KL's "old" side). */
export const constant = (x: Tensor): Tensor => stopGradient(x);
