/**
 * Property-based tests (fast-check, fixed seed): broadcasting binary ops over random compatible
 * shapes against index loops, their gradients summed back to the input shapes, and reductions
 * over random shapes, axes and keepDims against reference loops.
 */
import fc from 'fast-check';
import * as ad from '../src';
import { grad, Rng, type Tensor, tensor } from '../src';
import { type Arr, broadcastShape, lseOf, mapN, reduceRef, sizeOfShape, sumOf, sumToRef } from './reference';

const RUNS = { seed: 42, numRuns: 100 };

/** A full shape and two shapes that broadcast to it (dims dropped from the front or set to 1). */
const broadcastPair = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 })
  .chain((full) =>
    fc.record({
      full: fc.constant(full),
      dropA: fc.integer({ min: 0, max: full.length }),
      dropB: fc.integer({ min: 0, max: full.length }),
      onesA: fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }),
      onesB: fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }),
      seed: fc.integer({ min: 0, max: 1_000_000 }),
    }),
  )
  .map(({ full, dropA, dropB, onesA, onesB, seed }) => ({
    a: full.map((d, i) => (onesA[i] ? 1 : d)).slice(dropA),
    b: full.map((d, i) => (onesB[i] ? 1 : d)).slice(dropB),
    seed,
  }));

function randomTensor(shape: number[], rng: Rng): Tensor {
  return tensor(rng.fillUniform(new Float64Array(sizeOfShape(shape)), -2, 2), { shape });
}

const toArr = (t: Tensor): Arr => ({ shape: t.shape.slice(), data: Array.from(t.data) });

function expectArr(t: Tensor, ref: Arr, tol = 1e-12): void {
  expect(t.shape).toEqual(ref.shape);
  for (let i = 0; i < ref.data.length; i++) {
    if (!(Math.abs(t.data[i] - ref.data[i]) <= tol * (1 + Math.abs(ref.data[i])))) {
      throw new Error(`element ${i}: ${t.data[i]} vs reference ${ref.data[i]}`);
    }
  }
}

const BINARY: [string, (a: Tensor, b: Tensor) => Tensor, (x: number, y: number) => number][] = [
  ['add', ad.add, (x, y) => x + y],
  ['sub', ad.sub, (x, y) => x - y],
  ['mul', ad.mul, (x, y) => x * y],
  ['maximum', ad.maximum, Math.max],
];

describe('broadcasting', () => {
  test.each(BINARY)('%s over random compatible shapes equals an index loop', (_name, op, f) => {
    fc.assert(
      fc.property(broadcastPair, ({ a, b, seed }) => {
        const rng = new Rng(seed);
        const ta = randomTensor(a, rng);
        const tb = randomTensor(b, rng);
        const out = op(ta, tb);
        expect(out.shape).toEqual(broadcastShape(a, b));
        expectArr(out, mapN([toArr(ta), toArr(tb)], f));
        // commuted operands give the same shape
        expect(op(tb, ta).shape).toEqual(out.shape);
      }),
      RUNS,
    );
  });

  test('gradients of broadcast add and mul sum back to the input shapes', () => {
    fc.assert(
      fc.property(broadcastPair, ({ a, b, seed }) => {
        const rng = new Rng(seed);
        const ta = randomTensor(a, rng);
        const tb = randomTensor(b, rng);
        const c = randomTensor(broadcastShape(a, b), rng);
        const [A, B, C] = [ta, tb, c].map(toArr);
        // d/da Σ c·(a + b) = sumTo(c, a.shape)
        const [ga, gb] = grad((x: Tensor, y: Tensor) => ad.sum(ad.mul(c, ad.add(x, y))), { argnums: [0, 1] })(
          ta,
          tb,
        ) as Tensor[];
        expectArr(ga, sumToRef(C, a));
        expectArr(gb, sumToRef(C, b));
        // d/da Σ c·a·b = sumTo(c·b, a.shape)
        const [ma, mb] = grad((x: Tensor, y: Tensor) => ad.sum(ad.mul(c, ad.mul(x, y))), { argnums: [0, 1] })(
          ta,
          tb,
        ) as Tensor[];
        expectArr(
          ma,
          sumToRef(
            mapN([C, B], (u, v) => u * v),
            a,
          ),
        );
        expectArr(
          mb,
          sumToRef(
            mapN([C, A], (u, v) => u * v),
            b,
          ),
        );
      }),
      RUNS,
    );
  });

  test('incompatible shapes are rejected, naming both shapes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 5 }), fc.integer({ min: 2, max: 5 }), (m, n) => {
        fc.pre(m !== n);
        expect(() => ad.add(ad.zeros([m]), ad.zeros([n]))).toThrow(
          `add: shapes [${m}] and [${n}] cannot be broadcast`,
        );
      }),
      RUNS,
    );
  });
});

/** A random shape, a random subset of its axes (in any order, some negative), keepDims. */
const reductionCase = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 })
  .chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      axes: fc.option(
        fc
          .subarray(shape.map((_, i) => i))
          .chain((ax) => fc.shuffledSubarray(ax, { minLength: ax.length, maxLength: ax.length })),
        { nil: undefined },
      ),
      negate: fc.boolean(),
      keep: fc.boolean(),
      seed: fc.integer({ min: 0, max: 1_000_000 }),
    }),
  );

const REDUCTIONS: [
  string,
  (x: Tensor, axes?: number[], keep?: boolean) => Tensor,
  (v: number[]) => number,
][] = [
  ['sum', ad.sum, sumOf],
  ['mean', ad.mean, (v) => sumOf(v) / v.length],
  ['max', ad.max, (v) => Math.max(...v)],
  ['min', ad.min, (v) => Math.min(...v)],
  ['logsumexp', ad.logsumexp, lseOf],
];

describe('reductions over random shapes and axes', () => {
  test.each(REDUCTIONS)('%s matches a reference loop', (_name, op, f) => {
    fc.assert(
      fc.property(reductionCase, ({ shape, axes, negate, keep, seed }) => {
        const x = randomTensor(shape, new Rng(seed));
        const ax = axes?.map((a) => (negate ? a - shape.length : a));
        const refAxes = axes ?? undefined;
        const ref = reduceRef(
          toArr(x),
          refAxes === undefined ? undefined : [...refAxes].sort((p, q) => p - q),
          keep,
          f,
        );
        if (refAxes !== undefined && refAxes.length === 0) {
          // reducing over no axes is the identity (mean divides by 1)
          expectArr(op(x, ax, keep), toArr(x));
          return;
        }
        expectArr(op(x, ax, keep), ref, 1e-12);
      }),
      RUNS,
    );
  });

  test('the gradient of a sum is the cotangent broadcast back; of a mean, divided by the count', () => {
    fc.assert(
      fc.property(reductionCase, ({ shape, axes, keep, seed }) => {
        const rng = new Rng(seed);
        const x = randomTensor(shape, rng);
        const outShape = ad.sum(x, axes, keep).shape;
        const c = randomTensor(outShape.slice(), rng);
        const g = grad((t: Tensor) => ad.sum(ad.mul(ad.sum(t, axes, keep), c)))(x) as Tensor;
        expect(g.shape).toEqual(shape);
        const keepShape = shape.map((d, i) => (axes === undefined || axes.includes(i) ? 1 : d));
        const expected = mapN([{ shape: keepShape, data: Array.from(c.data) }, toArr(x)], (cv) => cv);
        expectArr(g, expected);
        const count = shape.reduce((s, d, i) => (axes === undefined || axes.includes(i) ? s * d : s), 1);
        const gm = grad((t: Tensor) => ad.sum(ad.mul(ad.mean(t, axes, keep), c)))(x) as Tensor;
        expectArr(
          gm,
          mapN([expected], (v) => v / count),
        );
      }),
      RUNS,
    );
  });
});
