/**
 * Observation and action spaces as plain data, so a policy can be built from them (input size,
 * output size, bounds, number of discrete choices) without knowing the environment.
 */

/** A box of real vectors; `low`/`high` are per component (±Infinity when unbounded). */
export interface BoxSpace {
  readonly kind: 'box';
  readonly shape: readonly number[];
  readonly low: Float64Array;
  readonly high: Float64Array;
}

/** `n` choices 0..n-1. Stored in action buffers as one float per step holding the integer. */
export interface DiscreteSpace {
  readonly kind: 'discrete';
  readonly n: number;
}

export type Space = BoxSpace | DiscreteSpace;

export function box(
  shape: readonly number[],
  low: number | ArrayLike<number>,
  high: number | ArrayLike<number>,
): BoxSpace {
  const size = shape.reduce((a, b) => a * b, 1);
  const fill = (v: number | ArrayLike<number>): Float64Array =>
    typeof v === 'number' ? new Float64Array(size).fill(v) : Float64Array.from(v);
  const lo = fill(low);
  const hi = fill(high);
  if (lo.length !== size || hi.length !== size) throw new RangeError(`box: bounds must have ${size} entries`);
  return { kind: 'box', shape: [...shape], low: lo, high: hi };
}

export function discrete(n: number): DiscreteSpace {
  return { kind: 'discrete', n };
}

/** Number of floats one sample of the space takes in a flat buffer (1 for a discrete space). */
export function flatSize(space: Space): number {
  return space.kind === 'discrete' ? 1 : space.shape.reduce((a, b) => a * b, 1);
}
