import { elementwiseMethodOps } from './ops/elementwise/derived';
import * as la from './ops/linalg';
import * as mv from './ops/movement';
import * as nn from './ops/nn';
import * as rd from './ops/reduction';
import { Tensor } from './tensor';

/** The functional ops that are also fluent methods: `x.mul(w).sum()` is `sum(mul(x, w))`. */
const fluent = {
  ...elementwiseMethodOps,
  sum: rd.sum,
  mean: rd.mean,
  max: rd.max,
  min: rd.min,
  logsumexp: rd.logsumexp,
  cumsum: rd.cumsum,
  cumprod: rd.cumprod,
  reshape: mv.reshape,
  transpose: mv.transpose,
  broadcastTo: mv.broadcastTo,
  expandDims: mv.expandDims,
  squeeze: mv.squeeze,
  slice: mv.slice,
  take: mv.take,
  matmul: la.matmul,
  dot: la.dot,
  softmax: nn.softmax,
  logSoftmax: nn.logSoftmax,
};

type DropFirst<F> = F extends (first: never, ...rest: infer R) => infer T ? (...rest: R) => T : never;
/** `x.op(...rest)` is `op(x, ...rest)`. */
type FluentMethods = { [K in keyof typeof fluent]: DropFirst<(typeof fluent)[K]> };

declare module './tensor' {
  interface Tensor extends FluentMethods {}
}

for (const [name, fn] of Object.entries(fluent)) {
  const op = fn as (x: Tensor, ...rest: unknown[]) => Tensor;
  Object.defineProperty(Tensor.prototype, name, {
    value: function (this: Tensor, ...rest: unknown[]) {
      return op(this, ...rest);
    },
    writable: true,
    configurable: true,
  });
}
