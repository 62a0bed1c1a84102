import { describe } from './describe';
import { ArgumentError } from './errors';

/**
 * Engine-wide switches. `depth` counts the transforms (grad, vjp, ...) active on the stack;
 * `recording` is false only while a backward pass runs whose result nobody can differentiate
 * again (no enclosing transform), so first-order gradients build no graph at all.
 */
export const engineState = {
  depth: 0,
  recording: true,
  finiteCheck: false,
  /** Id of the backward pass in progress (stamps the scratch fields of tensors). */
  pass: 0,
};

/**
 * Opt-in debug mode: every op checks its inputs and its output, and the first one to see or
 * produce NaN/Inf throws a NonFiniteError naming itself.
 */
export function setFiniteCheck(on: boolean): void {
  // a truthy string stored as-is would switch the mode on by accident ('no', 'false')
  if (typeof on !== 'boolean')
    throw new ArgumentError(`setFiniteCheck: on must be true or false, got ${describe(on)}`);
  engineState.finiteCheck = on;
}

export function getFiniteCheck(): boolean {
  return engineState.finiteCheck;
}
