import { div, mul, sum, type Tensor, tensor } from '@metagrad/autodiff';

/** A [B, T] per-step quantity as a tensor, checked against the log-probs' shape. */
export function stepTensor(where: string, name: string, x: Tensor | Float64Array, like: Tensor): Tensor {
  const size = x instanceof Float64Array ? x.length : x.size;
  if (size !== like.size)
    throw new RangeError(
      `${where}: ${name}: expected ${like.size} entries (shape [${like.shape}]), got ${size}`,
    );
  const t = x instanceof Float64Array ? tensor(x, { shape: like.shape.slice() }) : x;
  return t.shape.join() === like.shape.join() ? t : t.reshape(like.shape.slice());
}

/** −(Σ mask · perStep) / Σ mask: the mean over real steps, negated to give a loss to minimise. */
export function negMaskedMean(where: string, perStep: Tensor, mask: Float64Array): Tensor {
  if (mask.length !== perStep.size)
    throw new RangeError(`${where}: mask: expected ${perStep.size} entries, got ${mask.length}`);
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  if (!(n > 0)) throw new RangeError(`${where}: mask: expected at least one real step, got mask sum ${n}`);
  return div(sum(mul(perStep, tensor(mask, { shape: perStep.shape.slice() }))), -n);
}
