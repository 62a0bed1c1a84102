import { Rng } from '@metagrad/autodiff';
import {
  BanditEnv,
  banditAsMdp,
  banditTasks,
  CARTPOLE,
  CARTPOLE_BIAS_GRID_SIZE,
  CartpoleEnv,
  cartpoleBias,
  cartpoleTasks,
  constantPolicy,
  expectedReturn,
  FourCornersEnv,
  fourCornersTasks,
  gaussianToy,
  nearestCorner,
  PointMassEnv,
  pointMassTasks,
  rollout,
  SINUSOID,
  sampleToy,
  sinusoidMetaBatch,
  sinusoidTasks,
  toyLsfMean,
  toyValue,
} from '@metagrad/envs';

describe('bandits', () => {
  test('Bernoulli rewards are 0/1 with mean p_a', () => {
    const task = { kind: 'bernoulli' as const, means: Float64Array.of(0.2, 0.7) };
    const env = new BanditEnv(2);
    const n = 20000;
    const batch = rollout(env, task, constantPolicy([1]), { episodes: n, seed: 2 });
    expect(batch.horizon).toBe(1);
    expect(batch.rewards.every((r) => r === 0 || r === 1)).toBe(true);
    const mean = batch.rewards.reduce((a, b) => a + b, 0) / n;
    expect(Math.abs(mean - 0.7) / Math.sqrt(0.21 / n)).toBeLessThan(4);
  });

  test('Gaussian rewards have mean μ_a and unit variance', () => {
    const task = { kind: 'gaussian' as const, means: Float64Array.of(-1, 3) };
    const n = 20000;
    const batch = rollout(new BanditEnv(2, 'gaussian'), task, constantPolicy([0]), { episodes: n, seed: 3 });
    const mean = batch.rewards.reduce((a, b) => a + b, 0) / n;
    const v = batch.rewards.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1);
    expect(Math.abs(mean + 1) * Math.sqrt(n)).toBeLessThan(4);
    expect(Math.abs(v - 1)).toBeLessThan(0.05);
  });

  test('tasks: p ∼ U[0,1]; as an MDP the exact J is the policy-weighted mean', () => {
    const [task] = banditTasks({ arms: 10 }).trainTasks(1, 7);
    expect(task.means.length).toBe(10);
    expect(task.means.every((p) => p >= 0 && p < 1)).toBe(true);
    const logits = new Float64Array(10);
    const uniform = task.means.reduce((a, b) => a + b, 0) / 10;
    expect(expectedReturn(banditAsMdp(task), logits)).toBeCloseTo(uniform, 14);
  });

  test('zero arms and out-of-range pulls are rejected', () => {
    expect(() => new BanditEnv(0)).toThrow(/arms: expected an integer >= 1, got 0/);
    expect(() => banditTasks({ arms: 0 })).toThrow(/arms/);
    const task = { kind: 'bernoulli' as const, means: Float64Array.of(0.5, 0.5) };
    expect(() => rollout(new BanditEnv(2), task, constantPolicy([5]))).toThrow(
      /expected an integer in \[0, 1\], got 5/,
    );
    expect(() => rollout(new BanditEnv(3), task, constantPolicy([0]))).toThrow(/means\.length/);
  });
});

describe('four corners', () => {
  test('ES-MAML variant: reward −4 + max(0, 4 − ‖p − g‖²), action clip 0.1, position clip 5', () => {
    const env = new FourCornersEnv();
    const b = rollout(env, { corner: 0 }, constantPolicy([1, 1]), { horizon: 3 });
    // positions (0.1,0.1), (0.2,0.2), (0.3,0.3); distance² to (2,2) = 2(2 − x)²
    const expected = [0.1, 0.2, 0.3].map((x) => -4 + Math.max(0, 4 - 2 * (2 - x) ** 2));
    for (const [i, r] of b.rewards.entries()) expect(r).toBeCloseTo(expected[i], 14);
    const far = rollout(env, { corner: 0 }, constantPolicy([1, 0]), { horizon: 60 });
    expect(far.observations[2 * 59]).toBeCloseTo(5, 12); // clipped at +5
    expect(far.observations[2 * 59 + 1]).toBe(0);
    const at = rollout(env, { corner: 0 }, constantPolicy([0.1, 0.1]), { horizon: 20 });
    expect(at.rewards[19]).toBeCloseTo(0, 12); // at the goal: −4 + 4
  });

  test('ProMP variant: start in U[−0.2,0.2]², reward = decrease in distance in the goal quadrant past ‖p‖₁ ≥ 0.5', () => {
    const env = new FourCornersEnv({ variant: 'promp' });
    const b = rollout(env, { corner: 1 }, constantPolicy([-0.2, 0.2]), { horizon: 5, seed: 4 });
    const x0 = b.observations[0];
    const y0 = b.observations[1];
    expect(Math.abs(x0)).toBeLessThanOrEqual(0.2);
    expect(Math.abs(y0)).toBeLessThanOrEqual(0.2);
    for (let t = 0; t < 5; t++) {
      const [px, py] = [x0 - 0.2 * t, y0 + 0.2 * t];
      const [nx, ny] = [px - 0.2, py + 0.2];
      const paid = nearestCorner(nx, ny) === 1 && Math.abs(nx) + Math.abs(ny) >= 0.5;
      const r = paid ? Math.hypot(px + 2, py - 2) - Math.hypot(nx + 2, ny - 2) : 0;
      expect(b.rewards[t]).toBeCloseTo(r, 12);
    }
    expect(b.rewards[4]).toBeGreaterThan(0);
    // moving to the wrong corner earns nothing
    const wrong = rollout(env, { corner: 1 }, constantPolicy([0.2, 0.2]), { horizon: 10, seed: 4 });
    expect(wrong.rewards.every((r) => r === 0)).toBe(true);
  });

  test('tasks pick each of the 4 corners', () => {
    const seen = new Set(
      fourCornersTasks()
        .trainTasks(64, 0)
        .map((t) => t.corner),
    );
    expect([...seen].sort()).toEqual([0, 1, 2, 3]);
  });
});

describe('cartpole with a biased sensor', () => {
  test('constants and bias grid', () => {
    expect(CARTPOLE.forceMag).toBe(10);
    expect(CARTPOLE.tau).toBe(0.02);
    expect(CARTPOLE.xThreshold).toBe(2.4);
    expect(CARTPOLE.thetaThreshold).toBeCloseTo((12 * Math.PI) / 180, 15);
    expect(CARTPOLE_BIAS_GRID_SIZE).toBe(5000);
    expect(cartpoleBias(0)).toBeCloseTo(-Math.PI / 18, 15);
    expect(cartpoleBias(4999)).toBeCloseTo(Math.PI / 18, 15);
    expect(new CartpoleEnv().horizon).toBe(500);
    for (const t of cartpoleTasks().trainTasks(20, 0))
      expect(Math.abs(t.bias)).toBeLessThanOrEqual(Math.PI / 18 + 1e-15);
  });

  test('one Euler step by hand; the bias shows in the observation only', () => {
    const env = new CartpoleEnv();
    const rngs = [new Rng(0)];
    const obs = new Float64Array(4);
    const st = env.reset([{ bias: 0.1 }], rngs, obs);
    const s0 = new Rng(0);
    const init = [0, 1, 2, 3].map(() => s0.uniformRange(-0.05, 0.05));
    expect(Array.from(obs)).toEqual([init[0], init[1], init[2] + 0.1, init[3]]);
    const [x, xd, th, thd] = init;
    const f = 10; // action 25 is clipped to 10
    const temp = (f + 0.05 * thd * thd * Math.sin(th)) / 1.1;
    const thacc =
      (9.8 * Math.sin(th) - Math.cos(th) * temp) / (0.5 * (4 / 3 - (0.1 * Math.cos(th) ** 2) / 1.1));
    const xacc = temp - (0.05 * thacc * Math.cos(th)) / 1.1;
    const reward = new Float64Array(1);
    const done = new Uint8Array(1);
    env.step(st, Float64Array.of(25), obs, reward, done);
    expect(obs[0]).toBeCloseTo(x + 0.02 * xd, 15);
    expect(obs[1]).toBeCloseTo(xd + 0.02 * xacc, 15);
    expect(obs[2]).toBeCloseTo(th + 0.02 * thd + 0.1, 15);
    expect(obs[3]).toBeCloseTo(thd + 0.02 * thacc, 15);
    expect(reward[0]).toBe(1);
    expect(done[0]).toBe(0);
  });

  test('a constant push topples the pole and the episode ends early', () => {
    const b = rollout(new CartpoleEnv(), { bias: 0 }, constantPolicy([10]), { seed: 1 });
    expect(b.lengths[0]).toBeLessThan(100);
    expect(b.rewards.reduce((a, r) => a + r, 0)).toBe(b.lengths[0]);
    expect(b.dones[b.lengths[0] - 1]).toBe(1);
  });
});

describe('sinusoid regression', () => {
  test('constants, ranges and y = A sin(x − φ)', () => {
    expect(SINUSOID.amplitude).toEqual([0.1, 5.0]);
    expect(SINUSOID.metaBatch).toBe(25);
    const tasks = sinusoidTasks().trainTasks(25, 0);
    const batch = sinusoidMetaBatch(tasks, 10, 3);
    tasks.forEach((t, i) => {
      expect(t.amplitude).toBeGreaterThanOrEqual(0.1);
      expect(t.amplitude).toBeLessThan(5);
      expect(t.phase).toBeGreaterThanOrEqual(0);
      expect(t.phase).toBeLessThan(Math.PI);
      const { x, y } = batch[i].support;
      for (let k = 0; k < 10; k++) {
        expect(Math.abs(x[k])).toBeLessThanOrEqual(5);
        expect(y[k]).toBe(t.amplitude * Math.sin(x[k] - t.phase));
      }
    });
    // grouping does not change the data
    expect(sinusoidMetaBatch(tasks.slice(5, 6), 10, 3, [5])[0]).toEqual(batch[5]);
  });
});

describe('Gaussian N-sample toy', () => {
  test('sample mean of f(X̄) matches the closed form', () => {
    const toy = gaussianToy({ n: 4, sigma: 0.5 });
    const m = 20000;
    const xs = sampleToy(toy, 0.3, new Rng(1), m);
    const f = new Float64Array(m);
    for (let r = 0; r < m; r++) {
      let s = 0;
      for (let i = 0; i < 4; i++) s += xs[r * 4 + i];
      f[r] = -((s / 4 - 1) ** 2);
    }
    const mean = f.reduce((a, b) => a + b, 0) / m;
    const sd = Math.sqrt(f.reduce((a, b) => a + (b - mean) ** 2, 0) / (m - 1));
    expect(Math.abs(mean - toyValue(toy, 0.3)) / (sd / Math.sqrt(m))).toBeLessThan(4);
    expect(toyLsfMean(toy, 0.3)).toBeCloseTo(-2 * (0.3 - 1) - (2 * 0.3) / 4, 15);
  });
});

describe('point mass (locomotion-like task structure)', () => {
  test('velocity task: hand-computed two steps', () => {
    const env = new PointMassEnv({ controlCost: 0.05 });
    const b = rollout(env, { kind: 'velocity', target: 0.5 }, constantPolicy([2, 0.5]), { horizon: 2 });
    // a clipped to (1, 0.5): v = (0.1, 0.05), then (0.2, 0.1); ctrl = 0.05·1.25
    expect(b.rewards[0]).toBeCloseTo(-Math.abs(0.1 - 0.5) - 0.0625, 14);
    expect(b.rewards[1]).toBeCloseTo(-Math.abs(0.2 - 0.5) - 0.0625, 14);
    expect(Array.from(b.observations.slice(4, 8)).map((v) => +v.toFixed(12))).toEqual([
      0.01, 0.005, 0.1, 0.05,
    ]);
  });

  test('direction task rewards speed along the direction', () => {
    const env = new PointMassEnv({ kind: 'direction', controlCost: 0 });
    const b = rollout(env, { kind: 'direction', target: -1 }, constantPolicy([-1, 0]), { horizon: 3 });
    expect(Array.from(b.rewards).map((r) => +r.toFixed(12))).toEqual([0.1, 0.2, 0.3]);
    const dirs = new Set(
      pointMassTasks({ kind: 'direction' })
        .trainTasks(20, 0)
        .map((t) => t.target),
    );
    expect([...dirs].sort()).toEqual([-1, 1]);
    for (const t of pointMassTasks().trainTasks(20, 0)) expect(t.target >= 0 && t.target < 2).toBe(true);
  });
});
