import { engineState } from '../state';
import type { Tensor } from '../tensor';

/** One cotangent per input of an op; null where the input gets no contribution. */
export type Grads = readonly (Tensor | null)[];

/**
 * A vector-Jacobian product rule: given the cotangent `g` of an op's output `out`, its
 * `inputs` and its typed `attrs`, return one cotangent per input. Rules are written only in
 * the engine's differentiable ops, never in raw kernels, which is what makes derivatives of
 * every order exact.
 */
export type VjpRule<A = null> = (g: Tensor, out: Tensor, inputs: readonly Tensor[], attrs: A) => Grads;

/** A family's rule table: one rule per op name, each typed by that op's attrs. */
export type RulesFor<Attrs> = { readonly [N in keyof Attrs]: VjpRule<Attrs[N]> };

/** Whether the running backward pass needs a cotangent for `x` (skip work for constants). */
export function wants(x: Tensor): boolean {
  return x.tracked && x._relevant === engineState.pass;
}
