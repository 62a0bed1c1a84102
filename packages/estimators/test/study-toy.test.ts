import { study, type ToyStudyResult } from '../src';

// Tang et al.'s toy at θ = 2, σ = 1: exact gradient −2; LSF bias −2θ/N = −4/N.
// 12 mean checks and 6 SF verdicts: α = 0.001 each keeps the family-wise false-positive rate ≤ 2%.
// N = 1000 costs 1000 draws per estimate, so it gets fewer repeats (its variances are the point).
const level = 0.001;
const small = study({
  problem: { kind: 'gaussian', theta: 2, sigma: 1, n: [1, 2, 5, 10, 100] },
  repeats: 2000,
  seed: 11,
  level,
}) as ToyStudyResult;
const large = study({
  problem: { kind: 'gaussian', theta: 2, sigma: 1, n: [1000] },
  repeats: 400,
  seed: 12,
  level,
}) as ToyStudyResult;
const result = { ...small, rows: [...small.rows, ...large.rows] };
const row = (est: string, n: number) => result.rows.find((r) => r.estimator === est && r.n === n)!;
const repeatsOf = (n: number) => (n === 1000 ? 400 : 2000);
const NS = [1, 2, 5, 10, 100, 1000];

test.each(NS)(
  'N = %i: sample moments match the closed forms (mean within the z-test, variance within 5 se)',
  (n) => {
    for (const est of ['n-sample-sf', 'lsf']) {
      const r = row(est, n);
      const zMean = Math.abs(r.stats.mean[0] - r.closedForm.mean) / Math.sqrt(r.variance / repeatsOf(n));
      const zVar = Math.abs(r.variance - r.closedForm.variance) / r.varianceSe;
      console.log(
        `${est} N=${n}: mean ${r.stats.mean[0].toFixed(4)} (closed ${r.closedForm.mean.toFixed(4)}, z ${zMean.toFixed(2)}), variance ${r.variance.toFixed(4)} (closed ${r.closedForm.variance.toFixed(4)}, ${zVar.toFixed(2)} se)`,
      );
      expect(zMean).toBeLessThan(r.stats.zThreshold);
      expect(zVar).toBeLessThan(5);
    }
  },
);

test('SF is unbiased at every N; LSF is flagged as biased at small N by the same test', () => {
  for (const n of NS) {
    const s = row('n-sample-sf', n).stats;
    console.log(
      `SF N=${n}: max|z| ${s.maxAbsZ.toFixed(2)} ≤ ${s.zThreshold.toFixed(2)} (margin ${s.margin.toFixed(2)})`,
    );
    expect(s.consistent).toBe(true);
  }
  for (const n of [1, 2, 5, 10]) {
    const s = row('lsf', n).stats;
    console.log(
      `LSF N=${n}: max|z| ${s.maxAbsZ.toFixed(2)} > ${s.zThreshold.toFixed(2)} (×${s.margin.toFixed(1)} over the threshold)`,
    );
    expect(s.consistent).toBe(false);
    expect(s.margin).toBeGreaterThan(2);
  }
});

test('variance grows ∝ N for SF and shrinks ∝ 1/N for LSF; LSF bias ∝ 1/N', () => {
  const slope = (est: string, a: number, b: number) =>
    Math.log(row(est, b).variance / row(est, a).variance) / Math.log(b / a);
  const sfSlope = slope('n-sample-sf', 100, 1000);
  const lsfSlope = slope('lsf', 10, 1000);
  console.log(
    `log-log variance slopes: SF ${sfSlope.toFixed(3)} (N 100→1000), LSF ${lsfSlope.toFixed(3)} (N 10→1000)`,
  );
  expect(sfSlope).toBeGreaterThan(0.85);
  expect(sfSlope).toBeLessThan(1.1);
  expect(lsfSlope).toBeGreaterThan(-1.1);
  expect(lsfSlope).toBeLessThan(-0.9);
  // N·bias stays at −2θ = −4 (within sampling error) for the N where the bias is resolvable
  for (const n of [1, 2, 5, 10]) {
    const r = row('lsf', n);
    const nb = n * (r.stats.mean[0] - result.exactGradient);
    const se = n * Math.sqrt(r.variance / repeatsOf(n));
    expect(Math.abs(nb + 4)).toBeLessThan(4 * se);
  }
});

test('deterministic: the same seed gives the same bits, whatever the batch size', () => {
  const a = study({
    problem: { kind: 'gaussian', theta: 2, sigma: 1, n: [3] },
    repeats: 50,
    seed: 5,
    batchSize: 50,
  }) as ToyStudyResult;
  const b = study({
    problem: { kind: 'gaussian', theta: 2, sigma: 1, n: [3] },
    repeats: 50,
    seed: 5,
    batchSize: 7,
  }) as ToyStudyResult;
  expect(JSON.stringify(a)).toBe(JSON.stringify(b));
});
