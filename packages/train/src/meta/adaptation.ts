import {
  add,
  flattenTree,
  grad,
  mapTree,
  mul,
  type PyTree,
  stopGradient,
  type Tensor,
} from '@metagrad/autodiff';

/**
 * Meta-parameters: the policy's initial parameters θ and, for Meta-SGD, one learned inner step
 * size per parameter (same structure as θ).
 */
// a type alias (not an interface) so that it is itself a PyTree (implicit index signature)
export type MetaParams<P extends PyTree = PyTree> = {
  policy: P;
  alpha?: P;
};

/**
 * One inner gradient-ascent step θ′ = θ + α ∇f(θ), α a number or a per-parameter pytree.
 * θ′ stays a differentiable function of θ (and of α), so an outer transform differentiates
 * through it to any order; with `firstOrder` the step is held constant (FOMAML:
 * ∂θ′/∂θ = I). Never mutates θ: the meta-parameters are only ever read.
 */
export function adaptStep<P extends PyTree>(
  objective: (params: P) => Tensor,
  params: P,
  alpha: number | P,
  firstOrder: boolean,
): P {
  // first order: the gradient at a detached copy, so no graph of it is built at all
  const g = grad(objective)(firstOrder ? mapTree(params, stopGradient) : params) as P;
  const theta = flattenTree(params, 'params');
  const gLeaves = flattenTree(g).leaves;
  const aLeaves = typeof alpha === 'number' ? null : flattenTree(alpha, 'alpha').leaves;
  if (aLeaves !== null && aLeaves.length !== theta.leaves.length)
    throw new RangeError(
      `alpha: expected ${theta.leaves.length} leaves like the policy, got ${aLeaves.length}`,
    );
  const next = theta.leaves.map((p, i) => {
    return add(p, mul(aLeaves === null ? (alpha as number) : aLeaves[i], gLeaves[i]));
  });
  return theta.unflatten(next) as P;
}
