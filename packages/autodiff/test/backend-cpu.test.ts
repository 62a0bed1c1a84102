import fc from 'fast-check';
import {
  cpuMatmul,
  type FloatArray,
  type MatmulSpec,
  matmulKernel,
  referenceMatmul,
} from '../src/kernels/matmul';
import { isSmallProduct } from '../src/kernels/matmul/cpu/matmul';
import { Rng } from '../src/random';
import { makeSpec, maxRelError, operandLengths, randomArray } from './backend-helpers';

const F64_TOL = 1e-12;

function check(
  spec: MatmulSpec,
  seed = 1,
  ctor: typeof Float64Array | typeof Float32Array = Float64Array,
): number {
  const rng = new Rng(seed);
  const len = operandLengths(spec);
  const a = randomArray(rng, len.a, ctor);
  const b = randomArray(rng, len.b, ctor);
  const want = new Float64Array(spec.batch * spec.m * spec.n);
  referenceMatmul(a, b, want, spec);
  const got: FloatArray = new ctor(want.length).fill(Number.NaN); // output must be fully overwritten
  cpuMatmul(a, b, got, spec);
  return maxRelError(got, ctor === Float64Array ? want : Float32Array.from(want));
}

const TRANS: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

describe('cpuMatmul equals the reference', () => {
  test.each([1, 3, 5, 7, 16, 17, 33, 65, 129])('square %i, every transposition', (s) => {
    for (const [transA, transB] of TRANS)
      expect(check(makeSpec(1, s, s, s, { transA, transB }))).toBeLessThan(F64_TOL);
  });

  test.each([
    [2000, 2, 100],
    [2000, 100, 2],
    [100, 700, 100],
    [700, 100, 100],
    [3, 300, 5],
    [70, 1, 90],
    [1, 600, 1],
    [67, 520, 131],
    [300, 7, 530],
  ])('rectangular %i×%i·%i×n, every transposition', (m, k, n) => {
    for (const [transA, transB] of TRANS)
      expect(check(makeSpec(1, m, k, n, { transA, transB }))).toBeLessThan(F64_TOL);
  });

  test('the policy layer and its backward products: A·B, Aᵀ·B, A·Bᵀ', () => {
    expect(check(makeSpec(1, 2000, 100, 100))).toBeLessThan(F64_TOL);
    expect(check(makeSpec(1, 100, 2000, 100, { transA: true }))).toBeLessThan(F64_TOL);
    expect(check(makeSpec(1, 2000, 100, 100, { transB: true }))).toBeLessThan(F64_TOL);
  });

  test('blocking edges: k past one KC block, n past one NC block, m past MC', () => {
    expect(check(makeSpec(1, 131, 515, 1030))).toBeLessThan(F64_TOL);
    expect(check(makeSpec(1, 130, 260, 9, { transA: true, transB: true }))).toBeLessThan(F64_TOL);
  });

  test('batched, plain layout', () => {
    expect(check(makeSpec(64, 32, 32, 32))).toBeLessThan(F64_TOL);
    expect(check(makeSpec(5, 9, 13, 6, { transB: true }))).toBeLessThan(F64_TOL);
  });

  test('broadcast offsets: one B shared by every batch entry, A entries in irregular order', () => {
    const spec = makeSpec(4, 5, 7, 9, {
      aOffsets: Int32Array.from([3 * 35, 0, 2 * 35, 35]),
      bOffsets: new Int32Array(4),
    });
    expect(check(spec)).toBeLessThan(F64_TOL);
    expect(
      check({
        ...spec,
        transA: true,
        transB: true,
        m: 40,
        k: 40,
        n: 40,
        aOffsets: Int32Array.from([0, 1600, 0, 1600]),
      }),
    ).toBeLessThan(F64_TOL);
  });

  test('float32 arrays in and out (accumulated in float64, rounded once)', () => {
    for (const [transA, transB] of TRANS) {
      expect(check(makeSpec(3, 37, 70, 41, { transA, transB }), 2, Float32Array)).toBeLessThan(1e-6);
    }
  });

  test('k = 0 gives zeros; empty shapes are fine', () => {
    const out = new Float64Array(6).fill(7);
    cpuMatmul(new Float64Array(0), new Float64Array(0), out, makeSpec(1, 2, 0, 3));
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(() =>
      cpuMatmul(new Float64Array(0), new Float64Array(12), new Float64Array(0), makeSpec(1, 0, 4, 3)),
    ).not.toThrow();
  });

  test('both paths are exercised: the small path and the blocked path', () => {
    expect(isSmallProduct(2, 2, 2)).toBe(true);
    expect(isSmallProduct(1, 600, 50)).toBe(true);
    expect(isSmallProduct(2, 2, 100)).toBe(true); // (m, n, k)
    expect(isSmallProduct(2000, 100, 2)).toBe(false);
    expect(isSmallProduct(8, 8, 8)).toBe(false);
  });

  test('random shapes, transpositions and broadcast (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.record({
          batch: fc.integer({ min: 1, max: 3 }),
          m: fc.integer({ min: 1, max: 70 }),
          k: fc.integer({ min: 1, max: 300 }),
          n: fc.integer({ min: 1, max: 70 }),
          transA: fc.boolean(),
          transB: fc.boolean(),
          broadcastB: fc.boolean(),
          seed: fc.integer({ min: 0, max: 1000 }),
        }),
        (r) => {
          const bOffsets = r.broadcastB ? new Int32Array(r.batch) : null;
          const spec = makeSpec(r.batch, r.m, r.k, r.n, { transA: r.transA, transB: r.transB, bOffsets });
          return check(spec, r.seed) < F64_TOL;
        },
      ),
      { numRuns: 60, seed: 42 },
    );
  });

  test('matmulKernel on the default backend is the CPU kernel', () => {
    expect(check(makeSpec(2, 17, 9, 33))).toBeLessThan(F64_TOL);
    const a = Float64Array.from([1, 2, 3, 4]);
    const out = new Float64Array(4);
    matmulKernel(a, a, out, makeSpec(1, 2, 2, 2));
    expect(Array.from(out)).toEqual([7, 10, 15, 22]);
  });
});

describe('bad specs are rejected with the parameter, the value and what was expected', () => {
  const a = new Float64Array(6);
  const b = new Float64Array(12);
  const out = new Float64Array(8);
  test.each<[string, () => void, RegExp]>([
    [
      'a.length',
      () => cpuMatmul(new Float64Array(5), b, out, makeSpec(1, 2, 3, 4)),
      /a\.length = 5, expected .*6/,
    ],
    ['b.length', () => cpuMatmul(a, new Float64Array(11), out, makeSpec(1, 2, 3, 4)), /b\.length = 11/],
    [
      'out.length',
      () => cpuMatmul(a, b, new Float64Array(9), makeSpec(1, 2, 3, 4)),
      /out\.length = 9, expected .*8/,
    ],
    [
      'm',
      () => cpuMatmul(a, b, out, makeSpec(1, 2.5, 3, 4)),
      /spec\.m = 2\.5, expected a non-negative integer/,
    ],
    [
      'bOffsets',
      () => cpuMatmul(a, b, out, makeSpec(1, 2, 3, 4, { bOffsets: Int32Array.from([1]) })),
      /spec\.bOffsets\[0\] = 1/,
    ],
    [
      'aOffsets.length',
      () => cpuMatmul(a, b, out, makeSpec(1, 2, 3, 4, { aOffsets: new Int32Array(2) })),
      /spec\.aOffsets\.length = 2, expected spec\.batch = 1/,
    ],
  ])('%s', (_name, run, message) => {
    expect(run).toThrow(message);
  });
});
