import { meanAndCi } from '../meta/evaluate';
import type { IterationRecord, IterationTimes } from '../meta/meta-learner';
import { NonFiniteError } from '../non-finite';
import type { VectorAdam } from './vector-adam';

/** A progress row of es-maml: the common row plus the episodes the algorithm played. */
export interface EsIterationRecord extends IterationRecord {
  /** Episodes of this iteration's queries (U's rollouts and the adapted returns; not the logging rollouts of θ). */
  rollouts: number;
}

export interface EsIterationResult {
  theta: Float64Array;
  record: EsIterationRecord;
  times: IterationTimes;
}

const norm = (x: Float64Array) => Math.sqrt(x.reduce((a, v) => a + v * v, 0));

/**
 * The end of every ES-MAML meta-iteration, whichever meta-gradient it estimated: refuse a
 * non-finite gradient (naming `what`), take Adam's ascent step, and log the returns before and
 * after adaptation with the time split (sampling = everything up to `t1`, optimizer = the rest).
 */
export function ascendAndRecord(
  what: string,
  iteration: number,
  theta: Float64Array,
  gradient: Float64Array,
  adam: VectorAdam,
  returns: { before: ArrayLike<number>; after: ArrayLike<number>; rollouts: number },
  t0: number,
  t1: number,
): EsIterationResult {
  const gradNorm = norm(gradient);
  if (!Number.isFinite(gradNorm))
    throw new NonFiniteError(`iteration ${iteration}: ${what} norm is ${gradNorm}`);
  const next = adam.ascend(theta, gradient);
  const t2 = performance.now();
  const pre = meanAndCi(Array.from(returns.before));
  const post = meanAndCi(Array.from(returns.after));
  return {
    theta: next,
    record: {
      iteration,
      returns: [pre.mean, post.mean],
      returnsCi95: [pre.ci95, post.ci95],
      lossBefore: -post.mean,
      lossAfter: -post.mean,
      kl: 0,
      stepFraction: 1,
      accepted: true,
      gradNorm,
      paramNorm: norm(next),
      rollouts: returns.rollouts,
    },
    times: {
      iteration,
      sampling: (t1 - t0) / 1000,
      inner: 0,
      outer: 0,
      optimizer: (t2 - t1) / 1000,
      total: (t2 - t0) / 1000,
    },
  };
}
