import { base64ToFloat64, float64ToBase64 } from '../run/serialize';

/** Adam's state on a flat vector, as checkpoint JSON (buffers as base64 float64: bit-exact). */
export interface VectorAdamState {
  t: number;
  m: string;
  v: string;
}

/**
 * Adam ascent on a flat parameter vector (ES gradients are plain Float64Arrays, no engine
 * tensors): Kingma & Ba's update with bias correction, β = (0.9, 0.999), ε = 1e-8.
 */
export class VectorAdam {
  private t = 0;
  private m: Float64Array;
  private v: Float64Array;

  constructor(
    readonly dim: number,
    readonly lr: number,
  ) {
    this.m = new Float64Array(dim);
    this.v = new Float64Array(dim);
  }

  /** θ + lr · m̂ / (√v̂ + ε) for the gradient `g` of an objective to maximise. */
  ascend(theta: Float64Array, g: Float64Array): Float64Array {
    const [b1, b2, eps] = [0.9, 0.999, 1e-8];
    this.t++;
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    const out = new Float64Array(this.dim);
    for (let j = 0; j < this.dim; j++) {
      this.m[j] = b1 * this.m[j] + (1 - b1) * g[j];
      this.v[j] = b2 * this.v[j] + (1 - b2) * g[j] * g[j];
      out[j] = theta[j] + (this.lr * (this.m[j] / c1)) / (Math.sqrt(this.v[j] / c2) + eps);
    }
    return out;
  }

  state(): VectorAdamState {
    return { t: this.t, m: float64ToBase64(this.m), v: float64ToBase64(this.v) };
  }

  restore(s: unknown): void {
    const st = s as Partial<VectorAdamState> | null;
    if (
      st === null ||
      typeof st !== 'object' ||
      !Number.isInteger(st.t) ||
      typeof st.m !== 'string' ||
      typeof st.v !== 'string'
    )
      throw new RangeError(`checkpoint.outerState: expected Adam's {t, m, v}, got ${JSON.stringify(s)}`);
    const m = base64ToFloat64(st.m, 'checkpoint.outerState.m');
    const v = base64ToFloat64(st.v, 'checkpoint.outerState.v');
    if (m.length !== this.dim || v.length !== this.dim)
      throw new RangeError(`checkpoint.outerState: expected moments of length ${this.dim}, got ${m.length}`);
    [this.t, this.m, this.v] = [st.t as number, m, v];
  }
}
