/** Shared helpers for the backend tests: seeded operands and tolerant comparisons. */
import type { FloatArray, MatmulSpec } from '../src/kernels/matmul';
import type { Rng } from '../src/random';

export function makeSpec(
  batch: number,
  m: number,
  k: number,
  n: number,
  extra: Partial<MatmulSpec> = {},
): MatmulSpec {
  return { batch, m, k, n, transA: false, transB: false, aOffsets: null, bOffsets: null, ...extra };
}

export function randomArray(
  rng: Rng,
  length: number,
  ctor: typeof Float64Array | typeof Float32Array = Float64Array,
): FloatArray {
  const x = new ctor(length);
  for (let i = 0; i < length; i++) x[i] = rng.uniformRange(-1, 1);
  return x;
}

/** Largest |x - y| / (1 + |y|) over two arrays of equal length. */
export function maxRelError(x: FloatArray, y: FloatArray): number {
  if (x.length !== y.length) throw new Error(`length ${x.length} vs ${y.length}`);
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const e = Math.abs(x[i] - y[i]) / (1 + Math.abs(y[i]));
    if (!(e <= worst)) worst = e; // NaN counts as the worst
  }
  return worst;
}

/** Operand lengths a spec needs, honouring offsets. */
export function operandLengths(spec: MatmulSpec): { a: number; b: number } {
  const span = (off: Int32Array | null, size: number) =>
    off ? Math.max(0, ...Array.from(off, (o) => o + size)) : spec.batch * size;
  return { a: span(spec.aOffsets, spec.m * spec.k), b: span(spec.bOffsets, spec.k * spec.n) };
}
