/**
 * Adam (Kingma & Ba 2015) on a flat parameter vector, in place, in plain numbers: the meta control
 * variate's outer optimiser. Deterministic (no randomness at all).
 */
export class Adam {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private steps = 0;

  constructor(
    size: number,
    readonly lr = 1e-2,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly eps = 1e-8,
  ) {
    if (!(lr > 0)) throw new RangeError(`Adam: lr: expected a number > 0, got ${lr}`);
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
  }

  /** params ← params − lr · m̂/(√v̂ + ε) for the gradient `g` of a loss to minimise. */
  step(params: Float64Array, g: ArrayLike<number>): void {
    if (g.length !== params.length || params.length !== this.m.length)
      throw new RangeError(
        `Adam: expected ${this.m.length} parameters and gradients, got ${params.length}, ${g.length}`,
      );
    this.steps++;
    const c1 = 1 - this.beta1 ** this.steps;
    const c2 = 1 - this.beta2 ** this.steps;
    for (let i = 0; i < params.length; i++) {
      this.m[i] = this.beta1 * this.m[i] + (1 - this.beta1) * g[i];
      this.v[i] = this.beta2 * this.v[i] + (1 - this.beta2) * g[i] * g[i];
      params[i] -= (this.lr * (this.m[i] / c1)) / (Math.sqrt(this.v[i] / c2) + this.eps);
    }
  }
}
