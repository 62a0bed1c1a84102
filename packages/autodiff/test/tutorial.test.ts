/**
 * The executable twin of docs/tutorial.md: the same code, step by step, each result checked
 * against its closed form. Keep the two in sync by hand (this file reads nothing from the doc).
 */
import {
  grad,
  hessian,
  hvp,
  logSoftmax,
  matmul,
  mul,
  softmax,
  sub,
  sum,
  type Tensor,
  tensor,
  valueAndGrad,
} from '../src';

const close = (a: Tensor, expected: number[], tol = 1e-12) => {
  expect(a.size).toBe(expected.length);
  expected.forEach((e, i) => {
    expect(Math.abs(a.data[i] - e)).toBeLessThanOrEqual(tol);
  });
};

// ## 1. A function, its value and its gradient
// f(x) = ½ xᵀAx − bᵀx with a symmetric A: ∇f = Ax − b, ∇²f = A.
const A = tensor([
  [2, 1],
  [1, 3],
]);
const b = tensor([1, -1]);
const f = (x: Tensor) => sub(mul(sum(mul(x, matmul(A, x))), 0.5), sum(mul(b, x)));
const x = tensor([0.5, 2]);

test('1. value and gradient', () => {
  const [value, g] = valueAndGrad(f)(x);
  // ½ (0.5·3 + 2·6.5) − (0.5 − 2) = 7.25 + 1.5
  expect(value.item()).toBeCloseTo(8.75, 14);
  close(g, [2 * 0.5 + 2 - 1, 0.5 + 6 + 1]); // Ax − b = [3, 6.5] − [1, −1]
});

// ## 2. The Hessian and a Hessian-vector product
test('2. Hessian and HVP', () => {
  close(hessian(f)(x), [2, 1, 1, 3]); // A
  close(hvp(f, x, tensor([1, -1])), [1, -2]); // A·v without forming A
  // gradients are differentiable: grad of a gradient component is a Hessian row
  close(grad((y: Tensor) => sum(mul(grad(f)(y), tensor([1, 0]))))(x), [2, 1]);
});

// ## 3. Softmax cross-entropy: ∇ = softmax(w) − onehot(k), ∇² = diag(p) − ppᵀ
test('3. softmax cross-entropy', () => {
  const w = tensor([0.2, -1, 1.3]);
  const loss = (v: Tensor) => mul(sum(mul(logSoftmax(v), tensor([0, 0, 1]))), -1);
  const p = Array.from(softmax(w).data);
  close(grad(loss)(w), [p[0], p[1], p[2] - 1]);
  close(
    hessian(loss)(w),
    p.flatMap((pi, i) => p.map((pj, j) => (i === j ? pi : 0) - pi * pj)),
  );
});

// ## 4. A MAML meta-gradient, one inner step
// inner: θ' = θ − α ∇L_train(θ), L_train(θ) = ½ (θ − c)ᵀ A (θ − c)
// outer: L_test(θ') = ½ |θ' − d|²; meta-gradient = (I − αA)ᵀ (θ' − d), exactly second order.
test('4. MAML meta-gradient', () => {
  const alpha = 0.1;
  const c = tensor([1, 0]);
  const d = tensor([0, 1]);
  const trainLoss = (t: Tensor) => {
    const r = sub(t, c);
    return mul(sum(mul(r, matmul(A, r))), 0.5);
  };
  const testLoss = (t: Tensor) => mul(sum(mul(sub(t, d), sub(t, d))), 0.5);
  const adapt = (theta: Tensor) => sub(theta, mul(grad(trainLoss)(theta), alpha));
  const metaObjective = (theta: Tensor) => testLoss(adapt(theta));

  const theta = tensor([0.3, -0.4]);
  const metaGrad = grad(metaObjective)(theta);

  // closed form: θ' = θ − αA(θ − c), then (I − αA)(θ' − d)
  const th = [0.3, -0.4];
  const Ar = [2 * (th[0] - 1) + 1 * th[1], 1 * (th[0] - 1) + 3 * th[1]];
  const adapted = [th[0] - alpha * Ar[0], th[1] - alpha * Ar[1]];
  const r = [adapted[0] - 0, adapted[1] - 1];
  const expected = [(1 - 2 * alpha) * r[0] - alpha * r[1], -alpha * r[0] + (1 - 3 * alpha) * r[1]];
  close(metaGrad, expected);

  // the first-order approximation (drop the Hessian term) differs: MAML is second order
  const firstOrder = grad(testLoss)(adapt(theta));
  expect(Math.abs(firstOrder.data[0] - expected[0])).toBeGreaterThan(1e-3);
});
