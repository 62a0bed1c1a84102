import { defaultStudyMdp, type MdpStudyResult, study } from '../src';

/**
 * The seeds' claims on the built-in study MDP (3 states × 2 actions, horizon 4, γ = 0.95), each verdict a
 * Bonferroni z-test at α = 0.001 over the 21 distinct Hessian entries, so the 9 verdicts together
 * wrongly flag an unbiased estimator with probability ≤ 1%. Biased estimators must fail the very
 * test the unbiased ones pass, with the margin printed.
 */
const mdp = defaultStudyMdp();
const r = study({
  problem: { kind: 'mdp', mdp },
  samples: 10,
  repeats: 1000,
  seed: 2024,
  level: 0.001,
}) as MdpStudyResult;
const get = (name: string) => r.estimators.find((e) => e.name === name)!;

test.each(r.estimators.map((e) => [e.name, e] as const))(
  '%s: the Hessian verdict matches the table',
  (_n, e) => {
    const h = e.hessian;
    const g = e.gradient;
    const how = h.consistent
      ? `passes, margin ${h.margin.toFixed(2)} below`
      : `fails, ×${h.margin.toFixed(1)} the`;
    console.log(
      `${e.name}: Hessian max|z| ${h.maxAbsZ.toFixed(2)} (${how} threshold ${h.zThreshold.toFixed(2)}); var trace ${h.varianceTrace.toFixed(3)}; exact |bias| ${e.exactBias!.hessian.toFixed(4)}; gradient max|z| ${g.maxAbsZ.toFixed(2)}`,
    );
    expect(h.consistent).toBe(e.claim.hessian);
    // gradient: every estimator claimed unbiased must pass (MAML's small γ^t gradient bias is asserted exactly in exact-table)
    if (e.claim.gradient) expect(g.consistent).toBe(true);
    if (!h.consistent) expect(h.margin).toBeGreaterThan(1.5); // biased: detected with a wide margin
  },
);

test('TMAML has lower Hessian variance than DiCE (the poster sign does not)', () => {
  const [t, d, p] = [get('tmaml'), get('dice'), get('tmaml-poster')];
  console.log(
    `Hessian variance trace: DiCE ${d.hessian.varianceTrace.toFixed(3)}, TMAML ${t.hessian.varianceTrace.toFixed(3)}, poster sign ${p.hessian.varianceTrace.toFixed(3)}`,
  );
  expect(t.hessian.varianceTrace).toBeLessThan(0.8 * d.hessian.varianceTrace);
  expect(Math.max(...t.hessian.mean.map((m, i) => Math.abs(m - d.hessian.mean[i])))).toBeLessThan(0.5);
  expect(p.hessian.varianceTrace).toBeGreaterThan(d.hessian.varianceTrace);
});

test('LVC and Loaded DiCE λ < 1 trade bias for lower variance', () => {
  const [l, d, ld1, ld5] = [get('lvc'), get('dice'), get('loaded-dice'), get('loaded-dice-0.5')];
  console.log(
    `variance trace: DiCE ${d.hessian.varianceTrace.toFixed(3)}, LVC ${l.hessian.varianceTrace.toFixed(3)}, Loaded DiCE λ=1 ${ld1.hessian.varianceTrace.toFixed(3)}, λ=0.5 ${ld5.hessian.varianceTrace.toFixed(3)}`,
  );
  expect(l.hessian.varianceTrace).toBeLessThan(d.hessian.varianceTrace);
  expect(ld5.hessian.varianceTrace).toBeLessThan(ld1.hessian.varianceTrace);
});

test('deterministic: the same seed gives the same bits whatever the batch size', () => {
  const opts = {
    problem: { kind: 'mdp' as const, mdp },
    samples: 5,
    repeats: 12,
    seed: 9,
    estimators: ['dice', 'lvc'],
  };
  const a = study({ ...opts, batchSize: 12 });
  const b = study({ ...opts, batchSize: 5 });
  expect(JSON.stringify(a)).toBe(JSON.stringify(b));
});

test('a fitted linear baseline (on independent trajectories) keeps TMAML unbiased and still lowers its variance', () => {
  const opts = { samples: 10, repeats: 300, seed: 77, level: 0.001, estimators: ['dice', 'tmaml'] };
  const fitted = study({ problem: { kind: 'mdp', mdp, baseline: 'fitted' }, ...opts }) as MdpStudyResult;
  const [d, t] = fitted.estimators;
  console.log(
    `fitted baseline: DiCE var ${d.hessian.varianceTrace.toFixed(3)} (max|z| ${d.hessian.maxAbsZ.toFixed(2)}), TMAML var ${t.hessian.varianceTrace.toFixed(3)} (max|z| ${t.hessian.maxAbsZ.toFixed(2)}, threshold ${t.hessian.zThreshold.toFixed(2)})`,
  );
  expect(t.hessian.consistent).toBe(true);
  expect(t.hessian.varianceTrace).toBeLessThan(d.hessian.varianceTrace);
  expect(t.exactBias).toBeNull();
});
