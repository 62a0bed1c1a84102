/**
 * Copies a batched operand into float32 shared memory for the GPU worker. Batch offsets that
 * form an arithmetic sequence (plain layout, or a broadcast operand with stride 0) are kept as
 * one stride, so a broadcast matrix is uploaded once; irregular offsets are gathered into the
 * plain layout.
 */
import type { FloatArray } from '../types';

export interface Staged {
  /** Batch stride of the staged copy, in elements. */
  stride: number;
  /** Number of elements written. */
  length: number;
}

/** Writes the operand into `dst` (which must hold `stagedLength` elements) and says how it is laid out. */
export function stageOperand(
  src: FloatArray,
  offsets: Int32Array | null,
  batch: number,
  size: number,
  dst: Float32Array,
): Staged {
  if (offsets === null) {
    dst.set(src.length === batch * size ? src : src.subarray(0, batch * size));
    return { stride: size, length: batch * size };
  }
  const start = offsets[0];
  const step = batch > 1 ? offsets[1] - start : 0;
  let regular = step >= 0;
  for (let p = 2; regular && p < batch; p++) regular = offsets[p] - offsets[p - 1] === step;
  if (regular) {
    const length = (batch - 1) * step + size;
    dst.set(src.subarray(start, start + length));
    return { stride: step, length };
  }
  for (let p = 0; p < batch; p++) dst.set(src.subarray(offsets[p], offsets[p] + size), p * size);
  return { stride: size, length: batch * size };
}

/** Upper bound of what stageOperand writes, to size the shared buffer first. */
export function stagedLength(offsets: Int32Array | null, batch: number, size: number): number {
  if (offsets === null || batch === 0) return batch * size;
  let lo = offsets[0];
  let hi = offsets[0];
  for (let p = 1; p < batch; p++) {
    if (offsets[p] < lo) lo = offsets[p];
    if (offsets[p] > hi) hi = offsets[p];
  }
  return Math.max(batch * size, hi - lo + size);
}
