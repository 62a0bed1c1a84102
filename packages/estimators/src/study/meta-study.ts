import { exactEstimatorMoments } from '../exact/expectation';
import { exactDerivatives, exactMetaGradient } from '../exact/tabular';
import type { TrajectoryEntry } from '../table';
import { repeatEstimates, tileParameters } from './batched-estimates';
import { computeInChunks, StudySeries } from './chunks';
import { STUDY_DEFAULTS } from './defaults';
import { mdpStudySetup } from './mdp-setup';
import { sampleRepeats } from './sampling';
import { falsePositiveText, firstNonFinite, invalidateUnlessFinite, vectorStats } from './stats';
import type { MdpProblem, MetaEstimatorResult, MetaStudyResult, StudyOptions } from './types';

/**
 * Random streams of the meta study (the rollout's task index): inner samples at θ, outer samples at
 * the exact θ' and outer samples at each estimator's own estimated θ'. Episode r·B … r·B + B − 1 of
 * each stream belong to estimate r, so the numbers do not depend on the chunking.
 */
const INNER_STREAM = 0;
const OUTER_STREAM = 1;
const COMPOSED_STREAM = 2;

export const META_STUDY_NOTE =
  'meta-gradient (exact inner step): (I + αĤ(θ)) ĝ(θ′) with θ′ = θ + α∇J(θ) exact, Ĥ from inner samples at θ and ĝ from independent outer samples at θ′; ' +
  'its mean is (I + αE[Ĥ]) E[ĝ], so it is unbiased for (I + α∇²J)∇J(θ′) exactly when the estimator’s Hessian and gradient are (this is the verdict). ' +
  'composed (estimated inner step, what a MAML implementation computes): θ′ = θ + αĝ_in from the same inner samples, ĝ from outer samples drawn at that θ′; ' +
  'E[f(θ + αĝ)] ≠ f(θ + αE[ĝ]), so even an unbiased Hessian leaves an O(α²) bias (through Var ĝ_in and Cov(Ĥ, ĝ_in), both from the same inner samples): its bias and verdict are reported, not claimed.';

/** Row r of the result: g_r + α H_r g_r, i.e. (I + αĤ_r) ĝ_r. */
function compose(hess: Float64Array, g: Float64Array, alpha: number, P: number): Float64Array {
  const R = g.length / P;
  const out = Float64Array.from(g);
  for (let r = 0; r < R; r++)
    for (let i = 0; i < P; i++) {
      let s = 0;
      for (let j = 0; j < P; j++) s += hess[r * P * P + i * P + j] * g[r * P + j];
      out[r * P + i] += alpha * s;
    }
  return out;
}

/**
 * Meta-gradient mode of the study: for V(θ) = J(θ + α∇J(θ)) (same task inside and outside), each
 * estimator's meta-gradient from inner samples at θ and independent outer samples, with the exact
 * inner step (the unbiasedness verdict) and with its own estimated inner step (composed, bias
 * reported). See META_STUDY_NOTE.
 */
export function metaStudy(p: MdpProblem, opts: StudyOptions): MetaStudyResult {
  const { mdp } = p;
  if (opts.meta === undefined)
    throw new RangeError('meta: expected { stepSize } for the meta-gradient study');
  const stepSize = opts.meta.stepSize;
  const withComposed = opts.meta.composed ?? STUDY_DEFAULTS.meta.composed;
  if (p.baseline === 'fitted')
    throw new RangeError('baseline: expected exact or none in the meta-gradient study, got "fitted"');
  const { theta, P, B, R, chunk, seed, level, entries } = mdpStudySetup(p, opts);

  const exact = exactDerivatives(mdp, theta, { onProgress: opts.onExactProgress });
  const thetaPrime = theta.map((x, i) => x + stepSize * exact.grad[i]);
  const bad = firstNonFinite({ 'θ′': thetaPrime });
  if (bad !== null)
    throw new RangeError(
      `meta.stepSize: expected a step size whose exact inner step θ′ = θ + α∇J(θ) is finite, got α = ${stepSize} (${bad} overflows)`,
    );
  const exactMeta = exactMetaGradient(mdp, stepSize, theta);

  const widths: Record<string, number> = {};
  for (const e of entries) {
    widths[`${e.name}/metaGradient`] = P;
    if (withComposed) widths[`${e.name}/composed`] = P;
  }
  const series = new StudySeries(R, widths, opts.resume);
  computeInChunks(series, chunk, entries.length, opts, (first, count, finished) => {
    const thetas = tileParameters(theta, count);
    const primes = tileParameters(thetaPrime, count);
    const inner = sampleRepeats(p, thetas, B, first, count, seed, INNER_STREAM).data;
    const outer = sampleRepeats(p, primes, B, first, count, seed, OUTER_STREAM).data;
    for (const e of entries) {
      const fit = repeatEstimates(mdp, thetas, e.build, inner, B, true);
      const hess = fit.hessian as Float64Array;
      const gOut = repeatEstimates(mdp, primes, e.build, outer, B, false).gradient;
      series.set(`${e.name}/metaGradient`, compose(hess, gOut, stepSize, P), first);
      if (withComposed) {
        const own = thetas.map((x, i) => x + stepSize * fit.gradient[i]);
        if (firstNonFinite({ own }) !== null) {
          // an estimated inner step that overflows cannot be sampled from: no composed estimate (NaN)
          series.set(`${e.name}/composed`, new Float64Array(count * P).fill(Number.NaN), first);
        } else {
          const data = sampleRepeats(p, own, B, first, count, seed, COMPOSED_STREAM).data;
          const gOwn = repeatEstimates(mdp, own, e.build, data, B, false).gradient;
          series.set(`${e.name}/composed`, compose(hess, gOwn, stepSize, P), first);
        }
      }
      finished();
    }
  });

  const estimators: MetaEstimatorResult[] = entries.map((e) => {
    const exactBias = exactMetaBias(p, e, theta, thetaPrime, stepSize, exactMeta);
    const metaGradient = vectorStats(series.values[`${e.name}/metaGradient`], exactMeta, level);
    return {
      name: e.name,
      label: e.label,
      claim: e.unbiased,
      metaGradient: invalidateUnlessFinite(metaGradient, 'exact |bias|', exactBias),
      composed: withComposed ? vectorStats(series.values[`${e.name}/composed`], exactMeta, level) : null,
      exactBias,
    };
  });
  return {
    kind: 'meta',
    parameters: P,
    samples: B,
    repeats: R,
    seed,
    level,
    stepSize,
    exact: {
      J: exact.J,
      grad: Array.from(exact.grad),
      thetaPrime: Array.from(thetaPrime),
      metaGradient: Array.from(exactMeta),
    },
    estimators,
    note: META_STUDY_NOTE,
    falsePositiveRate: falsePositiveText(level),
  };
}

/**
 * ‖(I + αE[Ĥ(θ)]) E[ĝ(θ′)] − exact‖ by enumeration (the exact-inner-step estimator's true bias),
 * or null when the MDP has too many trajectories to enumerate.
 */
function exactMetaBias(
  p: MdpProblem,
  e: TrajectoryEntry,
  theta: Float64Array,
  thetaPrime: Float64Array,
  stepSize: number,
  exactMeta: Float64Array,
): number | null {
  const withValues = (p.baseline ?? STUDY_DEFAULTS.mdp.baseline) === 'exact';
  let h: Float64Array;
  let g: Float64Array;
  try {
    h = exactEstimatorMoments(p.mdp, theta, e.build, { withValues }).hessian;
    g = exactEstimatorMoments(p.mdp, thetaPrime, e.build, { withValues }).gradient;
  } catch {
    return null; // too many trajectories to enumerate: sampled bias only
  }
  const mean = compose(h, g, stepSize, theta.length);
  return Math.hypot(...mean.map((x, i) => x - exactMeta[i]));
}
