import { grad, Rng, type Tensor, tensor } from '@metagrad/autodiff';
import {
  enumerateTrajectories,
  exactReturnBackward,
  expectedReturn,
  loadTabularMdp,
  TINY_MDP_PATH,
} from '@metagrad/envs';
import {
  ESTIMATORS,
  esGradient,
  esMaml,
  esStep,
  exactDerivatives,
  exactMetaGradient,
  exactNSampleMeta,
  hillClimb,
  magicBox,
  metaSurrogate,
  tabularLogProbs,
} from '../src';

const mdp = loadTabularMdp(TINY_MDP_PATH);
const theta = mdp.logits!;
const norm = (a: ArrayLike<number>) => Math.hypot(...Array.from(a));
const diffNorm = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.hypot(...Array.from(a).map((x, i) => x - b[i]));
const alpha = 0.5;

describe('N-sample meta-objective (exact, by enumerating N-tuples)', () => {
  const results = [1, 2, 3].map((n) => ({ n, ...exactNSampleMeta(mdp, theta, alpha, n) }));
  const maml = exactMetaGradient(mdp, alpha, theta);

  test('the SF meta-gradient (metaSurrogate with the score term) averages exactly to ∇V_N; LSF does not', () => {
    // N = 1: enumerate single trajectories and average each one's meta-surrogate gradient by p(τ)
    const en = enumerateTrajectories(mdp);
    const { count: K, horizon: T } = en;
    const th = tensor(Float64Array.from(theta));
    const lpAll = tabularLogProbs(th, 2, 2, en.stateActions, [K, T]).sum(1).data;
    const sfMean = new Float64Array(4);
    const lsfMean = new Float64Array(4);
    for (let k = 0; k < K; k++) {
      const sa = en.stateActions.subarray(k * T, (k + 1) * T);
      let R = 0;
      for (let t = 0; t < T; t++) R += mdp.discount ** t * en.rewards[k * T + t];
      const logp = (x: Tensor) => tabularLogProbs(x, 2, 2, sa, [1, T]).sum();
      const inner = (x: Tensor) => logp(x).mul(R); // plain: Ĥ = ∇ĝ (SF meta)
      const innerDice = (x: Tensor) => magicBox(logp(x)).mul(R); // DiCE-type: full Ĥ (LSF)
      const outer = (x: Tensor) => exactReturnBackward(mdp, x);
      const p = en.envProbs[k] * Math.exp(lpAll[k]);
      const thetaPrime = th.add(grad(inner)(th).mul(alpha));
      const value = exactReturnBackward(mdp, thetaPrime).item();
      const gSf = (
        grad(
          metaSurrogate({
            inner,
            outer,
            alpha,
            score: { value, innerLogProbs: (x) => logp(x).reshape([1]) },
          }),
        ) as (x: Tensor) => Tensor
      )(th).data;
      const gLsf = (grad(metaSurrogate({ inner: innerDice, outer, alpha })) as (x: Tensor) => Tensor)(
        th,
      ).data;
      for (let i = 0; i < 4; i++) {
        sfMean[i] += p * gSf[i];
        lsfMean[i] += p * gLsf[i];
      }
    }
    const r1 = results[0];
    console.log(
      `N = 1: |E[SF meta] − ∇V_1| = ${diffNorm(sfMean, r1.gradient).toExponential(2)}, |E[LSF meta] − ∇V_1| = ${diffNorm(lsfMean, r1.gradient).toExponential(2)}`,
    );
    expect(diffNorm(sfMean, r1.gradient)).toBeLessThan(1e-10);
    expect(diffNorm(lsfMean, r1.lsfMean)).toBeLessThan(1e-10);
    expect(diffNorm(lsfMean, r1.gradient)).toBeGreaterThan(1e-2);
  });

  test('LSF bias shrinks like 1/N and ∇V_N approaches the exact-inner-gradient MAML meta-gradient', () => {
    for (const r of results) {
      console.log(
        `N = ${r.n} (${r.tuples} tuples): |LSF bias| = ${norm(r.lsfBias).toFixed(5)} (N·|bias| = ${(r.n * norm(r.lsfBias)).toFixed(5)}), |∇V_N − MAML exact| = ${diffNorm(r.gradient, maml).toFixed(5)}`,
      );
    }
    expect(norm(results[1].lsfBias)).toBeLessThan(norm(results[0].lsfBias));
    expect(norm(results[2].lsfBias)).toBeLessThan(norm(results[1].lsfBias));
    const nb = (k: number) => results[k].n * norm(results[k].lsfBias);
    expect(nb(2) / nb(1)).toBeGreaterThan(0.8);
    expect(nb(2) / nb(1)).toBeLessThan(1.25);
    expect(diffNorm(results[2].gradient, maml)).toBeLessThan(diffNorm(results[0].gradient, maml));
  });

  test('the table marks sf-meta unbiased and lsf-meta biased for the meta-gradient', () => {
    expect(ESTIMATORS.find((e) => e.name === 'sf-meta')!.unbiased.metaGradient).toBe(true);
    expect(ESTIMATORS.find((e) => e.name === 'lsf-meta')!.unbiased.metaGradient).toBe(false);
  });
});

describe('ES', () => {
  const J = (x: Float64Array) => expectedReturn(mdp, x); // plain-number backward induction (fast)
  const exact = exactDerivatives(mdp, theta);

  test('antithetic ES is unbiased on a quadratic and close to ∇J for small σ', () => {
    const q = (x: Float64Array) => -((x[0] - 1) ** 2) - 2 * (x[1] + 0.5) ** 2 + x[0] * x[1];
    const at = Float64Array.from([0.3, 0.1]);
    const g = esGradient(q, at, { sigma: 0.5, pairs: 4000, rng: new Rng(3) });
    const truth = [-2 * (0.3 - 1) + 0.1, -4 * (0.1 + 0.5) + 0.3];
    console.log(
      `ES on a quadratic: ${Array.from(g).map((v) => v.toFixed(3))} vs ${truth.map((v) => v.toFixed(3))}`,
    );
    expect(diffNorm(g, truth)).toBeLessThan(0.1);
    const gJ = esGradient(J, Float64Array.from(theta), { sigma: 0.05, pairs: 4000, rng: new Rng(4) });
    expect(diffNorm(gJ, exact.grad) / norm(exact.grad)).toBeLessThan(0.1);
  });

  test('normalisation options and adaptation operators', () => {
    for (const normalize of ['z', 'rank'] as const) {
      const g = esGradient(J, Float64Array.from(theta), {
        sigma: 0.1,
        pairs: 500,
        rng: new Rng(5),
        normalize,
      });
      const cos = g.reduce((s, v, i) => s + v * exact.grad[i], 0) / (norm(g) * norm(exact.grad));
      expect(cos).toBeGreaterThan(0.9);
    }
    const start = Float64Array.from(theta);
    const climbed = hillClimb(0.3, 20)(J, start, new Rng(6));
    expect(J(climbed)).toBeGreaterThanOrEqual(J(start));
    const stepped = esStep(0.5, 0.05, 200)(J, start, new Rng(7));
    expect(J(stepped)).toBeGreaterThan(J(start));
    const meta = esMaml(J, start, hillClimb(0.3, 5), { sigma: 0.1, pairs: 20, rng: new Rng(8) });
    expect(meta.every(Number.isFinite)).toBe(true);
    // deterministic: same seed, same bits
    expect(
      Array.from(esMaml(J, start, hillClimb(0.3, 5), { sigma: 0.1, pairs: 20, rng: new Rng(8) })),
    ).toEqual(Array.from(meta));
  });
});
