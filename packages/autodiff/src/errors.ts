/** Errors with names a user can catch and messages that say what was expected. */

export class ShapeError extends Error {
  override name = 'ShapeError';
}

export class ArgumentError extends RangeError {
  override name = 'ArgumentError';
}

/** Raised when a derivative is asked of an op that has no derivative rule (never silent zeros). */
export class UnsupportedDerivativeError extends Error {
  override name = 'UnsupportedDerivativeError';
}

/** Raised in finite-check mode by the first op whose output holds NaN or Inf. */
export class NonFiniteError extends Error {
  override name = 'NonFiniteError';
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
