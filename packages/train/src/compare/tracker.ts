import type { PyTree } from '@metagrad/autodiff';
import { vectorStats } from '@metagrad/estimators';
import type { MetaParams } from '../meta/adaptation';
import { evaluateMeta } from '../meta/evaluate';
import type { Problem } from '../meta/problem';
import { treeToVector } from '../outer/tree-vector';
import {
  iterationTasks,
  jsonSha256,
  metaGradientEstimate,
  stackRows,
  trackingSeed,
  vectorSha256,
} from './meta-gradient';
import { referenceGradient } from './reference';

export interface TrackOptions {
  /** R: independent meta-gradient estimates at each tracked θ (≥ 2). */
  repeats: number;
  /** Level of the study's Bonferroni z-test. */
  level: number;
  /** Test tasks and episodes per task of the post-adaptation return. */
  evalTasks: number;
  evalEpisodes: number;
}

/** One row of tracking.jsonl: the estimator's meta-gradient statistics at θ after `iteration` updates. */
export interface TrackRow {
  iteration: number;
  repeats: number;
  reference: 'exact' | 'sampled';
  /** ‖SE‖ of a sampled reference (null when exact). */
  referenceSe: number | null;
  referenceNorm: number;
  /** Trace of the sample covariance of the R estimates. */
  varianceTrace: number;
  /** Mean over repeats of ‖estimate − reference‖². */
  mse: number;
  /** ‖mean − reference‖ and that over ‖reference‖. */
  biasNorm: number;
  relativeBias: number;
  /** Mean over repeats of cos(estimate, reference), and cos(mean estimate, reference). */
  cosine: number;
  cosineOfMean: number;
  /** The study's test: largest per-entry |z|, its Bonferroni threshold, and the verdict. */
  maxAbsZ: number;
  zThreshold: number;
  unbiased: boolean;
  /** The first non-finite statistic, when there is one (no verdict then). */
  invalid?: string;
  /** Post-adaptation return on the fixed test tasks after 0..k steps: mean and 95% half-width. */
  testReturn: number[];
  testReturnCi95: number[];
  /** sha256 of θ and of the meta-batch's tasks: equal across the estimators of a compare. */
  thetaSha256: string;
  tasksSha256: string;
}

/** Wall-clock seconds of one tracking point (tracking-timing.jsonl, kept apart from the deterministic rows). */
export interface TrackTimes {
  iteration: number;
  estimates: number;
  reference: number;
  evaluation: number;
  total: number;
}

const cos = (a: Float64Array, b: Float64Array) => {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let j = 0; j < a.length; j++) [ab, aa, bb] = [ab + a[j] * b[j], aa + a[j] * a[j], bb + b[j] * b[j]];
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
};

/**
 * Track at θ (after `iteration` updates): R estimates of the run's meta-gradient on the tasks of
 * the next meta-batch with fresh streams, against the reference; the Bonferroni verdict of the
 * study (`vectorStats`); and the post-adaptation return on the test tasks. Against a sampled
 * reference the test is on the paired differences estimate_r − reference_r (independent draws,
 * so the reference's own noise is in the variance the test uses).
 */
export function trackAt<P extends PyTree>(
  problem: Problem<P>,
  meta: MetaParams<P>,
  iteration: number,
  o: TrackOptions,
): { row: TrackRow; times: TrackTimes } {
  const t0 = performance.now();
  const { tasks, indices } = iterationTasks(problem, iteration);
  const seed = problem.cfg.seed;
  const rows = Array.from({ length: o.repeats }, (_, r) =>
    metaGradientEstimate(problem, meta, tasks, indices, trackingSeed(seed, 'estimate', iteration, r)),
  );
  const d = rows[0].length;
  const estimates = stackRows(rows);
  const t1 = performance.now();
  const ref = referenceGradient(problem, meta, iteration, tasks, indices, o.repeats);
  const t2 = performance.now();
  const stats = vectorStats(estimates, ref.gradient, o.level);
  let test = stats;
  if (ref.kind === 'sampled') {
    const diff = estimates.map((x, i) => x - ref.draws[i]);
    test = vectorStats(diff, new Float64Array(d), o.level);
  }
  const evaluation = evaluateMeta(problem, meta, {
    tasks: o.evalTasks,
    episodes: o.evalEpisodes,
    steps: problem.cfg.algo === 'pretrain' ? 1 : problem.cfg.innerSteps,
    laterFactor: 1,
  });
  const t3 = performance.now();
  const row: TrackRow = {
    iteration,
    repeats: o.repeats,
    reference: ref.kind,
    referenceSe: ref.kind === 'sampled' ? ref.se : null,
    referenceNorm: Math.hypot(...ref.gradient),
    varianceTrace: stats.varianceTrace,
    mse: stats.mse,
    biasNorm: stats.biasNorm,
    relativeBias: stats.relativeBias,
    cosine: stats.cosine,
    cosineOfMean: cos(Float64Array.from(stats.mean), ref.gradient),
    maxAbsZ: test.maxAbsZ,
    zThreshold: test.zThreshold,
    unbiased: test.consistent,
    ...(test.invalid === undefined ? {} : { invalid: test.invalid }),
    testReturn: evaluation.mean,
    testReturnCi95: evaluation.ci95,
    thetaSha256: vectorSha256(treeToVector(meta.policy, 'θ')),
    tasksSha256: jsonSha256(tasks),
  };
  const s = (a: number, b: number) => (b - a) / 1000;
  return {
    row,
    times: { iteration, estimates: s(t0, t1), reference: s(t1, t2), evaluation: s(t2, t3), total: s(t0, t3) },
  };
}
