import { type TensorLike, tensor, toTensor } from '../creation';
import { fmtShape, ShapeError } from '../errors';
import { normalizeAxis } from '../shape';
import { Tensor } from '../tensor';
import { add, exp, mul, neg, square, sub } from './elementwise/spec';
import { expandDims, type Indices, squeeze, takeAlongAxis } from './movement';
import { logsumexp, sum } from './reduction';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** x − logsumexp(x) along `axis`; `op` is the public name for errors. */
function logSoftmaxAs(op: string, x: TensorLike, axis: number): Tensor {
  const t = toTensor(x, op, 'x');
  // a 0-d tensor has no axis to normalise over (the rank-0 axis error would read "-0..-1")
  if (t.ndim === 0)
    throw new ShapeError(
      `${op}: needs a tensor with at least one dimension (the axis to normalise over), got a 0-d tensor`,
    );
  return sub(t, logsumexp(t, normalizeAxis(op, axis, t.ndim), true));
}

/** log softmax along `axis`: x − logsumexp(x), stable for any magnitude. */
export function logSoftmax(x: TensorLike, axis = -1): Tensor {
  return logSoftmaxAs('logSoftmax', x, axis);
}

export function softmax(x: TensorLike, axis = -1): Tensor {
  return exp(logSoftmaxAs('softmax', x, axis));
}

/**
 * Log-density of a diagonal Gaussian, summed over the last axis:
 * Σ −½((x−μ)/σ)² − log σ − ½ log 2π, with σ = exp(logStd) (broadcast against x).
 */
export function gaussianLogProb(x: TensorLike, mean: TensorLike, logStd: TensorLike): Tensor {
  const tx = toTensor(x, 'gaussianLogProb', 'x');
  // numbers follow x's dtype (weakly typed), so float32 inputs give a float32 log-density
  const mu = toTensor(mean, 'gaussianLogProb', 'mean', tx);
  const ls = toTensor(logStd, 'gaussianLogProb', 'logStd', tx);
  const z = mul(sub(tx, mu), exp(neg(ls)));
  const per = sub(add(mul(square(z), -0.5), neg(ls)), HALF_LOG_2PI);
  if (per.ndim === 0) return per;
  return sum(per, -1);
}

/** log π(a) of a categorical given logits [..., A] and integer actions [...]. */
export function categoricalLogProb(logits: TensorLike, actions: Indices): Tensor {
  const l = toTensor(logits, 'categoricalLogProb', 'logits');
  if (l.ndim === 0)
    throw new ShapeError(
      `categoricalLogProb: logits need a last axis of categories, got ${fmtShape(l.shape)}`,
    );
  const a = actions instanceof Tensor ? actions : tensor(Float64Array.from(actions as ArrayLike<number>));
  const expected = l.shape.slice(0, -1);
  if (a.ndim !== expected.length || a.shape.some((d, i) => d !== expected[i])) {
    throw new ShapeError(
      `categoricalLogProb: actions ${fmtShape(a.shape)} must have the logits' batch shape ${fmtShape(expected)}`,
    );
  }
  return squeeze(takeAlongAxis(logSoftmax(l, -1), expandDims(a, -1), -1), -1);
}
