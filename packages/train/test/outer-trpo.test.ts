import {
  concat,
  exp,
  grad,
  hvp,
  matmul,
  mul,
  type PyTree,
  Rng,
  randomNormal,
  reshape,
  sqrt,
  sub,
  sum,
  type Tensor,
  tensor,
} from '@metagrad/autodiff';
import {
  type Batch,
  episodeReturns,
  Navigation2dEnv,
  rollout,
  TabularMdpEnv,
  tabularMdpTasks,
} from '@metagrad/envs';
import {
  conjugateGradient,
  fisherVectorProduct,
  type GaussianMlpParams,
  GaussianMlpPolicy,
  type PolicyModel,
  TabularSoftmaxPolicy,
  treeToVector,
  trpoStep,
  vectorToTree,
} from '../src';
import { denseSolve, matVec, randomSpd } from './outer-helpers';

type Pair = { a: Tensor; b: Tensor };
const flat = (p: Pair): Tensor => concat([reshape(p.a, [2]), reshape(p.b, [3])]);

/** A linear loss gᵀp and the quadratic KL ½(p − p0)ᵀF(p − p0), whose Fisher is exactly F. */
function quadratic(F: number[][], g: Float64Array, p0: Pair) {
  const v0 = flat(p0);
  const Ft = tensor(F.flat(), { shape: [5, 5] });
  const kl = (p: Pair) => {
    const d = reshape(sub(flat(p), v0), [5, 1]);
    return mul(sum(mul(d, matmul(Ft, d))), 0.5);
  };
  const loss = (p: Pair) => sum(mul(flat(p), tensor(g)));
  return { kl, loss };
}

test('for a linear loss and a quadratic KL the step is −fraction·√(2δ / sᵀFs)·s with s = F⁻¹g (LU)', () => {
  const F = randomSpd(5, 7, 1);
  const g = Float64Array.of(0.3, -1.2, 0.5, 2.0, -0.7);
  const p0: Pair = { a: tensor([0.1, 0.2]), b: tensor([[1], [-1], [0.5]]) };
  const { kl, loss } = quadratic(F, g, p0);
  const r = trpoStep(p0, loss, kl, { maxKl: 0.02, cgIters: 5, cgDamping: 0, cgResidualTolerance: 1e-30 });
  const s = denseSolve(F, g);
  const beta = Math.sqrt((2 * 0.02) / s.reduce((acc, si, i) => acc + si * matVec(F, s)[i], 0));
  expect(r.accepted).toBe(true);
  expect(r.stepFraction === 1 || r.stepFraction === 0.8).toBe(true);
  const moved = treeToVector(r.params);
  const start = treeToVector(p0);
  for (let i = 0; i < 5; i++) expect(moved[i] - start[i]).toBeCloseTo(-r.stepFraction * beta * s[i], 10);
  expect(r.kl).toBeLessThanOrEqual(0.02);
  expect(r.kl).toBeCloseTo(0.02 * r.stepFraction ** 2, 10);
  expect(r.lossAfter).toBeCloseTo(loss(r.params).item(), 14);
  expect(r.gradNorm).toBeCloseTo(Math.hypot(...g), 12);
  expect(r.cgResidual).toBeLessThan(1e-9);
});

test('with a given Fisher product TRPO makes exactly cgIters products (sᵀFs comes from CG) and the same step', () => {
  const F = randomSpd(5, 3, 0.1);
  const g = Float64Array.of(1.1, -0.4, 0.2, 0.9, -1.5);
  const p0: Pair = { a: tensor([0.3, -0.1]), b: tensor([[0.2], [0.4], [-0.6]]) };
  const { kl, loss } = quadratic(F, g, p0);
  let products = 0;
  const fisher = (v: Float64Array) => {
    products++;
    return matVec(F, v);
  };
  const o = { maxKl: 0.01, cgIters: 3, cgDamping: 1e-3, cgResidualTolerance: 0 };
  const r = trpoStep(p0, loss, kl, { ...o, fisher });
  expect(products).toBe(3);
  // the step a direct sᵀ(F + damping·I)s would give, from the same 3 CG iterations
  const cg = conjugateGradient((v) => matVec(F, v).map((x, i) => x + 1e-3 * v[i]), g, {
    iterations: 3,
    residualTolerance: 0,
  });
  const Fs = matVec(F, cg.x);
  const sFs = cg.x.reduce((acc, si, i) => acc + si * (Fs[i] + 1e-3 * si), 0);
  const beta = Math.sqrt((2 * 0.01) / sFs);
  expect(r.accepted).toBe(true);
  const moved = treeToVector(r.params);
  const start = treeToVector(p0);
  for (let i = 0; i < 5; i++) expect(moved[i] - start[i]).toBeCloseTo(-r.stepFraction * beta * cg.x[i], 12);
});

/** Importance-weighted surrogate −mean(exp(log π − log π_old)·A) with centred returns as advantages. */
function surrogate<P extends PyTree>(policy: PolicyModel<P>, old: P, batch: Batch): (p: P) => Tensor {
  const returns = episodeReturns(batch);
  const mean = returns.reduce((s, v) => s + v, 0) / returns.length;
  const adv = new Float64Array(batch.size * batch.horizon).map(
    (_, i) => returns[Math.floor(i / batch.horizon)] - mean,
  );
  const lpOld = tensor(policy.logProbs(old, batch).data, { shape: [batch.size, batch.horizon] });
  const n = batch.mask.reduce((s, m) => s + m, 0);
  const w = tensor(
    adv.map((a, i) => (a * batch.mask[i]) / n),
    { shape: [batch.size, batch.horizon] },
  );
  return (p) => mul(sum(mul(exp(sub(policy.logProbs(p, batch), lpOld)), w)), -1);
}

test('TRPO on a Gaussian MLP policy lowers the surrogate and keeps the measured KL ≤ δ', () => {
  const env = new Navigation2dEnv({ horizon: 10 });
  const policy = new GaussianMlpPolicy([2, 8, 2], Math.log(0.5));
  const old = policy.init(new Rng(1));
  const batch = rollout(env, { goal: [0.3, -0.2] }, policy.sampler(old), { episodes: 16, seed: 3 });
  const r = trpoStep(old, surrogate(policy, old, batch), (p: GaussianMlpParams) => policy.kl(old, p, batch));
  expect(r.accepted).toBe(true);
  expect(r.lossAfter).toBeLessThan(r.lossBefore);
  const measured = policy.kl(old, r.params, batch).item();
  expect(measured).toBeCloseTo(r.kl, 14);
  expect(measured).toBeLessThanOrEqual(0.01);
  expect(measured).toBeGreaterThan(0.001); // the step used the trust region
});

test('TRPO on a tabular softmax policy keeps the measured KL ≤ δ', () => {
  const mdps = tabularMdpTasks({ states: 3, actions: 2, horizon: 5 }).trainTasks(1, 2);
  const policy = new TabularSoftmaxPolicy(3, 2);
  const old = randomNormal(new Rng(4), [6], 0, 0.5);
  const batch = rollout(TabularMdpEnv.forMdp(mdps[0]), mdps, policy.sampler(old), { episodes: 30, seed: 1 });
  const r = trpoStep(old, surrogate(policy, old, batch), (p: Tensor) => policy.kl(old, p, batch), {
    maxKl: 0.005,
  });
  expect(r.accepted).toBe(true);
  expect(r.lossAfter).toBeLessThan(r.lossBefore);
  expect(policy.kl(old, r.params, batch).item()).toBeLessThanOrEqual(0.005);
});

test('a line search that cannot improve returns the very same parameters, bit for bit', () => {
  const p0 = { w: tensor([0.5, -0.25, 1]) };
  const before = Array.from(p0.w.data);
  // tiny slope, steep bowl: every fraction of the trust-region step raises the loss
  const loss = (p: { w: Tensor }) =>
    sum(mul(sub(p.w, tensor(before)), 0.01)).add(
      mul(sum(mul(sub(p.w, tensor(before)), sub(p.w, tensor(before)))), 1e3),
    );
  const kl = (p: { w: Tensor }) => mul(sum(mul(sub(p.w, tensor(before)), sub(p.w, tensor(before)))), 0.5);
  const r = trpoStep(p0, loss, kl);
  expect(r.accepted).toBe(false);
  expect(r.params).toBe(p0);
  expect(Array.from(r.params.w.data)).toEqual(before);
  expect([r.stepFraction, r.lossAfter]).toEqual([0, r.lossBefore]);
  expect(r.gradNorm).toBeGreaterThan(0);
});

test('the Fisher-vector products TRPO uses equal the engine hvp and central differences of ∇KL', () => {
  const policy = new GaussianMlpPolicy([2, 3, 2], { activation: 'relu', initLogStd: -0.5 });
  const init = policy.init(new Rng(2));
  // nonzero biases keep the origin (every episode's first observation) off the relu kinks
  const old = vectorToTree(
    init,
    new Rng(5).fillNormal(new Float64Array(treeToVector(init).length), 0, 0.3),
    1,
    init,
  );
  const batch = rollout(new Navigation2dEnv({ horizon: 4 }), { goal: [0.2, 0.1] }, policy.sampler(old), {
    episodes: 3,
    seed: 1,
  });
  const klFn = (p: GaussianMlpParams) => policy.kl(old, p, batch);
  const gradKl = grad(klFn);
  const n = treeToVector(old).length;
  for (const seed of [1, 2, 3]) {
    const v = new Rng(seed).fillNormal(new Float64Array(n));
    const Fv = fisherVectorProduct(klFn, old)(v);
    const exact = treeToVector(hvp(klFn, old, vectorToTree(old, v)));
    for (let i = 0; i < n; i++) expect(Math.abs(Fv[i] - exact[i])).toBeLessThan(1e-12);
    const eps = 1e-5;
    const up = treeToVector(gradKl(vectorToTree(old, v, eps, old)));
    const down = treeToVector(gradKl(vectorToTree(old, v, -eps, old)));
    const scale = Math.max(...Fv.map(Math.abs));
    expect(scale).toBeGreaterThan(1e-3);
    for (let i = 0; i < n; i++)
      expect(Math.abs(Fv[i] - (up[i] - down[i]) / (2 * eps))).toBeLessThan(1e-6 * scale + 1e-9);
  }
});

test('an evaluate callback replaces the separate loss and KL calls of the line search', () => {
  const env = new Navigation2dEnv({ horizon: 6 });
  const policy = new GaussianMlpPolicy([2, 4, 2], Math.log(0.5));
  const old = policy.init(new Rng(3));
  const batch = rollout(env, { goal: [-0.3, 0.1] }, policy.sampler(old), { episodes: 8, seed: 5 });
  const loss = surrogate(policy, old, batch);
  const kl = (p: GaussianMlpParams) => policy.kl(old, p, batch);
  let calls = 0;
  const counted = (p: GaussianMlpParams) => {
    calls++;
    return loss(p);
  };
  const plain = trpoStep(old, counted, kl);
  const plainCalls = calls;
  calls = 0;
  let evaluations = 0;
  const both = trpoStep(old, counted, kl, {
    evaluate: (p) => {
      evaluations++;
      return { loss: loss(p).item(), kl: kl(p).item() };
    },
  });
  expect(plainCalls).toBeGreaterThan(1);
  expect(calls).toBe(1); // only the gradient at the current parameters
  expect(evaluations).toBe(plainCalls - 1);
  expect(Array.from(treeToVector(both.params))).toEqual(Array.from(treeToVector(plain.params)));
  expect({ ...both, params: null, gradientSeconds: 0 }).toEqual({
    ...plain,
    params: null,
    gradientSeconds: 0,
  });
});

test('TRPO names a non-finite loss, gradient or KL, and bad options', () => {
  const p = tensor([0, 1]);
  const kl = (q: Tensor) => mul(sum(mul(sub(q, p), sub(q, p))), 0.5);
  expect(() => trpoStep(p, (q: Tensor) => mul(sum(q), Number.NaN), kl)).toThrow(/loss is not finite \(NaN\)/);
  expect(() => trpoStep(p, (q: Tensor) => sum(sqrt(q)), kl)).toThrow(/gradient of the loss is not finite/);
  expect(() =>
    trpoStep(
      p,
      (q: Tensor) => sum(q),
      (q: Tensor) => mul(kl(q), Number.NaN),
    ),
  ).toThrow(/KL is not finite/);
  const loss = (q: Tensor) => sum(q);
  expect(() => trpoStep(p, loss, kl, { maxKl: 0 })).toThrow(/maxKl: expected a finite number > 0, got 0/);
  expect(() => trpoStep(p, loss, kl, { backtrackRatio: 1 })).toThrow(
    /backtrackRatio: expected a number in \(0, 1\), got 1/,
  );
  expect(() => trpoStep(p, loss, kl, { lineSearchSteps: 1.5 })).toThrow(
    /lineSearchSteps: expected an integer >= 1/,
  );
  expect(() => trpoStep(p, loss, kl, { cgDamping: -1 })).toThrow(/cgDamping/);
  expect(() => trpoStep(p, loss, kl, { cgIters: 0 })).toThrow(/cgIters/);
});

test('a zero gradient leaves the parameters untouched without a line search', () => {
  const p = tensor([1, 2]);
  const r = trpoStep(
    p,
    (q: Tensor) => mul(sum(mul(sub(q, p), sub(q, p))), 1),
    (q: Tensor) => sum(mul(sub(q, p), sub(q, p))),
  );
  expect(r.params).toBe(p);
  expect([r.accepted, r.gradNorm, r.stepFraction]).toEqual([false, 0, 0]);
});
