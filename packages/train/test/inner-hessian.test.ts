import { flattenTree, hvp, mapTree, type PyTree, type Tensor } from '@metagrad/autodiff';
import { TINY_MDP_PATH } from '@metagrad/envs';
import { resolveConfig, type TrainConfig } from '../src/meta/config';
import { initMetaParams } from '../src/meta/init';
import { innerHessianProduct } from '../src/meta/inner-hessian';
import { baselineValues } from '../src/meta/objectives';
import { makeProblem } from '../src/meta/problem';
import { cut, shifted } from './policies-helpers';

const leaves = (t: unknown): number[] => flattenTree(t).leaves.flatMap((l) => Array.from(l.data));

/** A small problem (by default 2D navigation, 2 → 5 → 4 → 2 tanh) and one task's padded inner batch. */
function setup(overrides: Partial<TrainConfig>) {
  const cfg = resolveConfig({
    env: 'navigation2d',
    envOptions: { horizon: 6 },
    hidden: [5, 4],
    metaBatch: 1,
    fastBatch: 4,
    alpha: 0.5,
    initLogStd: -0.5,
    ...overrides,
  });
  const problem = makeProblem(cfg);
  const theta = shifted(initMetaParams(problem).policy, 3, 0.3);
  const [task] = problem.tasks.trainTasks(1, cfg.seed);
  const [sampled] = problem.sample([task], [theta], [0], cfg.fastBatch, 0);
  const batch = cut(sampled, [6, 3, 5, 2]);
  return { problem, theta, task, batch, values: baselineValues(batch, problem.discount, cfg.baseline) };
}

describe('the inner objective’s Hessian in closed form (Jℓᵀ ∇²S Jℓ + Σ g ∇²ℓ)', () => {
  const cases: [string, Partial<TrainConfig>][] = [];
  for (const estimator of ['maml', 'dice'] as const)
    for (const normalizeAdvantages of [true, false])
      for (const baseline of ['linear', 'none'] as const)
        cases.push([
          `${estimator}, normalised ${normalizeAdvantages}, baseline ${baseline}`,
          { estimator, normalizeAdvantages, baseline },
        ]);
  cases.push(['loaded-dice (relu)', { estimator: 'loaded-dice', activation: 'relu' }]);
  for (const estimator of ['maml', 'dice'] as const)
    cases.push([
      `categorical MLP on a tabular MDP, ${estimator}`,
      { env: 'tabular-mdp', envOptions: { horizon: 6 }, policy: 'categorical-mlp', estimator },
    ]);

  test.each(cases)('%s: equals the engine’s hvp of problem.inner on a padded batch', (_name, o) => {
    const { problem, theta, task, batch, values } = setup(o);
    const product = innerHessianProduct(problem, theta, task, batch, values);
    if (!product) throw new Error('expected the closed form');
    for (const seed of [7, 8]) {
      const v = shifted(mapTree(theta, (x: Tensor) => x.mul(0)) as PyTree, seed, 1);
      const f = (p: PyTree): Tensor => problem.inner(p, task, batch, values);
      const exact = leaves(hvp(f, theta as PyTree, v));
      const fast = leaves(product(v));
      const scale = Math.max(...exact.map(Math.abs));
      expect(scale).toBeGreaterThan(1e-6);
      let worst = 0;
      for (let i = 0; i < exact.length; i++) worst = Math.max(worst, Math.abs(fast[i] - exact[i]));
      expect(worst).toBeLessThan(1e-10 * scale);
    }
  });

  test('no closed form for the exact oracle or a policy without logProbCurvature', () => {
    const exact = makeProblem(
      resolveConfig({
        env: 'mdp-file',
        envOptions: { path: TINY_MDP_PATH },
        estimator: 'exact',
        policy: 'tabular',
      }),
    );
    const meta = initMetaParams(exact);
    const [task] = exact.tasks.trainTasks(1, 0);
    const [batch] = exact.sample([task], [meta.policy], [0], 2, 0);
    expect(exact.innerSurrogate?.(task, batch, undefined)).toBeUndefined();
    expect(innerHessianProduct(exact, meta.policy, task, batch, undefined)).toBeNull();

    const { problem, theta, task: t, batch: b, values } = setup({});
    const model = Object.create(problem.model, { logProbCurvature: { value: undefined } });
    expect(innerHessianProduct({ ...problem, model }, theta, t, b, values)).toBeNull();
  });
});
