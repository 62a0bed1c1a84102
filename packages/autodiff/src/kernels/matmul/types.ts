import type { FloatArray } from '../../dtype';

export type { FloatArray };

/**
 * One batched matrix product `out[i] = op(A[i]) · op(B[i])` for i < batch.
 * op(A) is m×k (A stored k×m when transA), op(B) is k×n (B stored n×k when transB).
 * `out` is [batch, m, n], contiguous, and is overwritten.
 * Offsets give where each batch entry's A and B matrices start, so broadcast batch dimensions
 * need no copies; null means the plain layout (i·m·k for A, i·k·n for B).
 */
export interface MatmulSpec {
  batch: number;
  m: number;
  k: number;
  n: number;
  transA: boolean;
  transB: boolean;
  aOffsets: Int32Array | null;
  bOffsets: Int32Array | null;
}

export type BackendName = 'cpu' | 'gpu';

/** What the engine dispatches to. Kernels are synchronous from the engine's point of view. */
export interface Backend {
  readonly name: BackendName;
  matmul(a: FloatArray, b: FloatArray, out: FloatArray, spec: MatmulSpec): void;
}
