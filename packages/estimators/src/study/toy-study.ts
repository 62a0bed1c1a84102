import { gaussianLogProb, grad, Rng, reshape, type Tensor, tensor } from '@metagrad/autodiff';
import { gaussianToy, toyGradient, toyObjective, toyObjectiveGrad } from '@metagrad/envs';
import { toyLsfMoments, toySfMoments } from '../exact/gaussian-toy';
import { lsf, nSampleSf } from '../surrogates/lsf';
import { computeInChunks, StudySeries } from './chunks';
import { STUDY_DEFAULTS } from './defaults';
import { falsePositiveText, firstNonFinite, vectorStats } from './stats';
import type { GaussianProblem, StudyOptions, ToyRow, ToyStudyResult } from './types';

export const TOY_ESTIMATORS = ['n-sample-sf', 'lsf'] as const;
/** The N values swept by default (STUDY_DEFAULTS.toy.n). */
export const DEFAULT_TOY_N = STUDY_DEFAULTS.toy.n;

/**
 * R estimates at once for one N: θ is replicated per estimate, X [R, N] drawn with θ_r, and the
 * surrogates summed over r, so one gradient call returns all R estimates.
 */
function toyEstimates(
  name: string,
  theta: number,
  sigma: number,
  x: Float64Array,
  R: number,
  N: number,
): Float64Array {
  const xs = tensor(x, { shape: [R, N, 1] }); // gaussianLogProb sums the last axis
  const logStd = Math.log(sigma);
  const means = new Float64Array(R);
  for (let r = 0; r < R; r++) for (let i = 0; i < N; i++) means[r] += x[r * N + i] / N;
  const F = (th: Tensor) => {
    const draw = { samples: x, logProbs: gaussianLogProb(xs, reshape(th, [R, 1, 1]), logStd) };
    return name === 'lsf' ? lsf(draw, means.map(toyObjectiveGrad)) : nSampleSf(draw, means.map(toyObjective));
  };
  return Float64Array.from(grad(F)(tensor(new Float64Array(R).fill(theta))).data);
}

export function toyStudy(p: GaussianProblem, opts: StudyOptions): ToyStudyResult {
  const R = opts.repeats ?? STUDY_DEFAULTS.toy.repeats;
  const seed = opts.seed ?? STUDY_DEFAULTS.seed;
  const level = opts.level ?? STUDY_DEFAULTS.level;
  const ns = p.n ?? STUDY_DEFAULTS.toy.n;
  const names = opts.estimators ?? [...TOY_ESTIMATORS];
  for (const n of names) {
    if (!(TOY_ESTIMATORS as readonly string[]).includes(n))
      throw new RangeError(
        `estimators: expected names from ${TOY_ESTIMATORS.join(', ')} for the Gaussian toy, got ${JSON.stringify(n)}`,
      );
  }
  const chunk = opts.batchSize ?? STUDY_DEFAULTS.toy.batchSize;
  const key = (name: string, ni: number) => `${name}/n[${ni}]=${ns[ni]}`;
  const widths: Record<string, number> = {};
  for (const ni of ns.keys()) for (const name of names) widths[key(name, ni)] = 1;
  const series = new StudySeries(R, widths, opts.resume);
  computeInChunks(series, chunk, ns.length * names.length, opts, (first, count, finished) => {
    for (const [ni, N] of ns.entries()) {
      const x = new Float64Array(count * N);
      // one stream per (N index, repeat): the same draws for every estimator and any chunking
      for (let r = 0; r < count; r++) {
        const rng = new Rng(seed).derive(ni, first + r);
        for (let i = 0; i < N; i++) x[r * N + i] = rng.normal(p.theta, p.sigma);
      }
      for (const name of names) {
        series.set(key(name, ni), toyEstimates(name, p.theta, p.sigma, x, count, N), first);
        finished();
      }
    }
  });
  const rows: ToyRow[] = [];
  for (const [ni, N] of ns.entries()) {
    const toy = gaussianToy({ n: N, sigma: p.sigma });
    const exactGrad = toyGradient(toy, p.theta);
    for (const name of names) {
      const est = series.values[key(name, ni)];
      const stats = vectorStats(est, [exactGrad], level);
      const mean = stats.mean[0];
      let m4 = 0;
      let v = 0;
      for (const e of est) {
        v += (e - mean) ** 2 / (R - 1);
        m4 += (e - mean) ** 4 / R;
      }
      const closedForm = name === 'lsf' ? toyLsfMoments(toy, p.theta) : toySfMoments(toy, p.theta);
      const varianceSe = Math.sqrt(Math.max(m4 - v * v, 0) / R);
      // the row's own numbers count too: a NaN closed form or variance leaves no verdict
      const bad = firstNonFinite({
        'closed-form mean': closedForm.mean,
        'closed-form variance': closedForm.variance,
        'variance SE': varianceSe,
      });
      if (stats.invalid === undefined && bad !== null) {
        stats.invalid = bad;
        stats.consistent = false;
      }
      rows.push({
        n: N,
        estimator: name,
        stats,
        closedForm,
        variance: v,
        varianceSe,
      });
    }
  }
  return {
    kind: 'gaussian',
    theta: p.theta,
    sigma: p.sigma,
    repeats: R,
    seed,
    level,
    exactGradient: toyGradient(gaussianToy({ n: 1, sigma: p.sigma }), p.theta),
    rows,
    falsePositiveRate: falsePositiveText(level),
  };
}
