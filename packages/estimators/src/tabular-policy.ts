import { logSoftmax, mul, reshape, type Tensor, take, tensor } from '@metagrad/autodiff';
import { oneHotIndex } from '@metagrad/envs';

/**
 * log π_θ(a_t|s_t) of the tabular softmax policy π(·|s) = softmax(θ[s]) for a batch of
 * trajectories given as flat indices sa[b, t] = s·A + a (padding: any valid index with mask 0).
 * θ is [S·A] or [S, A]; the result is [B, T] with padded steps exactly 0.
 */
export function tabularLogProbs(
  theta: Tensor,
  states: number,
  actions: number,
  sa: Int32Array,
  shape: readonly [number, number],
  mask?: Float64Array,
): Tensor {
  const flat = reshape(logSoftmax(reshape(theta, [states, actions]), 1), [states * actions]);
  const lp = take(flat, tensor(Float64Array.from(sa), { shape: [shape[0], shape[1]] }), 0);
  return mask ? mul(lp, tensor(mask, { shape: [shape[0], shape[1]] })) : lp;
}

/** Flat state-action indices [B, T] of a rollout batch with one-hot observations (padding → 0). */
export function stateActionIndices(
  observations: Float64Array,
  actions: Float64Array,
  mask: Float64Array,
  states: number,
  numActions: number,
): Int32Array {
  const n = mask.length;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (!mask[i]) continue;
    out[i] = oneHotIndex(observations, i, states, () => `observations[${i}]`) * numActions + actions[i];
  }
  return out;
}
