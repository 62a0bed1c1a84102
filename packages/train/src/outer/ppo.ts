import {
  Adam,
  type AdamOptions,
  clip,
  exp,
  minimum,
  mul,
  type Optimizer,
  type PyTree,
  stopGradient,
  sub,
  type Tensor,
  valueAndGrad,
} from '@metagrad/autodiff';
import { NonFiniteError } from '../non-finite';
import { negMaskedMean, stepTensor } from './surrogate';
import { allFinite, checkOption, norm, treeToVector } from './tree-vector';

/**
 * PPO's clipped surrogate as a loss to minimise (Schulman et al. 2017):
 * −mean over real steps of min(r·A, clip(r, 1−ε, 1+ε)·A) with r = exp(log π_new − log π_old).
 * `logProbsOld` is held constant; steps whose clipped term is the smaller one pass no gradient.
 * All per-step inputs are [B, T] (tensors or flat arrays); `mask` is 1 on real steps.
 */
export function ppoClipLoss(
  logProbsNew: Tensor,
  logProbsOld: Tensor | Float64Array,
  advantages: Tensor | Float64Array,
  mask: Float64Array,
  clipEpsilon: number,
): Tensor {
  const where = 'ppoClipLoss';
  checkOption(where, 'clip', clipEpsilon, { min: 0 });
  const old = stopGradient(stepTensor(where, 'logProbsOld', logProbsOld, logProbsNew));
  const adv = stopGradient(stepTensor(where, 'advantages', advantages, logProbsNew));
  const ratio = exp(sub(logProbsNew, old));
  const surrogate = minimum(mul(ratio, adv), mul(clip(ratio, 1 - clipEpsilon, 1 + clipEpsilon), adv));
  return negMaskedMean(where, surrogate, mask);
}

export interface PpoUpdateOptions extends AdamOptions {
  /** Full-batch optimisation steps (default 5, ProMP's num_inner_grad_steps for the outer PPO). */
  epochs?: number;
  /**
   * Optimizer to step with; pass the same one every outer iteration to keep Adam's moments
   * (default: a fresh Adam with `lr`, `beta1`, `beta2`, `eps`).
   */
  optimizer?: Optimizer;
}

export interface PpoUpdateResult<P> {
  params: P;
  /** Loss before each epoch's step. */
  losses: number[];
  /** ‖∇loss‖₂ at each epoch. */
  gradNorms: number[];
}

/**
 * Several gradient steps on a PPO-style loss (`lossFn(p)`, a scalar to minimise, e.g. built from
 * ppoClipLoss with the log-probs of `p`). Throws naming the epoch if the loss or its gradient is
 * not finite.
 */
export function ppoUpdate<P extends PyTree>(
  params: P,
  lossFn: (p: P) => Tensor,
  options: PpoUpdateOptions = {},
): PpoUpdateResult<P> {
  const where = 'ppoUpdate';
  const epochs = checkOption(where, 'epochs', options.epochs ?? 5, { min: 1, integer: true });
  const optimizer = options.optimizer ?? new Adam(params, { lr: 1e-3, ...options });
  const lossAndGrad = valueAndGrad(lossFn);
  const losses: number[] = [];
  const gradNorms: number[] = [];
  let p = params;
  for (let e = 0; e < epochs; e++) {
    const [loss, g] = lossAndGrad(p) as [Tensor, P];
    const value = loss.data[0];
    const gv = treeToVector(g, `${where}: gradient`);
    if (!Number.isFinite(value))
      throw new NonFiniteError(`${where}: epoch ${e}: loss is not finite (${value})`);
    if (!allFinite(gv)) throw new NonFiniteError(`${where}: epoch ${e}: gradient of the loss is not finite`);
    losses.push(value);
    gradNorms.push(norm(gv));
    p = optimizer.step(p, g);
  }
  return { params: p, losses, gradNorms };
}
