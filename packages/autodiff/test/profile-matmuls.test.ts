import { grad, matmul, profileMatmuls, sum, tensor } from '../src';

describe('profileMatmuls', () => {
  const a = tensor(
    Array.from({ length: 6 }, (_, i) => i + 1),
    { shape: [2, 3] },
  );
  const b = tensor(
    Array.from({ length: 12 }, (_, i) => i - 5),
    { shape: [3, 4] },
  );

  test('counts every product of a call and its FLOPs, and returns the result', () => {
    const { result, profile } = profileMatmuls(() => sum(matmul(a, b)).item());
    expect(result).toBe(sum(matmul(a, b)).item());
    expect(profile.calls).toBe(1);
    expect(profile.flops).toBe(2 * 2 * 3 * 4);
    expect(profile.seconds).toBeGreaterThanOrEqual(0);
    expect(profile.seconds).toBeLessThanOrEqual(profile.totalSeconds);
  });

  test('a gradient of a product runs the forward and one product per input', () => {
    const { profile } = profileMatmuls(() => grad((x: typeof a) => sum(matmul(x, b)))(a));
    // forward a·b, then ∂a = g·bᵀ (b is a constant: no ∂b)
    expect(profile.calls).toBe(2);
    expect(profile.flops).toBe(2 * (2 * 3 * 4) + 2 * (2 * 4 * 3));
  });

  test('calls do not nest, and profiling stops after an error', () => {
    expect(() => profileMatmuls(() => profileMatmuls(() => 0))).toThrow(/already profiling/);
    expect(() =>
      profileMatmuls(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(profileMatmuls(() => matmul(a, b)).profile.calls).toBe(1);
  });
});
