import { mean, mul, sub, type Tensor, valueAndGrad } from '@metagrad/autodiff';
import { adapt, predict, unadapted } from './adapt';
import type { SupervisedConfig } from './config';
import type { MetaBatch } from './data';
import { forward, meanTaskMse } from './model';
import type { SupervisedParams } from './params';

/** What one meta-iteration's outer update is applied to: a descent direction for every parameter. */
export interface MetaDirection {
  /** MAML family: ∇ of the mean post-adaptation query MSE; Reptile: θ − mean_t W_t; pretrain: ∇ of the joint MSE. */
  direction: SupervisedParams;
  /** Mean query MSE at θ before adaptation. */
  lossBefore: number;
  /** Mean query MSE after the inner loop (pretrain: the joint training loss). */
  lossAfter: number;
}

const inner = (c: SupervisedConfig) => ({
  algo: c.algo,
  steps: c.innerSteps,
  alpha: c.alpha,
  contextDim: c.contextDim,
  firstOrder: c.algo === 'fomaml' || c.algo === 'reptile',
});

/** The meta-objective of MAML, FOMAML, Meta-SGD and CAVIA: mean query MSE after adapting on the support points. */
export function postAdaptationLoss(c: SupervisedConfig, p: SupervisedParams, b: MetaBatch): Tensor {
  return meanTaskMse(predict(adapt(p, b.support, inner(c)), b.query.x), b.query.y);
}

/** The pretrained baseline's objective: one network fit to every task's points, no adaptation. */
export function jointLoss(p: SupervisedParams, b: MetaBatch): Tensor {
  return mul(
    meanTaskMse(forward(p.net, b.support.x), b.support.y).add(
      meanTaskMse(forward(p.net, b.query.x), b.query.y),
    ),
    0.5,
  );
}

/**
 * Reptile's direction (θ − mean_t W_t), W_t = k first-order SGD steps on task t's support points:
 * the update θ ← θ − β·direction is the batched algorithm θ ← θ + β·mean_t (W_t − θ).
 * Also the mean query MSE at the W_t.
 */
export function reptileDirection(
  c: SupervisedConfig,
  p: SupervisedParams,
  b: MetaBatch,
): { direction: SupervisedParams; lossAfter: number } {
  const a = adapt(p, b.support, inner(c));
  const direction = {
    net: p.net.map((l, i) => ({
      W: sub(l.W, mean(a.net[i].W, 0)),
      b: sub(l.b, mean(a.net[i].b, 0).reshape(l.b.shape)),
    })),
  };
  return { direction, lossAfter: meanTaskMse(predict(a, b.query.x), b.query.y).item() };
}

export function metaDirection(c: SupervisedConfig, p: SupervisedParams, b: MetaBatch): MetaDirection {
  const T = b.tasks.length;
  const before = meanTaskMse(predict(unadapted(p, T, c.algo, c.contextDim), b.query.x), b.query.y).item();
  if (c.algo === 'reptile') {
    const r = reptileDirection(c, p, b);
    return { direction: r.direction, lossBefore: before, lossAfter: r.lossAfter };
  }
  const objective =
    c.algo === 'pretrain'
      ? (q: SupervisedParams) => jointLoss(q, b)
      : (q: SupervisedParams) => postAdaptationLoss(c, q, b);
  const [value, direction] = valueAndGrad(objective)(p) as [Tensor, SupervisedParams];
  return { direction, lossBefore: before, lossAfter: value.item() };
}
