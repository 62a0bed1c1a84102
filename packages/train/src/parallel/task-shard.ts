import { type PyTree, scalar, type Tensor, vjp } from '@metagrad/autodiff';
import type { MetaParams } from '../meta/adaptation';
import { metaFisherProduct } from '../meta/fisher';
import { initMetaParams } from '../meta/init';
import { meanReturn } from '../meta/lanes';
import { adaptedParams, innerStepsOf, outerKl, outerLoss, type TaskSamples } from '../meta/meta-objective';
import type { Problem } from '../meta/problem';
import { sampleTasks } from '../meta/sampling';
import { NonFiniteError } from '../non-finite';
import { treeToVector, vectorToTree } from '../outer/tree-vector';

/** One task's share of a meta-iteration at θ: what the outer update combines over tasks. */
export interface TaskSampled {
  /** Meta-batch slot (the global task index is iteration·M + slot). */
  slot: number;
  /** Mean episode return before adaptation and after each inner step. */
  returns: number[];
  /**
   * The task's outer loss at θ, its share (1/M) of the meta-batch mean's gradient (flattenTree
   * order of the meta-parameters) and its KL.
   */
  loss: number;
  grad: Float64Array;
  kl: number;
  /** Seconds in rollouts and in adaptation (wall-clock, for timing.jsonl only). */
  sampling: number;
  inner: number;
}

interface TaskState<P extends PyTree> {
  samples: TaskSamples<P>;
  fisher: ((v: Float64Array) => Float64Array) | null;
}

/**
 * The tasks of a meta-batch that one worker (or the main thread, with one worker) owns during an
 * iteration: each task is sampled, adapted and differentiated on its own, never batched with
 * another, so its numbers do not depend on which tasks share its worker. θ arrives as a flat
 * float64 vector and is rebuilt on the shape of the problem's initial meta-parameters.
 */
export class TaskShard<P extends PyTree = PyTree> {
  private readonly template: MetaParams<P>;
  private meta: MetaParams<P> | null = null;
  private tasks = new Map<number, TaskState<P>>();
  private iteration = 0;

  /** `beforeTask(op, slot)` runs before each slot's work (tests inject faults there). */
  constructor(
    readonly problem: Problem<P>,
    private readonly beforeTask: (op: string, slot: number) => void = () => {},
  ) {
    this.template = initMetaParams(problem);
  }

  /** Sample, adapt and differentiate the given slots of `iteration` at θ; forgets earlier iterations. */
  sample(iteration: number, theta: Float64Array, slots: readonly number[]): TaskSampled[] {
    const { problem } = this;
    const { cfg } = problem;
    const M = cfg.metaBatch;
    const meta = vectorToTree(this.template, theta);
    this.meta = meta;
    this.iteration = iteration;
    this.tasks = new Map();
    const all = problem.tasks.trainTasks(M, cfg.seed, iteration * M);
    return slots.map((slot) =>
      this.at('sample', iteration, slot, () => {
        const times = { sampling: 0, inner: 0 };
        const [samples] = sampleTasks(
          problem,
          meta,
          [all[slot]],
          [iteration * M + slot],
          innerStepsOf(problem),
          cfg.fastBatch,
          times,
        );
        this.tasks.set(slot, { samples, fisher: null });
        // the task's share of the mean's gradient: its pullback seeded with 1/M, as the batched
        // reverse pass seeds each task's term, so that their sum in slot order is that pass's sum
        // where the engine adds the tasks in order (FOMAML: the same bits as metaIteration)
        const f = (m: unknown) => outerLoss(problem, m as MetaParams<P>, [samples]);
        const [loss, pullback] = vjp(f, meta) as [Tensor, (ct: Tensor) => PyTree[]];
        return {
          slot,
          returns: samples.batches.map(meanReturn),
          loss: loss.item(),
          grad: treeToVector(pullback(scalar(1 / M))[0]),
          kl: outerKl(problem, meta, [samples]).item(),
          sampling: times.sampling,
          inner: times.inner,
        };
      }),
    );
  }

  /** Each slot's F·v (the Hessian of its KL at the sampled θ, Jᵀ F J), built on first use. */
  fisher(v: Float64Array, slots: readonly number[]): Float64Array[] {
    const meta = this.requireMeta('fisher');
    return slots.map((slot) =>
      this.at('fisher', this.iteration, slot, () => {
        const t = this.task(slot);
        t.fisher ??= metaFisherProduct(this.problem, meta, [t.samples]);
        return t.fisher(v);
      }),
    );
  }

  /** Each slot's outer loss at θ′ and its 1/M share of the mean's gradient (the Adam updates' epochs). */
  gradient(theta: Float64Array, slots: readonly number[]): { loss: number; grad: Float64Array }[] {
    this.requireMeta('gradient');
    const m = vectorToTree(this.template, theta);
    const M = this.problem.cfg.metaBatch;
    return slots.map((slot) =>
      this.at('gradient', this.iteration, slot, () => {
        const s = [this.task(slot).samples];
        const f = (x: unknown) => outerLoss(this.problem, x as MetaParams<P>, s);
        const [loss, pullback] = vjp(f, m) as [Tensor, (ct: Tensor) => PyTree[]];
        return { loss: loss.item(), grad: treeToVector(pullback(scalar(1 / M))[0]) };
      }),
    );
  }

  /** Each slot's outer loss and KL at candidate meta-parameters θ′ (one adaptation for both). */
  evaluate(theta: Float64Array, slots: readonly number[]): { loss: number; kl: number }[] {
    this.requireMeta('evaluate');
    const m = vectorToTree(this.template, theta);
    return slots.map((slot) =>
      this.at('evaluate', this.iteration, slot, () => {
        const s = [this.task(slot).samples];
        const adapted = adaptedParams(this.problem, m, s);
        return {
          loss: outerLoss(this.problem, m, s, adapted).item(),
          kl: outerKl(this.problem, m, s, adapted).item(),
        };
      }),
    );
  }

  /** Runs one slot's work; an error (other than a non-finite value, which names its task) names the task. */
  private at<R>(op: string, iteration: number, slot: number, work: () => R): R {
    try {
      this.beforeTask(op, slot);
      return work();
    } catch (e) {
      if (!(e instanceof Error)) throw e;
      // the slot travels with the error: of several failing workers the lowest slot is reported
      Object.assign(e, { slot });
      if (e instanceof NonFiniteError) throw e;
      e.message = `task ${iteration * this.problem.cfg.metaBatch + slot} (meta-batch slot ${slot}): ${e.message}`;
      throw e;
    }
  }

  private requireMeta(op: string): MetaParams<P> {
    if (this.meta === null) throw new RangeError(`TaskShard.${op}: no iteration sampled yet`);
    return this.meta;
  }

  private task(slot: number): TaskState<P> {
    const t = this.tasks.get(slot);
    if (t === undefined) throw new RangeError(`TaskShard: slot ${slot} was not sampled by this shard`);
    return t;
  }
}
