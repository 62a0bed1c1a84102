import { Rng } from '@metagrad/autodiff';
import type { Batch } from '@metagrad/envs';
import { LinearBaseline } from '../src';

const T = 6;
const D = 2;

/** A batch of B episodes over observations `obs` [B, T, D]; episode b has lengths[b] real steps. */
function batchOf(obs: Float64Array, rewards: Float64Array, lengths: number[], discount = 0.9): Batch {
  const B = lengths.length;
  const mask = new Float64Array(B * T);
  for (let b = 0; b < B; b++) mask.fill(1, b * T, b * T + lengths[b]);
  return {
    size: B,
    horizon: T,
    obsDim: D,
    actDim: 1,
    observations: obs.map((x, i) => x * mask[Math.floor(i / D)]),
    actions: new Float64Array(B * T),
    rewards: rewards.map((r, i) => r * mask[i]),
    mask,
    dones: new Uint8Array(B * T),
    lengths: Int32Array.from(lengths),
    taskIndex: new Int32Array(B).fill(7),
    episodeIndex: Int32Array.from(lengths.keys()),
    discount,
  };
}

/**
 * Episodes whose discounted return from t is exactly w · features(o_t, t): rewards
 * r_t = G_t − γ G_{t+1} with G the target, so a linear fit can recover it.
 */
function linearReturnsBatch(rng: Rng, B: number, w: number[], discount: number): Batch {
  const obs = rng.fillNormal(new Float64Array(B * T * D));
  const G = new Float64Array(B * T);
  for (let i = 0; i < B * T; i++)
    G[i] = LinearBaseline.features(obs, i * D, D, i % T, T).reduce((s, f, p) => s + f * w[p], 0);
  const rewards = G.map((g, i) => g - (i % T < T - 1 ? discount * G[i + 1] : 0));
  return batchOf(obs, rewards, new Array(B).fill(T), discount);
}

const mse = (a: ArrayLike<number>, b: ArrayLike<number>, mask: ArrayLike<number>) => {
  let s = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++)
    if (mask[i]) {
      s += (a[i] - b[i]) ** 2;
      n++;
    }
  return s / n;
};

test('on returns linear in the features, the fit predicts held-out returns far better than 0', () => {
  const w = [0.7, -1.2, 0.3, 0.5, 2, -1, 0.4, 1.5];
  const train = linearReturnsBatch(new Rng(1), 30, w, 0.9);
  const heldOut = linearReturnsBatch(new Rng(2), 30, w, 0.9);
  const target = new Float64Array(heldOut.size * T);
  for (let i = 0; i < target.length; i++)
    target[i] = LinearBaseline.features(heldOut.observations, i * D, D, i % T, T).reduce(
      (s, f, p) => s + f * w[p],
      0,
    );
  const pred = LinearBaseline.fit(train).predict(heldOut);
  const fitError = mse(pred, target, heldOut.mask);
  const zeroError = mse(new Float64Array(target.length), target, heldOut.mask);
  expect(fitError).toBeLessThan(1e-6 * zeroError);
});

test('all-zero observations and mostly padded episodes fit without NaN', () => {
  const rng = new Rng(3);
  const zeros = batchOf(
    new Float64Array(8 * T * D),
    rng.fillNormal(new Float64Array(8 * T)),
    new Array(8).fill(T),
  );
  const z = LinearBaseline.fit(zeros).predict(zeros);
  expect(z.every(Number.isFinite)).toBe(true);
  // the o and o² weights are unidentified; the time features still fit the mean return per step
  expect(new Set(Array.from(z.subarray(0, T))).size).toBeGreaterThan(1);

  const lengths = [T, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0];
  const padded = batchOf(
    rng.fillNormal(new Float64Array(lengths.length * T * D)),
    rng.fillNormal(new Float64Array(lengths.length * T)),
    lengths,
  );
  const p = LinearBaseline.fit(padded).predict(padded);
  expect(p.every(Number.isFinite)).toBe(true);
  for (let i = 0; i < p.length; i++) if (!padded.mask[i]) expect(p[i]).toBe(0);

  const empty = batchOf(new Float64Array(3 * T * D), new Float64Array(3 * T), [0, 0, 0]);
  expect(LinearBaseline.fit(empty).predict(padded).every(Number.isFinite)).toBe(true);
});

test('a singular system escalates the ridge; features that stay non-finite are a clear error', () => {
  // o = 1e160: o² = 1e320 overflows, so every solve is non-finite whatever the ridge
  const obs = new Float64Array(2 * T * D).fill(1e160);
  const bad = batchOf(obs, new Float64Array(2 * T).fill(1), [T, T]);
  expect(() => LinearBaseline.fit(bad)).toThrow(
    'LinearBaseline.fit: batch of 2 episodes × 6 steps (tasks 7): expected solvable normal equations, got a singular or non-finite solution for every ridge from 0.00001 to 0.1',
  );
  // a constant observation o = 300 makes the o, o² and 1 columns collinear with o² terms of
  // ~1e10, so ridges 1e-5 and 1e-4 are lost to rounding: the fit escalates to 1e-3 and gives
  // exactly the fit asked for with ridge 1e-3; with o = 1 the ridge of 1e-5 suffices
  const constant = (c: number) =>
    batchOf(new Float64Array(4 * T * D).fill(c), new Float64Array(4 * T).fill(1), [T, T, T, T]);
  const fitted = (b: Batch, ridge?: number) => Array.from(LinearBaseline.fit(b, { ridge }).predict(b));
  const big = constant(300);
  expect(fitted(big).every(Number.isFinite)).toBe(true);
  expect(fitted(big)).toEqual(fitted(big, 1e-3));
  expect(fitted(big, 1e-3)).not.toEqual(fitted(big, 1e-2));
  const small = constant(1);
  expect(fitted(small)).not.toEqual(fitted(small, 1e-4));
});

test('bad options are errors naming the option and the value', () => {
  const b = batchOf(new Float64Array(T * D), new Float64Array(T), [T]);
  expect(() => LinearBaseline.fit(b, { ridge: 0 })).toThrow(
    'LinearBaseline.fit: ridge: expected a finite number > 0, got 0',
  );
  expect(() => LinearBaseline.fit(b, { ridge: Number.NaN })).toThrow(
    'ridge: expected a finite number > 0, got NaN',
  );
  expect(() => LinearBaseline.fit(b, { discount: 2 })).toThrow(
    'LinearBaseline.fit: discount: expected a number in [0, 1], got 2',
  );
});
