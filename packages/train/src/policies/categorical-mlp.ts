import {
  categoricalLogProb,
  exp,
  logSoftmax,
  mul,
  type Rng,
  reshape,
  sub,
  sum,
  type Tensor,
  tensor,
} from '@metagrad/autodiff';
import type { Batch, Policy } from '@metagrad/envs';
import { categoricalLogProbCurvature } from './categorical-curvature';
import { constant, maskedStepMean, observationRows } from './masked';
import {
  type Activation,
  checkMlp,
  DEFAULT_HIDDEN,
  type DenseLayer,
  groupedSampler,
  initMlp,
  type MlpOptions,
  mlpForward,
  PlainMlp,
  samplerGroups,
} from './mlp';
import { MlpJacobian, realRows } from './mlp-jacobian';
import type { LogProbCurvature, PolicyModel } from './policy';

/** Parameters of a categorical MLP policy: per layer W [in, out] and b [out]; the last layer gives logits. */
// a type alias (not an interface) so it has the implicit index signature PyTree asks for
export type CategoricalMlpParams = {
  layers: DenseLayer[];
};

export interface CategoricalMlpOptions {
  /** Hidden nonlinearity (default 'tanh'). */
  activation?: Activation;
}

/**
 * Policy over A discrete actions: π(·|s) = softmax(MLP(s)). Actions in a batch are the index
 * stored as a float (the envs' convention for discrete spaces, actDim 1).
 */
export class CategoricalMlpPolicy implements PolicyModel<CategoricalMlpParams> {
  readonly kind = 'categorical-mlp';
  readonly activation: Activation;

  /** `sizes` = [obsDim, ...hidden, number of actions]. */
  constructor(
    readonly sizes: readonly number[],
    options: CategoricalMlpOptions = {},
  ) {
    this.activation = options.activation ?? 'tanh';
    checkMlp('CategoricalMlpPolicy', sizes, this.activation);
  }

  /** obsDim → hidden (default [64, 64]) → actions. */
  static create(
    obsDim: number,
    actions: number,
    options: CategoricalMlpOptions & MlpOptions = {},
  ): CategoricalMlpPolicy {
    return new CategoricalMlpPolicy([obsDim, ...(options.hidden ?? DEFAULT_HIDDEN), actions], options);
  }

  get obsDim(): number {
    return this.sizes[0];
  }

  get actions(): number {
    return this.sizes[this.sizes.length - 1];
  }

  /** Glorot-normal weights, zero biases, from a seeded generator. */
  init(rng: Rng): CategoricalMlpParams {
    return { layers: initMlp(rng, this.sizes) };
  }

  /** Logits for observations [N, obsDim]: [N, actions]. */
  logits(params: CategoricalMlpParams, obs: Tensor): Tensor {
    return mlpForward(params.layers, obs, this.activation);
  }

  /** log π(a_t|s_t) for a rollout batch: [B, T], padded steps exactly 0. */
  logProbs(params: CategoricalMlpParams, batch: Batch): Tensor {
    const { size: B, horizon: T } = batch;
    if (batch.actDim !== 1)
      throw new RangeError(
        `CategoricalMlpPolicy.logProbs: batch.actDim: expected 1 (an index), got ${batch.actDim}`,
      );
    const lp = categoricalLogProb(this.logits(params, observationRows(batch)), tensor(batch.actions));
    return mul(reshape(lp, [B, T]), tensor(batch.mask, { shape: [B, T] }));
  }

  /**
   * A rollout policy drawing a ∼ softmax(MLP(obs)) from each lane's own generator. Either one
   * parameter set for every lane, or a list where lane b uses `params[⌊b / lanesPerParams⌋]`;
   * each group takes one plain (graph-free) forward per step.
   */
  sampler(params: CategoricalMlpParams | readonly CategoricalMlpParams[], lanesPerParams?: number): Policy {
    const where = 'CategoricalMlpPolicy.sampler';
    const g = samplerGroups(where, params, lanesPerParams);
    g.groups.forEach((p, m) => {
      if (!p || !Array.isArray(p.layers) || p.layers.length !== this.sizes.length - 1)
        throw new RangeError(
          `${where}: params[${m}]: expected ${this.sizes.length - 1} layers, got ${p?.layers?.length}`,
        );
    });
    const nets = g.groups.map((p) => new PlainMlp(p.layers, this.activation));
    const A = this.actions;
    return groupedSampler(where, g, nets, 1, (logits, _m, b, row, actions, ctx) => {
      actions[b] = ctx.rngs[b].categoricalLogits(logits, row * A, A);
    });
  }

  /** Mean over real steps of KL(π_old(·|s) ‖ π(·|s)) = Σ_a π_old(a|s) (log π_old(a|s) − log π(a|s)). */
  kl(old: CategoricalMlpParams, params: CategoricalMlpParams, batch: Batch): Tensor {
    const obs = observationRows(batch);
    const logp0 = constant(logSoftmax(this.logits(old, obs), -1));
    const logp = logSoftmax(this.logits(params, obs), -1);
    return maskedStepMean('CategoricalMlpPolicy.kl', sum(mul(exp(logp0), sub(logp0, logp)), -1), batch);
  }

  /**
   * F·v of the KL's Hessian at params (see PolicyModel): in logit space the per-step Hessian is
   * diag(p) − ppᵀ, so F v = Σ_t w_t J_tᵀ (diag(p_t) − p_t p_tᵀ) J_t v, w_t = mask_t / real steps.
   */
  fisherProduct(
    params: CategoricalMlpParams,
    batch: Batch,
  ): (v: CategoricalMlpParams) => CategoricalMlpParams {
    const where = 'CategoricalMlpPolicy.fisherProduct';
    if (!params || !Array.isArray(params.layers) || params.layers.length !== this.sizes.length - 1)
      throw new RangeError(
        `${where}: params: expected ${this.sizes.length - 1} layers, got ${params?.layers?.length}`,
      );
    const { x, weights } = realRows(where, batch);
    const net = new MlpJacobian(params.layers, this.activation, x, weights.length);
    const p = softmaxRows(net.output, this.actions);
    const A = this.actions;
    return (v) => {
      const u = net.jvp(v.layers);
      for (let r = 0; r < weights.length; r++) {
        let mean = 0;
        for (let a = 0; a < A; a++) mean += p[r * A + a] * u[r * A + a];
        for (let a = 0; a < A; a++) u[r * A + a] = weights[r] * p[r * A + a] * (u[r * A + a] - mean);
      }
      return { layers: net.vjp(u) };
    };
  }

  /** Closed-form Jℓ, Jℓᵀ and Σ g_n ∇²ℓ_n of logProbs (see PolicyModel.logProbCurvature). */
  logProbCurvature(
    params: CategoricalMlpParams,
    batch: Batch,
    g: Float64Array,
  ): LogProbCurvature<CategoricalMlpParams> {
    const where = 'CategoricalMlpPolicy.logProbCurvature';
    if (!params || !Array.isArray(params.layers) || params.layers.length !== this.sizes.length - 1)
      throw new RangeError(
        `${where}: params: expected ${this.sizes.length - 1} layers, got ${params?.layers?.length}`,
      );
    if (batch.actDim !== 1)
      throw new RangeError(`${where}: batch.actDim: expected 1 (an index), got ${batch.actDim}`);
    return categoricalLogProbCurvature(params, this.activation, batch, g, (y) =>
      softmaxRows(y, this.actions),
    );
  }
}

/** Row-wise softmax of logits [R, A] (max-shifted, as logSoftmax is). */
function softmaxRows(logits: Float64Array, A: number): Float64Array {
  const p = new Float64Array(logits.length);
  for (let r = 0; r < logits.length / A; r++) {
    let max = -Infinity;
    for (let a = 0; a < A; a++) max = Math.max(max, logits[r * A + a]);
    let total = 0;
    for (let a = 0; a < A; a++) total += p[r * A + a] = Math.exp(logits[r * A + a] - max);
    for (let a = 0; a < A; a++) p[r * A + a] /= total;
  }
  return p;
}
