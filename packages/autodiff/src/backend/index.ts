import { referenceMatmul } from './reference-matmul';
import type { FloatArray, MatmulSpec } from './types';

export type { Backend, BackendName, FloatArray, MatmulSpec } from './types';
export { referenceMatmul } from './reference-matmul';

/** Entry point the engine calls for every matrix product. */
export function matmulKernel(a: FloatArray, b: FloatArray, out: FloatArray, spec: MatmulSpec): void {
  referenceMatmul(a, b, out, spec);
}
