// to be replaced by @metagrad/autodiff's optim (Adam / Sgd over pytrees, being added in parallel)
import { flattenTree, type PyTree, type Tensor, tensor } from '@metagrad/autodiff';
import { checkOption } from './tree-vector';

/** A first-order optimizer over parameter pytrees: returns new parameters, never mutates. */
export interface TreeOptimizer {
  step<P extends PyTree>(params: P, grads: P): P;
}

/** Pair up the leaves of params and grads, checking structure and sizes. */
function mapLeaves<P extends PyTree>(
  where: string,
  params: P,
  grads: P,
  fn: (p: Tensor, g: Tensor, leaf: number) => Float64Array,
): P {
  const fp = flattenTree(params, `${where}: params`);
  const gl = flattenTree(grads, `${where}: grads`).leaves;
  if (gl.length !== fp.leaves.length)
    throw new RangeError(
      `${where}: grads: expected ${fp.leaves.length} leaves like params, got ${gl.length}`,
    );
  const out = fp.leaves.map((p, i) => {
    if (gl[i].size !== p.size)
      throw new RangeError(`${where}: grads leaf ${i}: expected ${p.size} entries, got ${gl[i].size}`);
    return tensor(fn(p, gl[i], i), { shape: p.shape.slice(), dtype: p.dtype });
  });
  return fp.unflatten(out) as P;
}

export interface SgdTreeOptions {
  /** Learning rate (default 1e-2). */
  lr?: number;
}

/** Plain gradient descent: p ← p − lr·g. */
export class SgdTree implements TreeOptimizer {
  readonly lr: number;

  constructor(options: SgdTreeOptions = {}) {
    this.lr = checkOption('SgdTree', 'lr', options.lr ?? 1e-2, { min: 0, minExclusive: true });
  }

  step<P extends PyTree>(params: P, grads: P): P {
    return mapLeaves('SgdTree.step', params, grads, (p, g) => {
      const out = new Float64Array(p.size);
      for (let j = 0; j < p.size; j++) out[j] = p.data[j] - this.lr * g.data[j];
      return out;
    });
  }
}

export interface AdamTreeOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  beta1?: number;
  beta2?: number;
  /** Added to √v̂ (default 1e-8). */
  epsilon?: number;
}

/**
 * Adam (Kingma & Ba, PyTorch's update): m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
 * p ← p − lr·m̂ / (√v̂ + ε) with bias-corrected m̂, v̂. Moments are kept per leaf, so one instance
 * follows one parameter structure across steps.
 */
export class AdamTree implements TreeOptimizer {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private m: Float64Array[] | null = null;
  private v: Float64Array[] | null = null;
  private t = 0;

  constructor(options: AdamTreeOptions = {}) {
    const w = 'AdamTree';
    this.lr = checkOption(w, 'lr', options.lr ?? 1e-3, { min: 0, minExclusive: true });
    this.beta1 = checkOption(w, 'beta1', options.beta1 ?? 0.9, { min: 0, max: 1 });
    this.beta2 = checkOption(w, 'beta2', options.beta2 ?? 0.999, { min: 0, max: 1 });
    this.epsilon = checkOption(w, 'epsilon', options.epsilon ?? 1e-8, { min: 0 });
    if (this.beta1 === 1 || this.beta2 === 1)
      throw new RangeError(
        `${w}: beta1, beta2: expected numbers in [0, 1), got ${this.beta1}, ${this.beta2}`,
      );
  }

  /** Number of steps taken so far. */
  get steps(): number {
    return this.t;
  }

  step<P extends PyTree>(params: P, grads: P): P {
    const sizes = flattenTree(params, 'AdamTree.step: params').leaves.map((l) => l.size);
    if (this.m === null || this.v === null) {
      this.m = sizes.map((n) => new Float64Array(n));
      this.v = sizes.map((n) => new Float64Array(n));
    } else if (sizes.length !== this.m.length || sizes.some((n, i) => n !== this.m![i].length)) {
      throw new RangeError(
        `AdamTree.step: params: expected the structure of the first step (${this.m.length} leaves), got ${sizes.length} leaves`,
      );
    }
    this.t++;
    const [m, v, t] = [this.m, this.v, this.t];
    const c1 = 1 - this.beta1 ** t;
    const c2 = 1 - this.beta2 ** t;
    return mapLeaves('AdamTree.step', params, grads, (p, g, leaf) => {
      const out = new Float64Array(p.size);
      const ml = m[leaf];
      const vl = v[leaf];
      for (let j = 0; j < p.size; j++) {
        const gj = g.data[j];
        ml[j] = this.beta1 * ml[j] + (1 - this.beta1) * gj;
        vl[j] = this.beta2 * vl[j] + (1 - this.beta2) * gj * gj;
        out[j] = p.data[j] - (this.lr * (ml[j] / c1)) / (Math.sqrt(vl[j] / c2) + this.epsilon);
      }
      return out;
    });
  }
}
