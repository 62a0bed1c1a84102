import type { FloatArray } from '../dtype';
import type { PyTree } from '../transforms/pytree';
import { Optimizer, option } from './optimizer';

export interface SgdOptions {
  /** Step size (default 0.01). */
  lr?: number;
  /** Heavy-ball momentum μ in [0, 1) (default 0: plain gradient descent). */
  momentum?: number;
}

/**
 * Stochastic gradient descent, minimising: per element p ← p − lr·g, or with momentum μ
 * (PyTorch's form) b ← μb + g, p ← p − lr·b. Same two entry points as Adam.
 */
export class Sgd extends Optimizer {
  readonly lr: number;
  readonly momentum: number;
  private readonly buf: Float64Array | null;

  constructor(params: PyTree | number, opts: SgdOptions = {}) {
    super(params, 'Sgd');
    this.lr = option('Sgd', 'lr', opts.lr ?? 1e-2, (v) => v > 0, 'a number > 0');
    this.momentum = option(
      'Sgd',
      'momentum',
      opts.momentum ?? 0,
      (v) => v >= 0 && v < 1,
      'a number in [0, 1)',
    );
    this.buf = this.momentum > 0 ? new Float64Array(this.size) : null;
  }

  protected buffers(): Record<string, Float64Array> {
    return this.buf === null ? {} : { momentum: this.buf };
  }

  protected begin(): void {}

  protected update(p: FloatArray, g: ArrayLike<number>, offset: number): void {
    const { lr, momentum, buf } = this;
    if (buf === null) {
      for (let i = 0; i < p.length; i++) p[i] -= lr * g[i];
      return;
    }
    for (let i = 0; i < p.length; i++) {
      const k = offset + i;
      buf[k] = momentum * buf[k] + g[i];
      p[i] -= lr * buf[k];
    }
  }
}
