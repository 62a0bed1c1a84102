import {
  Adam,
  mul,
  type Optimizer,
  type PyTree,
  Sgd,
  stopGradient,
  type Tensor,
  valueAndGrad,
} from '@metagrad/autodiff';
import { NonFiniteError } from '../non-finite';
import { negMaskedMean, stepTensor } from './surrogate';
import { allFinite, norm, treeToVector } from './tree-vector';

/**
 * The REINFORCE surrogate as a loss to minimise: −mean over real steps of log π(a_t|s_t)·A_t,
 * advantages held constant. Its gradient is the (negated) vanilla policy gradient.
 */
export function reinforceLoss(
  logProbs: Tensor,
  advantages: Tensor | Float64Array,
  mask: Float64Array,
): Tensor {
  const adv = stopGradient(stepTensor('reinforceLoss', 'advantages', advantages, logProbs));
  return negMaskedMean('reinforceLoss', mul(logProbs, adv), mask);
}

export interface VpgStepOptions {
  /** 'sgd', 'adam' (fresh each call, so its first step is ≈ lr·sign(g)) or an optimizer to reuse. */
  optimizer?: 'sgd' | 'adam' | Optimizer;
  /** Learning rate of a fresh 'sgd' / 'adam' optimizer (default 1e-2 for sgd, 1e-3 for adam). */
  lr?: number;
}

export interface VpgStepResult<P> {
  params: P;
  loss: number;
  gradNorm: number;
}

/** One vanilla policy-gradient outer step: p ← optimizer.step(p, ∇loss(p)). */
export function vpgStep<P extends PyTree>(
  params: P,
  loss: (p: P) => Tensor,
  options: VpgStepOptions = {},
): VpgStepResult<P> {
  const where = 'vpgStep';
  const choice = options.optimizer ?? 'sgd';
  let optimizer: Optimizer;
  if (choice === 'sgd') optimizer = new Sgd(params, { lr: options.lr ?? 1e-2 });
  else if (choice === 'adam') optimizer = new Adam(params, { lr: options.lr ?? 1e-3 });
  else if (typeof choice === 'object' && choice !== null && typeof choice.step === 'function')
    optimizer = choice;
  else
    throw new RangeError(
      `${where}: optimizer: expected 'sgd', 'adam' or an optimizer object, got ${String(choice)}`,
    );
  const [value, g] = valueAndGrad(loss)(params) as [Tensor, P];
  const v = value.data[0];
  if (!Number.isFinite(v)) throw new NonFiniteError(`${where}: loss is not finite (${v})`);
  const gv = treeToVector(g, `${where}: gradient`);
  if (!allFinite(gv)) throw new NonFiniteError(`${where}: gradient of the loss is not finite`);
  return { params: optimizer.step(params, g), loss: v, gradNorm: norm(gv) };
}
