import type { TensorLike } from './creation';
import { type ElementwiseMethods, elementwiseMethods } from './ops/elementwise/derived';
import * as la from './ops/linalg';
import * as mv from './ops/movement';
import * as nn from './ops/nn';
import * as rd from './ops/reduction';
import { Tensor } from './tensor';

type Axes = number | readonly number[];

/**
 * The functional ops as fluent methods: `x.mul(w).sum()` is `sum(mul(x, w))`. The elementwise
 * ones are derived from their specs; the others are listed here.
 */
declare module './tensor' {
  interface Tensor extends ElementwiseMethods {
    sum(axes?: Axes, keepDims?: boolean): Tensor;
    mean(axes?: Axes, keepDims?: boolean): Tensor;
    max(axes?: Axes, keepDims?: boolean): Tensor;
    min(axes?: Axes, keepDims?: boolean): Tensor;
    logsumexp(axes?: Axes, keepDims?: boolean): Tensor;
    cumsum(axis?: number, opts?: rd.ScanOptions): Tensor;
    cumprod(axis?: number, opts?: rd.ScanOptions): Tensor;
    reshape(shape: readonly number[]): Tensor;
    transpose(perm?: readonly number[]): Tensor;
    broadcastTo(shape: readonly number[]): Tensor;
    expandDims(axis: number): Tensor;
    squeeze(axes?: Axes): Tensor;
    slice(begin: readonly number[], size?: readonly number[]): Tensor;
    take(indices: mv.Indices, axis?: number): Tensor;
    matmul(b: TensorLike): Tensor;
    dot(b: TensorLike): Tensor;
    softmax(axis?: number): Tensor;
    logSoftmax(axis?: number): Tensor;
  }
}

const methods: Record<string, (this: Tensor, ...args: any[]) => Tensor> = {
  sum(axes, keepDims) {
    return rd.sum(this, axes, keepDims);
  },
  mean(axes, keepDims) {
    return rd.mean(this, axes, keepDims);
  },
  max(axes, keepDims) {
    return rd.max(this, axes, keepDims);
  },
  min(axes, keepDims) {
    return rd.min(this, axes, keepDims);
  },
  logsumexp(axes, keepDims) {
    return rd.logsumexp(this, axes, keepDims);
  },
  cumsum(axis, opts) {
    return rd.cumsum(this, axis, opts);
  },
  cumprod(axis, opts) {
    return rd.cumprod(this, axis, opts);
  },
  reshape(shape) {
    return mv.reshape(this, shape);
  },
  transpose(perm) {
    return mv.transpose(this, perm);
  },
  broadcastTo(shape) {
    return mv.broadcastTo(this, shape);
  },
  expandDims(axis) {
    return mv.expandDims(this, axis);
  },
  squeeze(axes) {
    return mv.squeeze(this, axes);
  },
  slice(begin, size) {
    return mv.slice(this, begin, size);
  },
  take(indices, axis) {
    return mv.take(this, indices, axis);
  },
  matmul(b) {
    return la.matmul(this, b);
  },
  dot(b) {
    return la.dot(this, b);
  },
  softmax(axis) {
    return nn.softmax(this, axis);
  },
  logSoftmax(axis) {
    return nn.logSoftmax(this, axis);
  },
};

for (const [name, fn] of Object.entries(elementwiseMethods)) {
  methods[name] = function (this: Tensor, ...rest: unknown[]) {
    return (fn as (x: Tensor, ...r: unknown[]) => Tensor)(this, ...rest);
  };
}
for (const [name, fn] of Object.entries(methods)) {
  Object.defineProperty(Tensor.prototype, name, { value: fn, writable: true, configurable: true });
}
