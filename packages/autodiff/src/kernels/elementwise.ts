import type { FloatArray } from '../dtype';

/**
 * Elementwise kernels are generated once per op from an expression over `x`, `y`, `z` (the
 * inputs) and `p0`, `p1` (scalar parameters), so every op gets its own tight loop with no
 * per-element function call. Inputs are read through broadcast strides (0 on broadcast dims).
 */
export type Kernel = (
  inputs: readonly FloatArray[],
  out: FloatArray,
  shape: readonly number[],
  strides: readonly (readonly number[])[] | null,
  p0: number,
  p1: number,
) => void;

const NAMES = ['x', 'y', 'z'];

export function makeKernel(
  arity: number,
  expr: string,
  helpers: Record<string, (...a: number[]) => number> = {},
): Kernel {
  const names = NAMES.slice(0, arity);
  const arrays = names.map((n, i) => `const ${n}a = inputs[${i}];`).join('\n');
  // fast path: no broadcasting, one flat loop (a size-1 input is read once)
  const flatReads = names.map((n) => `const ${n}1 = ${n}a.length === 1; const ${n}0 = ${n}a[0];`).join('\n');
  const flatBody = names.map((n) => `const ${n} = ${n}1 ? ${n}0 : ${n}a[i];`).join(' ');
  // general path: odometer over the outer dims, unit loop over the last dim
  const offs = names.map((n) => `let ${n}o = 0;`).join(' ');
  const innerStrides = names.map((n, i) => `const ${n}s = strides[${i}][nd - 1];`).join(' ');
  const innerReads = names.map((n) => `const ${n} = ${n}a[${n}o + j * ${n}s];`).join(' ');
  const advance = names.map((n, i) => `${n}o += strides[${i}][d];`).join(' ');
  const rewind = names.map((n, i) => `${n}o -= strides[${i}][d] * shape[d];`).join(' ');
  const src = `
${arrays}
const size = out.length;
if (strides === null) {
  ${flatReads}
  for (let i = 0; i < size; i++) { ${flatBody} out[i] = ${expr}; }
  return;
}
const nd = shape.length;
if (size === 0) return;
const inner = shape[nd - 1];
const outer = size / inner;
${innerStrides}
const idx = new Int32Array(nd);
${offs}
let o = 0;
for (let r = 0; r < outer; r++) {
  for (let j = 0; j < inner; j++) { ${innerReads} out[o++] = ${expr}; }
  for (let d = nd - 2; d >= 0; d--) {
    idx[d]++; ${advance}
    if (idx[d] < shape[d]) break;
    ${rewind} idx[d] = 0;
  }
}`;
  // helper functions (e.g. a faster tanh) are bound by name, so the expression calls them directly
  const helperNames = Object.keys(helpers);
  const make = new Function(
    ...helperNames,
    `return function kernel(inputs, out, shape, strides, p0, p1) {${src}};`,
  );
  return make(...helperNames.map((n) => helpers[n])) as Kernel;
}
