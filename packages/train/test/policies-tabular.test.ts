import { checkGrad, Rng, randomNormal, type Tensor, tensor } from '@metagrad/autodiff';
import { concatBatches, rollout, TabularMdpEnv, tabularMdpTasks, tabularSoftmaxPolicy } from '@metagrad/envs';
import { TabularSoftmaxPolicy } from '../src';
import { expectSameBatch, klGradAtOld } from './policies-helpers';

const [S, A] = [4, 3];
const mdps = tabularMdpTasks({ states: S, actions: A, horizon: 6 }).trainTasks(3, 1);
const env = TabularMdpEnv.forMdp(mdps[0]);
const policy = new TabularSoftmaxPolicy(S, A);
const theta = randomNormal(new Rng(2), [S * A]);
const batch = rollout(env, mdps, policy.sampler(theta), { episodes: 5, seed: 8 });

function logSoftmaxRow(t: Tensor, s: number): number[] {
  const l = Array.from(t.data.subarray(s * A, (s + 1) * A));
  const z = Math.log(l.reduce((acc, v) => acc + Math.exp(v), 0));
  return l.map((v) => v - z);
}

test('init gives the uniform policy (zero logits)', () => {
  const t = policy.init(new Rng(0));
  expect(Array.from(t.data)).toEqual(new Array(S * A).fill(0));
  expect(policy.kind).toBe('tabular-softmax');
});

test('KL is 0 with a 0 gradient at θ = old', () => {
  expect(Math.abs(policy.kl(theta, theta, batch).item())).toBeLessThan(1e-15);
  expect(klGradAtOld((o: Tensor, p: Tensor) => policy.kl(o, p, batch), theta)).toBeLessThan(1e-12);
});

test('KL equals the per-state categorical KL averaged by hand over visited steps', () => {
  const other = theta.add(randomNormal(new Rng(3), [S * A], 0, 0.5));
  let total = 0;
  let n = 0;
  for (let i = 0; i < batch.mask.length; i++) {
    if (!batch.mask[i]) continue;
    const s = batch.observations.subarray(i * S, (i + 1) * S).indexOf(1);
    const a = logSoftmaxRow(theta, s);
    const b = logSoftmaxRow(other, s);
    for (let k = 0; k < A; k++) total += Math.exp(a[k]) * (a[k] - b[k]);
    n++;
  }
  const kl = policy.kl(theta, other, batch).item();
  expect(kl).toBeGreaterThan(1e-3);
  expect(kl).toBeCloseTo(total / n, 12);
});

test('KL gradient matches central finite differences', () => {
  const at = theta.add(randomNormal(new Rng(4), [S * A], 0, 0.3));
  expect(checkGrad((p: Tensor) => policy.kl(theta, p, batch), at, { atol: 1e-8 }).ok).toBe(true);
});

test('grouped sampler: same episodes as separate rollouts and as the envs policy with lanesPerPolicy', () => {
  const thetas = [0, 1, 2].map((k) => randomNormal(new Rng(10 + k), [S * A], 0, 2));
  const grouped = rollout(env, mdps, policy.sampler(thetas, 5), { episodes: 5, seed: 9 });
  const apart = concatBatches(
    thetas.map((t, m) =>
      rollout(env, mdps[m], policy.sampler(t), { episodes: 5, seed: 9, taskIndices: [m] }),
    ),
  );
  expectSameBatch(grouped, apart);
  const all = new Float64Array(3 * S * A);
  thetas.forEach((t, m) => {
    all.set(t.data, m * S * A);
  });
  const envs = rollout(env, mdps, tabularSoftmaxPolicy(all, S, A, { lanesPerPolicy: 5 }), {
    episodes: 5,
    seed: 9,
  });
  expectSameBatch(grouped, envs);
  const same = rollout(env, mdps, policy.sampler(thetas[0]), { episodes: 5, seed: 9 });
  expect(Array.from(same.actions.subarray(30))).not.toEqual(Array.from(grouped.actions.subarray(30)));
});

test('sampler rejects logits of the wrong size and a missing lanesPerParams', () => {
  expect(() => policy.sampler(tensor([1, 2]))).toThrow(/params\[0\]: expected 12 logits/);
  expect(() => policy.sampler([theta, theta])).toThrow(/lanesPerParams: required with 2/);
  expect(() => new TabularSoftmaxPolicy(0, 2)).toThrow(/states: expected an integer >= 1, got 0/);
});
