import {
  add,
  broadcastTo,
  concat,
  matmul,
  mul,
  type Rng,
  relu,
  square,
  sub,
  sum,
  type Tensor,
} from '@metagrad/autodiff';
import { type DenseLayer, initMlp } from '../policies/mlp';

/**
 * The sinusoid regressor of the MAML paper: a 1 → 40 → 40 → 1 ReLU MLP (CAVIA: the input layer
 * also takes the C context parameters). Every forward pass is batched over tasks: a layer's
 * W is [in, out] (shared by the tasks) or [T, in, out] (one copy per task, after adaptation),
 * b is [out] or [T, 1, out], inputs are [T, K, in]. One graph for all tasks keeps a
 * meta-iteration to a few dozen engine ops.
 */
export type Net = DenseLayer[];

/** Glorot-normal weights, zero biases: sizes [in, ...hidden, 1]. */
export function initNet(rng: Rng, sizes: readonly number[]): Net {
  return initMlp(rng, sizes);
}

/** T per-task copies of shared weights (differentiable: gradients of the copies sum back to θ). */
export function tileNet(net: Net, tasks: number): Net {
  return net.map(({ W, b }) => ({
    W: W.ndim === 3 ? W : broadcastTo(W, [tasks, ...W.shape]),
    b: b.ndim === 3 ? b : broadcastTo(b, [tasks, 1, b.shape[0]]),
  }));
}

/** x [T, K, in] → predictions [T, K, 1]; ReLU between layers, linear output. */
export function forward(net: Net, x: Tensor): Tensor {
  let h = x;
  net.forEach(({ W, b }, i) => {
    h = add(matmul(h, W), b);
    if (i + 1 < net.length) h = relu(h);
  });
  return h;
}

/** CAVIA's input: x [T, K, 1] with the task's context φ [T, C] appended to every point → [T, K, 1 + C]. */
export function withContext(x: Tensor, context: Tensor): Tensor {
  const [T, K] = x.shape;
  const C = context.shape[1];
  return concat([x, broadcastTo(context.reshape([T, 1, C]), [T, K, C])], 2);
}

/**
 * Σ_t MSE_t: the sum over tasks of each task's mean squared error. A sum (not a mean) so that its
 * gradient with respect to per-task weights is each task's own gradient.
 */
export function summedTaskMse(pred: Tensor, y: Tensor): Tensor {
  const K = y.shape[1];
  return mul(sum(square(sub(pred, y))), 1 / K);
}

/** Mean over tasks of each task's MSE (the meta-objective's scale). */
export function meanTaskMse(pred: Tensor, y: Tensor): Tensor {
  return mul(summedTaskMse(pred, y), 1 / y.shape[0]);
}
