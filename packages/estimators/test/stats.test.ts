import { Rng } from '@metagrad/autodiff';
import { normalQuantile, studentQuantile, vectorStats } from '../src';

test('normalQuantile matches known quantiles', () => {
  expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 8);
  expect(normalQuantile(0.995)).toBeCloseTo(2.5758293035489004, 8);
  expect(normalQuantile(1 - 0.01 / 20)).toBeCloseTo(3.2905267314919255, 8);
  expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 8);
  expect(normalQuantile(0.6)).toBeCloseTo(0.2533471031357997, 8);
  expect(studentQuantile(0.975, 10)).toBeCloseTo(2.228139, 3);
  expect(studentQuantile(0.9995, 30)).toBeCloseTo(3.645959, 3);
  expect(studentQuantile(0.975, 1000)).toBeCloseTo(1.962339, 5);
});

test('the Bonferroni verdict wrongly flags unbiased estimates at most about α of the time', () => {
  // 1000 studies of R = 50 unbiased estimates of a 10-vector (heteroscedastic): the stated
  // false-positive rate is α = 0.05; the binomial sd of the observed rate is ≈ 0.007
  const rng = new Rng(7);
  const d = 10;
  const R = 50;
  const exact = Array.from({ length: d }, (_, j) => j - 3);
  let flagged = 0;
  const trials = 1000;
  for (let k = 0; k < trials; k++) {
    const s = new Float64Array(R * d);
    for (let r = 0; r < R; r++) for (let j = 0; j < d; j++) s[r * d + j] = exact[j] + (1 + j) * rng.normal();
    if (!vectorStats(s, exact, 0.05).consistent) flagged++;
  }
  console.log(`false-positive rate ${flagged / trials} (stated bound 0.05)`);
  expect(flagged / trials).toBeLessThan(0.07);
  expect(flagged / trials).toBeGreaterThan(0.02); // Bonferroni is conservative, but not vacuous
});

test('a shifted mean is flagged and an exact constant entry is not', () => {
  const R = 100;
  const s = new Float64Array(R * 2);
  const rng = new Rng(1);
  for (let r = 0; r < R; r++) {
    s[r * 2] = 1 + rng.normal();
    s[r * 2 + 1] = 5;
  }
  expect(vectorStats(s, [1, 5], 0.01).consistent).toBe(true);
  expect(vectorStats(s, [1.8, 5], 0.01).consistent).toBe(false);
  expect(vectorStats(s, [1, 5.1], 0.01).maxAbsZ).toBeGreaterThan(1e6);
});

test.each([
  ['a NaN estimate', [1, Number.NaN, 1, 1], [1, 1], 'mean[1]'],
  ['an infinite exact value', [1, 2, 1, 2], [Number.POSITIVE_INFINITY, 2], 'exact[0]'],
  ['a variance that overflows', [1e308, 1, -1e308, 1], [0, 1], 'variance[0]'],
])('%s gets no verdict: invalid names the first non-finite statistic', (_name, samples, exact, bad) => {
  const s = vectorStats(Float64Array.from(samples), exact, 0.01);
  expect(s.invalid).toBe(bad);
  expect(s.consistent).toBe(false);
});

test('finite statistics are valid, and an infinite |z| (zero variance, biased) is a verdict, not invalid', () => {
  expect(vectorStats(Float64Array.from([1, 2, 1.5, 2.5]), [1.2, 2.2], 0.01)).not.toHaveProperty('invalid');
  const z = vectorStats(Float64Array.from([1, 1, 1]), [2], 0.01);
  expect(z.maxAbsZ).toBe(Number.POSITIVE_INFINITY);
  expect(z).not.toHaveProperty('invalid');
  expect(z.consistent).toBe(false);
});

test('relativeSd is √(tr Σ)/‖exact‖ and settles as R grows; standardError is √(tr Σ̂/R)', () => {
  // entries N(exact_j, sd_j²) with one entry's mean 0: the papers' mean of sd/|mean| over
  // entries is dominated by that entry and does not settle, √(tr Σ)/‖exact‖ does
  const exact = [0, 2, -1];
  const sd = [0.5, 1, 2];
  const truth = Math.hypot(...sd) / Math.hypot(...exact); // √5.25 / √5
  for (const R of [400, 4000]) {
    const rng = new Rng(11);
    const samples = new Float64Array(R * 3);
    for (let r = 0; r < R; r++) for (let j = 0; j < 3; j++) samples[r * 3 + j] = rng.normal(exact[j], sd[j]);
    const s = vectorStats(samples, exact, 0.01);
    expect(s.relativeSd).toBe(Math.sqrt(s.varianceTrace) / Math.hypot(...exact));
    expect(s.standardError).toBe(Math.sqrt(s.varianceTrace / R));
    // the sample variance of a normal has sd σ²√(2/(R−1)); 4 of those on the trace, halved by the √
    const tol = (4 * Math.sqrt(2 / (R - 1)) * Math.hypot(...sd.map((x) => x * x))) / (2 * 5.25);
    expect(Math.abs(s.relativeSd / truth - 1)).toBeLessThan(tol);
  }
  // ‖exact‖ = 0: the absolute spread
  const zero = vectorStats(Float64Array.from([1, -1, 1, -1]), [0], 0.01);
  expect(zero.relativeSd).toBe(Math.sqrt(zero.varianceTrace));
});
