import type { FloatArray, MatmulSpec } from './types';

function fail(param: string, value: unknown, expected: string): never {
  throw new RangeError(`matmulKernel: ${param} = ${String(value)}, expected ${expected}`);
}

function checkDim(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0) fail(`spec.${name}`, v, 'a non-negative integer');
}

function checkOperand(
  name: 'a' | 'b',
  arr: FloatArray,
  size: number,
  batch: number,
  offsets: Int32Array | null,
): void {
  if (offsets === null) {
    if (arr.length !== batch * size) {
      fail(`${name}.length`, arr.length, `batch·${size} = ${batch * size} (no ${name}Offsets given)`);
    }
    return;
  }
  if (offsets.length !== batch) fail(`spec.${name}Offsets.length`, offsets.length, `spec.batch = ${batch}`);
  for (let p = 0; p < batch; p++) {
    const o = offsets[p];
    if (o < 0 || o + size > arr.length) {
      fail(
        `spec.${name}Offsets[${p}]`,
        o,
        `an offset with ${name}Offsets[${p}] + ${size} <= ${name}.length = ${arr.length}`,
      );
    }
  }
}

/** Throws a RangeError naming the parameter when `spec` does not describe the given arrays. */
export function validateMatmul(a: FloatArray, b: FloatArray, out: FloatArray, spec: MatmulSpec): void {
  const { batch, m, k, n } = spec;
  checkDim('batch', batch);
  checkDim('m', m);
  checkDim('k', k);
  checkDim('n', n);
  checkOperand('a', a, m * k, batch, spec.aOffsets);
  checkOperand('b', b, k * n, batch, spec.bOffsets);
  if (out.length !== batch * m * n) fail('out.length', out.length, `batch·m·n = ${batch * m * n}`);
}
