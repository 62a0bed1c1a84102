import fc from 'fast-check';
import { grad, matmul, sum, tanh, tensor } from '../src';
import {
  cpuMatmul,
  getNumThreads,
  type MatmulSpec,
  PARALLEL_MIN_MACS,
  referenceMatmul,
  setNumThreads,
  shutdownThreads,
} from '../src/kernels/matmul';
import { gemmBlocked, type Strided } from '../src/kernels/matmul/cpu/gemm';
import { parallelGemm } from '../src/kernels/matmul/cpu/threads';
import { Rng } from '../src/random';
import { makeSpec, maxRelError, operandLengths, randomArray } from './backend-helpers';

const initialThreads = getNumThreads();
afterEach(() => setNumThreads(initialThreads));
afterAll(() => shutdownThreads());

/** cpuMatmul of seeded operands at `threads` threads. */
function product(spec: MatmulSpec, threads: number, seed = 1): Float64Array {
  const rng = new Rng(seed);
  const len = operandLengths(spec);
  const a = randomArray(rng, len.a);
  const b = randomArray(rng, len.b);
  setNumThreads(threads);
  const out = new Float64Array(spec.batch * spec.m * spec.n).fill(Number.NaN);
  cpuMatmul(a, b, out, spec);
  return out;
}

function sameBits(x: Float64Array, y: Float64Array): boolean {
  return x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
}

const TRANS: [boolean, boolean][] = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
];

describe('threaded CPU matmul: the same bits at any thread count', () => {
  test.each([
    // [m, k, n]: split by rows; by columns (m too small for rows); k > KC (several k-slices)
    [2000, 64, 64],
    [64, 2000, 64],
    [2, 2100, 64],
    [2000, 100, 100],
    [131, 300, 67],
    [9, 700, 97],
    [517, 3, 519],
  ])('%i×%i·%i×n, every transposition, 1–4 threads', (m, k, n) => {
    expect(m * k * n).toBeGreaterThanOrEqual(PARALLEL_MIN_MACS);
    for (const [transA, transB] of TRANS) {
      const spec = makeSpec(1, m, k, n, { transA, transB });
      const one = product(spec, 1);
      const rng = new Rng(1);
      const len = operandLengths(spec);
      const want = new Float64Array(m * n);
      referenceMatmul(randomArray(rng, len.a), randomArray(rng, len.b), want, spec);
      expect(maxRelError(one, want)).toBeLessThan(1e-12);
      for (const t of [2, 3, 4]) expect(sameBits(product(spec, t), one)).toBe(true);
    }
  });

  test('batched with broadcast offsets', () => {
    const spec = makeSpec(4, 300, 80, 90, {
      transB: true,
      aOffsets: Int32Array.from([0, 0, 24000, 24000]),
      bOffsets: Int32Array.from([0, 7200, 0, 7200]),
    });
    expect(sameBits(product(spec, 2), product(spec, 1))).toBe(true);
  });

  test('random shapes around the threshold (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 300 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 2, max: 3 }),
        (m, k, n, transA, transB, t) => {
          const spec = makeSpec(1, m, k, n, { transA, transB });
          return sameBits(product(spec, t, m + k + n), product(spec, 1, m + k + n));
        },
      ),
      { numRuns: 60, seed: 7 },
    );
  });

  test('a large product really is split (parallelGemm takes it) and matches the one-thread kernel', () => {
    const rng = new Rng(3);
    const [m, k, n] = [640, 64, 64];
    const A: Strided = { data: randomArray(rng, m * k) as Float64Array, base: 0, rs: k, cs: 1 };
    const B: Strided = { data: randomArray(rng, k * n) as Float64Array, base: 0, rs: n, cs: 1 };
    const serial = new Float64Array(m * n);
    gemmBlocked(m, n, k, A, B, serial, 0);
    setNumThreads(2);
    const split = new Float64Array(m * n).fill(Number.NaN);
    expect(parallelGemm(m, n, k, A, B, split, 0)).toBe(true);
    expect(sameBits(split, serial)).toBe(true);
    setNumThreads(1);
    expect(parallelGemm(m, n, k, A, B, split, 0)).toBe(false);
  });

  test('small and float32 products stay on the calling thread', () => {
    setNumThreads(2);
    const rng = new Rng(4);
    const A: Strided = { data: randomArray(rng, 16), base: 0, rs: 4, cs: 1 };
    const out = new Float64Array(16);
    expect(parallelGemm(4, 4, 4, A, A, out, 0)).toBe(false);
    const big = randomArray(rng, 640 * 640, Float32Array);
    const F: Strided = { data: big, base: 0, rs: 640, cs: 1 };
    expect(parallelGemm(640, 640, 640, F, F, new Float32Array(640 * 640), 0)).toBe(false);
  });

  test('gradients through a policy-sized network are bit-identical at 1 and 2 threads', () => {
    const rng = new Rng(5);
    const x = tensor(randomArray(rng, 2000 * 64), { shape: [2000, 64] });
    const w0 = tensor(randomArray(rng, 64 * 64), { shape: [64, 64] });
    const f = (w: typeof w0) => sum(tanh(matmul(tanh(matmul(x, w)), w)));
    const at = (t: number) => {
      setNumThreads(t);
      return grad(f)(w0);
    };
    const g1 = at(1);
    const g2 = at(2);
    expect(sameBits(g1.data as Float64Array, g2.data as Float64Array)).toBe(true);
  });
});

describe('setNumThreads', () => {
  test.each([0, -1, 1.5, Number.NaN, 257, '2'])('rejects %p, naming the parameter', (n) => {
    expect(() => setNumThreads(n as number)).toThrow(
      /setNumThreads\(n\) = .*expected an integer from 1 to 256/,
    );
  });

  test('reports what was set', () => {
    setNumThreads(3);
    expect(getNumThreads()).toBe(3);
    setNumThreads(1);
    expect(getNumThreads()).toBe(1);
  });
});
