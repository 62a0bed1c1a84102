import { add, grad, hessian, mul, type Tensor, tensor } from '@metagrad/autodiff';
import { exactReturnBackward, type TabularMdp } from '@metagrad/envs';

/**
 * Exact J, ∇J, ∇²J and the one-step MAML meta-gradient of the tabular softmax policy
 * π(·|s) = softmax(θ[s]), θ flat [S·A] (index s·A + a). J is `exactReturnBackward` from
 * `@metagrad/envs` (differentiable backward induction), so every derivative here is exact.
 */

function thetaTensor(mdp: TabularMdp, theta: ArrayLike<number> | undefined): Tensor {
  const src = theta ?? mdp.logits;
  if (src === undefined)
    throw new RangeError('theta: expected logits (none given and the MDP has no `logits` field)');
  return tensor(Float64Array.from(src));
}

export interface ExactDerivatives {
  J: number;
  /** ∇J: [S·A], index s·A + a. */
  grad: Float64Array;
  /** ∇²J: [S·A, S·A] row-major. */
  hessian: Float64Array;
}

/**
 * Exact J, ∇J and ∇²J at θ (default: the MDP's own logits). `onProgress(done, total)` follows the
 * Hessian's rows (one reverse pass over all T steps each), the part that takes long on big MDPs.
 */
export function exactDerivatives(
  mdp: TabularMdp,
  theta?: ArrayLike<number>,
  opts: { onProgress?: (done: number, total: number) => void } = {},
): ExactDerivatives {
  const th = thetaTensor(mdp, theta);
  const f = (x: Tensor) => exactReturnBackward(mdp, x);
  return {
    J: f(th).item(),
    grad: Float64Array.from(grad(f)(th).data),
    hessian: Float64Array.from(hessian(f, { onProgress: opts.onProgress })(th).data),
  };
}

/**
 * Exact one-step MAML meta-gradient ∇_θ J(θ + α∇J(θ)) = (I + α∇²J(θ))∇J(θ') with the exact
 * inner gradient (same task inside and outside); the inner step stays differentiable.
 */
export function exactMetaGradient(mdp: TabularMdp, alpha: number, theta?: ArrayLike<number>): Float64Array {
  const th = thetaTensor(mdp, theta);
  const f = (x: Tensor) => exactReturnBackward(mdp, x);
  const g = grad(f);
  const meta = grad((x: Tensor) => f(add(x, mul(alpha, g(x)))));
  return Float64Array.from(meta(th).data);
}
