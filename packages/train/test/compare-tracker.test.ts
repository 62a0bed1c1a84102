import { type PyTree, tensor } from '@metagrad/autodiff';
import { enumerateTrajectories, type TabularMdp } from '@metagrad/envs';
import { exactMetaGradient, vectorStats } from '@metagrad/estimators';
import { iterationTasks, metaGradientEstimate, stackRows, trackingSeed } from '../src/compare/meta-gradient';
import { exactReference } from '../src/compare/reference';
import { trackAt } from '../src/compare/tracker';
import type { MetaParams } from '../src/meta/adaptation';
import { resolveConfig } from '../src/meta/config';
import { makeProblem, type Problem } from '../src/meta/problem';

/** A small tabular task distribution whose sampled outer gradient is unbiased (γ = 1, raw advantages, no baseline). */
const problemWith = (fields: Record<string, unknown>) =>
  makeProblem(
    resolveConfig({
      env: 'tabular-mdp',
      envOptions: { states: 3, actions: 2, horizon: 3 },
      discount: null,
      normalizeAdvantages: false,
      baseline: 'none',
      metaBatch: 1,
      seed: 5,
      ...fields,
    }),
  ) as Problem<PyTree>;

const fixedTheta = (n: number): MetaParams => ({
  policy: tensor(Float64Array.from({ length: n }, (_, i) => Math.sin(1.7 * i + 0.3))),
});

const estimates = (p: Problem<PyTree>, meta: MetaParams, R: number) => {
  const { tasks, indices } = iterationTasks(p, 0);
  return stackRows(
    Array.from({ length: R }, (_, r) =>
      metaGradientEstimate(p, meta, tasks, indices, trackingSeed(p.cfg.seed, 'test', 0, r)),
    ),
  );
};

/**
 * Exact mean and trace of the covariance of one task's outer policy-gradient estimate at α = 0,
 * by enumerating every trajectory: g(τ) = −(1/H) Σ_t ∇log π(a_t|s_t) G_t, averaged over B episodes.
 * Observed rewards are R(s,a) + σε: the noise adds (σ/H)² Σ_t′ ‖Σ_{t≤t′} ∇log π_t‖² given τ.
 */
function enumeratedMoments(mdp: TabularMdp, theta: Float64Array, B: number) {
  const en = enumerateTrajectories(mdp);
  const { states: S, actions: A } = mdp;
  const T = en.horizon;
  const sigma = (mdp as TabularMdp & { rewardStd: number }).rewardStd;
  expect(sigma).toBeGreaterThan(0);
  const pi = new Float64Array(S * A);
  for (let s = 0; s < S; s++) {
    const z = Array.from({ length: A }, (_, a) => Math.exp(theta[s * A + a]));
    const sum = z.reduce((x, y) => x + y, 0);
    for (let a = 0; a < A; a++) pi[s * A + a] = z[a] / sum;
  }
  const P = S * A;
  const mean = new Float64Array(P);
  let second = 0;
  for (let k = 0; k < en.count; k++) {
    let prob = en.envProbs[k];
    for (let t = 0; t < T; t++) prob *= pi[en.stateActions[k * T + t]];
    const g = new Float64Array(P);
    const c = new Float64Array(P);
    let noise = 0;
    for (let t = 0; t < T; t++) {
      const s = en.states[k * T + t];
      for (let a = 0; a < A; a++) c[s * A + a] += (a === en.actions[k * T + t] ? 1 : 0) - pi[s * A + a];
      noise += (sigma / T) ** 2 * c.reduce((x, y) => x + y * y, 0);
    }
    let G = 0;
    for (let t = T - 1; t >= 0; t--) {
      G += en.rewards[k * T + t];
      const s = en.states[k * T + t];
      for (let a = 0; a < A; a++)
        g[s * A + a] -= (((a === en.actions[k * T + t] ? 1 : 0) - pi[s * A + a]) * G) / T;
    }
    for (let j = 0; j < P; j++) mean[j] += prob * g[j];
    second += prob * (g.reduce((x, y) => x + y * y, 0) + noise);
  }
  const trace = (second - mean.reduce((x, y) => x + y * y, 0)) / B;
  return { mean, trace };
}

describe('compare tracker', () => {
  test('the exact reference is −(1/H)·exactMetaGradient(α/H) of the estimators oracle, averaged over the meta-batch', () => {
    const p = problemWith({ metaBatch: 3, alpha: 2, estimator: 'dice' });
    const meta = fixedTheta(6);
    const { tasks, indices } = iterationTasks(p, 0);
    const ref = exactReference(p, meta, tasks, indices);
    const H = p.horizon;
    const expected = new Float64Array(6);
    for (const t of tasks as TabularMdp[]) {
      const g = exactMetaGradient(t, 2 / H, (meta.policy as { data: Float64Array }).data);
      for (let j = 0; j < 6; j++) expected[j] -= g[j] / H / tasks.length;
    }
    for (let j = 0; j < 6; j++) expect(ref[j]).toBeCloseTo(expected[j], 10);
  });

  test('at α = 0 the estimates have the enumerated mean and covariance trace (within the sampled bounds)', () => {
    const B = 8;
    const R = 800;
    const p = problemWith({ alpha: 0, estimator: 'dice', fastBatch: B });
    const meta = fixedTheta(6);
    const { tasks, indices } = iterationTasks(p, 0);
    const exact = enumeratedMoments(tasks[0] as TabularMdp, (meta.policy as { data: Float64Array }).data, B);
    // the enumeration and the oracle agree on the mean: both are −∇J/H
    const ref = exactReference(p, meta, tasks, indices);
    for (let j = 0; j < 6; j++) expect(exact.mean[j]).toBeCloseTo(ref[j], 10);
    const x = estimates(p, meta, R);
    const stats = vectorStats(x, exact.mean, 0.01);
    expect(stats.consistent).toBe(true);
    // trace Cov: the mean of q_r = R/(R−1)·‖x_r − x̄‖², with its standard error from the q_r themselves
    const q = Array.from(
      { length: R },
      (_, r) => (R / (R - 1)) * stats.mean.reduce((s, m, j) => s + (x[r * 6 + j] - m) ** 2, 0),
    );
    const qMean = q.reduce((a, b) => a + b, 0) / R;
    const qSe = Math.sqrt(q.reduce((a, b) => a + (b - qMean) ** 2, 0) / (R - 1) / R);
    expect(stats.varianceTrace).toBeCloseTo(qMean, 10);
    // (leaving out the reward-noise term puts the exact trace 4.2 SE away: this bound sees it)
    expect(Math.abs(qMean - exact.trace)).toBeLessThan(3.5 * qSe);
    // and the tracker reports the same statistics
    const { row } = trackAt(p, meta, 0, { repeats: 20, level: 0.01, evalTasks: 2, evalEpisodes: 2 });
    expect(row.reference).toBe('exact');
    expect(row.referenceNorm).toBeCloseTo(Math.hypot(...ref), 12);
  });

  test('at a fixed θ with a large step, MAML is flagged BIASED and DiCE is not', () => {
    const meta = fixedTheta(6);
    const o = { repeats: 200, level: 0.01, evalTasks: 1, evalEpisodes: 1 };
    const common = { alpha: 3, fastBatch: 40 };
    const maml = trackAt(problemWith({ ...common, estimator: 'maml' }), meta, 0, o).row;
    const dice = trackAt(problemWith({ ...common, estimator: 'dice' }), meta, 0, o).row;
    expect(maml.unbiased).toBe(false);
    expect(dice.unbiased).toBe(true);
    expect(dice.cosineOfMean).toBeGreaterThan(maml.cosineOfMean);
  });
});
