import {
  add,
  flattenTree,
  gaussianLogProb,
  mean,
  mul,
  Rng,
  randomNormal,
  type Tensor,
} from '@metagrad/autodiff';
import { type GaussianMlpParams, GaussianMlpPolicy } from '@metagrad/train';

/**
 * The benchmarks' reference workload: the library's Gaussian MLP policy with the 2D-navigation
 * shape 2 → 100 tanh → 100 tanh → 2 means and a state-independent log-std (10,604 parameters),
 * on a batch of (observation, action, advantage) triples; J = mean of advantage-weighted log-probs.
 */
export type PolicyParams = GaussianMlpParams;

export interface PolicyBatch {
  obs: Tensor;
  actions: Tensor;
  advantages: Tensor;
}

const HIDDEN = 100;
const POLICY = new GaussianMlpPolicy([2, HIDDEN, HIDDEN, 2]);

export function initPolicy(seed: number): PolicyParams {
  return POLICY.init(new Rng(seed));
}

export function makeBatch(seed: number, size: number): PolicyBatch {
  const rng = new Rng(seed);
  return {
    obs: randomNormal(rng, [size, 2], 0, 0.3),
    actions: randomNormal(rng, [size, 2], 0, 0.1),
    advantages: randomNormal(rng, [size]),
  };
}

export function objective(p: PolicyParams, batch: PolicyBatch): Tensor {
  const mu = POLICY.mean(p, batch.obs);
  return mean(mul(gaussianLogProb(batch.actions, mu, p.logStd), batch.advantages));
}

/** p + h·d, leaf by leaf (d has p's structure). */
export function axpy(p: PolicyParams, d: PolicyParams, h: number): PolicyParams {
  const flat = flattenTree(p);
  const ds = flattenTree(d).leaves;
  return flat.unflatten(flat.leaves.map((x, i) => add(x, mul(ds[i], h)))) as PolicyParams;
}

/** The parameters (or a gradient of them) as one vector, in the pytree's leaf order. */
export const flatParams = (p: PolicyParams): Float64Array =>
  concatValues(
    flattenTree(p).leaves.map((t) => t.data),
    Float64Array,
  );

/** Arrays of numbers laid end to end, in a new array of type `Out`. */
export function concatValues<Out extends Float32Array | Float64Array>(
  parts: readonly ArrayLike<number>[],
  ArrayType: new (length: number) => Out,
): Out {
  const out = new ArrayType(parts.reduce((s, d) => s + d.length, 0));
  let k = 0;
  for (const d of parts) {
    out.set(d, k);
    k += d.length;
  }
  return out;
}
