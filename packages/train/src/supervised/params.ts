import { full, mapTree, Rng } from '@metagrad/autodiff';
import type { SupervisedConfig } from './config';
import { initNet, type Net } from './model';

/**
 * What a supervised meta-learner learns: the network's initialisation θ, and for Meta-SGD one
 * inner step size per parameter (same shapes as θ).
 */
export interface SupervisedParams {
  net: Net;
  alpha?: Net;
}

/** Input width: x, plus CAVIA's context parameters. */
export const inputWidth = (c: SupervisedConfig) => (c.algo === 'cavia' ? 1 + c.contextDim : 1);

/**
 * θ from new Rng(seed).derive(1) (Glorot-normal, zero biases). Meta-SGD's α starts at the
 * config's α everywhere (the Meta-SGD paper draws it at random; a constant start makes the
 * first iteration MAML's).
 */
export function initParams(c: SupervisedConfig): SupervisedParams {
  const net = initNet(new Rng(c.seed).derive(1), [inputWidth(c), ...c.hidden, 1]);
  if (c.algo !== 'meta-sgd') return { net };
  return { net, alpha: mapTree(net, (t) => full(t.shape, c.alpha)) };
}
