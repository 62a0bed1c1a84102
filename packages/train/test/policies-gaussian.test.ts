import { checkGrad, mapTree, Rng, randomNormal, type Tensor, tensor } from '@metagrad/autodiff';
import { type Batch, concatBatches, Navigation2dEnv, rollout } from '@metagrad/envs';
import { type GaussianMlpParams, GaussianMlpPolicy, PlainMlp } from '../src';
import { expectSameBatch, klGradAtOld, withGarbagePadding } from './policies-helpers';

// episodes that end at different steps, so batches have padding
const env = new Navigation2dEnv({ horizon: 6, doneTolerance: 0.15 });
const tasks = [{ goal: [0.1, 0.1] as [number, number] }, { goal: [-0.12, 0.05] as [number, number] }];

function shifted(p: GaussianMlpParams, seed: number, scale: number): GaussianMlpParams {
  let k = 0;
  return mapTree(p, (x: Tensor) => x.add(randomNormal(new Rng(seed).derive(k++), x.shape.slice(), 0, scale)));
}

function paddedBatch(policy: GaussianMlpPolicy, params: GaussianMlpParams): Batch {
  const batch = rollout(env, tasks, policy.sampler(params), { episodes: 3, seed: 4 });
  expect(batch.mask.some((m) => m === 0)).toBe(true);
  expect(batch.mask.some((m) => m === 1)).toBe(true);
  return batch;
}

describe.each(['tanh', 'relu'] as const)('GaussianMlpPolicy (%s)', (activation) => {
  const policy = new GaussianMlpPolicy([2, 8, 5, 2], { activation, initLogStd: Math.log(0.3) });
  const params = shifted(policy.init(new Rng(1)), 9, 0.2);

  test('the plain sampling forward equals mean() to 1e-12, from any first row', () => {
    const obs = randomNormal(new Rng(2), [7, 2]);
    const expected = policy.mean(params, obs).data;
    const net = new PlainMlp(params.layers, activation);
    const all = net.forward(obs.data as Float64Array, 0, 7);
    for (let i = 0; i < 14; i++) expect(Math.abs(all[i] - expected[i])).toBeLessThan(1e-12);
    const tail = net.forward(obs.data as Float64Array, 3, 4);
    for (let i = 0; i < 8; i++) expect(Math.abs(tail[i] - expected[6 + i])).toBeLessThan(1e-12);
  });

  test('log-probs equal the diagonal Gaussian density computed by hand; padding is 0', () => {
    const batch = paddedBatch(policy, params);
    const lp = policy.logProbs(params, batch).data;
    const net = new PlainMlp(params.layers, activation);
    const mu = net.forward(batch.observations, 0, batch.size * batch.horizon);
    const ls = params.logStd.data;
    for (let i = 0; i < batch.mask.length; i++) {
      let want = 0;
      for (let j = 0; j < 2; j++) {
        const z = (batch.actions[i * 2 + j] - mu[i * 2 + j]) / Math.exp(ls[j]);
        want += -0.5 * z * z - ls[j] - 0.5 * Math.log(2 * Math.PI);
      }
      if (batch.mask[i] === 0) expect(lp[i] === 0).toBe(true);
      else expect(lp[i]).toBeCloseTo(want, 12);
    }
  });

  test('KL is 0 with a 0 gradient at params = old', () => {
    const batch = paddedBatch(policy, params);
    expect(policy.kl(params, params, batch).item()).toBe(0);
    expect(
      klGradAtOld((o: GaussianMlpParams, p: GaussianMlpParams) => policy.kl(o, p, batch), params),
    ).toBeLessThan(1e-12);
  });

  test('KL equals the textbook formula averaged over real steps, and ignores padded observations', () => {
    const batch = paddedBatch(policy, params);
    const other = shifted(params, 5, 0.3);
    const kl = policy.kl(params, other, withGarbagePadding(batch, 1e3)).item();
    const mu0 = new PlainMlp(params.layers, activation).forward(batch.observations, 0, batch.mask.length);
    const mu1 = new PlainMlp(other.layers, activation).forward(batch.observations, 0, batch.mask.length);
    // ½[tr(Σ₁⁻¹Σ₀) + (μ₁−μ₀)ᵀΣ₁⁻¹(μ₁−μ₀) − k + ln(det Σ₁ / det Σ₀)]
    const v0 = Array.from(params.logStd.data, (l) => Math.exp(2 * l));
    const v1 = Array.from(other.logStd.data, (l) => Math.exp(2 * l));
    let total = 0;
    let n = 0;
    for (let i = 0; i < batch.mask.length; i++) {
      if (batch.mask[i] === 0) continue;
      let tr = 0;
      let quad = 0;
      for (let j = 0; j < 2; j++) {
        tr += v0[j] / v1[j];
        quad += (mu1[i * 2 + j] - mu0[i * 2 + j]) ** 2 / v1[j];
      }
      total += 0.5 * (tr + quad - 2 + Math.log((v1[0] * v1[1]) / (v0[0] * v0[1])));
      n++;
    }
    expect(kl).toBeGreaterThan(1e-3);
    expect(kl).toBeCloseTo(total / n, 12);
  });

  test('KL gradient matches central finite differences', () => {
    const batch = paddedBatch(policy, params);
    const at = shifted(params, 6, 0.1);
    expect(checkGrad((p: GaussianMlpParams) => policy.kl(params, p, batch), at, { atol: 1e-7 }).ok).toBe(
      true,
    );
  });
});

test('Gaussian KL agrees with a Monte-Carlo estimate E_old[log π_old − log π]', () => {
  const policy = new GaussianMlpPolicy([2, 4, 2], 0);
  const old = policy.init(new Rng(3));
  const other = shifted(old, 8, 0.4);
  const obs = [0.3, -0.2];
  const one: Batch = {
    size: 1,
    horizon: 1,
    obsDim: 2,
    actDim: 2,
    observations: Float64Array.from(obs),
    actions: new Float64Array(2),
    rewards: new Float64Array(1),
    mask: Float64Array.of(1),
    dones: new Uint8Array(1),
    lengths: Int32Array.of(1),
    taskIndex: new Int32Array(1),
    episodeIndex: new Int32Array(1),
    discount: 1,
  };
  const kl = policy.kl(old, other, one).item();
  // N draws from π_old as a batch of one-step episodes, all with the same observation
  const N = 40000;
  const rng = new Rng(11);
  const mu0 = policy.mean(old, tensor(obs, { shape: [1, 2] })).data;
  const s0 = Array.from(old.logStd.data, Math.exp);
  const actions = new Float64Array(N * 2);
  for (let i = 0; i < N; i++) for (let j = 0; j < 2; j++) actions[i * 2 + j] = rng.normal(mu0[j], s0[j]);
  const many: Batch = {
    ...one,
    size: N,
    observations: new Float64Array(N * 2).map((_, i) => obs[i % 2]),
    actions,
    rewards: new Float64Array(N),
    mask: new Float64Array(N).fill(1),
    dones: new Uint8Array(N),
    lengths: new Int32Array(N).fill(1),
    taskIndex: new Int32Array(N),
    episodeIndex: new Int32Array(N),
  };
  const diff = Array.from(policy.logProbs(old, many).sub(policy.logProbs(other, many)).data);
  const m = diff.reduce((a, b) => a + b, 0) / N;
  const sd = Math.sqrt(diff.reduce((a, b) => a + (b - m) ** 2, 0) / (N - 1));
  expect(kl).toBeGreaterThan(0.01);
  expect(Math.abs(m - kl)).toBeLessThan(4 * (sd / Math.sqrt(N)));
});

test('grouped sampler gives the same episodes as one rollout per parameter set', () => {
  const policy = GaussianMlpPolicy.create(2, 2, { hidden: [6], initLogStd: Math.log(0.2) });
  const p0 = policy.init(new Rng(1));
  const p1 = shifted(policy.init(new Rng(2)), 3, 0.5);
  const grouped = rollout(env, tasks, policy.sampler([p0, p1], 3), { episodes: 3, seed: 7 });
  const apart = concatBatches([
    rollout(env, tasks[0], policy.sampler(p0), { episodes: 3, seed: 7, taskIndices: [0] }),
    rollout(env, tasks[1], policy.sampler([p1], 3), { episodes: 3, seed: 7, taskIndices: [1] }),
  ]);
  expectSameBatch(grouped, apart);
  // the groups really differ: the same lanes with p0 everywhere give other actions
  const same = rollout(env, tasks, policy.sampler(p0), { episodes: 3, seed: 7 });
  expect(Array.from(same.actions.subarray(18 * 2))).not.toEqual(Array.from(grouped.actions.subarray(18 * 2)));
});

test('sampler and constructor reject bad arguments, naming them', () => {
  const policy = new GaussianMlpPolicy([2, 3, 2]);
  const p = policy.init(new Rng(0));
  expect(() => rollout(env, tasks, policy.sampler([p], 2), { episodes: 3 })).toThrow(
    /6 lanes, expected at most 2/,
  );
  expect(() => policy.sampler([p, p])).toThrow(/lanesPerParams: required/);
  expect(() => policy.sampler([p, p], 0)).toThrow(/lanesPerParams: expected an integer >= 1, got 0/);
  expect(() => new GaussianMlpPolicy([2, 3, 3]).sampler(p)).toThrow(/layer 1: expected W \[3, 3\]/);
  expect(() => new GaussianMlpPolicy([2])).toThrow(/sizes: expected at least/);
  expect(() => new GaussianMlpPolicy([2, 2], { activation: 'gelu' as 'tanh' })).toThrow(
    /activation: expected one of/,
  );
});
