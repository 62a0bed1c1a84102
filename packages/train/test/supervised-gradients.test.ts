import { grad, mapTree, Rng, randomNormal, type Tensor, treeLeaves } from '@metagrad/autodiff';
import { mlpForward } from '../src/policies/mlp';
import { adapt } from '../src/supervised/adapt';
import { resolveSupervisedConfig, type SupervisedConfig } from '../src/supervised/config';
import { type MetaBatch, trainBatch } from '../src/supervised/data';
import { metaDirection, postAdaptationLoss } from '../src/supervised/meta-step';
import { makeSupervisedOuter } from '../src/supervised/outer';
import { initParams, type SupervisedParams } from '../src/supervised/params';

// a smaller network than the paper's keeps the finite differences fast; float64 throughout
const small = (algo: string, extra: Record<string, unknown> = {}): SupervisedConfig =>
  resolveSupervisedConfig({ algo, hidden: [8, 8], metaBatch: 4, shots: 5, ...extra });

const batch = (c: SupervisedConfig, it = 3): MetaBatch => trainBatch(c.seed, it, c.metaBatch, c.shots);

/** A random direction in parameter space with the same structure as `p`. */
function direction(p: SupervisedParams, seed: number): SupervisedParams {
  let i = 0;
  return mapTree(p, (t) => randomNormal(new Rng(seed).derive(i++), [...t.shape]));
}

const axpy = (p: SupervisedParams, v: SupervisedParams, e: number): SupervisedParams => {
  const vs = treeLeaves(v);
  let i = 0;
  return mapTree(p, (t) => t.add(vs[i++].mul(e)));
};

const dot = (a: unknown, b: unknown) => {
  const bs = treeLeaves(b);
  let s = 0;
  treeLeaves(a).forEach((t, i) => {
    for (let j = 0; j < t.size; j++) s += t.data[j] * bs[i].data[j];
  });
  return s;
};

/**
 * The initialisation moved to a generic point: zero biases put some ReLU pre-activations exactly
 * at the kink 0 (where the network is not differentiable and central differences see slope ½).
 */
const generic = (c: SupervisedConfig): SupervisedParams => {
  const p = initParams(c);
  return axpy(p, direction(p, 99), 0.1);
};

/** Central difference of the post-adaptation loss along v (float64, step 1e-5: error O(ε²) ≈ 1e-10). */
function fd(c: SupervisedConfig, p: SupervisedParams, v: SupervisedParams, b: MetaBatch): number {
  const e = 1e-5;
  return (
    (postAdaptationLoss(c, axpy(p, v, e), b).item() - postAdaptationLoss(c, axpy(p, v, -e), b).item()) /
    (2 * e)
  );
}

describe('MAML family meta-gradients against central finite differences (float64)', () => {
  // α large enough that the second-order term is far above the finite-difference error
  for (const algo of ['maml', 'cavia', 'meta-sgd'] as const) {
    test(`${algo}: ⟨∇, v⟩ equals the directional finite difference for 3 directions`, () => {
      const c = small(algo, { alpha: algo === 'cavia' ? 1 : 0.1, innerSteps: 2 });
      const p = generic(c);
      const b = batch(c);
      const g = metaDirection(c, p, b).direction;
      for (const s of [1, 2, 3]) {
        const v = direction(p, s);
        const want = fd(c, p, v, b);
        expect(Math.abs(dot(g, v) - want)).toBeLessThan(1e-6 * (1 + Math.abs(want)));
      }
    });
  }

  test("Meta-SGD: the learned α's gradient alone equals finite differences in α", () => {
    const c = small('meta-sgd', { alpha: 0.1 });
    const p = generic(c);
    const b = batch(c);
    const g = metaDirection(c, p, b).direction;
    const zeroNet = mapTree(p.net, (t) => t.mul(0));
    for (const s of [4, 5]) {
      const v = { net: zeroNet, alpha: direction(p, s).alpha };
      const want = fd(c, p, v, b);
      expect(Math.abs(dot(g.alpha, v.alpha) - want)).toBeLessThan(1e-6 * (1 + Math.abs(want)));
      expect(Math.abs(want)).toBeGreaterThan(1e-3); // α really moves the loss
    }
  });

  test('FOMAML drops the second-order term: the same finite-difference test fails', () => {
    const c = small('fomaml', { alpha: 0.1, innerSteps: 2 });
    const maml = { ...c, algo: 'maml' as const };
    const p = generic(c);
    const b = batch(c);
    const g = metaDirection(c, p, b).direction;
    const v = direction(p, 1);
    const want = fd(maml, p, v, b);
    expect(Math.abs(dot(g, v) - want)).toBeGreaterThan(1e-3 * (1 + Math.abs(want)));
    // ... and it is exactly ∇L_query at the adapted weights, per task, averaged
    expect(metaDirection(c, p, b).lossAfter).toBeCloseTo(postAdaptationLoss(maml, p, b).item(), 12);
  });
});

describe('CAVIA', () => {
  test('the inner loop adapts only the context: θ is the very same tensors, the context moves from 0', () => {
    const c = small('cavia', { innerSteps: 3 });
    const p = generic(c);
    const before = treeLeaves(p.net).map((t) => Float64Array.from(t.data));
    const a = adapt(p, batch(c).support, {
      algo: 'cavia',
      steps: 3,
      alpha: 1,
      contextDim: c.contextDim,
      firstOrder: false,
    });
    a.net.forEach((l, i) => {
      expect(l.W).toBe(p.net[i].W);
      expect(l.b).toBe(p.net[i].b);
    });
    treeLeaves(p.net).forEach((t, i) => {
      expect(Array.from(t.data)).toEqual(Array.from(before[i]));
    });
    expect(a.context?.shape).toEqual([c.metaBatch, c.contextDim]);
    expect(Math.max(...Array.from(a.context?.data ?? []).map(Math.abs))).toBeGreaterThan(1e-3);
  });
});

describe('Reptile', () => {
  test('k = 1 with SGD is exactly the joint-training gradient step θ − αβ·∇ mean_t L_t(θ)', () => {
    const c = small('reptile', { innerSteps: 1, alpha: 0.05, outerLr: 0.7, iterations: 10 });
    const p = generic(c);
    const b = batch(c);
    // reference: each task on its own (un-batched 2-D forward), gradients summed in a loop
    const K = c.shots;
    const joint = (net: SupervisedParams['net']) => {
      let total: Tensor | null = null;
      for (let t = 0; t < c.metaBatch; t++) {
        const x = b.support.x.slice([t, 0, 0], [1, K, 1]).reshape([K, 1]);
        const y = b.support.y.slice([t, 0, 0], [1, K, 1]).reshape([K, 1]);
        const l = mlpForward(net, x, 'relu').sub(y).square().mean();
        total = total === null ? l : total.add(l);
      }
      return (total as Tensor).mul(1 / c.metaBatch);
    };
    const g = grad(joint)(p.net);
    const beta = 0.7 * (1 - 2 / 10); // the anneal at iteration 2
    const want = mapTree(p.net, (t) => t) as SupervisedParams['net'];
    const gl = treeLeaves(g);
    const expected = treeLeaves(want).map((t, i) => t.sub(gl[i].mul(0.05 * beta)));
    const outer = makeSupervisedOuter(c, p);
    const next = outer.step(p, metaDirection(c, p, b).direction, 2);
    treeLeaves(next.net).forEach((t, i) => {
      for (let j = 0; j < t.size; j++) expect(t.data[j]).toBeCloseTo(expected[i].data[j], 13);
    });
  });
});
