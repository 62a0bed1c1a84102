import { type Tensor, tensor } from '@metagrad/autodiff';
import type { Batch } from '@metagrad/envs';
import { stateActionIndices, tabularLogProbs } from '@metagrad/estimators';

/**
 * Tabular softmax policy π(·|s) = softmax(θ[s]) over one-hot state observations; parameters are
 * the flat logits θ [S·A] (index s·A + a), the layout of the MDP JSON file's `logits`.
 */
export class TabularSoftmaxPolicy {
  constructor(
    readonly states: number,
    readonly actions: number,
  ) {}

  get size(): number {
    return this.states * this.actions;
  }

  /** Zero logits (the uniform policy). */
  init(): Tensor {
    return tensor(new Float64Array(this.size));
  }

  /** log π_θ(a_t|s_t) of a rollout batch: [B, T], padded steps exactly 0. */
  logProbs(theta: Tensor, batch: Batch): Tensor {
    const sa = stateActionIndices(batch.observations, batch.actions, batch.mask, this.states, this.actions);
    return tabularLogProbs(theta, this.states, this.actions, sa, [batch.size, batch.horizon], batch.mask);
  }
}
