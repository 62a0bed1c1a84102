import { Adam } from '@metagrad/autodiff';
import type { Batch } from '@metagrad/envs';
import { MetaControlVariate, type TaskBatches } from '@metagrad/estimators';
import { base64ToFloat64, float64ToBase64 } from '../run/serialize';
import { adamStateJson, loadAdamState } from './outer-update';

/**
 * Episode offset of the control variate's fitting batches: step s of a task fits on episodes
 * FIT_EPISODE_BASE + s·E .. + E − 1 of the task's stream, never the episodes 0..(k+1)·E − 1 the
 * estimate uses, so the fit is independent of the estimate (what keeps TMAML unbiased).
 */
export const FIT_EPISODE_BASE = 1 << 20;

/** Adam step size of φ's meta-training (MetaControlVariate.metaTrain's default). */
export const CONTROL_VARIATE_LR = 0.01;

/** What sampleTasks needs from a run's control variate: ⊥ values of a task's inner batch. */
export interface InnerControlVariate {
  /**
   * ⊥ values b(s_t) [B, T] (return-from-t units) for `batch`, the control variate adapted on
   * `fit`, a batch of the same task and policy drawn independently of `batch`.
   */
  valuesFor(fit: Batch, batch: Batch): Float64Array;
}

/** φ's state in a checkpoint: its parameters and its Adam moments, bit-exact. */
export interface ControlVariateState {
  params: string;
  adam: unknown;
}

/**
 * TMAML's meta-learned control variate inside a training run (`--estimator tmaml-meta`): φ is
 * adapted per task and inner step on an independent fitting batch, and after every iteration
 * it takes one first-order-MAML Adam step on that iteration's (fitting, inner) batch pairs, so
 * it learns along with θ. Its state (φ, Adam) is part of the run's checkpoint.
 */
export class TrainControlVariate implements InnerControlVariate {
  readonly cv: MetaControlVariate;
  private readonly adam: Adam;

  constructor(o: {
    obsDim: number;
    actions: number;
    horizon: number;
    discount: number;
    tabular: boolean;
    seed: number;
    /** Per-task fit: SGD steps and step size (MetaControlVariate's defaults, 5 and 0.01). */
    innerSteps?: number;
    innerLr?: number;
  }) {
    this.cv = new MetaControlVariate({
      innerSteps: o.innerSteps,
      innerLr: o.innerLr,
      states: o.obsDim,
      actions: o.actions,
      horizon: o.horizon,
      discount: o.discount,
      continuous: !o.tabular,
      seed: o.seed,
    });
    this.adam = new Adam(this.cv.params.length, { lr: CONTROL_VARIATE_LR });
  }

  valuesFor(fit: Batch, batch: Batch): Float64Array {
    return this.cv.adapt(fit).valuesFor(batch);
  }

  /** One meta-training step of φ on (support = fitting batch, query = the inner batch it served) pairs. */
  metaStep(pairs: readonly TaskBatches[]): number {
    return this.cv.metaStep(pairs, this.adam);
  }

  state(): ControlVariateState {
    return { params: float64ToBase64(this.cv.params), adam: adamStateJson(this.adam) };
  }

  restore(s: unknown): void {
    const o = s as Partial<ControlVariateState> | null;
    if (o === null || typeof o !== 'object' || typeof o.params !== 'string')
      throw new RangeError(
        `checkpoint.controlVariate: expected {params, adam} of tmaml-meta's control variate, got ${JSON.stringify(s)}`,
      );
    const p = base64ToFloat64(o.params, 'checkpoint.controlVariate.params');
    if (p.length !== this.cv.params.length)
      throw new RangeError(
        `checkpoint.controlVariate.params: expected ${this.cv.params.length} numbers, got ${p.length}`,
      );
    this.cv.params.set(p);
    loadAdamState(this.adam, o.adam);
  }
}
