import type { Tensor } from '@metagrad/autodiff';
import * as tf from '@tensorflow/tfjs';
import { concatValues, type PolicyBatch } from '../policy-model';
import { initTfBackend, type TfBackend, useTfBackend } from '../tfjs-backends';

/**
 * The same policy workload in TensorFlow.js (float32: the only dtype it has) on its pure-JS CPU
 * or its WASM backend, for side-by-side timing in one run. Its nested gradients run, but are known
 * to be wrong through tanh; we time them anyway and report their error against metagrad's
 * float64 results (which the autodiff suite checks against finite differences).
 */
export interface TfWorkload {
  forward(): void;
  valueAndGrad(): void;
  hvp(): Float32Array;
  maml(alpha: number): Float32Array;
  tinyAdd(): void;
  tinyAddGrad(): void;
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** `params` and `direction`: the policy's leaves in pytree order (W1, b1, W2, b2, W3, b3, logStd). */
export async function makeTfWorkload(
  params: readonly Tensor[],
  batch: PolicyBatch,
  direction: readonly Tensor[],
  backend: TfBackend,
): Promise<TfWorkload | string> {
  const why = await initTfBackend(backend);
  if (why) return why;
  const toTf = (t: { data: ArrayLike<number>; shape: readonly number[] }) =>
    tf.tensor(Array.from(t.data), t.shape.slice());
  const ps = params.map(toTf);
  const vs = direction.map(toTf);
  const obs = toTf(batch.obs);
  const actions = toTf(batch.actions);
  const adv = toTf(batch.advantages);
  const J = (...p: tf.Tensor[]): tf.Scalar => {
    const [W1, b1, W2, b2, W3, b3, logStd] = p;
    const h1 = tf.tanh(tf.add(tf.matMul(obs as tf.Tensor2D, W1 as tf.Tensor2D), b1));
    const h2 = tf.tanh(tf.add(tf.matMul(h1 as tf.Tensor2D, W2 as tf.Tensor2D), b2));
    const mu = tf.add(tf.matMul(h2 as tf.Tensor2D, W3 as tf.Tensor2D), b3);
    const z = tf.mul(tf.sub(actions, mu), tf.exp(tf.neg(logStd)));
    const lp = tf.sum(tf.sub(tf.sub(tf.mul(tf.square(z), -0.5), logStd), HALF_LOG_2PI), -1);
    return tf.mean(tf.mul(lp, adv)) as tf.Scalar;
  };
  const flat = (ts: tf.Tensor[]) =>
    concatValues(
      ts.map((t) => t.dataSync()),
      Float32Array,
    );
  const a4 = tf.tensor([1, 2, 3, 4]);
  const b4 = tf.tensor([5, 6, 7, 8]);
  // each call first selects this workload's backend: its tensors live there
  const use = () => useTfBackend(backend);
  return {
    forward: () => {
      use();
      tf.tidy(() => void J(...ps).dataSync());
    },
    valueAndGrad: () => {
      use();
      tf.tidy(() => {
        const { grads } = tf.valueAndGrads((...p: tf.Tensor[]) => J(...p))(ps);
        for (const g of grads) g.dataSync();
      });
    },
    hvp: () => {
      use();
      return tf.tidy(() =>
        flat(
          tf.grads((...p: tf.Tensor[]) => {
            const gs = tf.grads((...q: tf.Tensor[]) => J(...q))(p);
            return gs.map((g, i) => tf.sum(tf.mul(g, vs[i]))).reduce((x, y) => tf.add(x, y)) as tf.Scalar;
          })(ps),
        ),
      );
    },
    maml: (alpha) => {
      use();
      return tf.tidy(() =>
        flat(
          tf.grads((...p: tf.Tensor[]) => {
            const gs = tf.grads((...q: tf.Tensor[]) => J(...q))(p);
            return J(...p.map((x, i) => tf.add(x, tf.mul(gs[i], alpha))));
          })(ps),
        ),
      );
    },
    tinyAdd: () => {
      use();
      tf.add(a4, b4).dispose();
    },
    tinyAddGrad: () => {
      use();
      tf.tidy(() => {
        tf.grad((a: tf.Tensor) => tf.sum(tf.add(a, b4)))(a4);
      });
    },
  };
}
