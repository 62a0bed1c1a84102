import { Adam, Rng } from '@metagrad/autodiff';
import { type Batch, oneHotIndex } from '@metagrad/envs';
import { returnsFromEachStep } from '../returns';
import { ValueMlp } from './value-mlp';

/**
 * TMAML's **meta control variate** (Liu, Socher, Xiong 2019): a small network
 * b_φ(s_t, t, task data) predicting the discounted return from t, Σ_{k≥t} γ^{k−t} r_k, meta-learned
 * across tasks with first-order MAML. Its predictions enter TMAML under ⊥ exactly like a per-task
 * baseline (`tmaml(traj, { values })`: cross-time coefficient G_t − γ^t b(s_t)).
 *
 * Input of the network for step t of a trajectory: [one-hot s_t (S), one-hot t (T), t/T, task
 * embedding], the embedding being the task's mean observed reward per (s, a) and a seen-indicator
 * per (s, a), both computed from the **fitting batch** only. With `continuous` observations
 * (2D navigation, point mass) s_t is the raw observation (`states` = its dimension), the
 * embedding is the fitting batch's mean reward per step and mean return over the horizon, and
 * the network predicts the residual from the fitting batch's mean return-from-t at each t (raw
 * returns of H = 100 steps are too large for the inner SGD steps to fit from φ directly).
 *
 * Independence (what keeps TMAML unbiased): the control variate of an estimate must not depend on
 * that estimate's own actions or rewards. So the API separates the two batches: `adapt(fitBatch)`
 * adapts φ (a few SGD steps of squared error) and builds the embedding from `fitBatch` alone, and
 * the returned `AdaptedControlVariate.valuesFor(estimateBatch)` reads only s_t and t of the
 * estimate batch. Draw `fitBatch` independently of `estimateBatch` (other episodes or another
 * random stream); `valuesFor` refuses the fitting batch itself (same object or same data).
 */
export interface MetaControlVariateOptions {
  states: number;
  actions: number;
  horizon: number;
  /** γ of the returns it predicts (default 1). */
  discount?: number;
  /** Hidden units of the MLP (default 16). */
  hidden?: number;
  /** Inner-loop SGD steps on a task's fitting batch (default 5). */
  innerSteps?: number;
  /** Inner-loop SGD step size (default 0.01; larger steps diverge on raw returns). */
  innerLr?: number;
  /** Seed of the initial φ (default 0). */
  seed?: number;
  /** Raw observation vectors of `states` numbers instead of one-hot states (default false). */
  continuous?: boolean;
}

/** Fitting (support) and query batches of one task for a meta-training step: independent draws. */
export interface TaskBatches {
  support: Batch;
  query: Batch;
}

export interface MetaTrainOptions {
  /** Outer iterations (default 200). */
  iterations?: number;
  /** Outer (Adam) learning rate (default 0.01). */
  outerLr?: number;
  /** Called with (iteration, mean query loss after adaptation over the task batch). */
  onIteration?: (iteration: number, queryLoss: number) => void;
}

/** Per-step rows of one batch: network inputs and return-from-t targets of the real steps. */
interface Rows {
  x: Float64Array;
  y: Float64Array;
  /** Index b·T + t of each row in the batch. */
  at: Int32Array;
}

export class MetaControlVariate {
  readonly states: number;
  readonly actions: number;
  readonly horizon: number;
  readonly discount: number;
  readonly innerSteps: number;
  readonly innerLr: number;
  readonly continuous: boolean;
  readonly net: ValueMlp;
  /** The meta-learned initialisation φ (flat). */
  readonly params: Float64Array;

  constructor(o: MetaControlVariateOptions, params?: Float64Array) {
    for (const k of ['states', 'actions', 'horizon'] as const)
      if (!(Number.isInteger(o[k]) && o[k] >= 1))
        throw new RangeError(`${k}: expected an integer >= 1, got ${o[k]}`);
    this.states = o.states;
    this.actions = o.actions;
    this.horizon = o.horizon;
    this.discount = o.discount ?? 1;
    this.innerSteps = o.innerSteps ?? 5;
    this.innerLr = o.innerLr ?? 0.01;
    if (!(Number.isInteger(this.innerSteps) && this.innerSteps >= 0))
      throw new RangeError(`innerSteps: expected an integer >= 0, got ${this.innerSteps}`);
    if (!(this.innerLr > 0 && Number.isFinite(this.innerLr)))
      throw new RangeError(`innerLr: expected a finite number > 0, got ${this.innerLr}`);
    if (!(this.discount >= 0 && this.discount <= 1))
      throw new RangeError(`discount: expected a number in [0, 1], got ${this.discount}`);
    this.continuous = o.continuous ?? false;
    const D = o.states + o.horizon + 1 + this.embeddingSize(o.states, o.actions);
    this.net = new ValueMlp(D, o.hidden ?? 16);
    if (params !== undefined && params.length !== this.net.size)
      throw new RangeError(`params: expected ${this.net.size} numbers, got ${params.length}`);
    this.params = params ? Float64Array.from(params) : this.net.init(new Rng(o.seed ?? 0));
  }

  /** A copy with the same settings and parameters (meta-training mutates `params` in place). */
  clone(): MetaControlVariate {
    return new MetaControlVariate(
      {
        states: this.states,
        actions: this.actions,
        horizon: this.horizon,
        discount: this.discount,
        hidden: this.net.hidden,
        innerSteps: this.innerSteps,
        innerLr: this.innerLr,
        continuous: this.continuous,
      },
      this.params,
    );
  }

  private embeddingSize(states: number, actions: number): number {
    return this.continuous ? 2 : 2 * states * actions;
  }

  /**
   * Task embedding from a batch: mean observed reward per (s, a) (0 if unseen) and seen flags;
   * continuous: mean reward per real step and mean (discounted) return from t = 0 over T.
   */
  embed(batch: Batch): Float64Array {
    if (this.continuous) return this.embedContinuous(batch);
    const SA = this.states * this.actions;
    const sums = new Float64Array(SA);
    const counts = new Float64Array(SA);
    const n = batch.size * batch.horizon;
    for (let i = 0; i < n; i++) {
      if (!batch.mask[i]) continue;
      const sa = this.stateOf(batch, i) * this.actions + batch.actions[i * batch.actDim];
      sums[sa] += batch.rewards[i];
      counts[sa]++;
    }
    const e = new Float64Array(2 * SA);
    for (let k = 0; k < SA; k++) {
      e[k] = counts[k] > 0 ? sums[k] / counts[k] : 0;
      e[SA + k] = counts[k] > 0 ? 1 : 0;
    }
    return e;
  }

  /** [mean reward, mean return / T, then per t the mean return-from-t (the prediction's offset)]. */
  private embedContinuous(batch: Batch): Float64Array {
    const { size: B, horizon: T } = batch;
    const returns = returnsFromEachStep(batch.rewards, B, T, this.discount, batch.mask);
    const e = new Float64Array(2 + T);
    const counts = new Float64Array(T);
    let steps = 0;
    let ret = 0;
    for (let i = 0; i < B * T; i++) {
      if (!batch.mask[i]) continue;
      const t = i % T;
      e[0] += batch.rewards[i];
      steps++;
      if (t === 0) ret += returns[i];
      e[2 + t] += returns[i];
      counts[t]++;
    }
    e[0] = steps > 0 ? e[0] / steps : 0;
    e[1] = B > 0 ? ret / B / T : 0;
    for (let t = 0; t < T; t++) e[2 + t] = counts[t] > 0 ? e[2 + t] / counts[t] : 0;
    return e;
  }

  /** The prediction's offset at time t: the fitting batch's mean return-from-t (continuous), else 0. */
  private offset(embedding: Float64Array, t: number): number {
    return this.continuous ? embedding[2 + t] : 0;
  }

  private stateOf(batch: Batch, i: number): number {
    const S = this.states;
    if (batch.obsDim !== S)
      throw new RangeError(`batch: expected one-hot observations of ${S} states, got obsDim ${batch.obsDim}`);
    return oneHotIndex(batch.observations, i, S, () => `batch.observations[${i}]`);
  }

  /** Network inputs for every real step of `batch` (with `embedding`), and return-from-t targets. */
  private rows(batch: Batch, embedding: Float64Array): Rows {
    const { size: B, horizon: T } = batch;
    if (T !== this.horizon) throw new RangeError(`batch: expected horizon ${this.horizon}, got ${T}`);
    const D = this.net.inputs;
    const S = this.states;
    const at: number[] = [];
    const ys: number[] = [];
    const returns = returnsFromEachStep(batch.rewards, B, T, this.discount, batch.mask);
    for (let i = 0; i < B * T; i++)
      if (batch.mask[i]) {
        at.push(i);
        ys.push(returns[i] - this.offset(embedding, i % T));
      }
    const inputs = embedding.subarray(0, this.embeddingSize(S, this.actions));
    const x = new Float64Array(at.length * D);
    if (this.continuous && batch.obsDim !== S)
      throw new RangeError(`batch: expected observations of ${S} numbers, got obsDim ${batch.obsDim}`);
    at.forEach((i, r) => {
      const t = i % T;
      if (this.continuous) x.set(batch.observations.subarray(i * S, (i + 1) * S), r * D);
      else x[r * D + this.stateOf(batch, i)] = 1;
      x[r * D + S + t] = 1;
      x[r * D + S + T] = t / T;
      x.set(inputs, r * D + S + T + 1);
    });
    return { x, y: Float64Array.from(ys), at: Int32Array.from(at) };
  }

  /** φ' after `innerSteps` SGD steps of squared error on the rows, from `start`. */
  private innerLoop(start: Float64Array, rows: Rows): Float64Array {
    const phi = Float64Array.from(start);
    for (let k = 0; k < this.innerSteps; k++) {
      const { grad } = this.net.lossAndGrad(phi, rows.x, rows.y);
      for (let i = 0; i < phi.length; i++) phi[i] -= this.innerLr * grad[i];
    }
    return phi;
  }

  /**
   * Adapt to one task from its fitting batch (inner loop from the meta-learned φ, embedding from
   * the same batch). Use the result only on batches drawn independently of `fitBatch`.
   */
  adapt(fitBatch: Batch): AdaptedControlVariate {
    const embedding = this.embed(fitBatch);
    const phi = this.innerLoop(this.params, this.rows(fitBatch, embedding));
    return new AdaptedControlVariate(this, phi, embedding, fitBatch);
  }

  /**
   * First-order MAML over tasks: each outer iteration asks `tasks(iteration)` for a batch of
   * tasks' independent (support, query) batches, adapts φ on each support batch (embedding from
   * the support batch), and moves φ with Adam along the mean query-loss gradient at the adapted
   * parameters (the first-order approximation: ∂φ'/∂φ taken as I). Deterministic given the batches.
   */
  metaTrain(tasks: (iteration: number) => readonly TaskBatches[], o: MetaTrainOptions = {}): number[] {
    const iterations = o.iterations ?? 200;
    const opt = new Adam(this.params.length, { lr: o.outerLr ?? 0.01 });
    const losses: number[] = [];
    for (let it = 0; it < iterations; it++) {
      const loss = this.metaStep(tasks(it), opt);
      losses.push(loss);
      o.onIteration?.(it, loss);
    }
    return losses;
  }

  /**
   * One outer step of `metaTrain` with a caller-owned Adam (whose moments a training run carries
   * across its iterations and checkpoints): moves φ in place, returns the mean query loss.
   */
  metaStep(batch: readonly TaskBatches[], opt: Adam): number {
    if (batch.length === 0)
      throw new RangeError('metaTrain: tasks: expected at least one task per iteration');
    const g = new Float64Array(this.params.length);
    let loss = 0;
    for (const { support, query } of batch) {
      const embedding = this.embed(support);
      const phi = this.innerLoop(this.params, this.rows(support, embedding));
      const rows = this.rows(query, embedding);
      const q = this.net.lossAndGrad(phi, rows.x, rows.y);
      loss += q.loss / batch.length;
      for (let i = 0; i < g.length; i++) g[i] += q.grad[i] / batch.length;
    }
    opt.stepInPlace(this.params, g);
    return loss;
  }

  /** Predictions with parameters φ and a task embedding for every step of `batch`: [B, T], 0 on padding. */
  predictWith(phi: Float64Array, embedding: Float64Array, batch: Batch): Float64Array {
    const rows = this.rows(batch, embedding);
    const pred = this.net.predict(phi, rows.x);
    const out = new Float64Array(batch.size * batch.horizon);
    rows.at.forEach((i, r) => {
      out[i] = pred[r] + this.offset(embedding, i % batch.horizon);
    });
    return out;
  }
}

/** A meta control variate adapted to one task on its fitting batch. */
export class AdaptedControlVariate {
  constructor(
    readonly source: MetaControlVariate,
    /** Adapted parameters φ'. */
    readonly params: Float64Array,
    /** Task embedding from the fitting batch. */
    readonly embedding: Float64Array,
    private readonly fitBatch: Batch,
  ) {}

  /**
   * ⊥ values b(s_t) (return-from-t units) for every step of a batch independent of the fitting
   * batch: [B, T], 0 on padding. Reads only the states and times of `batch`, never its actions or
   * rewards, so the values are independent of the estimate's samples.
   */
  valuesFor(batch: Batch): Float64Array {
    if (batch === this.fitBatch || sameData(batch, this.fitBatch))
      throw new RangeError(
        'valuesFor: expected a batch independent of the fitting batch (the control variate was fitted on these trajectories; using them biases TMAML)',
      );
    return this.source.predictWith(this.params, this.embedding, batch);
  }

  /** Mean squared error against given targets (e.g. exact values) on the real steps of `batch`. */
  squaredError(batch: Batch, targets: ArrayLike<number>): number {
    const v = this.source.predictWith(this.params, this.embedding, batch);
    let s = 0;
    let n = 0;
    for (let i = 0; i < v.length; i++)
      if (batch.mask[i]) {
        s += (v[i] - targets[i]) ** 2;
        n++;
      }
    return n > 0 ? s / n : 0;
  }
}

function sameData(a: Batch, b: Batch): boolean {
  if (a.size !== b.size || a.horizon !== b.horizon) return false;
  for (let i = 0; i < a.rewards.length; i++) if (a.rewards[i] !== b.rewards[i]) return false;
  for (let i = 0; i < a.actions.length; i++) if (a.actions[i] !== b.actions[i]) return false;
  for (let i = 0; i < a.observations.length; i++) if (a.observations[i] !== b.observations[i]) return false;
  return true;
}
