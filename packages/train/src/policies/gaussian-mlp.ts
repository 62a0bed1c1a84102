import {
  add,
  gaussianLogProb,
  matmul,
  mul,
  type Rng,
  randomNormal,
  reshape,
  type Tensor,
  tanh,
  tensor,
  zeros,
} from '@metagrad/autodiff';
import type { Batch, Policy } from '@metagrad/envs';

/** Parameters of a Gaussian MLP policy: per layer W [in, out] and b [out], plus a state-independent log-std. */
export interface GaussianMlpParams {
  layers: { W: Tensor; b: Tensor }[];
  logStd: Tensor;
}

/**
 * Gaussian MLP policy (MAML's 2D-navigation policy is 2 → 100 tanh → 100 tanh → 2): mean = MLP(obs),
 * diagonal std = exp(logStd). Log-probabilities come out as a [B, T] tensor of the parameters.
 */
export class GaussianMlpPolicy {
  constructor(
    readonly sizes: readonly number[],
    readonly initLogStd = 0,
  ) {
    if (sizes.length < 2) throw new RangeError(`sizes: expected at least [in, out], got [${sizes}]`);
  }

  /** Glorot-normal weights, zero biases, from a seeded generator. */
  init(rng: Rng): GaussianMlpParams {
    const layers = [];
    for (let i = 0; i + 1 < this.sizes.length; i++) {
      const [m, n] = [this.sizes[i], this.sizes[i + 1]];
      layers.push({ W: randomNormal(rng.derive(i), [m, n], 0, Math.sqrt(2 / (m + n))), b: zeros([n]) });
    }
    const out = this.sizes[this.sizes.length - 1];
    return { layers, logStd: tensor(new Float64Array(out).fill(this.initLogStd)) };
  }

  /** Mean action for observations [N, in]: [N, out]. */
  mean(params: GaussianMlpParams, obs: Tensor): Tensor {
    let h = obs;
    params.layers.forEach((l, i) => {
      h = add(matmul(h, l.W), l.b);
      if (i + 1 < params.layers.length) h = tanh(h);
    });
    return h;
  }

  /** log π(a_t|s_t) for a rollout batch: [B, T], padded steps exactly 0. */
  logProbs(params: GaussianMlpParams, batch: Batch): Tensor {
    const { size: B, horizon: T, obsDim, actDim } = batch;
    const obs = tensor(batch.observations, { shape: [B * T, obsDim] });
    const act = tensor(batch.actions, { shape: [B * T, actDim] });
    const lp = gaussianLogProb(act, this.mean(params, obs), params.logStd);
    return mul(reshape(lp, [B, T]), tensor(batch.mask, { shape: [B, T] }));
  }

  /** A rollout policy that samples a ∼ N(MLP(obs), exp(logStd)²) from each lane's own generator. */
  sampler(params: GaussianMlpParams): Policy {
    const d = this.sizes[0];
    const k = this.sizes[this.sizes.length - 1];
    const std = Array.from(params.logStd.data, Math.exp);
    return (obs, _t, actions, ctx) => {
      const mean = this.mean(params, tensor(obs.slice(0, ctx.size * d), { shape: [ctx.size, d] })).data;
      for (let b = 0; b < ctx.size; b++) {
        for (let j = 0; j < k; j++)
          actions[b * k + j] = ctx.active[b] ? ctx.rngs[b].normal(mean[b * k + j], std[j]) : 0;
      }
    };
  }
}
