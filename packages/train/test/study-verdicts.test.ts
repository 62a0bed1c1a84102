/**
 * A verdict says what was tested: the z-test compares the sample mean with the exact value, so
 * a biased estimator whose bias the repeats cannot resolve passes it. Where the exact bias is
 * known (the toy's closed-form mean, the MDP's enumeration) such a row reads "bias unresolved",
 * never "unbiased ok".
 */
import { study } from '@metagrad/estimators';
import { formatToyStudy } from '../src/cli/format';

test('the toy: LSF at N = 100, 1000 is biased by a known 4/N; 20 repeats cannot see it, and the rows say so', () => {
  const r = study({
    problem: { kind: 'gaussian', theta: 2, sigma: 1, n: [100, 1000] },
    repeats: 20,
    seed: 0,
  });
  if (r.kind !== 'gaussian') throw new Error('expected the toy');
  const text = formatToyStudy(r);
  const lines = text.split('\n');
  for (const x of r.rows) {
    const row = lines.find((l) => new RegExp(`^${x.estimator}\\s+${x.n}\\s`).test(l));
    if (x.estimator === 'lsf') {
      // closed form: LSF's mean is −2 − 4/N at θ = 2, σ = 1, not the exact −2
      expect(x.closedForm.mean - r.exactGradient).toBeCloseTo(-4 / x.n, 12);
      expect(x.stats.consistent).toBe(true); // the z-test passes: the bias is below the noise
      expect(row).toMatch(/bias unresolved$/);
    } else {
      expect(x.closedForm.mean).toBe(r.exactGradient); // the N-sample SF is unbiased
      expect(row).toMatch(x.stats.consistent ? /unbiased ok$/ : /BIASED$/);
    }
  }
  expect(text).toContain('z-test of the sample mean against the exact gradient');
});
