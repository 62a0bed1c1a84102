import {
  add,
  gaussianLogProb,
  matmul,
  mean,
  mul,
  Rng,
  randomNormal,
  type Tensor,
  tanh,
} from '@metagrad/autodiff';

/**
 * The benchmarks' reference workload: the 2D-navigation Gaussian MLP policy
 * 2 → 100 tanh → 100 tanh → 2 means with a state-independent log-std (10,604 parameters),
 * on a batch of (observation, action, advantage) triples; J = mean of advantage-weighted log-probs.
 */
export interface PolicyParams {
  [key: string]: Tensor;
  W1: Tensor;
  b1: Tensor;
  W2: Tensor;
  b2: Tensor;
  W3: Tensor;
  b3: Tensor;
  logStd: Tensor;
}

export interface PolicyBatch {
  obs: Tensor;
  actions: Tensor;
  advantages: Tensor;
}

export const HIDDEN = 100;

export function initPolicy(seed: number): PolicyParams {
  const rng = new Rng(seed);
  return {
    W1: randomNormal(rng, [2, HIDDEN], 0, 1 / Math.sqrt(2)),
    b1: randomNormal(rng, [HIDDEN], 0, 0.1),
    W2: randomNormal(rng, [HIDDEN, HIDDEN], 0, 1 / Math.sqrt(HIDDEN)),
    b2: randomNormal(rng, [HIDDEN], 0, 0.1),
    W3: randomNormal(rng, [HIDDEN, 2], 0, 1 / Math.sqrt(HIDDEN)),
    b3: randomNormal(rng, [2], 0, 0.1),
    logStd: randomNormal(rng, [2], 0, 0.1),
  };
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
  const h1 = tanh(add(matmul(batch.obs, p.W1), p.b1));
  const h2 = tanh(add(matmul(h1, p.W2), p.b2));
  const mu = add(matmul(h2, p.W3), p.b3);
  return mean(mul(gaussianLogProb(batch.actions, mu, p.logStd), batch.advantages));
}

export function parameterCount(p: PolicyParams): number {
  return Object.values(p).reduce((s, t) => s + t.size, 0);
}
