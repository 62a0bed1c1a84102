import { Rng } from '@metagrad/autodiff';
import { conjugateGradient } from '../src';
import { denseSolve, matVec, randomSpd } from './outer-helpers';

test.each([3, 8, 20])('CG solves a random SPD system of size %i like LU', (n) => {
  const A = randomSpd(n, n, 1);
  const b = new Rng(100 + n).fillNormal(new Float64Array(n));
  // exact in n steps in exact arithmetic; rounding may need a few more on ill-conditioned A
  const { x, iterations, residualNorm } = conjugateGradient((v) => matVec(A, v), b, {
    iterations: 4 * n,
    residualTolerance: 1e-22,
  });
  const want = denseSolve(A, b);
  expect(iterations).toBeGreaterThanOrEqual(n);
  for (let i = 0; i < n; i++) expect(x[i]).toBeCloseTo(want[i], 8);
  expect(residualNorm).toBeLessThan(1e-10);
});

test('the reported residual is ‖b − Ax‖ after a truncated run, and shrinks with more iterations', () => {
  const n = 12;
  const A = randomSpd(n, 4, 0.1);
  const b = new Rng(5).fillNormal(new Float64Array(n));
  const norms = [2, 4, 8].map((iterations) => {
    const r = conjugateGradient((v) => matVec(A, v), b, { iterations, residualTolerance: 0 });
    const Ax = matVec(A, r.x);
    const trueResidual = Math.sqrt(b.reduce((s, bi, i) => s + (bi - Ax[i]) ** 2, 0));
    expect(r.residualNorm).toBeCloseTo(trueResidual, 8);
    return r.residualNorm;
  });
  expect(norms[1]).toBeLessThan(norms[0]);
  expect(norms[2]).toBeLessThan(norms[1]);
});

test.each([
  [3, 3],
  [12, 4],
  [20, 50],
])('CG returns A·x (size %i, %i iterations): A applied to x directly, to rounding', (n, iterations) => {
  const A = randomSpd(n, 30 + n, 0.2);
  const b = new Rng(40 + n).fillNormal(new Float64Array(n));
  let products = 0;
  const r = conjugateGradient(
    (v) => {
      products++;
      return matVec(A, v);
    },
    b,
    { iterations, residualTolerance: 1e-28 },
  );
  // no product beyond the iterations' own
  expect(products).toBe(r.iterations);
  const Ax = matVec(A, r.x);
  const scale = Math.max(...Ax.map(Math.abs));
  for (let i = 0; i < n; i++) expect(Math.abs(r.Ax[i] - Ax[i])).toBeLessThan(1e-12 * scale);
  // and it is A·x, not b: a truncated run leaves them apart
  if (r.residualNorm > 1e-3)
    expect(Math.max(...r.Ax.map((v, i) => Math.abs(v - b[i])))).toBeGreaterThan(1e-4);
});

test('CG with no iteration to run (b = 0) returns x = 0 and A·x = 0', () => {
  const r = conjugateGradient((v) => v.map((x) => 3 * x), new Float64Array(4));
  expect(r.iterations).toBe(0);
  expect(Array.from(r.Ax)).toEqual([0, 0, 0, 0]);
});

test('CG stops at the residual tolerance (one step for a multiple of the identity)', () => {
  const b = Float64Array.of(1, -2, 3);
  let products = 0;
  const r = conjugateGradient(
    (v) => {
      products++;
      return v.map((x) => 4 * x);
    },
    b,
    { iterations: 10 },
  );
  expect(r.iterations).toBe(1);
  expect(products).toBe(1);
  expect(Array.from(r.x)).toEqual([0.25, -0.5, 0.75]);
  expect(Array.from(r.Ax)).toEqual([1, -2, 3]);
});

test('CG rejects bad options and an indefinite operator, naming them', () => {
  const b = Float64Array.of(1, 1);
  expect(() => conjugateGradient((v) => v, b, { iterations: 0 })).toThrow(
    /iterations: expected an integer >= 1, got 0/,
  );
  expect(() => conjugateGradient((v) => v, b, { residualTolerance: -1 })).toThrow(/residualTolerance/);
  expect(() => conjugateGradient((v) => v.map((x) => -x), b)).toThrow(/not positive definite.*pᵀAp = -2/);
  expect(() => conjugateGradient((v) => v.map(() => Number.NaN), b)).toThrow(/Av\(v\): expected finite/);
  expect(() => conjugateGradient((v) => v, Float64Array.of(Number.NaN))).toThrow(/b: expected finite/);
});
