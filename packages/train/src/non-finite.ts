/**
 * A return, loss, gradient, KL or Fisher product that is not finite. A RangeError (the CLI
 * reports it as a clear error, exit 2); the meta-learner adds the iteration and the task.
 */
export class NonFiniteError extends RangeError {
  override readonly name = 'NonFiniteError';
}

/** Throws a NonFiniteError naming the first of an outer step's loss, gradient norm and KL that is not finite. */
export function requireFiniteOuterStats(r: { lossBefore: number; gradNorm: number; kl: number }): void {
  for (const [name, v] of [
    ['outer loss', r.lossBefore],
    ['outer gradient norm', r.gradNorm],
    ['KL', r.kl],
  ] as const)
    if (!Number.isFinite(v)) throw new NonFiniteError(`${name} is ${v}`);
}
