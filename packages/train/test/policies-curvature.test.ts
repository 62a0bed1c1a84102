import {
  flattenTree,
  hvp,
  jvp,
  mapTree,
  mul,
  type PyTree,
  Rng,
  sum,
  type Tensor,
  tensor,
  vjp,
} from '@metagrad/autodiff';
import { type Batch, Navigation2dEnv, rollout, TabularMdpEnv, tabularMdpTasks } from '@metagrad/envs';
import {
  type CategoricalMlpParams,
  CategoricalMlpPolicy,
  type GaussianMlpParams,
  GaussianMlpPolicy,
  type PolicyModel,
} from '../src';
import { cut, shifted } from './policies-helpers';

const leaves = (t: unknown): number[] => flattenTree(t).leaves.flatMap((l) => Array.from(l.data));

/** max |a − b| < 1e-10 · max |b|, with b not trivially 0. */
function expectClose(a: ArrayLike<number>, b: ArrayLike<number>): void {
  expect(a.length).toBe(b.length);
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < b.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  expect(scale).toBeGreaterThan(1e-6);
  expect(worst).toBeLessThan(1e-10 * scale);
}

/** Deterministic values in [−1, 1] (nonzero on padded steps too: they must be ignored). */
const wave = (n: number, phase: number) =>
  Float64Array.from({ length: n }, (_, i) => Math.sin(phase + 3.7 * i));

function setup(sizes: number[], activation: 'tanh' | 'relu') {
  const env = new Navigation2dEnv({ horizon: 6 });
  const tasks = [{ goal: [0.1, 0.1] as [number, number] }, { goal: [-0.12, 0.05] as [number, number] }];
  const policy = new GaussianMlpPolicy(sizes, { activation, initLogStd: Math.log(0.4) });
  const params = shifted(policy.init(new Rng(1)), 9, 0.3);
  const batch: Batch = cut(
    rollout(env, tasks, policy.sampler(params), { episodes: 3, seed: 4 }),
    [6, 2, 4, 5],
  );
  const v = shifted(mapTree(params, (x: Tensor) => x.mul(0)) as GaussianMlpParams, 12, 1);
  return { policy, params, batch, v, n: batch.size * batch.horizon };
}

/** jvp, vjp, weightedHvp against the engine, and hvp against its parts. */
function expectMatchesEngine<P extends PyTree>(policy: PolicyModel<P>, params: P, batch: Batch, v: P): void {
  const n = batch.size * batch.horizon;
  const shape = [batch.size, batch.horizon];
  if (!policy.logProbCurvature) throw new Error(`${policy.kind} has no logProbCurvature`);
  const g = wave(n, 0.3);
  const curvature = policy.logProbCurvature(params, batch, g);
  const lp = (q: P) => policy.logProbs(q, batch);

  expectClose(curvature.jvp(v), (jvp(lp, [params], [v])[1] as Tensor).data);
  const u = wave(n, 1.1);
  const [, pullback] = vjp(lp, params);
  expectClose(leaves(curvature.vjp(u)), leaves(pullback(tensor(u, { shape }))[0]));
  const weighted = (q: P) => sum(mul(lp(q), tensor(g, { shape })));
  expectClose(leaves(curvature.weightedHvp(v)), leaves(hvp(weighted, params, v)));

  // the fused product is Jᵀ outer(J v) + Σ g ∇²ℓ v, and the closure is reusable
  const d = wave(n, 2.3);
  const outer = (jv: Float64Array) => jv.map((x, i) => d[i] * x);
  const separate = leaves(curvature.vjp(outer(curvature.jvp(v)))).map(
    (x, i) => x + leaves(curvature.weightedHvp(v))[i],
  );
  expectClose(leaves(curvature.hvp(v, outer)), separate);
  expect(leaves(curvature.hvp(v, outer))).toEqual(leaves(curvature.hvp(v, outer)));
}

describe.each(['tanh', 'relu'] as const)('Gaussian MLP log-probability curvature (%s)', (activation) => {
  test.each([
    ['one hidden layer', [2, 7, 2]],
    ['two hidden layers', [2, 8, 5, 2]],
  ])('%s, padded batch: jvp, vjp and Σ g ∇²ℓ v match the engine', (_name, sizes) => {
    const { policy, params, batch, v } = setup(sizes, activation);
    expectMatchesEngine(policy, params, batch, v);
  });
});

describe.each(['tanh', 'relu'] as const)('categorical MLP log-probability curvature (%s)', (activation) => {
  test.each([
    ['one hidden layer', [6]],
    ['two hidden layers', [6, 5]],
  ])('%s, padded batch: jvp, vjp and Σ g ∇²ℓ v match the engine', (_name, hidden) => {
    const mdps = tabularMdpTasks({ states: 4, actions: 3, horizon: 5 }).trainTasks(2, 3);
    const policy = CategoricalMlpPolicy.create(4, 3, { hidden, activation });
    const params = shifted(policy.init(new Rng(1)), 2, 0.5);
    const raw = rollout(TabularMdpEnv.forMdp(mdps[0]), mdps, policy.sampler(params), {
      episodes: 4,
      seed: 5,
    });
    const batch = cut(raw, [5, 1, 3]);
    const v = shifted(mapTree(params, (x: Tensor) => x.mul(0)) as CategoricalMlpParams, 12, 1);
    expectMatchesEngine(policy, params, batch, v);
  });
});

test('logProbCurvature rejects weights of the wrong length, naming them', () => {
  const { policy, params, batch, n } = setup([2, 3, 2], 'tanh');
  expect(() => policy.logProbCurvature(params, batch, new Float64Array(n + 1))).toThrow(
    `GaussianMlpPolicy.logProbCurvature: g: expected 6 × 6 = 36 entries, got 37`,
  );
});
