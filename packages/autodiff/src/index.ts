import './methods';

export { type CheckOptions, type CheckResult, checkGrad, checkGradGrad } from './check';
export {
  arange,
  eye,
  fromNdarray,
  full,
  ones,
  onesLike,
  scalar,
  type TensorLike,
  type TensorOptions,
  tensor,
  toNdarray,
  zeros,
  zerosLike,
} from './creation';
export type { DType } from './dtype';
export * from './errors';
export * from './kernels/matmul';
export { sumTo } from './ops/broadcast';
export * from './ops/elementwise/compare';
export * from './ops/elementwise/spec';
export { dot, matmul, outer, solve } from './ops/linalg';
export {
  broadcastTo,
  concat,
  expandDims,
  gather,
  type Indices,
  oneHot,
  permute,
  reshape,
  slice,
  squeeze,
  stack,
  take,
  takeAlongAxis,
  transpose,
} from './ops/movement';
export { categoricalLogProb, gaussianLogProb, logSoftmax, softmax } from './ops/nn';
export { cumprod, cumsum, logsumexp, max, mean, min, type ScanOptions, sum } from './ops/reduction';
export * from './optim';
export * from './random';
export * from './random-tensor';
export { getFiniteCheck, setFiniteCheck } from './state';
export { type NestedArray, Tensor } from './tensor';
export { flattenTree, mapTree, type PyTree, treeLeaves } from './transforms/pytree';
export { stopGradient } from './transforms/trace';
export {
  type GradOptions,
  grad,
  hessian,
  hvp,
  type JacobianOptions,
  jacobian,
  jvp,
  valueAndGrad,
  vjp,
  vjpWithAux,
} from './transforms/transforms';
export type { ArgGrads, Argnums, Cotangent, LeavesTo } from './transforms/types';
