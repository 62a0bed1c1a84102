import {
  type Batch,
  enumerateTrajectories,
  type Policy,
  rollout,
  stateValues,
  type TabularMdp,
  TabularMdpEnv,
  tabularSoftmaxPolicy,
} from '@metagrad/envs';
import { exactEstimatorMoments, MOMENTS_MAX_TRAJECTORIES } from '../exact/expectation';
import { exactDerivatives } from '../exact/tabular';
import { LinearBaseline } from '../linear-baseline';
import { stateActionIndices } from '../tabular-policy';
import { type RepeatData, repeatEstimates, tileParameters } from './batched-estimates';
import { StudySeries } from './chunks';
import { mdpStudySetup } from './mdp-setup';
import { upperTriangles, vectorStats } from './stats';
import type { MdpEstimatorResult, MdpProblem, MdpStudyResult, StudyOptions } from './types';

/** Batches of `count` consecutive estimates (B trajectories each) at θ, with the problem's ⊥ values. */
function sampleChunk(
  p: MdpProblem,
  theta: Float64Array,
  B: number,
  first: number,
  count: number,
  seed: number,
): RepeatData {
  const { mdp } = p;
  const env = TabularMdpEnv.forMdp(mdp);
  const policy = tabularSoftmaxPolicy(theta, mdp.states, mdp.actions);
  // episode streams are keyed by episode index, so chunking never changes the samples
  const batch = rollout(env, mdp, policy, { episodes: count * B, episodeOffset: first * B, seed });
  const T = batch.horizon;
  const sa = stateActionIndices(batch.observations, batch.actions, batch.mask, mdp.states, mdp.actions);
  let values: Float64Array = new Float64Array(sa.length);
  const baseline = p.baseline ?? 'exact';
  if (baseline === 'exact') {
    const v = stateValues(mdp, theta, T);
    for (let i = 0; i < sa.length; i++)
      values[i] = batch.mask[i] * v[(i % T) * mdp.states + Math.floor(sa[i] / mdp.actions)];
  } else if (baseline === 'fitted') values = fittedValues(env, mdp, policy, batch, B, first, count, seed);
  return { repeats: count, sa, rewards: batch.rewards, mask: batch.mask, values };
}

/**
 * Per estimate, a linear baseline fitted on B other trajectories (task stream 1, never used for
 * the estimates themselves), so it is independent of the batch it is applied to.
 */
function fittedValues(
  env: TabularMdpEnv,
  mdp: TabularMdp,
  policy: Policy,
  batch: Batch,
  B: number,
  first: number,
  count: number,
  seed: number,
): Float64Array {
  const out = new Float64Array(batch.rewards.length);
  const T = batch.horizon;
  for (let r = 0; r < count; r++) {
    const fitBatch = rollout(env, mdp, policy, {
      episodes: B,
      episodeOffset: (first + r) * B,
      seed,
      taskIndices: [1],
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
  const { theta, P, B, R, chunk, seed, level: alpha, entries } = mdpStudySetup(p, opts);
  const exact = exactDerivatives(mdp, theta);
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
  const total = R * entries.length;
  let done = series.done * entries.length;
  for (let first = series.done; first < R; first += chunk) {
    const count = Math.min(chunk, R - first);
    const data = sampleChunk(p, theta, B, first, count, seed);
    const thetas = tileParameters(theta, count);
    for (const e of entries) {
      const out = repeatEstimates(mdp, thetas, e.build, data, B);
      series.set(`${e.name}/gradient`, out.gradient, first);
      series.set(`${e.name}/hessian`, out.hessian as Float64Array, first);
      done += count;
      opts.onProgress?.(done, total);
    }
    opts.onChunk?.(series.chunk(first, count));
  }
  const exactUpper = upperTriangles(exact.hessian, P);
  const results: MdpEstimatorResult[] = entries.map((e) => {
    let exactBias: MdpEstimatorResult['exactBias'] = null;
    // a fitted baseline is random: its exact estimator mean is not enumerable (it is unbiased anyway)
    if (enumerated !== null && p.baseline !== 'fitted') {
      const m = exactEstimatorMoments(mdp, theta, e.build, {
        withValues: (p.baseline ?? 'exact') === 'exact',
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
      gradient: vectorStats(series.values[`${e.name}/gradient`], exact.grad, alpha),
      hessian: vectorStats(upperTriangles(series.values[`${e.name}/hessian`], P), exactUpper, alpha),
      exactBias,
    };
  });
  return {
    kind: 'mdp',
    parameters: P,
    samples: B,
    repeats: R,
    seed,
    alpha,
    exact: { J: exact.J, grad: Array.from(exact.grad), hessian: Array.from(exact.hessian) },
    estimators: results,
    falsePositiveRate: falsePositiveText(alpha),
  };
}

export function falsePositiveText(alpha: number): string {
  return `an unbiased estimator is wrongly flagged with probability at most ${alpha} per verdict (Bonferroni over the entries tested, normal approximation of the mean of R estimates)`;
}
