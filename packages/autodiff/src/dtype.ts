/** Storage of every tensor: contiguous, row-major. */
export type FloatArray = Float64Array | Float32Array;

export type DType = 'float64' | 'float32';

export function allocate(dtype: DType, size: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
}

export function dtypeOf(data: FloatArray): DType {
  return data instanceof Float32Array ? 'float32' : 'float64';
}

/** float32 only when every input is float32: mixing never loses precision silently. */
export function resultDtype(a: DType, b: DType): DType {
  return a === 'float32' && b === 'float32' ? 'float32' : 'float64';
}

export function checkDtype(dtype: unknown, where: string): DType {
  if (dtype !== 'float64' && dtype !== 'float32') {
    throw new TypeError(`${where}: dtype must be 'float64' or 'float32', got ${String(dtype)}`);
  }
  return dtype;
}
