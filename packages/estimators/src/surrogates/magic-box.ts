import { exp, stopGradient, sub, type Tensor } from '@metagrad/autodiff';

/**
 * DiCE's "magic box" □(x) = exp(x − ⊥x): value exactly 1, and ∇ⁿ□(x) are the derivatives of
 * exp(x) at x, so ∇□ = ∇x·□ and ∇²□ = (∇²x + ∇x∇xᵀ)·□ at every order.
 */
export function magicBox(x: Tensor): Tensor {
  return exp(sub(x, stopGradient(x)));
}
