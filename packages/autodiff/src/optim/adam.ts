import type { FloatArray } from '../dtype';
import type { PyTree } from '../transforms/pytree';
import { Optimizer, option } from './optimizer';

export interface AdamOptions {
  /** Step size (default 0.01). */
  lr?: number;
  /** Decay of the gradient's running mean (default 0.9). */
  beta1?: number;
  /** Decay of the squared gradient's running mean (default 0.999). */
  beta2?: number;
  /** Added to √v̂ in the denominator (default 1e-8). */
  eps?: number;
}

/**
 * Adam (Kingma & Ba 2015), minimising: per element
 * m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², p ← p − lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε).
 * `new Adam(params, { lr })` then `params = opt.step(params, grads)` over pytrees, or
 * `new Adam(n, { lr })` then `opt.stepInPlace(flat, grads)` over a flat Float64Array.
 */
export class Adam extends Optimizer {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private c1 = 1;
  private c2 = 1;

  constructor(params: PyTree | number, opts: AdamOptions = {}) {
    super(params, 'Adam');
    this.lr = option('Adam', 'lr', opts.lr ?? 1e-2, (v) => v > 0, 'a number > 0');
    this.beta1 = option('Adam', 'beta1', opts.beta1 ?? 0.9, (v) => v >= 0 && v < 1, 'a number in [0, 1)');
    this.beta2 = option('Adam', 'beta2', opts.beta2 ?? 0.999, (v) => v >= 0 && v < 1, 'a number in [0, 1)');
    this.eps = option('Adam', 'eps', opts.eps ?? 1e-8, (v) => v >= 0, 'a number ≥ 0');
    this.m = new Float64Array(this.size);
    this.v = new Float64Array(this.size);
  }

  protected buffers(): Record<string, Float64Array> {
    return { m: this.m, v: this.v };
  }

  protected begin(step: number): void {
    this.c1 = 1 - this.beta1 ** step;
    this.c2 = 1 - this.beta2 ** step;
  }

  protected update(p: FloatArray, g: ArrayLike<number>, offset: number): void {
    const { m, v, beta1, beta2, lr, eps, c1, c2 } = this;
    for (let i = 0; i < p.length; i++) {
      const k = offset + i;
      m[k] = beta1 * m[k] + (1 - beta1) * g[i];
      v[k] = beta2 * v[k] + (1 - beta2) * g[i] * g[i];
      p[i] -= (lr * (m[k] / c1)) / (Math.sqrt(v[k] / c2) + eps);
    }
  }
}
