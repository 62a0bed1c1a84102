import { checkGrad, mapTree, Rng, randomNormal, type Tensor } from '@metagrad/autodiff';
import { BanditEnv, concatBatches, rollout, TabularMdpEnv, tabularMdpTasks } from '@metagrad/envs';
import { type CategoricalMlpParams, CategoricalMlpPolicy, PlainMlp } from '../src';
import { expectSameBatch, klGradAtOld } from './policies-helpers';

// one-hot states fed to an MLP: 4 states, 3 actions
const mdps = tabularMdpTasks({ states: 4, actions: 3, horizon: 5 }).trainTasks(2, 3);
const env = TabularMdpEnv.forMdp(mdps[0]);

function shifted(p: CategoricalMlpParams, seed: number, scale: number): CategoricalMlpParams {
  let k = 0;
  return mapTree(p, (x: Tensor) => x.add(randomNormal(new Rng(seed).derive(k++), x.shape.slice(), 0, scale)));
}

function logSoftmaxRows(logits: Float64Array, A: number, row: number): number[] {
  const l = Array.from(logits.subarray(row * A, (row + 1) * A));
  const z = Math.log(l.reduce((s, v) => s + Math.exp(v), 0));
  return l.map((v) => v - z);
}

describe.each(['tanh', 'relu'] as const)('CategoricalMlpPolicy (%s)', (activation) => {
  const policy = CategoricalMlpPolicy.create(4, 3, { hidden: [6, 5], activation });
  const params = shifted(policy.init(new Rng(1)), 2, 0.5);
  const batch = rollout(env, mdps, policy.sampler(params), { episodes: 4, seed: 5 });

  test('log-probs equal a hand log-softmax of the plain-forward logits', () => {
    const lp = policy.logProbs(params, batch).data;
    const logits = new PlainMlp(params.layers, activation).forward(batch.observations, 0, batch.mask.length);
    expect(batch.mask.every((m) => m === 1)).toBe(true);
    for (let i = 0; i < batch.mask.length; i++)
      expect(lp[i]).toBeCloseTo(logSoftmaxRows(logits, 3, i)[batch.actions[i]], 12);
  });

  test('KL is 0 with a 0 gradient at params = old', () => {
    expect(Math.abs(policy.kl(params, params, batch).item())).toBeLessThan(1e-15);
    expect(
      klGradAtOld((o: CategoricalMlpParams, p: CategoricalMlpParams) => policy.kl(o, p, batch), params),
    ).toBeLessThan(1e-12);
  });

  test('KL equals Σ_a p_old (log p_old − log p) averaged by hand over the steps', () => {
    const other = shifted(params, 4, 0.4);
    const n = batch.mask.length;
    const l0 = new PlainMlp(params.layers, activation).forward(batch.observations, 0, n);
    const l1 = new PlainMlp(other.layers, activation).forward(batch.observations, 0, n);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const a = logSoftmaxRows(l0, 3, i);
      const b = logSoftmaxRows(l1, 3, i);
      for (let k = 0; k < 3; k++) total += Math.exp(a[k]) * (a[k] - b[k]);
    }
    const kl = policy.kl(params, other, batch).item();
    expect(kl).toBeGreaterThan(1e-3);
    expect(kl).toBeCloseTo(total / n, 12);
  });

  test('KL and log-prob gradients match central finite differences', () => {
    const at = shifted(params, 7, 0.2);
    expect(checkGrad((p: CategoricalMlpParams) => policy.kl(params, p, batch), at, { atol: 1e-7 }).ok).toBe(
      true,
    );
    expect(checkGrad((p: CategoricalMlpParams) => policy.logProbs(p, batch).sum(), at).ok).toBe(true);
  });
});

test('sampled action frequencies follow softmax(MLP(obs))', () => {
  const bandit = new BanditEnv(4);
  const policy = CategoricalMlpPolicy.create(1, 4, { hidden: [3] });
  const params = shifted(policy.init(new Rng(0)), 1, 1);
  const N = 20000;
  const batch = rollout(
    bandit,
    { kind: 'bernoulli', means: Float64Array.of(0.1, 0.2, 0.3, 0.4) },
    policy.sampler(params),
    {
      episodes: N,
      seed: 3,
    },
  );
  const p = logSoftmaxRows(new PlainMlp(params.layers, 'tanh').forward(Float64Array.of(1), 0, 1), 4, 0).map(
    Math.exp,
  );
  const counts = [0, 0, 0, 0];
  for (const a of batch.actions) counts[a]++;
  for (let k = 0; k < 4; k++) {
    const se = Math.sqrt((p[k] * (1 - p[k])) / N);
    expect(Math.abs(counts[k] / N - p[k])).toBeLessThan(4 * se);
  }
  expect(Math.max(...p) - Math.min(...p)).toBeGreaterThan(0.05);
});

test('grouped sampler gives the same episodes as one rollout per parameter set', () => {
  const policy = CategoricalMlpPolicy.create(4, 3, { hidden: [5] });
  const p0 = shifted(policy.init(new Rng(1)), 2, 1);
  const p1 = shifted(policy.init(new Rng(3)), 4, 1);
  const grouped = rollout(env, mdps, policy.sampler([p0, p1], 6), { episodes: 6, seed: 2 });
  const apart = concatBatches([
    rollout(env, mdps[0], policy.sampler(p0), { episodes: 6, seed: 2, taskIndices: [0] }),
    rollout(env, mdps[1], policy.sampler([p1]), { episodes: 6, seed: 2, taskIndices: [1] }),
  ]);
  expectSameBatch(grouped, apart);
  const same = rollout(env, mdps, policy.sampler(p0), { episodes: 6, seed: 2 });
  expect(Array.from(same.actions.subarray(30))).not.toEqual(Array.from(grouped.actions.subarray(30)));
  expect(() => rollout(env, mdps, policy.sampler([p0, p1], 5), { episodes: 6 })).toThrow(
    /12 lanes, expected at most 10/,
  );
});
