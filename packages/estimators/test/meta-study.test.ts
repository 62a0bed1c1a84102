import { grad, type Tensor, tensor } from '@metagrad/autodiff';
import { rollout, TabularMdpEnv, tabularSoftmaxPolicy } from '@metagrad/envs';
import {
  defaultStudyMdp,
  ESTIMATORS,
  exactDerivatives,
  type MetaStudyResult,
  metaSurrogate,
  repeatEstimates,
  stateActionIndices,
  study,
  tabularLogProbs,
  tmaml,
  trajectoryEstimators,
} from '../src';

/**
 * Meta-gradient mode of the study on the built-in study MDP: V(θ) = J(θ + α∇J(θ)) with α = 1 (a
 * large step, so Hessian bias shows in the meta-gradient). Each verdict is the Bonferroni z-test at
 * level 0.001 over the 6 meta-gradient entries, on (I + αĤ)ĝ(θ′) with the exact inner step, which
 * is unbiased exactly when the estimator's gradient and Hessian are.
 */
const mdp = defaultStudyMdp();
const R = 600;
const r = study({
  problem: { kind: 'mdp', mdp },
  samples: 20,
  repeats: R,
  seed: 5,
  level: 0.001,
  meta: { stepSize: 1, composed: false },
}) as MetaStudyResult;

test('every trajectory estimator has a meta-gradient claim: unbiased iff gradient and Hessian are', () => {
  for (const e of trajectoryEstimators())
    expect(e.unbiased.metaGradient).toBe(e.unbiased.gradient === true && e.unbiased.hessian === true);
  expect(
    ESTIMATORS.every(
      (e) => e.kind === 'zeroOrder' || e.kind === 'nSample' || e.unbiased.metaGradient !== null,
    ),
  ).toBe(true);
});

test.each(r.estimators.map((e) => [e.name, e] as const))(
  '%s: the meta-gradient verdict matches the table',
  (_n, e) => {
    const m = e.metaGradient;
    const bias = e.exactBias as number;
    // how many standard errors of ‖mean − exact‖ the exact bias is: the test's power at this R
    const power = bias / Math.sqrt(m.varianceTrace / R);
    const how = m.consistent
      ? `passes, margin ${m.margin.toFixed(2)} below`
      : `fails, ×${m.margin.toFixed(2)} the`;
    console.log(
      `${e.name}: meta-gradient max|z| ${m.maxAbsZ.toFixed(2)} (${how} threshold ${m.zThreshold.toFixed(2)}); exact |bias| ${bias.toFixed(4)} (${power.toFixed(1)} s.e.); var trace ${m.varianceTrace.toFixed(3)}; cosine ${m.cosine.toFixed(3)}`,
    );
    if (e.claim.metaGradient) {
      expect(bias).toBeLessThan(1e-10);
      expect(m.consistent).toBe(true);
    } else {
      expect(bias).toBeGreaterThan(1e-3); // biased by exact enumeration
      // and detected by the sampled test wherever the bias is at least 3 standard errors
      // (sf, maml, lvc here; Loaded DiCE λ = 0.5's bias of 0.025 is ~1.7 s.e. at R = 600)
      if (power >= 3) {
        expect(m.consistent).toBe(false);
        expect(m.margin).toBeGreaterThan(1.3);
      }
    }
  },
);

test('the lower-variance unbiased estimators keep their edge in the meta-gradient', () => {
  const get = (n: string) => r.estimators.find((e) => e.name === n)!.metaGradient;
  console.log(
    `meta-gradient variance trace: DiCE ${get('dice').varianceTrace.toFixed(3)}, TMAML ${get('tmaml').varianceTrace.toFixed(3)}, Loaded DiCE ${get('loaded-dice').varianceTrace.toFixed(3)}`,
  );
  expect(get('tmaml').varianceTrace).toBeLessThan(get('dice').varianceTrace);
  expect(get('loaded-dice').varianceTrace).toBeLessThan(get('dice').varianceTrace);
});

test('composed estimate (estimated inner step): reported separately, deterministic under chunking', () => {
  const opts = {
    problem: { kind: 'mdp' as const, mdp },
    samples: 10,
    repeats: 12,
    seed: 3,
    estimators: ['dice', 'lvc'],
    meta: { stepSize: 0.5 },
  };
  const a = study({ ...opts, batchSize: 12 }) as MetaStudyResult;
  const b = study({ ...opts, batchSize: 5 }) as MetaStudyResult;
  expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  expect(a.kind).toBe('meta');
  expect(a.note).toMatch(/E\[f\(θ \+ αĝ\)\] ≠ f\(θ \+ αE\[ĝ\]\)/);
  for (const e of a.estimators) {
    expect(e.composed).not.toBeNull();
    expect(e.composed!.mean).not.toEqual(e.metaGradient.mean);
  }
  expect(a.exact.thetaPrime.length).toBe(6);
});

test('(I + αĤ)ĝ(θ′) is the gradient through the differentiable inner step (what MAML code computes)', () => {
  const { states: S, actions: A, horizon: T, discount } = mdp;
  const theta = Float64Array.from(mdp.logits!);
  const env = TabularMdpEnv.forMdp(mdp);
  const alpha = 0.5;
  const sample = (th: Float64Array, stream: number) => {
    const b = rollout(env, mdp, tabularSoftmaxPolicy(th, S, A), {
      episodes: 8,
      seed: 1,
      taskIndices: [stream],
    });
    return {
      repeats: 1,
      sa: stateActionIndices(b.observations, b.actions, b.mask, S, A),
      rewards: b.rewards,
      mask: b.mask,
      values: new Float64Array(8 * T),
    };
  };
  const inner = sample(theta, 0);
  const fit = repeatEstimates(mdp, theta, (t) => tmaml(t), inner, 8);
  const prime = theta.map((x, i) => x + alpha * fit.gradient[i]);
  const outer = sample(prime, 2);
  const gOut = repeatEstimates(mdp, prime, (t) => tmaml(t), outer, 8, false).gradient;
  const composed = gOut.map(
    (g, i) => g + alpha * gOut.reduce((s, gj, j) => s + fit.hessian![i * 6 + j] * gj, 0),
  );
  const surrogate = (d: typeof inner) => (x: Tensor) =>
    tmaml({
      logProbs: tabularLogProbs(x, S, A, d.sa, [8, T], d.mask),
      rewards: d.rewards,
      mask: d.mask,
      discount,
    });
  const engine = (
    grad(metaSurrogate({ inner: surrogate(inner), outer: surrogate(outer), alpha })) as (x: Tensor) => Tensor
  )(tensor(theta)).data;
  const err = Math.max(...Array.from(composed).map((c, i) => Math.abs(c - engine[i])));
  console.log(`max |(I + αĤ)ĝ(θ′) − ∇_θ L_out(θ + α∇L_in(θ))| = ${err.toExponential(2)}`);
  expect(err).toBeLessThan(1e-10);
  expect(exactDerivatives(mdp, theta).grad.length).toBe(6);
});
