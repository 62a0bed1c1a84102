import type { Rng } from '@metagrad/autodiff';
import type { Policy } from '@metagrad/envs';

/**
 * A deterministic policy a = f_θ(s) on a flat parameter vector θ, as ES perturbs it: `linear`
 * (a = W s + b) or an MLP with tanh hidden layers and a linear output. Layout, layer by layer:
 * W (out × in, row-major) then b. No autodiff: ES only ever evaluates the policy.
 */
export class DeterministicPolicy {
  /** Layer widths, observation first, action last. */
  readonly sizes: readonly number[];
  /** Length of θ. */
  readonly dim: number;

  constructor(obsDim: number, actDim: number, hidden: readonly number[]) {
    this.sizes = [obsDim, ...hidden, actDim];
    let d = 0;
    for (let l = 0; l + 1 < this.sizes.length; l++) d += this.sizes[l + 1] * (this.sizes[l] + 1);
    this.dim = d;
    this.scratch = hidden.map((h) => new Float64Array(h));
  }

  /**
   * Initial θ: a linear policy starts at 0 (as ES-MAML's linear runs); hidden layers get
   * N(0, 1/fan-in) weights so the tanh units differ, and the output layer starts at 0.
   */
  init(rng: Rng): Float64Array {
    const theta = new Float64Array(this.dim);
    let o = 0;
    const layers = this.sizes.length - 1;
    for (let l = 0; l < layers; l++) {
      const [n, m] = [this.sizes[l], this.sizes[l + 1]];
      if (l < layers - 1) for (let j = 0; j < n * m; j++) theta[o + j] = rng.normal() / Math.sqrt(n);
      o += m * (n + 1);
    }
    return theta;
  }

  /** Hidden activations, reused by every call (one per hidden layer: no allocation per step). */
  private readonly scratch: Float64Array[];

  /** a = f_θ(s) for one observation (`obs` from `obsOffset`), written into `out` from `outOffset`. */
  act(theta: Float64Array, obs: Float64Array, obsOffset: number, out: Float64Array, outOffset: number): void {
    let x = obs;
    let xo = obsOffset;
    let o = 0;
    const layers = this.sizes.length - 1;
    for (let l = 0; l < layers; l++) {
      const n = this.sizes[l];
      const m = this.sizes[l + 1];
      const last = l === layers - 1;
      const y = last ? out : this.scratch[l];
      const yo = last ? outOffset : 0;
      for (let i = 0; i < m; i++) {
        let s = theta[o + m * n + i];
        const w = o + i * n;
        for (let j = 0; j < n; j++) s += theta[w + j] * x[xo + j];
        y[yo + i] = last ? s : Math.tanh(s);
      }
      o += m * (n + 1);
      x = y;
      xo = yo;
    }
  }

  /** The policy as a rollout callback: every lane acts with the same θ. */
  asPolicy(theta: Float64Array): Policy {
    const [obsDim, actDim] = [this.sizes[0], this.sizes[this.sizes.length - 1]];
    return (obs, _t, actions, ctx) => {
      for (let b = 0; b < ctx.size; b++) {
        if (ctx.active[b]) this.act(theta, obs, b * obsDim, actions, b * actDim);
        else actions.fill(0, b * actDim, (b + 1) * actDim);
      }
    };
  }
}
