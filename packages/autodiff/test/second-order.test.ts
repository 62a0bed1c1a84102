/**
 * The classic second-order traps (most fail in TensorFlow.js), batched-matmul gradients with
 * broadcast batch axes, 4th order, perturbation confusion, stopGradient at every order, and
 * pytrees through every transform with hasAux and argnums.
 *
 * sigmoid, logsumexp, logSoftmax, the shared-subexpression test and the x·y² perturbation
 * test caught the backward DFS ordering bug described in ops.test.ts.
 */
import * as ad from '../src';
import {
  checkGrad,
  grad,
  hessian,
  hvp,
  jacobian,
  jvp,
  Rng,
  scalar,
  stopGradient,
  type Tensor,
  tensor,
  valueAndGrad,
  vjp,
  vjpWithAux,
} from '../src';

const XS = [-1.7, -0.6, 0.2, 0.9, 2.1];
const xs = tensor(XS);

function expectAllClose(actual: Tensor, expected: ArrayLike<number>, tol = 1e-12): void {
  expect(actual.size).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    if (!(Math.abs(actual.data[i] - e) <= tol * Math.max(1, Math.abs(e)))) {
      throw new Error(`element ${i}: got ${actual.data[i]}, expected ${e} (tolerance ${tol})`);
    }
  }
}

/** Elementwise second derivative of an elementwise f, at every point of x at once. */
const second = (f: (x: Tensor) => Tensor) =>
  grad((x: Tensor) => ad.sum(grad((y: Tensor) => ad.sum(f(y)))(x)));

describe('grad-of-grad through the TensorFlow.js traps', () => {
  test('tanh: f″ = −2 tanh (1 − tanh²)', () => {
    expectAllClose(
      second(ad.tanh)(xs),
      XS.map((x) => -2 * Math.tanh(x) * (1 - Math.tanh(x) ** 2)),
    );
  });

  test('exp: f″ = exp', () => {
    expectAllClose(second(ad.exp)(xs), XS.map(Math.exp));
  });

  test('sigmoid: f″ = s(1 − s)(1 − 2s)', () => {
    const s = (x: number) => 1 / (1 + Math.exp(-x));
    expectAllClose(
      second(ad.sigmoid)(xs),
      XS.map((x) => s(x) * (1 - s(x)) * (1 - 2 * s(x))),
    );
  });

  test('a tanh MLP layer: grad-of-grad matches central differences', () => {
    const rng = new Rng(11);
    const W = ad.randomNormal(rng, [3, 2]);
    const f = (x: Tensor) => ad.sum(ad.tanh(ad.matmul(ad.tanh(x), W)));
    expect(checkGrad(grad(f), ad.randomNormal(rng, [4, 3])).ok).toBe(true);
  });

  const p = (x: number[]) => {
    const m = Math.max(...x);
    const e = x.map((v) => Math.exp(v - m));
    const z = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / z);
  };
  const softmaxHessian = (x: number[], scale: number) => {
    const q = p(x);
    return q.flatMap((qi, i) => q.map((qj, j) => scale * ((i === j ? qi : 0) - qi * qj)));
  };

  test('logsumexp: Hessian = diag(p) − p pᵀ', () => {
    const x = [0.3, -1.2, 2.0, 0.5];
    expectAllClose(hessian((t: Tensor) => ad.logsumexp(t))(tensor(x)), softmaxHessian(x, 1));
  });

  test('logSoftmax: Hessian of Σ c·logSoftmax(x) = −(Σc)(diag(p) − p pᵀ)', () => {
    const x = [0.3, -1.2, 2.0, 0.5];
    const c = tensor([0.5, 2, -1, 1.5]);
    const H = hessian((t: Tensor) => ad.sum(ad.mul(c, ad.logSoftmax(t))))(tensor(x));
    expectAllClose(H, softmaxHessian(x, -3));
  });

  test('logSoftmax along axis 0 of a matrix: grad-of-grad vs central differences', () => {
    const c = ad.randomNormal(new Rng(5), [3, 2]);
    const f = (t: Tensor) => ad.sum(ad.mul(c, ad.logSoftmax(t, 0)));
    expect(checkGrad(grad(f), ad.randomNormal(new Rng(6), [3, 2])).ok).toBe(true);
  });

  test('maximum: d²/dx² max(x², 2x) is 2 where x² wins, 0 where 2x wins', () => {
    const f = (x: Tensor) => ad.maximum(ad.square(x), ad.mul(x, 2));
    expectAllClose(
      second(f)(xs),
      XS.map((x) => (x * x > 2 * x ? 2 : 0)),
    );
    // first derivative too: 2x or 2
    expectAllClose(
      grad((x: Tensor) => ad.sum(f(x)))(xs),
      XS.map((x) => (x * x > 2 * x ? 2 * x : 2)),
    );
  });

  test('where: d²/dx² where(x > 0, x³, sin x) is 6x or −sin x', () => {
    const f = (x: Tensor) => ad.where(ad.greater(x, 0), ad.pow(x, 3), ad.sin(x));
    expectAllClose(
      second(f)(xs),
      XS.map((x) => (x > 0 ? 6 * x : -Math.sin(x))),
    );
  });

  // Regression test, the minimal example of the backward ordering bug (see ops.test.ts): a
  // shared subexpression used by a later op lost that op's contribution.
  test('a shared subexpression: d/dx [a + exp(a)], a = 2x, is 2 + 2·exp(2x)', () => {
    const g = grad((x: Tensor) => {
      const a = ad.mul(x, 2);
      return ad.add(a, ad.exp(a));
    })(scalar(0.3));
    expect(g.item()).toBeCloseTo(2 + 2 * Math.exp(0.6), 12);
  });
});

describe('matmul with broadcast batch dimensions', () => {
  const rng = new Rng(3);
  const cases: [number[], number[], number[]][] = [
    [
      [2, 3, 4],
      [4, 5],
      [2, 3, 5],
    ],
    [
      [2, 1, 3, 4],
      [5, 4, 6],
      [2, 5, 3, 6],
    ],
    [
      [4, 5],
      [2, 5, 3],
      [2, 4, 3],
    ],
    [
      [1, 2, 3],
      [2, 3, 2],
      [2, 2, 2],
    ],
    [[3], [2, 3, 4], [2, 4]],
  ];
  test.each(cases)(
    '%j @ %j: gradients have the inputs’ shapes and match central differences',
    (sa, sb, so) => {
      const a = ad.randomNormal(rng, sa);
      const b = ad.randomNormal(rng, sb);
      const c = ad.randomNormal(rng, so);
      const f = (args: Tensor[]) => ad.sum(ad.mul(ad.matmul(args[0], args[1]), c));
      expect(ad.matmul(a, b).shape).toEqual(so);
      const [ga, gb] = grad(f)([a, b]) as Tensor[];
      expect(ga.shape).toEqual(sa);
      expect(gb.shape).toEqual(sb);
      expect(checkGrad(f, [a, b]).ok).toBe(true);
      // second order: the Hessian-vector product of a bilinear form vs differences of the gradient
      expect(checkGrad(grad(f), [a, b], { fullJacobianLimit: 0, directions: 4 }).ok).toBe(true);
    },
  );
});

describe('higher order', () => {
  test('4th derivative of exp(2x)·sin(x) = 25·exp(2x)·sin(x + 4·atan(1/2))', () => {
    const f = (x: Tensor) => ad.mul(ad.exp(ad.mul(x, 2)), ad.sin(x));
    const d4 = grad(grad(grad(grad(f))));
    for (const x of XS) {
      const expected = 25 * Math.exp(2 * x) * Math.sin(x + 4 * Math.atan(0.5));
      expect(Math.abs(d4(scalar(x)).item() - expected)).toBeLessThanOrEqual(
        1e-10 * Math.max(1, Math.abs(expected)),
      );
    }
  });

  test('orders 1..4 of x^5 are 5x⁴, 20x³, 60x², 120x', () => {
    let f: (x: Tensor) => Tensor = (x) => ad.pow(x, 5);
    const expected = [
      (x: number) => 5 * x ** 4,
      (x: number) => 20 * x ** 3,
      (x: number) => 60 * x ** 2,
      (x: number) => 120 * x,
    ];
    for (const e of expected) {
      f = grad(f);
      for (const x of XS) expect(f(scalar(x)).item()).toBeCloseTo(e(x), 9);
    }
  });
});

describe('perturbation confusion', () => {
  test('d/dx [x · d/dy (x + y)] = 1 at several points', () => {
    for (const x0 of XS) {
      const f = (x: Tensor) => ad.mul(x, grad((y: Tensor) => ad.add(x, y))(scalar(x0 + 1)));
      expect(grad(f)(scalar(x0)).item()).toBe(1);
    }
  });

  test('inner variable evaluated at the outer one: d/dx [d/dy (x · y)]|_{y=x} = 1', () => {
    for (const x0 of XS) {
      const f = (x: Tensor) => grad((y: Tensor) => ad.mul(x, y))(x);
      expect(f(scalar(x0)).item()).toBeCloseTo(x0, 14);
      expect(grad(f)(scalar(x0)).item()).toBeCloseTo(1, 14);
    }
  });

  test('d/dx [x · d/dy (x · y²)]|_{y=x} = d/dx 2x³ = 6x²', () => {
    for (const x0 of XS) {
      const f = (x: Tensor) => ad.mul(x, grad((y: Tensor) => ad.mul(x, ad.square(y)))(x));
      expect(grad(f)(scalar(x0)).item()).toBeCloseTo(6 * x0 * x0, 12);
    }
  });

  test('three levels: d/dx [x · d/dy [y · d/dz (x + y + z)]] = 1', () => {
    const f = (x: Tensor) =>
      ad.mul(
        x,
        grad((y: Tensor) => ad.mul(y, grad((z: Tensor) => ad.add(ad.add(x, y), z))(scalar(0.5))))(
          scalar(0.25),
        ),
      );
    expect(grad(f)(scalar(1.5)).item()).toBe(1);
  });
});

describe('stopGradient', () => {
  const box = (x: Tensor) => ad.exp(ad.sub(x, stopGradient(x)));

  test('□(x) = exp(x − stopGradient(x)) is exactly 1 with derivatives 1, 1, 1 (those of the box of x)', () => {
    for (const x0 of XS) {
      const x = scalar(x0);
      expect(box(x).item()).toBe(1);
      expect(grad(box)(x).item()).toBe(1);
      expect(grad(grad(box))(x).item()).toBe(1);
      expect(grad(grad(grad(box)))(x).item()).toBe(1);
    }
  });

  test('□(sin x): derivatives cos x, cos²x − sin x, cos³x − 3 sin x cos x − cos x (DiCE)', () => {
    const f = (x: Tensor) => box(ad.sin(x));
    for (const x0 of XS) {
      const [s, c] = [Math.sin(x0), Math.cos(x0)];
      const x = scalar(x0);
      expect(f(x).item()).toBe(1);
      expect(grad(f)(x).item()).toBeCloseTo(c, 14);
      expect(grad(grad(f))(x).item()).toBeCloseTo(c * c - s, 14);
      expect(grad(grad(grad(f)))(x).item()).toBeCloseTo(c ** 3 - 3 * s * c - c, 13);
    }
  });

  test('stopGradient of the outer variable inside an inner transform is a constant', () => {
    // inner: d/dy [y · sg(x)²] = sg(x)², so the outer derivative is 0
    const f = (x: Tensor) => grad((y: Tensor) => ad.mul(y, ad.square(stopGradient(x))))(scalar(2));
    expect(f(scalar(1.5)).item()).toBe(2.25);
    expect(grad(f)(scalar(1.5)).item()).toBe(0);
    // a gradient that is stopped is a constant for the next order
    const g = (x: Tensor) => ad.mul(stopGradient(grad((y: Tensor) => ad.pow(y, 3))(x)), x);
    expect(grad(g)(scalar(2)).item()).toBe(12);
    expect(grad(grad(g))(scalar(2)).item()).toBe(0);
  });

  test('hvp and jvp see stopGradient too', () => {
    const f = (x: Tensor) => ad.sum(ad.mul(ad.square(x), stopGradient(x)));
    const x = tensor([1, 2, 3]);
    // f = Σ x_i² c_i with c = x constant: H = diag(2c)
    expectAllClose(hvp(f, x, tensor([1, 1, 1])), [2, 4, 6]);
    const [, t] = jvp((y: Tensor) => ad.mul(y, stopGradient(y)), [x], [tensor([1, 0, 1])]);
    expectAllClose(t as Tensor, [1, 0, 3]);
  });
});

describe('pytrees through every transform', () => {
  interface P {
    layers: [{ w: Tensor; b: Tensor }, { w: Tensor }];
    scale: Tensor;
  }
  const params = (): P => ({
    layers: [
      {
        w: tensor([
          [0.5, -1],
          [2, 0.3],
        ]),
        b: tensor([0.1, -0.2]),
      },
      { w: tensor([[1.5], [-0.7]]) },
    ],
    scale: scalar(0.8),
  });
  const x = tensor([
    [1, 2],
    [-0.5, 0.25],
    [0.3, -1.2],
  ]);
  const forward = (p: P, input: Tensor) => {
    const h = ad.tanh(ad.add(ad.matmul(input, p.layers[0].w), p.layers[0].b));
    return ad.mul(ad.matmul(h, p.layers[1].w), p.scale);
  };
  const loss = (p: P, input: Tensor) => ad.mean(ad.square(forward(p, input)));
  const leaves = (t: unknown) => ad.treeLeaves(t);

  test('grad returns the same structure, matching central differences', () => {
    const g = grad(loss)(params(), x) as P;
    expect(g.layers[0].w.shape).toEqual([2, 2]);
    expect(g.layers[0].b.shape).toEqual([2]);
    expect(g.layers[1].w.shape).toEqual([2, 1]);
    expect(g.scale.shape).toEqual([]);
    expect(checkGrad((p: P) => loss(p, x), params()).ok).toBe(true);
  });

  test('valueAndGrad with hasAux: [[value, aux], grad]', () => {
    const f = (p: P, input: Tensor) => {
      const out = forward(p, input);
      return [ad.mean(ad.square(out)), { out, n: input.shape[0] }] as const;
    };
    const [[value, aux], g] = valueAndGrad(f, { hasAux: true })(params(), x);
    expect(value.item()).toBeCloseTo(loss(params(), x).item(), 14);
    expect(aux.out.shape).toEqual([3, 1]);
    expect(aux.n).toBe(3);
    expectAllClose(g.scale, (grad(loss)(params(), x) as P).scale.data);
  });

  test('grad with hasAux returns [grad, aux]', () => {
    const [g, aux] = grad((p: P) => [loss(p, x), 'tag'] as const, { hasAux: true })(params());
    expect(aux).toBe('tag');
    expect(leaves(g).length).toBe(4);
  });

  test('argnums picks arguments; an array gives a tuple', () => {
    const gx = grad(loss, { argnums: 1 })(params(), x) as Tensor;
    expect(gx.shape).toEqual([3, 2]);
    const [gp, gx2] = grad(loss, { argnums: [0, 1] })(params(), x) as [P, Tensor];
    expectAllClose(gx2, gx.data);
    expect(leaves(gp).length).toBe(4);
    expect(checkGrad((input: Tensor) => loss(params(), input), x).ok).toBe(true);
  });

  test('vjp with a pytree output and cotangent; vjpWithAux', () => {
    const f = (p: P) => ({ y: forward(p, x), s: ad.sum(p.layers[0].b) });
    const [out, pullback] = vjp(f, params());
    expect(out.y.shape).toEqual([3, 1]);
    const [g] = pullback({ y: ad.onesLike(out.y), s: scalar(2) }) as [P];
    // Σ y + 2 Σ b, differentiated
    const ref = grad((p: P) => ad.add(ad.sum(forward(p, x)), ad.mul(ad.sum(p.layers[0].b), 2)))(
      params(),
    ) as P;
    for (const [a, b] of leaves(g).map((l, i) => [l, leaves(ref)[i]] as const)) expectAllClose(a, b.data);
    const [, pb2, aux] = vjpWithAux((p: P) => [forward(p, x), 42], params());
    expect(aux).toBe(42);
    expect(leaves(pb2(ad.ones([3, 1]))[0]).length).toBe(4);
  });

  test('jvp with pytree primals and tangents equals the directional derivative', () => {
    const t = ad.mapTree(params(), (l) => ad.onesLike(l));
    const [value, tangent] = jvp((p: P) => loss(p, x), [params()], [t]);
    const g = grad(loss)(params(), x);
    const expected = leaves(g).reduce((s, l) => s + Array.from(l.data).reduce((a, b) => a + b, 0), 0);
    expect(value.item()).toBeCloseTo(loss(params(), x).item(), 14);
    expect((tangent as Tensor).item()).toBeCloseTo(expected, 12);
  });

  test('hvp, hessian and jacobian over pytrees agree', () => {
    const small = { a: tensor([0.4, -0.3]), b: scalar(1.2) };
    type S = typeof small;
    const f = (p: S) => ad.mul(ad.sum(ad.exp(ad.mul(p.a, p.b))), p.b);
    const H = hessian(f)(small) as { a: S; b: S };
    expect(H.a.a.shape).toEqual([2, 2]);
    expect(H.a.b.shape).toEqual([2]);
    expect(H.b.a.shape).toEqual([2]);
    expect(H.b.b.shape).toEqual([]);
    const v = { a: tensor([1, -2]), b: scalar(0.5) };
    const Hv = hvp(f, small, v) as S;
    const col = (k: 0 | 1) => H.a.a.data[k * 2] * 1 + H.a.a.data[k * 2 + 1] * -2 + H.a.b.data[k] * 0.5;
    expect(Hv.a.data[0]).toBeCloseTo(col(0), 12);
    expect(Hv.a.data[1]).toBeCloseTo(col(1), 12);
    expect(Hv.b.item()).toBeCloseTo(H.b.a.data[0] - 2 * H.b.a.data[1] + 0.5 * H.b.b.item(), 12);
    const J = jacobian((p: S) => ({ u: ad.mul(p.a, p.b), v: ad.sum(p.a) }))(small) as { u: S; v: S };
    expect(J.u.a.shape).toEqual([2, 2]);
    expectAllClose(J.u.a, [1.2, 0, 0, 1.2]);
    expectAllClose(J.u.b, [0.4, -0.3]);
    expectAllClose(J.v.a, [1, 1]);
    expect(J.v.b.item()).toBe(0);
  });

  test('hessian with argnums', () => {
    const f = (a: Tensor, b: Tensor) => ad.sum(ad.mul(ad.square(a), b));
    const H = hessian(f, { argnums: 1 })(tensor([1, 2]), tensor([3, 4])) as Tensor;
    expectAllClose(H, [0, 0, 0, 0]);
    const Ha = hessian(f)(tensor([1, 2]), tensor([3, 4])) as Tensor;
    expectAllClose(Ha, [6, 0, 0, 8]);
  });
});
