import {
  add,
  matmul,
  mean,
  type Rng,
  reshape,
  slice,
  square,
  sub,
  type Tensor,
  tanh,
  tensor,
  transpose,
  valueAndGrad,
} from '@metagrad/autodiff';

/**
 * A one-hidden-layer tanh MLP x ↦ w₂·tanh(W₁x + b₁) + b₂ on a flat parameter vector
 * [W₁ (H×D, row-major), b₁ (H), w₂ (H), b₂], and its squared-error loss, differentiated by the
 * engine (first-order `valueAndGrad` keeps no graph, so thousands of small SGD steps stay cheap).
 */
export class ValueMlp {
  readonly size: number;

  constructor(
    readonly inputs: number,
    readonly hidden: number,
  ) {
    if (!(Number.isInteger(inputs) && inputs >= 1))
      throw new RangeError(`inputs: expected an integer >= 1, got ${inputs}`);
    if (!(Number.isInteger(hidden) && hidden >= 1))
      throw new RangeError(`hidden: expected an integer >= 1, got ${hidden}`);
    this.size = hidden * inputs + 2 * hidden + 1;
  }

  /** W₁ ∼ N(0, 1/D), w₂ ∼ N(0, 1/H), biases 0. */
  init(rng: Rng): Float64Array {
    const { inputs: D, hidden: H } = this;
    const p = new Float64Array(this.size);
    for (let i = 0; i < H * D; i++) p[i] = rng.normal(0, 1 / Math.sqrt(D));
    for (let i = 0; i < H; i++) p[H * D + H + i] = rng.normal(0, 1 / Math.sqrt(H));
    return p;
  }

  /** f(x_r) for the rows of x [N, D] with the flat parameters p: [N], differentiable in p. */
  forward(p: Tensor, x: Tensor): Tensor {
    const { inputs: D, hidden: H } = this;
    const w1 = reshape(slice(p, [0], [H * D]), [H, D]);
    const b1 = slice(p, [H * D], [H]);
    const w2 = reshape(slice(p, [H * D + H], [H]), [H, 1]);
    const b2 = slice(p, [H * D + 2 * H], [1]);
    const z = tanh(add(matmul(x, transpose(w1)), b1));
    return add(reshape(matmul(z, w2), [x.shape[0]]), b2);
  }

  /** Predictions for N rows of x ([N, D] row-major). */
  predict(params: Float64Array, x: Float64Array): Float64Array {
    const n = x.length / this.inputs;
    if (n === 0) return new Float64Array(0);
    return Float64Array.from(this.forward(tensor(params), tensor(x, { shape: [n, this.inputs] })).data);
  }

  /** Mean over rows of (f(x_r) − y_r)² and its gradient in the parameters (0 and zeros for no rows). */
  lossAndGrad(params: Float64Array, x: Float64Array, y: Float64Array): { loss: number; grad: Float64Array } {
    const n = y.length;
    if (n === 0) return { loss: 0, grad: new Float64Array(this.size) };
    const xs = tensor(x, { shape: [n, this.inputs] });
    const ys = tensor(y);
    const squaredError = (p: Tensor): Tensor => mean(square(sub(this.forward(p, xs), ys)));
    const [loss, grad] = valueAndGrad(squaredError)(tensor(params)) as [Tensor, Tensor];
    return { loss: loss.item(), grad: Float64Array.from(grad.data) };
  }
}
