import { tanh } from '../src/kernels/math';

// The kernels' own tanh must match Math.tanh to a few ulp everywhere, including the branch
// boundary at |x| = 0.625, the saturation at |x| = 22, signed zeros and non-finite inputs.
test('tanh matches Math.tanh within 4 ulp over [-30, 30]', () => {
  let worst = 0;
  for (let k = 0; k <= 600_000; k++) {
    const x = -30 + k * 1e-4;
    const want = Math.tanh(x);
    const err = want === 0 ? Math.abs(tanh(x)) : Math.abs(tanh(x) - want) / Math.abs(want);
    worst = Math.max(worst, err);
  }
  expect(worst).toBeLessThan(4 * Number.EPSILON);
});

test('tanh near the branch boundary and in the tails', () => {
  for (const x of [
    0.625, 0.6249999999999999, 0.6250000000000001, 1e-300, 1e-12, 21.999, 22, 22.001, 700, 1e308,
  ]) {
    for (const s of [x, -x])
      expect(Math.abs(tanh(s) - Math.tanh(s))).toBeLessThanOrEqual(
        4 * Number.EPSILON * Math.abs(Math.tanh(s)),
      );
  }
});

test('tanh keeps signed zeros and passes NaN and infinities through as Math.tanh does', () => {
  expect(Object.is(tanh(0), 0)).toBe(true);
  expect(Object.is(tanh(-0), -0)).toBe(true);
  expect(tanh(Number.NaN)).toBeNaN();
  expect(tanh(Number.POSITIVE_INFINITY)).toBe(1);
  expect(tanh(Number.NEGATIVE_INFINITY)).toBe(-1);
});
