import { grad, Rng, type Tensor, tensor } from '@metagrad/autodiff';
import {
  loadTabularMdp,
  Navigation2dEnv,
  rollout,
  TabularMdpEnv,
  TINY_MDP_PATH,
  tabularSoftmaxPolicy,
} from '@metagrad/envs';
import { type GaussianMlpParams, GaussianMlpPolicy, TabularSoftmaxPolicy } from '../src';

test('tabular softmax log-probs match the rollout policy and padding is exactly 0', () => {
  const mdp = loadTabularMdp(TINY_MDP_PATH);
  const batch = rollout(TabularMdpEnv.forMdp(mdp), mdp, tabularSoftmaxPolicy(mdp.logits!, 2, 2), {
    episodes: 6,
    seed: 1,
  });
  const policy = new TabularSoftmaxPolicy(2, 2);
  const lp = policy.logProbs(tensor(mdp.logits!), batch);
  expect(lp.shape).toEqual([6, 3]);
  const l = mdp.logits!;
  for (let i = 0; i < 18; i++) {
    const s = batch.observations[i * 2] === 1 ? 0 : 1;
    const a = batch.actions[i];
    const z = Math.log(Math.exp(l[s * 2]) + Math.exp(l[s * 2 + 1]));
    expect(lp.data[i]).toBeCloseTo(l[s * 2 + a] - z, 12);
  }
});

test('Gaussian MLP policy: [B, T] log-probs, zero on padding, gradients for every parameter', () => {
  const env = new Navigation2dEnv({ horizon: 8 });
  const policy = new GaussianMlpPolicy([2, 16, 16, 2], Math.log(0.1));
  const params = policy.init(new Rng(3));
  const batch = rollout(env, { goal: [0.05, 0.0] }, policy.sampler(params), { episodes: 4, seed: 2 });
  const lp = policy.logProbs(params, batch);
  expect(lp.shape).toEqual([4, 8]);
  for (let i = 0; i < 32; i++) if (batch.mask[i] === 0) expect(lp.data[i]).toBe(0);
  const g = grad((p: GaussianMlpParams) => policy.logProbs(p, batch).sum())(params) as GaussianMlpParams;
  expect(g.layers.map((l) => l.W.shape)).toEqual([
    [2, 16],
    [16, 16],
    [16, 2],
  ]);
  expect((g.logStd as Tensor).data.every(Number.isFinite)).toBe(true);
});
