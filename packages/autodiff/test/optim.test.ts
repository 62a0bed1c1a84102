/**
 * The optimisers: Adam's flat form reproduces the estimators' original flat Adam bit for bit
 * (a verbatim copy of its loop below), the pytree form matches the flat form, the first steps
 * match hand-computed values, both optimisers minimise a quadratic, and bad options are named.
 */

import * as ad from '../src';
import { Adam, grad, Rng, Sgd, type Tensor, tensor } from '../src';

/** The update loop of packages/estimators/src/adam.ts, copied verbatim as the reference. */
class ReferenceAdam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private steps = 0;
  constructor(
    size: number,
    readonly lr = 1e-2,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly eps = 1e-8,
  ) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }
  step(params: Float64Array, g: ArrayLike<number>): void {
    this.steps++;
    const c1 = 1 - this.beta1 ** this.steps;
    const c2 = 1 - this.beta2 ** this.steps;
    for (let i = 0; i < params.length; i++) {
      this.m[i] = this.beta1 * this.m[i] + (1 - this.beta1) * g[i];
      this.v[i] = this.beta2 * this.v[i] + (1 - this.beta2) * g[i] * g[i];
      params[i] -= (this.lr * (this.m[i] / c1)) / (Math.sqrt(this.v[i] / c2) + this.eps);
    }
  }
}

const bytes = (a: Float64Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('Adam', () => {
  test('the flat form is bit-identical to the original flat Adam over 300 steps', () => {
    const rng = new Rng(11);
    const n = 57;
    const ours = rng.fillNormal(new Float64Array(n));
    const theirs = ours.slice();
    const a = new Adam(n, { lr: 0.03 });
    const b = new ReferenceAdam(n, 0.03);
    for (let s = 0; s < 300; s++) {
      // gradients of mixed scales, some exactly zero
      const g = rng
        .fillNormal(new Float64Array(n))
        .map((x, i) => (i % 7 === 0 ? 0 : x * 10 ** ((i % 5) - 2)));
      a.stepInPlace(ours, g);
      b.step(theirs, g);
    }
    expect(bytes(ours).equals(bytes(theirs))).toBe(true);
    expect(a.stepCount).toBe(300);
  });

  test('the default options are the original defaults', () => {
    const rng = new Rng(12);
    const ours = rng.fillNormal(new Float64Array(5));
    const theirs = ours.slice();
    const a = new Adam(5);
    const b = new ReferenceAdam(5);
    for (let s = 0; s < 20; s++) {
      const g = rng.fillNormal(new Float64Array(5));
      a.stepInPlace(ours, g);
      b.step(theirs, g);
    }
    expect(bytes(ours).equals(bytes(theirs))).toBe(true);
  });

  test('the pytree form takes exactly the flat steps (leaves in flattenTree order)', () => {
    const rng = new Rng(13);
    let tree: { w: Tensor; layers: Tensor[] } = {
      w: tensor(rng.fillNormal(new Float64Array(6)), { shape: [2, 3] }),
      layers: [tensor(rng.fillNormal(new Float64Array(4))), tensor(rng.fillNormal(new Float64Array(1)))],
    };
    const flat = Float64Array.from([...tree.w.data, ...tree.layers[0].data, ...tree.layers[1].data]);
    const a = new Adam(tree, { lr: 0.1, beta1: 0.8 });
    const b = new Adam(flat.length, { lr: 0.1, beta1: 0.8 });
    for (let s = 0; s < 10; s++) {
      const g = rng.fillNormal(new Float64Array(11));
      const gTree = {
        w: tensor(g.slice(0, 6), { shape: [2, 3] }),
        layers: [tensor(g.slice(6, 10)), tensor(g.slice(10))],
      };
      const before = tree.w.data.slice();
      tree = a.step(tree, gTree);
      b.stepInPlace(flat, g);
      expect(gTree.w.shape).toEqual([2, 3]);
      if (s === 0) expect(before[0]).not.toBe(tree.w.data[0]); // moved, into new storage
    }
    const got = Float64Array.from([...tree.w.data, ...tree.layers[0].data, ...tree.layers[1].data]);
    expect(bytes(got).equals(bytes(flat))).toBe(true);
    expect(tree.w.shape).toEqual([2, 3]);
  });

  test('step is pure: the old parameters are left as they were', () => {
    const p = tensor([1, 2]);
    const next = new Adam(p, { lr: 0.5 }).step(p, tensor([1, 1]));
    expect(Array.from(p.data)).toEqual([1, 2]);
    expect(next.data[0]).toBeCloseTo(0.5, 6);
  });

  test('the first two steps match the update written out by hand', () => {
    const p = Float64Array.from([1, -2]);
    const opt = new Adam(2, { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    opt.stepInPlace(p, [0.5, -4]);
    // step 1: m̂ = g, v̂ = g², so p − lr·g/(|g| + ε)
    expect(p[0]).toBeCloseTo(1 - (0.1 * 0.5) / (0.5 + 1e-8), 15);
    expect(p[1]).toBeCloseTo(-2 + (0.1 * 4) / (4 + 1e-8), 15);
    const p1 = p.slice();
    opt.stepInPlace(p, [1, 0]);
    // step 2: m = 0.9·0.1·g₁ + 0.1·g₂, v = 0.999·0.001·g₁² + 0.001·g₂², corrections 1 − 0.9², 1 − 0.999²
    const m = [0.9 * 0.05 + 0.1 * 1, 0.9 * -0.4 + 0];
    const v = [0.999 * 0.001 * 0.25 + 0.001 * 1, 0.999 * 0.001 * 16];
    for (let i = 0; i < 2; i++) {
      const expected = p1[i] - (0.1 * (m[i] / (1 - 0.81))) / (Math.sqrt(v[i] / (1 - 0.999 ** 2)) + 1e-8);
      expect(p[i]).toBeCloseTo(expected, 14);
    }
  });

  test('minimises a quadratic with its gradient from the engine', () => {
    const c = tensor([3, -1, 0.5]);
    const w = tensor([1, 4, 0.25]);
    const f = (x: Tensor) => ad.sum(ad.mul(w, ad.square(ad.sub(x, c))));
    const df = grad(f);
    let x = tensor([0, 0, 0]);
    const opt = new Adam(x, { lr: 0.05 });
    for (let s = 0; s < 2000; s++) x = opt.step(x, df(x));
    for (let i = 0; i < 3; i++) expect(x.data[i]).toBeCloseTo(c.data[i], 4);
    expect(f(x).item()).toBeLessThan(1e-8);
  });
});

describe('Sgd', () => {
  test('plain steps are p − lr·g', () => {
    const p = Float64Array.from([1, -2]);
    const opt = new Sgd(2, { lr: 0.1 });
    opt.stepInPlace(p, [0.5, -4]);
    expect(Array.from(p)).toEqual([1 - 0.1 * 0.5, -2 + 0.1 * 4]);
  });

  test('momentum accumulates the gradients: b = μb + g', () => {
    const p = Float64Array.from([1]);
    const opt = new Sgd(1, { lr: 0.1, momentum: 0.9 });
    opt.stepInPlace(p, [2]);
    expect(p[0]).toBeCloseTo(1 - 0.1 * 2, 15);
    opt.stepInPlace(p, [-1]);
    expect(p[0]).toBeCloseTo(1 - 0.1 * 2 - 0.1 * (0.9 * 2 - 1), 15);
  });

  test.each([0, 0.9])('minimises a quadratic over a pytree (momentum %p)', (momentum) => {
    const f = (t: { a: Tensor; b: Tensor }) =>
      ad.add(ad.sum(ad.square(ad.sub(t.a, 2))), ad.mul(ad.square(ad.add(t.b, 1)), 3));
    const df = grad(f);
    let t = { a: tensor([0, 5]), b: tensor(0) };
    const opt = new Sgd(t, { lr: 0.05, momentum });
    for (let s = 0; s < 500; s++) t = opt.step(t, df(t));
    expect(Array.from(t.a.data).map((v) => +v.toFixed(6))).toEqual([2, 2]);
    expect(t.b.item()).toBeCloseTo(-1, 6);
  });
});

describe('errors name the option and the value', () => {
  test.each([
    ['Adam lr', () => new Adam(2, { lr: 0 }), /Adam: lr = 0, expected a number > 0/],
    ['Adam beta1', () => new Adam(2, { beta1: 1 }), /Adam: beta1 = 1, expected a number in \[0, 1\)/],
    ['Adam beta2', () => new Adam(2, { beta2: -0.1 }), /Adam: beta2 = -0.1/],
    ['Adam eps', () => new Adam(2, { eps: Number.NaN }), /Adam: eps = NaN/],
    ['Sgd lr', () => new Sgd(2, { lr: -1 }), /Sgd: lr = -1, expected a number > 0/],
    [
      'Sgd momentum',
      () => new Sgd(2, { momentum: 1.5 }),
      /Sgd: momentum = 1.5, expected a number in \[0, 1\)/,
    ],
    ['size', () => new Sgd(2.5), /Sgd: size = 2.5, expected a whole number/],
    [
      'flat length',
      () => new Adam(3).stepInPlace(new Float64Array(2), [1, 2]),
      /Adam.stepInPlace: 2 parameter elements, the optimiser was built for 3/,
    ],
    [
      'flat grads',
      () => new Adam(2).stepInPlace(new Float64Array(2), [1]),
      /Adam.stepInPlace: 2 params but 1 grads/,
    ],
    [
      'tree leaves',
      () => new Adam([tensor([1]), tensor([2])]).step([tensor([1]), tensor([2])], [tensor([1])]),
      /Adam.step: grads have 1 leaves, params 2/,
    ],
    [
      'tree shapes',
      () => new Sgd(tensor([1, 2])).step(tensor([1, 2]), tensor([1, 2, 3])),
      /Sgd.step: grad \[3\] does not match param \[2\]/,
    ],
  ])('%s', (_label, make, message) => {
    expect(make).toThrow(message);
  });
});
