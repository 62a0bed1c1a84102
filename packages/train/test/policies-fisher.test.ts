import { flattenTree, hvp, mapTree, type PyTree, Rng, randomNormal, type Tensor } from '@metagrad/autodiff';
import { type Batch, Navigation2dEnv, rollout, TabularMdpEnv, tabularMdpTasks } from '@metagrad/envs';
import { CategoricalMlpPolicy, GaussianMlpPolicy, type PolicyModel, TabularSoftmaxPolicy } from '../src';
import { cut, shifted } from './policies-helpers';

const leaves = (t: unknown): number[] => flattenTree(t).leaves.flatMap((l) => Array.from(l.data));

/** The closed-form product equals the engine's hvp of kl(params, ·, batch) at params, to 1e-10 relative. */
function expectFisherIsKlHessian<P extends PyTree>(model: PolicyModel<P>, params: P, batch: Batch): void {
  const product = model.fisherProduct?.(params, batch);
  if (!product) throw new Error(`${model.kind} has no fisherProduct`);
  for (const seed of [11, 12]) {
    const v = shifted(mapTree(params, (x: Tensor) => x.mul(0)) as P, seed, 1);
    const vBefore = leaves(v);
    const exact = leaves(hvp((q: P) => model.kl(params, q, batch), params, v));
    const fast = leaves(product(v));
    const scale = Math.max(...exact.map(Math.abs));
    expect(scale).toBeGreaterThan(1e-6);
    expect(fast.length).toBe(exact.length);
    let worst = 0;
    for (let i = 0; i < exact.length; i++) worst = Math.max(worst, Math.abs(fast[i] - exact[i]));
    expect(worst).toBeLessThan(1e-10 * scale);
    // the closure is reusable: same answer again, v untouched
    expect(leaves(product(v))).toEqual(fast);
    expect(leaves(v)).toEqual(vBefore);
  }
}

describe.each(['tanh', 'relu'] as const)('closed-form Fisher products (%s)', (activation) => {
  test('Gaussian MLP: Jμᵀ diag(1/σ²) Jμ ⊕ 2·I equals the KL Hessian on a padded batch', () => {
    const env = new Navigation2dEnv({ horizon: 6, doneTolerance: 0.15 });
    const tasks = [{ goal: [0.1, 0.1] as [number, number] }, { goal: [-0.12, 0.05] as [number, number] }];
    const policy = new GaussianMlpPolicy([2, 8, 5, 2], { activation, initLogStd: Math.log(0.3) });
    const params = shifted(policy.init(new Rng(1)), 9, 0.2);
    const batch = cut(rollout(env, tasks, policy.sampler(params), { episodes: 3, seed: 4 }), [6, 2, 4, 5]);
    expectFisherIsKlHessian(policy, params, batch);
  });

  test('Categorical MLP: Jᵀ (diag(p) − ppᵀ) J equals the KL Hessian on a padded batch', () => {
    const mdps = tabularMdpTasks({ states: 4, actions: 3, horizon: 5 }).trainTasks(2, 3);
    const policy = CategoricalMlpPolicy.create(4, 3, { hidden: [6, 5], activation });
    const params = shifted(policy.init(new Rng(1)), 2, 0.5);
    const raw = rollout(TabularMdpEnv.forMdp(mdps[0]), mdps, policy.sampler(params), {
      episodes: 4,
      seed: 5,
    });
    expectFisherIsKlHessian(policy, params, cut(raw, [5, 1, 3]));
  });

  test('a single hidden layer and a deeper net also match', () => {
    const env = new Navigation2dEnv({ horizon: 5 });
    const tasks = [{ goal: [0.2, -0.1] as [number, number] }];
    for (const sizes of [
      [2, 7, 2],
      [2, 4, 6, 3, 2],
    ]) {
      const policy = new GaussianMlpPolicy(sizes, { activation, initLogStd: -0.4 });
      const params = shifted(policy.init(new Rng(3)), 4, 0.3);
      const batch = cut(rollout(env, tasks, policy.sampler(params), { episodes: 4, seed: 2 }), [5, 3]);
      expectFisherIsKlHessian(policy, params, batch);
    }
  });
});

test('tabular softmax: the per-state blocks c_s (diag(p) − ppᵀ) equal the KL Hessian on a padded batch', () => {
  const [S, A] = [4, 3];
  const mdps = tabularMdpTasks({ states: S, actions: A, horizon: 6 }).trainTasks(3, 1);
  const policy = new TabularSoftmaxPolicy(S, A);
  const theta = randomNormal(new Rng(2), [S * A]);
  const raw = rollout(TabularMdpEnv.forMdp(mdps[0]), mdps, policy.sampler(theta), { episodes: 5, seed: 8 });
  expectFisherIsKlHessian(policy, theta, cut(raw, [6, 2, 4]));
});

test('Fisher products reject a batch without real steps, naming it', () => {
  const policy = new GaussianMlpPolicy([2, 3, 2]);
  const params = policy.init(new Rng(0));
  const env = new Navigation2dEnv({ horizon: 3 });
  const batch = rollout(env, [{ goal: [0.1, 0.1] }], policy.sampler(params), { episodes: 2, seed: 1 });
  const empty = { ...batch, mask: new Float64Array(batch.mask.length) };
  expect(() => policy.fisherProduct(params, empty)).toThrow(
    /GaussianMlpPolicy.fisherProduct: batch: expected at least one real step, got mask sum 0/,
  );
});
