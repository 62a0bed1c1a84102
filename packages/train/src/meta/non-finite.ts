/** Thrown when a return, loss, gradient or KL is not finite: names the quantity, iteration and task. */
export class NonFiniteError extends Error {
  override readonly name = 'NonFiniteError';
}
