import './methods';

export * from './backend';
export { type DType } from './dtype';
export * from './errors';
export { Tensor, type NestedArray } from './tensor';
export {
  tensor, scalar, zeros, ones, full, eye, arange, zerosLike, onesLike, fromNdarray, toNdarray, type TensorLike, type TensorOptions,
} from './creation';
export * from './random';
export * from './random-tensor';
export { setFiniteCheck, getFiniteCheck } from './state';
export {
  add, sub, mul, div, pow, maximum, minimum, neg, exp, log, log1p, expm1, sqrt, square, abs, sin, cos, tanh, sigmoid,
  relu, softplus, clip, where, equal, notEqual, greater, greaterEqual, less, lessEqual, sign,
} from './ops/elementwise';
export { sum, mean, max, min, logsumexp, cumsum, cumprod, type ScanOptions } from './ops/reduction';
export {
  reshape, permute, transpose, broadcastTo, expandDims, squeeze, slice, concat, stack, take, gather, takeAlongAxis, oneHot, type Indices,
} from './ops/movement';
export { matmul, dot, outer, solve } from './ops/linalg';
export { logSoftmax, softmax, gaussianLogProb, categoricalLogProb } from './ops/nn';
export { sumTo } from './ops/broadcast';
export {
  grad, valueAndGrad, vjp, vjpWithAux, jvp, hvp, jacobian, hessian, stopGradient, type GradOptions,
} from './transforms/transforms';
export { flattenTree, mapTree, treeLeaves, type PyTree } from './transforms/pytree';
export { checkGrad, checkGradGrad, type CheckOptions, type CheckResult } from './check';
