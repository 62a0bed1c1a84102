import { exp, logSoftmax, mul, reshape, sub, sum, type Tensor, take, tensor } from '@metagrad/autodiff';
import { type Batch, type Policy, tabularSoftmaxPolicy } from '@metagrad/envs';
import { stateActionIndices, tabularLogProbs } from '@metagrad/estimators';
import { constant, maskedStepMean, realSteps } from './masked';
import type { PolicyModel } from './policy';

/**
 * Tabular softmax policy π(·|s) = softmax(θ[s]) over one-hot state observations; parameters are
 * the flat logits θ [S·A] (index s·A + a), the layout of the MDP JSON file's `logits`.
 */
export class TabularSoftmaxPolicy implements PolicyModel<Tensor> {
  readonly kind = 'tabular-softmax';

  constructor(
    readonly states: number,
    readonly actions: number,
  ) {
    for (const [name, v] of [
      ['states', states],
      ['actions', actions],
    ] as const)
      if (!(Number.isInteger(v) && v >= 1))
        throw new RangeError(`TabularSoftmaxPolicy: ${name}: expected an integer >= 1, got ${v}`);
  }

  get size(): number {
    return this.states * this.actions;
  }

  /** Zero logits (the uniform policy); takes a generator only to fit PolicyModel, and ignores it. */
  init(_rng?: unknown): Tensor {
    return tensor(new Float64Array(this.size));
  }

  /** log π_θ(a_t|s_t) of a rollout batch: [B, T], padded steps exactly 0. */
  logProbs(theta: Tensor, batch: Batch): Tensor {
    const sa = stateActionIndices(batch.observations, batch.actions, batch.mask, this.states, this.actions);
    return tabularLogProbs(theta, this.states, this.actions, sa, [batch.size, batch.horizon], batch.mask);
  }

  /**
   * A rollout policy drawing a ∼ softmax(θ[s]) from each lane's own generator: one θ for every
   * lane, or a list where lane b uses `theta[⌊b / lanesPerParams⌋]` (envs' tabularSoftmaxPolicy).
   */
  sampler(theta: Tensor | readonly Tensor[], lanesPerParams?: number): Policy {
    const where = 'TabularSoftmaxPolicy.sampler';
    const list = Array.isArray(theta) ? (theta as readonly Tensor[]) : [theta as Tensor];
    if (list.length === 0)
      throw new RangeError(`${where}: params: expected at least one parameter set, got 0`);
    list.forEach((t, m) => {
      if (t.size !== this.size)
        throw new RangeError(
          `${where}: params[${m}]: expected ${this.size} logits (${this.states}×${this.actions}), got ${t.size}`,
        );
    });
    if (list.length === 1 && lanesPerParams === undefined)
      return tabularSoftmaxPolicy(list[0].data, this.states, this.actions);
    if (lanesPerParams === undefined)
      throw new RangeError(
        `${where}: lanesPerParams: required with ${list.length} parameter sets, got undefined`,
      );
    const all = new Float64Array(list.length * this.size);
    list.forEach((t, m) => {
      all.set(t.data, m * this.size);
    });
    return tabularSoftmaxPolicy(all, this.states, this.actions, { lanesPerPolicy: lanesPerParams });
  }

  /** Mean over real steps of KL(π_old(·|s_t) ‖ π_θ(·|s_t)), from the per-state KL of the two tables. */
  kl(old: Tensor, theta: Tensor, batch: Batch): Tensor {
    const [S, A] = [this.states, this.actions];
    const logp0 = constant(logSoftmax(reshape(old, [S, A]), 1));
    const logp = logSoftmax(reshape(theta, [S, A]), 1);
    const perState = sum(mul(exp(logp0), sub(logp0, logp)), 1);
    return maskedStepMean('TabularSoftmaxPolicy.kl', take(perState, this.stateIndices(batch), 0), batch);
  }

  /**
   * F·v of the KL's Hessian at θ (see PolicyModel): block-diagonal over states, state s's block
   * c_s (diag(p_s) − p_s p_sᵀ) with p_s = softmax(θ[s]) and c_s its steps' share of the mean
   * (Σ mask / real steps over the steps at s).
   */
  fisherProduct(theta: Tensor, batch: Batch): (v: Tensor) => Tensor {
    const where = 'TabularSoftmaxPolicy.fisherProduct';
    const [S, A] = [this.states, this.actions];
    if (theta.size !== this.size)
      throw new RangeError(`${where}: params: expected ${this.size} logits (${S}×${A}), got ${theta.size}`);
    const n = realSteps(where, batch);
    const states = this.stateIndices(batch);
    const share = new Float64Array(S);
    for (let i = 0; i < states.length; i++) share[states[i]] += batch.mask[i] / n;
    const p = new Float64Array(S * A);
    for (let s = 0; s < S; s++) {
      let max = -Infinity;
      for (let a = 0; a < A; a++) max = Math.max(max, theta.data[s * A + a]);
      let total = 0;
      for (let a = 0; a < A; a++) total += p[s * A + a] = Math.exp(theta.data[s * A + a] - max);
      for (let a = 0; a < A; a++) p[s * A + a] /= total;
    }
    return (v) => {
      const out = new Float64Array(S * A);
      for (let s = 0; s < S; s++) {
        if (share[s] === 0) continue;
        let mean = 0;
        for (let a = 0; a < A; a++) mean += p[s * A + a] * v.data[s * A + a];
        for (let a = 0; a < A; a++) out[s * A + a] = share[s] * p[s * A + a] * (v.data[s * A + a] - mean);
      }
      return tensor(out, { shape: v.shape.slice() });
    };
  }

  /** State index of every step [B·T] from the one-hot observations (padding → 0). */
  private stateIndices(batch: Batch): Int32Array {
    const S = this.states;
    if (batch.obsDim !== S)
      throw new RangeError(
        `TabularSoftmaxPolicy: batch.obsDim: expected ${S} (one-hot states), got ${batch.obsDim}`,
      );
    const out = new Int32Array(batch.mask.length);
    for (let i = 0; i < out.length; i++) {
      if (!batch.mask[i]) continue;
      let s = 0;
      while (s < S && batch.observations[i * S + s] !== 1) s++;
      if (s === S)
        throw new RangeError(`TabularSoftmaxPolicy: observations[${i}]: expected a one-hot state vector`);
      out[i] = s;
    }
    return out;
  }
}
