import { allocateShape, fromData } from './creation';
import { checkDtype, type DType, type FloatArray } from './dtype';
import type { Rng } from './random';
import { checkShape } from './shape';
import type { Tensor } from './tensor';

function sampled(
  where: string,
  shape: readonly number[],
  dtype: DType,
  fill: (d: FloatArray) => FloatArray,
): Tensor {
  const s = checkShape(shape, where);
  return fromData(fill(allocateShape(checkDtype(dtype, where), s, where)), s);
}

/** Uniform samples in [lo, hi) of the given shape. */
export function randomUniform(rng: Rng, shape: readonly number[], lo = 0, hi = 1, dtype: DType = 'float64') {
  return sampled('randomUniform', shape, dtype, (d) => rng.fillUniform(d, lo, hi));
}

/** Normal samples N(mean, std²) of the given shape. */
export function randomNormal(
  rng: Rng,
  shape: readonly number[],
  mean = 0,
  std = 1,
  dtype: DType = 'float64',
) {
  return sampled('randomNormal', shape, dtype, (d) => rng.fillNormal(d, mean, std));
}

/** One categorical draw per row of `logits` [..., K]: integer-valued tensor of shape [...]. */
export function randomCategorical(rng: Rng, logits: Tensor): Tensor {
  if (logits.ndim === 0) throw new RangeError('randomCategorical: logits need a last axis of categories');
  const k = logits.shape[logits.ndim - 1];
  const rows = logits.size / k;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) out[r] = rng.categoricalLogits(logits.data, r * k, k);
  return fromData(out, logits.shape.slice(0, -1));
}
