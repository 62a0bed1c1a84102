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

/** Opt-in debug mode: every op checks its output, and the first one to produce NaN/Inf throws. */
export function setFiniteCheck(on: boolean): void {
  engineState.finiteCheck = on;
}

export function getFiniteCheck(): boolean {
  return engineState.finiteCheck;
}
