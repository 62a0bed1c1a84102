import {
  type Batch,
  enumerateTrajectories,
  rollout,
  type TabularMdp,
  TabularMdpEnv,
  tabularSoftmaxPolicy,
} from '@metagrad/envs';
import { LinearBaseline } from '../baselines/linear-baseline';
import { exactEstimatorMoments, MOMENTS_MAX_TRAJECTORIES } from '../exact/expectation';
import { exactDerivatives } from '../exact/tabular';
import { repeatEstimates, tileParameters } from './batched-estimates';
import { computeInChunks, StudySeries } from './chunks';
import { STUDY_DEFAULTS } from './defaults';
import { mdpStudySetup } from './mdp-setup';
import { sampleRepeats } from './sampling';
import { falsePositiveText, invalidateUnlessFinite, upperTriangles, vectorStats } from './stats';
import type { MdpEstimatorResult, MdpProblem, MdpStudyResult, StudyOptions } from './types';

/** Random streams (the rollout's task index): the estimates' trajectories, the fitted baselines'. */
const SAMPLE_STREAM = 0;
const FIT_STREAM = 1;

/**
 * Per estimate, a linear baseline fitted on B other trajectories (FIT_STREAM, never used for
 * the estimates themselves), so it is independent of the batch it is applied to.
 */
function fittedValues(
  mdp: TabularMdp,
  theta: Float64Array,
  batch: Batch,
  B: number,
  first: number,
  count: number,
  seed: number,
): Float64Array {
  const env = TabularMdpEnv.forMdp(mdp);
  const policy = tabularSoftmaxPolicy(theta, mdp.states, mdp.actions);
  const out = new Float64Array(batch.rewards.length);
  const T = batch.horizon;
  for (let r = 0; r < count; r++) {
    const fitBatch = rollout(env, mdp, policy, {
      episodes: B,
      episodeOffset: (first + r) * B,
      seed,
      taskIndices: [FIT_STREAM],
    });
    const lanes = Array.from({ length: B }, (_, b) => r * B + b);
    const pred = LinearBaseline.fit(fitBatch).predict(selectLanes(batch, lanes));
    out.set(pred, r * B * T);
  }
  return out;
}

function selectLanes(batch: Batch, lanes: number[]): Batch {
  const { horizon: T, obsDim: d } = batch;
  const pick = <A extends Float64Array>(x: A, w: number): A => {
    const out = new (x.constructor as new (n: number) => A)(lanes.length * T * w);
    for (const [k, b] of lanes.entries()) out.set(x.subarray(b * T * w, (b + 1) * T * w), k * T * w);
    return out;
  };
  return {
    ...batch,
    size: lanes.length,
    observations: pick(batch.observations, d),
    rewards: pick(batch.rewards, 1),
    mask: pick(batch.mask, 1),
  };
}

export function mdpStudy(p: MdpProblem, opts: StudyOptions): MdpStudyResult {
  const { mdp } = p;
  const { theta, P, B, R, chunk, seed, level, entries } = mdpStudySetup(p, opts);
  const exact = exactDerivatives(mdp, theta, { onProgress: opts.onExactProgress });
  let enumerated: ReturnType<typeof enumerateTrajectories> | null = null;
  try {
    enumerated = enumerateTrajectories(mdp, MOMENTS_MAX_TRAJECTORIES);
  } catch {
    enumerated = null; // too many trajectories for an exact estimator mean: report sampled bias only
  }
  const widths: Record<string, number> = {};
  for (const e of entries) {
    widths[`${e.name}/gradient`] = P;
    widths[`${e.name}/hessian`] = P * P;
  }
  const series = new StudySeries(R, widths, opts.resume);
  computeInChunks(series, chunk, entries.length, opts, (first, count, finished) => {
    const thetas = tileParameters(theta, count);
    const { data, batch } = sampleRepeats(p, thetas, B, first, count, seed, SAMPLE_STREAM);
    if (p.baseline === 'fitted') data.values = fittedValues(mdp, theta, batch, B, first, count, seed);
    for (const e of entries) {
      const out = repeatEstimates(mdp, thetas, e.build, data, B);
      series.set(`${e.name}/gradient`, out.gradient, first);
      series.set(`${e.name}/hessian`, out.hessian as Float64Array, first);
      finished();
    }
  });
  const exactUpper = upperTriangles(exact.hessian, P);
  const results: MdpEstimatorResult[] = entries.map((e) => {
    let exactBias: MdpEstimatorResult['exactBias'] = null;
    // a fitted baseline is random: its exact estimator mean is not enumerable (it is unbiased anyway)
    if (enumerated !== null && p.baseline !== 'fitted') {
      const m = exactEstimatorMoments(mdp, theta, e.build, {
        withValues: (p.baseline ?? STUDY_DEFAULTS.mdp.baseline) === 'exact',
        enumerated,
      });
      exactBias = {
        gradient: Math.hypot(...m.gradient.map((x, i) => x - exact.grad[i])),
        hessian: Math.hypot(...m.hessian.map((x, i) => x - exact.hessian[i])),
      };
    }
    return {
      name: e.name,
      label: e.label,
      claim: e.unbiased,
      gradient: invalidateUnlessFinite(
        vectorStats(series.values[`${e.name}/gradient`], exact.grad, level),
        'exact |bias|',
        exactBias?.gradient ?? null,
      ),
      hessian: invalidateUnlessFinite(
        vectorStats(upperTriangles(series.values[`${e.name}/hessian`], P), exactUpper, level),
        'exact |bias|',
        exactBias?.hessian ?? null,
      ),
      exactBias,
    };
  });
  return {
    kind: 'mdp',
    parameters: P,
    samples: B,
    repeats: R,
    seed,
    level,
    exact: { J: exact.J, grad: Array.from(exact.grad), hessian: Array.from(exact.hessian) },
    estimators: results,
    falsePositiveRate: falsePositiveText(level),
  };
}
