import type { Rng } from '@metagrad/autodiff';

/**
 * A one-hidden-layer tanh MLP x ↦ w₂·tanh(W₁x + b₁) + b₂ on a flat parameter vector
 * [W₁ (H×D, row-major), b₁ (H), w₂ (H), b₂], with its squared-error loss and gradient written out
 * by hand in plain numbers (thousands of tiny SGD steps: no graph to build). The tests check the
 * gradient against the autodiff engine.
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

  /** Predictions for N rows of x ([N, D] row-major). */
  predict(params: Float64Array, x: Float64Array): Float64Array {
    const { inputs: D, hidden: H } = this;
    const n = x.length / D;
    const out = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      let y = params[H * D + 2 * H];
      for (let h = 0; h < H; h++) {
        let a = params[H * D + h];
        for (let d = 0; d < D; d++) a += params[h * D + d] * x[r * D + d];
        y += params[H * D + H + h] * Math.tanh(a);
      }
      out[r] = y;
    }
    return out;
  }

  /** Mean over rows of (f(x_r) − y_r)² and its gradient in the parameters. */
  lossAndGrad(params: Float64Array, x: Float64Array, y: Float64Array): { loss: number; grad: Float64Array } {
    const D = this.inputs;
    const H = this.hidden;
    const oB1 = H * D;
    const oW2 = oB1 + H;
    const oB2 = oW2 + H;
    const n = y.length;
    const g = new Float64Array(this.size);
    const act = new Float64Array(H);
    let loss = 0;
    for (let r = 0; r < n; r++) {
      const xo = r * D;
      let f = params[oB2];
      for (let h = 0; h < H; h++) {
        const wo = h * D;
        let a = params[oB1 + h];
        for (let d = 0; d < D; d++) a += params[wo + d] * x[xo + d];
        const z = Math.tanh(a);
        act[h] = z;
        f += params[oW2 + h] * z;
      }
      const e = f - y[r];
      loss += (e * e) / n;
      const de = (2 * e) / n;
      g[oB2] += de;
      for (let h = 0; h < H; h++) {
        const z = act[h];
        g[oW2 + h] += de * z;
        const da = de * params[oW2 + h] * (1 - z * z);
        g[oB1 + h] += da;
        const wo = h * D;
        for (let d = 0; d < D; d++) g[wo + d] += da * x[xo + d];
      }
    }
    return { loss, grad: g };
  }
}
