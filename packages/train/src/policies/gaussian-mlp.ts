import {
  add,
  exp,
  gaussianLogProb,
  mul,
  type Rng,
  reshape,
  square,
  sub,
  sum,
  type Tensor,
  tensor,
} from '@metagrad/autodiff';
import type { Batch, Policy } from '@metagrad/envs';
import { gaussianLogProbCurvature } from './gaussian-curvature';
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

/** Parameters of a Gaussian MLP policy: per layer W [in, out] and b [out], plus a state-independent log-std. */
// a type alias (not an interface) so it has the implicit index signature PyTree asks for
export type GaussianMlpParams = {
  layers: DenseLayer[];
  logStd: Tensor;
};

export interface GaussianMlpOptions {
  /** Hidden nonlinearity (default 'tanh'). */
  activation?: Activation;
  /** Initial log-std of every action dimension (default 0, i.e. std 1). */
  initLogStd?: number;
}

/**
 * Gaussian MLP policy (MAML's 2D-navigation policy is 2 → 100 relu → 100 relu → 2, pytorch-maml-rl's
 * 2 → 64 tanh → 64 tanh → 2): mean = MLP(obs), diagonal std = exp(logStd). Log-probabilities come
 * out as a [B, T] tensor of the parameters.
 */
export class GaussianMlpPolicy implements PolicyModel<GaussianMlpParams> {
  readonly kind = 'gaussian-mlp';
  readonly activation: Activation;
  readonly initLogStd: number;

  /** `sizes` = [obsDim, ...hidden, actDim]; a number as second argument is the initial log-std. */
  constructor(
    readonly sizes: readonly number[],
    options: number | GaussianMlpOptions = {},
  ) {
    const o = typeof options === 'number' ? { initLogStd: options } : options;
    this.activation = o.activation ?? 'tanh';
    this.initLogStd = o.initLogStd ?? 0;
    checkMlp('GaussianMlpPolicy', sizes, this.activation);
    if (!Number.isFinite(this.initLogStd))
      throw new RangeError(`GaussianMlpPolicy: initLogStd: expected a finite number, got ${this.initLogStd}`);
  }

  /** obsDim → hidden (default [64, 64]) → actDim. */
  static create(
    obsDim: number,
    actDim: number,
    options: GaussianMlpOptions & MlpOptions = {},
  ): GaussianMlpPolicy {
    return new GaussianMlpPolicy([obsDim, ...(options.hidden ?? DEFAULT_HIDDEN), actDim], options);
  }

  get obsDim(): number {
    return this.sizes[0];
  }

  get actDim(): number {
    return this.sizes[this.sizes.length - 1];
  }

  /** Glorot-normal weights, zero biases, log-std `initLogStd`, from a seeded generator. */
  init(rng: Rng): GaussianMlpParams {
    const out = this.actDim;
    return {
      layers: initMlp(rng, this.sizes),
      logStd: tensor(new Float64Array(out).fill(this.initLogStd)),
    };
  }

  /** Mean action for observations [N, in]: [N, out]. */
  mean(params: GaussianMlpParams, obs: Tensor): Tensor {
    return mlpForward(params.layers, obs, this.activation);
  }

  /** log π(a_t|s_t) for a rollout batch: [B, T], padded steps exactly 0. */
  logProbs(params: GaussianMlpParams, batch: Batch): Tensor {
    const { size: B, horizon: T, actDim } = batch;
    const act = tensor(batch.actions, { shape: [B * T, actDim] });
    const lp = gaussianLogProb(act, this.mean(params, observationRows(batch)), params.logStd);
    return mul(reshape(lp, [B, T]), tensor(batch.mask, { shape: [B, T] }));
  }

  /**
   * A rollout policy sampling a ∼ N(MLP(obs), exp(logStd)²) from each lane's own generator.
   * Either one parameter set for every lane, or a list where lane b uses
   * `params[⌊b / lanesPerParams⌋]`; each group takes one plain (graph-free) forward per step.
   */
  sampler(params: GaussianMlpParams | readonly GaussianMlpParams[], lanesPerParams?: number): Policy {
    const where = 'GaussianMlpPolicy.sampler';
    const g = samplerGroups(where, params, lanesPerParams);
    g.groups.forEach((p, m) => {
      this.checkParams(`${where}: params[${m}]`, p);
    });
    const nets = g.groups.map((p) => new PlainMlp(p.layers, this.activation));
    const stds = g.groups.map((p) => Float64Array.from(p.logStd.data, (v) => Math.exp(v)));
    const k = this.actDim;
    return groupedSampler(where, g, nets, k, (mean, m, b, row, actions, ctx) => {
      for (let j = 0; j < k; j++) actions[b * k + j] = ctx.rngs[b].normal(mean[row * k + j], stds[m][j]);
    });
  }

  /**
   * Mean over real steps of KL(N(μ_old, σ_old²) ‖ N(μ, σ²)), closed form per step:
   * Σ_j log σ_j − log σ_old,j + (σ_old,j² + (μ_old,j − μ_j)²) / (2σ_j²) − ½.
   */
  kl(old: GaussianMlpParams, params: GaussianMlpParams, batch: Batch): Tensor {
    const obs = observationRows(batch);
    const mu0 = constant(this.mean(old, obs));
    const logStd0 = constant(old.logStd);
    const mu = this.mean(params, obs);
    const dLogStd = sub(params.logStd, logStd0);
    // σ_old²/σ² as exp(−2Δ) so that it is exactly 1 (and the KL exactly 0) at params = old
    const spread = add(exp(mul(dLogStd, -2)), mul(square(sub(mu0, mu)), exp(mul(params.logStd, -2))));
    const perDim = sub(add(mul(spread, 0.5), dLogStd), 0.5);
    return maskedStepMean('GaussianMlpPolicy.kl', sum(perDim, -1), batch);
  }

  /**
   * F·v of the KL's Hessian at params (see PolicyModel): with μ = MLP(obs) and σ = exp(logStd)
   * the per-step Hessian is diag(1/σ²) in μ and 2·I in logStd with no cross terms, so
   * F v = Σ_t w_t Jμ,tᵀ diag(1/σ²) Jμ,t v_net ⊕ 2 (Σ_t w_t) v_logStd, w_t = mask_t / real steps.
   */
  fisherProduct(params: GaussianMlpParams, batch: Batch): (v: GaussianMlpParams) => GaussianMlpParams {
    const where = 'GaussianMlpPolicy.fisherProduct';
    this.checkParams(`${where}: params`, params);
    const { x, weights } = realRows(where, batch);
    const net = new MlpJacobian(params.layers, this.activation, x, weights.length);
    const k = this.actDim;
    const precision = Float64Array.from(params.logStd.data, (s) => Math.exp(-2 * s));
    let totalWeight = 0;
    for (const w of weights) totalWeight += w;
    return (v) => {
      const u = net.jvp(v.layers);
      for (let r = 0; r < weights.length; r++)
        for (let j = 0; j < k; j++) u[r * k + j] *= weights[r] * precision[j];
      const logStd = Float64Array.from(v.logStd.data, (d) => 2 * totalWeight * d);
      return { layers: net.vjp(u), logStd: tensor(logStd, { shape: v.logStd.shape.slice() }) };
    };
  }

  /** Closed-form Jℓ, Jℓᵀ and Σ g_n ∇²ℓ_n of logProbs (see PolicyModel.logProbCurvature). */
  logProbCurvature(
    params: GaussianMlpParams,
    batch: Batch,
    g: Float64Array,
  ): LogProbCurvature<GaussianMlpParams> {
    this.checkParams('GaussianMlpPolicy.logProbCurvature: params', params);
    return gaussianLogProbCurvature(params, this.activation, batch, g);
  }

  private checkParams(where: string, p: GaussianMlpParams): void {
    const L = this.sizes.length - 1;
    if (!p || !Array.isArray(p.layers) || p.layers.length !== L)
      throw new RangeError(`${where}: expected ${L} layers, got ${p?.layers?.length}`);
    p.layers.forEach((l, i) => {
      const [m, n] = [this.sizes[i], this.sizes[i + 1]];
      if (l.W.shape.join() !== `${m},${n}` || l.b.shape.join() !== `${n}`)
        throw new RangeError(
          `${where}: layer ${i}: expected W [${m}, ${n}] and b [${n}], got W [${l.W.shape}] and b [${l.b.shape}]`,
        );
    });
    if (p.logStd.size !== this.actDim)
      throw new RangeError(`${where}: logStd: expected ${this.actDim} entries, got ${p.logStd.size}`);
  }
}
