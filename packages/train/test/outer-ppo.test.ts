import { Adam, checkGrad, grad, Rng, type Tensor, tensor } from '@metagrad/autodiff';
import { episodeReturns, Navigation2dEnv, rollout } from '@metagrad/envs';
import {
  type GaussianMlpParams,
  GaussianMlpPolicy,
  ppoClipLoss,
  ppoUpdate,
  reinforceLoss,
  treeToVector,
  vectorToTree,
  vpgStep,
} from '../src';

const mask = Float64Array.of(1, 1, 1, 1, 1, 0);
const adv = Float64Array.of(0.5, -1.5, 2, -0.25, 1, 3);

test('inside the clip range the PPO loss is the plain importance-weighted surrogate, gradient too', () => {
  const old = Float64Array.of(-1, -0.5, -2, -0.3, -1.1, -0.7);
  const delta = [0.1, -0.15, 0.05, 0.17, -0.08, 0.5]; // ratios within [0.8, 1.2] except the masked step
  const x = tensor(
    old.map((o, i) => o + delta[i]),
    { shape: [2, 3] },
  );
  const f = (lp: Tensor) => ppoClipLoss(lp, old, adv, mask, 0.2);
  let want = 0;
  const wantGrad: number[] = [];
  for (let i = 0; i < 6; i++) {
    const r = Math.exp(delta[i]);
    want -= (mask[i] * r * adv[i]) / 5;
    wantGrad.push((-mask[i] * r * adv[i]) / 5);
  }
  expect(f(x).item()).toBeCloseTo(want, 14);
  const g = grad(f)(x) as Tensor;
  for (let i = 0; i < 6; i++) expect(g.data[i]).toBeCloseTo(wantGrad[i], 14);
  expect(checkGrad(f, x).ok).toBe(true);
});

test('steps where the clipped term is the minimum pass no gradient; the others pass r·A', () => {
  // ratio 1.5 with A > 0 and ratio 0.5 with A < 0 are clipped; the opposite signs are not
  const ratios = [1.5, 0.5, 1.5, 0.5, 1.0, 1.5];
  const a = Float64Array.of(1, -1, -1, 1, 2, 1);
  const old = new Float64Array(6).fill(-1);
  const x = tensor(old.map((o, i) => o + Math.log(ratios[i])));
  const f = (lp: Tensor) => ppoClipLoss(lp, old, a, mask, 0.2);
  const g = grad(f)(x) as Tensor;
  const want = [0, 0, (-1.5 * -1) / 5, (-0.5 * 1) / 5, (-1 * 2) / 5, 0];
  for (let i = 0; i < 6; i++) expect(g.data[i]).toBeCloseTo(want[i], 14);
  expect(Math.abs(g.data[0])).toBe(0);
  expect(Math.abs(g.data[1])).toBe(0);
  const surrogate = [1.2 * 1, 0.8 * -1, 1.5 * -1, 0.5 * 1, 2];
  expect(f(x).item()).toBeCloseTo(-surrogate.reduce((s, v) => s + v, 0) / 5, 14);
  expect(checkGrad(f, x).ok).toBe(true);
});

test('ppoClipLoss names mismatched inputs', () => {
  const lp = tensor([0, 0, 0]);
  expect(() =>
    ppoClipLoss(lp, new Float64Array(2), new Float64Array(3), Float64Array.of(1, 1, 1), 0.2),
  ).toThrow(/logProbsOld: expected 3 entries/);
  expect(() => ppoClipLoss(lp, new Float64Array(3), new Float64Array(3), new Float64Array(3), 0.2)).toThrow(
    /mask: expected at least one real step/,
  );
  expect(() =>
    ppoClipLoss(lp, new Float64Array(3), new Float64Array(3), Float64Array.of(1, 1, 1), -1),
  ).toThrow(/clip: expected a finite number >= 0, got -1/);
});

function navProblem() {
  const policy = new GaussianMlpPolicy([2, 6, 2], Math.log(0.5));
  const params = policy.init(new Rng(1));
  const batch = rollout(new Navigation2dEnv({ horizon: 8 }), { goal: [0.3, 0.2] }, policy.sampler(params), {
    episodes: 12,
    seed: 2,
  });
  const returns = episodeReturns(batch);
  const mean = returns.reduce((s, v) => s + v, 0) / returns.length;
  const advantages = new Float64Array(batch.mask.length).map((_, i) => returns[Math.floor(i / 8)] - mean);
  return { policy, params, batch, advantages };
}

test('ppoUpdate lowers the clipped surrogate over its epochs and keeps Adam state across calls', () => {
  const { policy, params, batch, advantages } = navProblem();
  const old = policy.logProbs(params, batch).data as Float64Array;
  const loss = (p: GaussianMlpParams) =>
    ppoClipLoss(policy.logProbs(p, batch), old, advantages, batch.mask, 0.3);
  const optimizer = new Adam(params, { lr: 1e-2 });
  const r = ppoUpdate(params, loss, { epochs: 5, optimizer });
  expect(r.losses).toHaveLength(5);
  expect(r.losses[0]).toBeCloseTo(-0, 12); // ratio 1 and centred advantages: the surrogate starts at 0
  expect(loss(r.params).item()).toBeLessThan(r.losses[0] - 1e-3);
  for (let e = 1; e < 5; e++) expect(r.losses[e]).toBeLessThan(r.losses[e - 1]);
  ppoUpdate(r.params, loss, { epochs: 2, optimizer });
  expect(optimizer.stepCount).toBe(7);
  expect(() => ppoUpdate(params, (p: GaussianMlpParams) => loss(p).mul(Number.NaN))).toThrow(
    /epoch 0: loss is not finite/,
  );
});

test('vpgStep with SGD moves by −lr·∇loss, the REINFORCE surrogate matching finite differences', () => {
  const { policy, params, batch, advantages } = navProblem();
  const loss = (p: GaussianMlpParams) => reinforceLoss(policy.logProbs(p, batch), advantages, batch.mask);
  const lp = policy.logProbs(params, batch).data;
  let want = 0;
  for (let i = 0; i < lp.length; i++)
    want -= (batch.mask[i] * lp[i] * advantages[i]) / batch.mask.reduce((s, m) => s + m, 0);
  expect(loss(params).item()).toBeCloseTo(want, 12);
  expect(checkGrad(loss, params, { atol: 1e-6 }).ok).toBe(true);
  const g = treeToVector(grad(loss)(params));
  const r = vpgStep(params, loss, { optimizer: 'sgd', lr: 0.05 });
  const want2 = treeToVector(vectorToTree(params, g, -0.05, params));
  expect(Array.from(treeToVector(r.params))).toEqual(Array.from(want2));
  expect(r.gradNorm).toBeCloseTo(Math.hypot(...g), 12);
  const adam = vpgStep(params, loss, { optimizer: 'adam', lr: 1e-3 });
  expect(loss(adam.params).item()).toBeLessThan(r.loss);
  expect(() => vpgStep(params, loss, { optimizer: 'rmsprop' as 'sgd' })).toThrow(
    /optimizer: expected 'sgd', 'adam'/,
  );
});
