/**
 * The shared-memory protocol between the main thread and a matmul worker thread: one Int32
 * header per worker, written by the main thread before it flips STATE to POSTED and wakes the
 * worker, which computes its block of the product in its arena and flips STATE to DONE.
 */

/** Header slots. */
export const H = {
  STATE: 0,
  /** Which arena (SharedArrayBuffer) the job's offsets refer to; a new one arrives by message. */
  VERSION: 1,
  M: 2,
  N: 3,
  K: 4,
  RSA: 5,
  CSA: 6,
  RSB: 7,
  CSB: 8,
  /** Arena offsets of the copied A and B regions and of the output block. */
  A_OFF: 9,
  B_OFF: 10,
  OUT_OFF: 11,
  LDC: 12,
} as const;

export const HEADER_SLOTS = 16;

/** Values of H.STATE. */
export const S = { IDLE: 0, POSTED: 1, DONE: 2, FAILED: 3, CLOSE: 4 } as const;

/** A new arena for the worker (sent only when the main thread had to grow it). */
export interface ArenaMessage {
  arena: SharedArrayBuffer;
  version: number;
}
