/**
 * A return, loss, gradient, KL or Fisher product that is not finite. A RangeError (the CLI
 * reports it as a clear error, exit 2); the meta-learner adds the iteration and the task.
 */
export class NonFiniteError extends RangeError {
  override readonly name = 'NonFiniteError';
}
