import {
  checkGrad,
  flattenTree,
  grad,
  hessian,
  hvp,
  type PyTree,
  reshape,
  slice,
  type Tensor,
  tensor,
} from '@metagrad/autodiff';
import { adaptStep, type MetaParams } from '../src/meta/adaptation';
import { resolveConfig, type TrainConfig } from '../src/meta/config';
import { metaFisherProduct } from '../src/meta/fisher';
import { initMetaParams } from '../src/meta/init';
import { adaptedParams, firstOrderOf, outerKl, outerLoss } from '../src/meta/meta-objective';
import { policyGradientLoss } from '../src/meta/objectives';
import { makeProblem } from '../src/meta/problem';
import { sampleTasks } from '../src/meta/sampling';
import { treeToVector, vectorToTree } from '../src/outer/tree-vector';

/** A tiny 2D-navigation problem: 2 tasks × 3 episodes × 4 steps, a 2 → 3 → 2 policy. */
function tiny(overrides: Partial<TrainConfig> = {}) {
  const cfg = resolveConfig({
    env: 'navigation2d',
    envOptions: { horizon: 4 },
    hidden: [3],
    metaBatch: 2,
    fastBatch: 3,
    alpha: 0.5,
    iterations: 1,
    initLogStd: -0.5,
    ...overrides,
  });
  const problem = makeProblem(cfg);
  const meta = initMetaParams(problem);
  const tasks = problem.tasks.trainTasks(2, cfg.seed);
  const samples = sampleTasks(problem, meta, tasks, [0, 1], overrides.innerSteps ?? 1, 3);
  return { cfg, problem, meta, samples };
}

/** ∇ of a scalar function of the meta-parameters (typed loosely: MetaParams' cotangent type is deep). */
const metaGradient = (f: (m: MetaParams) => Tensor, m: MetaParams): MetaParams =>
  grad(f as (x: unknown) => Tensor)(m) as MetaParams;

const leaves = (t: unknown) => flattenTree(t).leaves.map((l) => Array.from(l.data));

describe('the full MAML-RL meta-gradient (sampling with fixed noise, inner step, outer surrogate)', () => {
  // losses whose derivatives are the plain derivatives of the sampled function: central differences apply
  for (const estimator of ['maml', 'maml-reference', 'sf'] as const) {
    for (const innerSteps of [1, 2]) {
      test(`${estimator}, ${innerSteps} inner step(s): ∇L matches central finite differences`, () => {
        const { problem, meta, samples } = tiny({ estimator, innerSteps });
        const f = (m: MetaParams) => outerLoss(problem, m, samples);
        const r = checkGrad(f, meta, { eps: 1e-6, atol: 1e-7, rtol: 1e-5, raise: false });
        expect(r.maxAbsError).toBeLessThan(1e-7);
        expect(r.ok).toBe(true);
        // the second-order terms are really there: the meta-gradient differs from FOMAML's
        const fo = metaGradient(
          (m) => outerLoss({ ...problem, cfg: { ...problem.cfg, algo: 'fomaml' } }, m, samples),
          meta,
        );
        const so = metaGradient(f, meta);
        const diff = leaves(so)
          .flat()
          .map((x, i) => Math.abs(x - leaves(fo).flat()[i]));
        expect(Math.max(...diff)).toBeGreaterThan(1e-6);
      });
    }
  }

  // Magic-box estimators differentiate to estimates of the derivatives of the *expectation*
  // (their second derivative adds the ∇lp∇lpᵀ score terms), which is their point: finite
  // differences of the fixed-sample function would not match. The meta-gradient must be
  // (I + αĤ)ᵀ∇L_outer(θ′), Ĥ the estimator's own Hessian (checked against exact enumeration in
  // @metagrad/estimators), ∇L_outer checked against central differences here.
  for (const estimator of ['dice', 'loaded-dice', 'tmaml', 'lvc'] as const) {
    test(`${estimator}: the meta-gradient is (I + αĤ)ᵀ∇L_outer(θ′), with ∇L_outer matching central differences`, () => {
      const { cfg, problem, meta, samples } = tiny({ estimator });
      const flat = flattenTree(meta.policy);
      const sizes = flat.leaves.map((l) => l.size);
      const P = sizes.reduce((a, b) => a + b, 0);
      const toVector = (tree: unknown) =>
        Float64Array.from(flattenTree(tree).leaves.flatMap((l) => Array.from(l.data)));
      const fromVector = (v: Tensor): PyTree => {
        let o = 0;
        return flat.unflatten(
          sizes.map((n, i) => {
            const leaf = reshape(slice(v, [o], [n]), flat.leaves[i].shape);
            o += n;
            return leaf;
          }),
        ) as PyTree;
      };
      const theta = tensor(toVector(meta.policy));
      const metaGrad = toVector(metaGradient((m) => outerLoss(problem, m, samples), meta).policy);
      const expected = new Float64Array(P);
      const adapted = adaptedParams(problem, meta, samples);
      samples.forEach((s, i) => {
        const inner = (v: Tensor) => problem.inner(fromVector(v), s.task, s.batches[0], s.innerValues[0]);
        const H = (hessian(inner)(theta) as Tensor).data;
        const last = s.batches[1];
        const outer = (v: Tensor) =>
          policyGradientLoss(problem.model.logProbs(fromVector(v), last), s.oldLogProbs, s.advantages, last);
        const at = tensor(toVector(adapted[i]));
        expect(checkGrad(outer, at, { raise: false }).ok).toBe(true);
        const g = (grad(outer)(at) as Tensor).data;
        for (let j = 0; j < P; j++) {
          let hg = 0;
          for (let k = 0; k < P; k++) hg += H[k * P + j] * g[k];
          expected[j] += (g[j] + cfg.alpha * hg) / samples.length;
        }
      });
      metaGrad.forEach((x, j) => {
        expect(x).toBeCloseTo(expected[j], 10);
      });
    });
  }

  test('PPO-clip and ProMP outer losses and the TRPO KL: gradients match central differences', () => {
    for (const o of [
      { outer: 'ppo' as const },
      { algo: 'promp' as const, estimator: 'maml' as const, outer: 'ppo' as const },
    ]) {
      const { problem, meta, samples } = tiny(o);
      expect(checkGrad((m: MetaParams) => outerLoss(problem, m, samples), meta, { raise: false }).ok).toBe(
        true,
      );
    }
    const { problem, meta, samples } = tiny();
    // KL is 0 at the sampling parameters; check its gradient away from them
    const moved = {
      policy: flattenTree(meta.policy).unflatten(flattenTree(meta.policy).leaves.map((l) => l.add(0.05))),
    } as MetaParams;
    expect(checkGrad((m: MetaParams) => outerKl(problem, m, samples), moved, { raise: false }).ok).toBe(true);
    expect(outerKl(problem, meta, samples).item()).toBeCloseTo(0, 14);
  });

  test('Meta-SGD: the learned per-parameter α gets a gradient that matches central differences', () => {
    const { problem, meta, samples } = tiny({ learnAlpha: true });
    expect(meta.alpha).toBeDefined();
    expect(checkGrad((m: MetaParams) => outerLoss(problem, m, samples), meta, { raise: false }).ok).toBe(
      true,
    );
  });
});

describe('FOMAML and adaptation', () => {
  test("FOMAML's meta-gradient is the outer gradient at the adapted weights", () => {
    const { problem, meta, samples } = tiny({ algo: 'fomaml' });
    const metaGrad = metaGradient((m) => outerLoss(problem, m, samples), meta);
    const adapted = adaptedParams(problem, meta, samples);
    // outer gradient at θ′ (taken with respect to θ′ itself), averaged over the tasks
    const perTask = samples.map((s, i) => {
      const last = s.batches[1];
      return leaves(
        grad((p: unknown) =>
          policyGradientLoss(problem.model.logProbs(p as PyTree, last), s.oldLogProbs, s.advantages, last),
        )(adapted[i]),
      ).flat();
    });
    const expected = perTask[0].map((x, j) => (x + perTask[1][j]) / 2);
    leaves(metaGrad.policy)
      .flat()
      .forEach((x, j) => {
        expect(x).toBeCloseTo(expected[j], 12);
      });
  });

  test('adaptation and the outer loss never mutate the meta-parameters', () => {
    const { problem, meta, samples } = tiny();
    const before = leaves(meta);
    adaptStep(
      (p: PyTree) => problem.inner(p, samples[0].task, samples[0].batches[0], undefined),
      meta.policy,
      0.5,
      false,
    );
    metaGradient((m) => outerLoss(problem, m, samples), meta);
    expect(leaves(meta)).toEqual(before);
  });

  test('the adapted parameters recomputed inside the outer loss are the ones that sampled (ratio exactly 1)', () => {
    const { problem, meta, samples } = tiny({ estimator: 'dice', innerSteps: 2 });
    const adapted = adaptedParams(problem, meta, samples);
    samples.forEach((s, i) => {
      expect(leaves(adapted[i])).toEqual(leaves(s.adapted));
      const lp = problem.model.logProbs(adapted[i], s.batches[2]) as Tensor;
      expect(Array.from(lp.data)).toEqual(Array.from(s.oldLogProbs));
    });
  });
});

describe("TRPO's Fisher products through the adaptation (Jᵀ F J, no third derivatives)", () => {
  test.each([
    ['maml, one step (J symmetric, closed-form ∇²f)', {}, true],
    ['maml, two steps (forward-mode J v)', { innerSteps: 2 }, false],
    ['Meta-SGD (learned α)', { learnAlpha: true }, false],
    ['fomaml (J = I)', { algo: 'fomaml' as const }, false],
    ['dice inner estimator (closed-form ∇²f)', { estimator: 'dice' as const }, true],
  ])(
    '%s: equals the Hessian-vector product of the mean KL at the sampling parameters',
    (_name, o, closed) => {
      const { problem, meta, samples } = tiny(o as Partial<TrainConfig>);
      // the policy's closed-form F is what metaFisherProduct uses; the fallback below checks the other route
      expect(typeof problem.model.fisherProduct).toBe('function');
      expectMetaFisherIsKlHessian(problem, meta, samples, closed);
    },
  );

  test.each([
    ['maml, one step', {}, true],
    ['maml, two steps', { innerSteps: 2 }, false],
    ['fomaml', { algo: 'fomaml' as const }, false],
  ])(
    '%s, a policy without a closed-form F: the double-backward F gives the same Hessian',
    (_name, o, closed) => {
      const { problem, meta, samples } = tiny(o as Partial<TrainConfig>);
      // the same policy with fisherProduct hidden (methods still found on the prototype chain)
      const model = Object.create(problem.model, { fisherProduct: { value: undefined } });
      expectMetaFisherIsKlHessian({ ...problem, model }, meta, samples, closed);
    },
  );

  test('one step, a policy without logProbCurvature: J by the traced inner gradient gives the same Hessian', () => {
    const { problem, meta, samples } = tiny();
    const model = Object.create(problem.model, { logProbCurvature: { value: undefined } });
    expectMetaFisherIsKlHessian({ ...problem, model }, meta, samples, false);
  });
});

/**
 * metaFisherProduct equals the engine's hvp of outerKl, and takes the closed-form route for J
 * (one logProbCurvature per task, problem.inner never traced) exactly when `closedForm`.
 */
function expectMetaFisherIsKlHessian(
  problem: ReturnType<typeof tiny>['problem'],
  meta: MetaParams,
  samples: ReturnType<typeof tiny>['samples'],
  closedForm: boolean,
): void {
  const size = treeToVector(meta).length;
  const v = Float64Array.from({ length: size }, (_, i) => Math.sin(1 + 7 * i));
  const calls = { curvature: 0, inner: 0 };
  const base = problem.model;
  const curvature = base.logProbCurvature;
  const model = Object.create(base, {
    logProbCurvature: {
      value:
        curvature &&
        ((...args: Parameters<typeof curvature>) => {
          calls.curvature++;
          return curvature.apply(base, args);
        }),
    },
  });
  const counted = {
    ...problem,
    model,
    inner: (...args: Parameters<typeof problem.inner>) => {
      calls.inner++;
      return problem.inner(...args);
    },
  };
  const fast = metaFisherProduct(counted, meta, samples)(v);
  expect(calls.curvature).toBe(closedForm ? samples.length : 0);
  // the traced route differentiates through problem.inner; the closed form and FOMAML never call it
  if (closedForm || firstOrderOf(problem)) expect(calls.inner).toBe(0);
  else expect(calls.inner).toBeGreaterThan(0);
  const exact = treeToVector(
    hvp((m: unknown) => outerKl(problem, m as MetaParams, samples), meta, vectorToTree(meta, v)),
  );
  const scale = Math.max(...exact.map(Math.abs));
  expect(scale).toBeGreaterThan(1e-6);
  for (let i = 0; i < v.length; i++) expect(Math.abs(fast[i] - exact[i])).toBeLessThan(1e-10 * scale);
}
