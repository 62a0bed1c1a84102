import { engineState } from '../state';
import type { Tensor } from '../tensor';

/**
 * A vector-Jacobian product rule: given the cotangent `g` of an op's output `out` (whose
 * `inputs` and `attrs` describe the call), return one cotangent per input (null = no
 * contribution). Rules are written only in the engine's differentiable ops, never in raw
 * kernels, which is what makes derivatives of every order exact.
 */
export type VjpRule = (g: Tensor, out: Tensor) => (Tensor | null)[];

/** Whether the running backward pass needs a cotangent for `x` (skip work for constants). */
export function wants(x: Tensor): boolean {
  return x.tracked && x._relevant === engineState.pass;
}
