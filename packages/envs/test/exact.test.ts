import { grad, hessian, Rng, reshape, stack, type Tensor, tensor } from '@metagrad/autodiff';
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
  prunedTrajectoryCount,
  randomMdpLogits,
  randomMdpTasks,
  rollout,
  stateValues,
  type TabularMdp,
  TabularMdpEnv,
  TINY_MDP_PATH,
  tabularBatchLogProbs,
  tabularMdpTasks,
  tabularSoftmaxPolicy,
  trajectoryCount,
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

describe('exact enumeration: per-step indices, probabilities and counts', () => {
  test('stateActions = s·A + a, envProbs = exp(envLogProbs), the count is known before enumerating', () => {
    for (const m of [small(3, 2), loadTabularMdp(TINY_MDP_PATH)]) {
      const traj = enumerateTrajectories(m);
      const A = m.actions;
      expect(traj.stateActions.length).toBe(traj.count * traj.horizon);
      for (let k = 0; k < traj.stateActions.length; k++)
        expect(traj.stateActions[k]).toBe(traj.states[k] * A + traj.actions[k]);
      for (let n = 0; n < traj.count; n++)
        expect(traj.envProbs[n]).toBeCloseTo(Math.exp(traj.envLogProbs[n]), 15);
      expect(prunedTrajectoryCount(m)).toBe(traj.count);
      expect(prunedTrajectoryCount(m)).toBeLessThanOrEqual(trajectoryCount(m));
    }
    // the tiny MDP prunes: the cap applies to the pruned count, not to the bound
    const tiny = loadTabularMdp(TINY_MDP_PATH);
    const n = prunedTrajectoryCount(tiny);
    expect(n).toBeLessThan(trajectoryCount(tiny));
    expect(enumerateTrajectories(tiny, n).count).toBe(n);
    expect(() => enumerateTrajectories(tiny, n - 1)).toThrow(/use backward induction/);
  });

  test('stateValues: V_{T−1} = Σ_a π R, initialᵀ V_0 = expectedReturn', () => {
    const m = small(4, 8);
    const x = theta(8, 3, 2).data;
    const v = stateValues(m, x);
    expect(v.length).toBe(4 * 3);
    for (let s = 0; s < 3; s++) {
      const z = Math.exp(x[2 * s]) + Math.exp(x[2 * s + 1]);
      const last =
        (Math.exp(x[2 * s]) * m.rewards[2 * s] + Math.exp(x[2 * s + 1]) * m.rewards[2 * s + 1]) / z;
      expect(v[3 * 3 + s]).toBeCloseTo(last, 14);
    }
    const j = m.initial.reduce((acc, p, s) => acc + p * v[s], 0);
    expect(j).toBe(expectedReturn(m, x));
    // a shorter horizon is the tail of a longer one
    expect(Array.from(stateValues(m, x, 2))).toEqual(Array.from(v.subarray(2 * 3)));
  });
});

describe('exactReturnBackward on flat and batched logits', () => {
  test('[S·A], [M, S, A] and [M, S·A] give the per-policy values and derivatives', () => {
    const m = small(3, 9);
    const xs = [0, 1, 2, 3].map((k) => theta(20 + k, 3, 2));
    const single = xs.map((x) => exactReturnBackward(m, x).item());
    expect(exactReturnBackward(m, reshape(xs[1], [6])).item()).toBe(single[1]);
    const batch = stack(xs, 0); // [4, 3, 2]
    for (const b of [batch, reshape(batch, [4, 6])]) {
      const j = exactReturnBackward(m, b);
      expect(j.shape).toEqual([4]);
      expect(maxAbsDiff(j.data, single)).toBeLessThan(1e-14);
    }
    // the batch's gradient holds each policy's own gradient
    const gb = grad((t: Tensor) => exactReturnBackward(m, t).sum())(batch) as Tensor;
    xs.forEach((x, k) => {
      const g = grad((t: Tensor) => exactReturnBackward(m, t))(x) as Tensor;
      expect(maxAbsDiff(gb.data.subarray(6 * k, 6 * (k + 1)), g.data)).toBeLessThan(1e-14);
    });
    expect(exactReturnBackward(m, batch, 2).shape).toEqual([4]);
  });

  test('other shapes and horizons are refused with the accepted shapes named', () => {
    const m = small(3, 9);
    expect(() => exactReturnBackward(m, tensor(new Float64Array(5)))).toThrow(
      /expected a tensor of shape \[3, 2\], \[6\], \[M, 3, 2\] or \[M, 6\], got \[5\]/,
    );
    expect(() => exactReturnBackward(m, theta(0, 3, 2), 0)).toThrow(/horizon/);
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
