import { grad, hessian, Rng, type Tensor, tensor } from '@metagrad/autodiff';
import {
  banditAsMdp,
  enumerateTrajectories,
  episodeReturns,
  exactReturn,
  exactReturnBackward,
  exactReturnEnumerated,
  expectedReturn,
  infiniteHorizonValue,
  loadTabularMdp,
  optimalReturn,
  randomMdpLogits,
  randomMdpTasks,
  rollout,
  type TabularMdp,
  TabularMdpEnv,
  TINY_MDP_PATH,
  tabularBatchLogProbs,
  tabularMdpTasks,
  tabularSoftmaxPolicy,
  trajectoryDistribution,
  trajectoryList,
} from '@metagrad/envs';

// The gradient tests here also check the engine: a tensor consumed by two ops (e.g. the logits
// in logSoftmax = x − logsumexp(x)) must receive both contributions in the backward pass.

const small = (horizon: number, seed = 0, discount = 0.9): TabularMdp => ({
  ...tabularMdpTasks({ states: 3, actions: 2, horizon, discount }).trainTasks(1, seed)[0],
  // a spread-out start distribution exercises the initial-state term
  initial: Float64Array.of(0.5, 0.3, 0.2),
});

const theta = (seed: number, S: number, A: number): Tensor =>
  tensor(new Rng(seed).fillNormal(new Float64Array(S * A)), { shape: [S, A] });

/** Central differences of a scalar function of a [S, A] tensor: gradient as a flat array. */
function fdGrad(f: (x: Tensor) => number, x: Tensor, h = 1e-5): Float64Array {
  const base = Float64Array.from(x.data);
  const out = new Float64Array(base.length);
  for (let i = 0; i < base.length; i++) {
    const plus = Float64Array.from(base);
    const minus = Float64Array.from(base);
    plus[i] += h;
    minus[i] -= h;
    out[i] =
      (f(tensor(plus, { shape: x.shape.slice() })) - f(tensor(minus, { shape: x.shape.slice() }))) / (2 * h);
  }
  return out;
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('exact enumeration', () => {
  test.each([1, 2, 3, 4])('horizon %i: enumeration and backward induction agree to 1e-12', (T) => {
    const m = small(T, T);
    const x = theta(T, 3, 2);
    const e = exactReturnEnumerated(m, x).item();
    const b = exactReturnBackward(m, x).item();
    expect(Math.abs(e - b)).toBeLessThan(1e-12 * Math.max(1, Math.abs(b)));
    expect(Math.abs(expectedReturn(m, x.data) - b)).toBeLessThan(1e-12 * Math.max(1, Math.abs(b)));
  });

  test('gradients and Hessians agree between the two methods', () => {
    const m = small(3, 7);
    const x = theta(7, 3, 2);
    const ge = grad((t: Tensor) => exactReturnEnumerated(m, t))(x) as Tensor;
    const gb = grad((t: Tensor) => exactReturnBackward(m, t))(x) as Tensor;
    expect(maxAbsDiff(ge.data, gb.data)).toBeLessThan(1e-12);
    const he = hessian((t: Tensor) => exactReturnEnumerated(m, t))(x) as Tensor;
    const hb = hessian((t: Tensor) => exactReturnBackward(m, t))(x) as Tensor;
    expect(he.shape).toEqual([3, 2, 3, 2]);
    expect(maxAbsDiff(he.data, hb.data)).toBeLessThan(1e-11);
  });

  test('probabilities sum to 1; trajectory count and the list view', () => {
    const m = small(3, 1);
    const traj = enumerateTrajectories(m);
    expect(traj.count).toBe(3 * 2 ** 3 * 3 ** 2);
    const d = trajectoryDistribution(traj, theta(1, 3, 2));
    expect(Math.abs(Array.from(d.probs.data).reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-13);
    const list = trajectoryList(m, theta(1, 3, 2));
    expect(list.length).toBe(traj.count);
    const j = list.reduce((acc, t) => acc + t.prob.item() * t.return, 0);
    expect(j).toBeCloseTo(exactReturn(m, theta(1, 3, 2)).item(), 12);
    expect(list[5].logProb.item()).toBeCloseTo(Math.log(list[5].prob.item()), 12);
    expect(list[5].stepLogProbs.shape).toEqual([3]);
  });

  test('zero-probability transitions are pruned; oversize enumeration explains itself', () => {
    const m = loadTabularMdp(TINY_MDP_PATH); // initial [1, 0], P[1][1] = [0, 1]
    const traj = enumerateTrajectories(m);
    expect(traj.count).toBeLessThan(2 ** 3 * 2 ** 2);
    expect(traj.envLogProbs.every(Number.isFinite)).toBe(true);
    expect(() => enumerateTrajectories(tabularMdpTasks().trainTasks(1, 0)[0])).toThrow(
      /use backward induction/,
    );
    // auto falls back to backward induction for the 10×5×10 default
    const big = tabularMdpTasks().trainTasks(1, 0)[0];
    expect(exactReturn(big, theta(0, 10, 5)).item()).toBeCloseTo(
      expectedReturn(big, theta(0, 10, 5).data),
      12,
    );
  });

  test('J matches Monte-Carlo rollouts within a z-bound', () => {
    const m = small(4, 3);
    const x = theta(3, 3, 2);
    const exact = exactReturn(m, x).item();
    const n = 20000;
    const batch = rollout(TabularMdpEnv.forMdp(m), m, tabularSoftmaxPolicy(x.data, 3, 2), {
      episodes: n,
      seed: 8,
    });
    const g = episodeReturns(batch, m.discount);
    const mean = g.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(g.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    expect(Math.abs(mean - exact) / (sd / Math.sqrt(n))).toBeLessThan(4);
  });

  test('∇J matches central finite differences; ∇²J matches differences of ∇J', () => {
    const m = small(3, 5);
    const x = theta(5, 3, 2);
    const J = (t: Tensor) => exactReturnEnumerated(m, t);
    const g = grad(J)(x) as Tensor;
    const fd = fdGrad((t) => J(t).item(), x);
    expect(maxAbsDiff(g.data, fd)).toBeLessThan(1e-8);
    const H = hessian(J)(x) as Tensor;
    const n = x.size;
    for (let i = 0; i < n; i++) {
      const col = fdGrad((t) => (grad(J)(t) as Tensor).data[i], x);
      expect(maxAbsDiff(H.data.slice(i * n, (i + 1) * n), col)).toBeLessThan(1e-7);
    }
    // symmetric
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) expect(H.data[i * n + j]).toBeCloseTo(H.data[j * n + i], 10);
  });

  test('the policy-gradient identity holds exactly: ∇J = Σ_τ p(τ) ∇log p(τ) R(τ)', () => {
    const m = small(2, 2);
    const x = theta(2, 3, 2);
    const traj = enumerateTrajectories(m);
    const direct = grad((t: Tensor) => exactReturnEnumerated(m, t, traj))(x) as Tensor;
    const p = trajectoryDistribution(traj, x).probs.data;
    const sf = new Float64Array(x.size);
    for (let k = 0; k < traj.count; k++) {
      const glp = grad((t: Tensor) => pick(trajectoryDistribution(traj, t).logProbs, k))(x) as Tensor;
      for (let i = 0; i < x.size; i++) sf[i] += p[k] * glp.data[i] * traj.returns[k];
    }
    expect(maxAbsDiff(direct.data, sf)).toBeLessThan(1e-12);
  });

  test('bandit: exact J, optimal return = best arm', () => {
    const task = { kind: 'bernoulli' as const, means: Float64Array.of(0.1, 0.8, 0.4) };
    const m = banditAsMdp(task);
    const x = tensor([[0, Math.log(2), 0]]);
    expect(exactReturn(m, x).item()).toBeCloseTo((0.1 + 1.6 + 0.4) / 4, 14);
    expect(optimalReturn(m).value).toBe(0.8);
  });
});

describe('infinite-horizon value (Loaded-DiCE random MDP)', () => {
  test('linear solve equals a long finite horizon and backward induction', () => {
    const m = randomMdpTasks().trainTasks(1, 4)[0];
    const logits = tensor(randomMdpLogits(new Rng(4)), { shape: [5, 4] });
    const v = infiniteHorizonValue(m, logits).item();
    // γ^1000 · 60/(1 − γ) is far below 1e-9
    const long = exactReturnBackward(m, logits, 1000).item();
    expect(Math.abs(v - long)).toBeLessThan(1e-9 * Math.abs(v));
    expect(v).toBeGreaterThan(0);
    expect(v).toBeLessThanOrEqual(optimalReturn(m, { horizon: 'infinite' }).value + 1e-9);
  });

  test('its gradient matches finite differences', () => {
    const m = randomMdpTasks().trainTasks(1, 2)[0];
    const x = tensor(randomMdpLogits(new Rng(2)), { shape: [5, 4] });
    const g = grad((t: Tensor) => infiniteHorizonValue(m, t))(x) as Tensor;
    const fd = fdGrad((t) => infiniteHorizonValue(m, t).item(), x);
    expect(maxAbsDiff(g.data, fd)).toBeLessThan(1e-6);
    const gl = grad((t: Tensor) => exactReturnBackward(m, t, 800))(x) as Tensor;
    expect(maxAbsDiff(g.data, gl.data)).toBeLessThan(1e-8);
  });

  test('needs γ < 1', () => {
    const m = { ...small(2), discount: 1 };
    expect(() => infiniteHorizonValue(m, theta(0, 3, 2))).toThrow(/discount: expected < 1/);
  });
});

describe('batch log-probs', () => {
  test('tabularBatchLogProbs: log π of the taken actions, 0 on padding', () => {
    const m = small(3, 6);
    const x = theta(6, 3, 2);
    const batch = rollout(TabularMdpEnv.forMdp(m), m, tabularSoftmaxPolicy(x.data, 3, 2), {
      episodes: 4,
      horizon: 5,
      seed: 1,
    });
    const lp = tabularBatchLogProbs(x, batch);
    expect(lp.shape).toEqual([4, 5]);
    const logZ = (s: number) => Math.log(Math.exp(x.data[2 * s]) + Math.exp(x.data[2 * s + 1]));
    for (let k = 0; k < 20; k++) {
      const s = Array.from(batch.observations.slice(3 * k, 3 * k + 3)).indexOf(1);
      const a = batch.actions[k];
      expect(lp.data[k]).toBeCloseTo(x.data[2 * s + a] - logZ(s), 13);
    }
  });
});

function pick(x: Tensor, k: number): Tensor {
  return x
    .mul(
      tensor(
        Float64Array.from({ length: x.size }, (_, i) => (i === k ? 1 : 0)),
        { shape: x.shape.slice() },
      ),
    )
    .sum();
}
