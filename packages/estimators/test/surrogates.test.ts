import { concat, grad, hessian, mul, sum, type Tensor, tensor, zeros } from '@metagrad/autodiff';
import { dice, loadedDice, lvc, magicBox, mamlBiased, sf, type Trajectories, tmaml } from '../src';

// Log-probs as a differentiable function of a few parameters: lp[b,t] = Σ_j W[b,t,j] x_j (+ x² terms)
const B = 3;
const T = 4;
const P = 3;
const W = tensor(
  Array.from({ length: B * T * P }, (_, i) => Math.sin(1.7 * i + 0.3)),
  { shape: [B, T, P] },
);
const lpOf = (x: Tensor) => {
  const lin = sum(mul(W, x), 2);
  return lin.sub(mul(lin, lin).mul(0.1));
};
const rewards = Float64Array.from({ length: B * T }, (_, i) => Math.cos(0.9 * i) + 0.5);
const values = Float64Array.from({ length: B * T }, (_, i) => 0.3 * Math.sin(i));
const x0 = tensor([0.2, -0.1, 0.4]);
const H = (f: (x: Tensor) => Tensor) => hessian(f)(x0).data;
const G = (f: (x: Tensor) => Tensor) => grad(f)(x0).data;
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

type Build = (t: Trajectories, v: Float64Array) => Tensor;
const builders: [string, Build][] = [
  ['sf', (t, v) => sf(t, { values: v })],
  ['maml', (t, v) => mamlBiased(t, { values: v })],
  ['dice', (t, v) => dice(t, { values: v })],
  ['loadedDice', (t, v) => loadedDice(t, { values: v, lambda: 0.7, gaeTau: 0.9 })],
  ['tmaml', (t, v) => tmaml(t, { values: v })],
  ['tmaml-poster', (t, v) => tmaml(t, { values: v, posterSign: true })],
  ['lvc', (t, v) => lvc(t, { values: v })],
];

test('magicBox has value 1 and the derivatives of exp at x', () => {
  const f = (x: Tensor) => magicBox(x.mul(x).sum());
  expect(f(x0).item()).toBe(1);
  const g = G(f);
  expect(
    maxDiff(
      g,
      x0.data.map((v) => 2 * v),
    ),
  ).toBeLessThan(1e-14);
  const h = H(f);
  const e = Array.from(
    { length: 9 },
    (_, k) => 4 * x0.data[Math.floor(k / 3)] * x0.data[k % 3] + (k % 4 === 0 ? 2 : 0),
  );
  expect(maxDiff(h, e)).toBeLessThan(1e-12);
});

test.each(builders)('%s: padded steps drop out exactly', (_n, build) => {
  const pad = 2;
  const Tp = T + pad;
  const r = new Float64Array(B * Tp).fill(7); // garbage rewards, values and log-probs in the padding
  const v = new Float64Array(B * Tp).fill(-5);
  const m = new Float64Array(B * Tp);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      r[b * Tp + t] = rewards[b * T + t];
      v[b * Tp + t] = values[b * T + t];
      m[b * Tp + t] = 1;
    }
  }
  const fPlain = (x: Tensor) => build({ logProbs: lpOf(x), rewards, discount: 0.9 }, values);
  const fPad = (x: Tensor) =>
    build(
      {
        logProbs: concat([lpOf(x), lpOf(x).slice([0, 0], [B, pad]).mul(3)], 1),
        rewards: r,
        mask: m,
        discount: 0.9,
      },
      v,
    );
  expect(Math.abs(fPad(x0).item() - fPlain(x0).item())).toBeLessThan(1e-13);
  expect(maxDiff(G(fPad), G(fPlain))).toBeLessThan(1e-13);
  expect(maxDiff(H(fPad), H(fPlain))).toBeLessThan(1e-13);
});

test.each(builders)('%s: NaN and −∞ left in the padding drop out too (no silent NaN)', (_n, build) => {
  const pad = 2;
  const Tp = T + pad;
  const r = new Float64Array(B * Tp).fill(Number.NaN);
  const v = new Float64Array(B * Tp).fill(Number.NaN);
  const m = new Float64Array(B * Tp);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      r[b * Tp + t] = rewards[b * T + t];
      v[b * Tp + t] = values[b * T + t];
      m[b * Tp + t] = 1;
    }
  }
  const junk = tensor(
    Array.from({ length: B * pad }, (_, i) => (i % 2 ? Number.NEGATIVE_INFINITY : Number.NaN)),
    { shape: [B, pad] },
  );
  const fPlain = (x: Tensor) => build({ logProbs: lpOf(x), rewards, discount: 0.9 }, values);
  const fPad = (x: Tensor) =>
    build({ logProbs: concat([lpOf(x), junk], 1), rewards: r, mask: m, discount: 0.9 }, v);
  expect(Math.abs(fPad(x0).item() - fPlain(x0).item())).toBeLessThan(1e-13);
  expect(maxDiff(G(fPad), G(fPlain))).toBeLessThan(1e-13);
  expect(maxDiff(H(fPad), H(fPlain))).toBeLessThan(1e-13);
});

test('a mask other than 0/1 and a non-finite reward on a real step are errors naming the entry', () => {
  const lp = lpOf(x0);
  const mask = new Float64Array(B * T).fill(1);
  mask[5] = 0.5;
  expect(() => dice({ logProbs: lp, rewards, mask })).toThrow('mask[1][1]: expected 0 or 1, got 0.5');
  const bad = Float64Array.from(rewards);
  bad[6] = Number.NaN;
  expect(() => sf({ logProbs: lp, rewards: bad })).toThrow(
    'rewards[1][2]: expected a finite number on a real step, got NaN',
  );
});

test('TMAML control-variate term: value 0, gradient 0, whatever c_t', () => {
  const base = (x: Tensor) => dice({ logProbs: lpOf(x), rewards, discount: 0.9 });
  const withCv = (x: Tensor) =>
    tmaml({ logProbs: lpOf(x), rewards, discount: 0.9 }, { controlVariate: values.map((v) => 10 * v) });
  expect(withCv(x0).item()).toBeCloseTo(base(x0).item(), 13);
  expect(maxDiff(G(withCv), G(base))).toBeLessThan(1e-12);
  expect(maxDiff(H(withCv), H(base))).toBeGreaterThan(1e-3); // it does change the Hessian
});

test('Loaded DiCE at λ = 1, τ = 1, no values equals DiCE minus the constant G_0 (all derivatives)', () => {
  const d = (x: Tensor) => dice({ logProbs: lpOf(x), rewards, discount: 0.9 });
  const l = (x: Tensor) => loadedDice({ logProbs: lpOf(x), rewards, discount: 0.9 }, { lambda: 1 });
  let g0 = 0;
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) g0 += 0.9 ** t * rewards[b * T + t];
  expect(l(x0).item()).toBeCloseTo(d(x0).item() - g0 / B, 12);
  expect(maxDiff(G(l), G(d))).toBeLessThan(1e-12);
  expect(maxDiff(H(l), H(d))).toBeLessThan(1e-12);
});

test('zero-length padding: an all-padding batch gives exactly zero', () => {
  const f = (x: Tensor) => dice({ logProbs: lpOf(x), rewards, mask: zeros([B, T]).data, discount: 0.9 });
  expect(f(x0).item()).toBe(0);
  expect(Array.from(G(f))).toEqual([0, 0, 0]);
});
