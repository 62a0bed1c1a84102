import { flattenTree, type PyTree, type Tensor, tensor, valueAndGrad } from '@metagrad/autodiff';
import { trpoStep } from '../outer/trpo';
import { base64ToFloat64, float64ToBase64 } from '../run/serialize';
import type { MetaParams } from './adaptation';
import type { TrainConfig } from './config';

export interface OuterStats {
  lossBefore: number;
  lossAfter: number;
  /** Mean KL between the sampling (old) and updated post-adaptation policies. */
  kl: number;
  gradNorm: number;
  accepted: boolean;
  stepFraction: number;
  /** Seconds spent computing the outer loss's gradient (the rest of the step is the optimiser's). */
  gradientSeconds: number;
}

/**
 * The outer update of the meta-parameters, given the outer loss L(θ) and the KL of the
 * post-adaptation policies from the sampling ones, both as functions of the meta-parameters.
 * Its state (Adam's moments) is plain JSON for checkpoints, restored bit-exactly.
 */
export interface OuterUpdate<P extends PyTree = PyTree> {
  step(
    meta: MetaParams<P>,
    loss: (m: MetaParams<P>) => Tensor,
    kl: (m: MetaParams<P>) => Tensor,
    /** F·v for the KL's Hessian at `meta` (TRPO), cheaper than differentiating `kl` twice. */
    fisher?: (v: Float64Array) => Float64Array,
  ): { meta: MetaParams<P>; stats: OuterStats };
  state(): unknown;
  restore(state: unknown): void;
}

const norm = (xs: Float64Array) => Math.sqrt(xs.reduce((a, x) => a + x * x, 0));

/** Flat copy of a pytree's leaves, and the way back. */
function flat(tree: unknown): { values: Float64Array; rebuild: (v: Float64Array) => unknown } {
  const f = flattenTree(tree, 'meta-parameters');
  const sizes = f.leaves.map((t) => t.size);
  const values = new Float64Array(sizes.reduce((a, b) => a + b, 0));
  let o = 0;
  for (const t of f.leaves) {
    values.set(t.data, o);
    o += t.size;
  }
  return {
    values,
    rebuild: (v) => {
      let k = 0;
      return f.unflatten(
        f.leaves.map((t) => {
          const out = tensor(v.slice(k, k + t.size), { shape: t.shape });
          k += t.size;
          return out;
        }),
      );
    },
  };
}

/**
 * Adam on the flattened meta-parameters (Kingma & Ba), with its moments exposed for checkpoints.
 * Arithmetic per entry as in every Adam: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
 * θ ← θ − lr·m̂/(√v̂ + ε).
 */
class AdamState {
  m: Float64Array | null = null;
  v: Float64Array | null = null;
  steps = 0;
  constructor(
    readonly lr: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly eps = 1e-8,
  ) {}

  apply(params: Float64Array, g: Float64Array): void {
    if (this.m === null || this.v === null || this.m.length !== params.length) {
      this.m = new Float64Array(params.length);
      this.v = new Float64Array(params.length);
    }
    const { m, v, beta1, beta2 } = this;
    this.steps++;
    const c1 = 1 - beta1 ** this.steps;
    const c2 = 1 - beta2 ** this.steps;
    for (let i = 0; i < params.length; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      params[i] -= (this.lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + this.eps);
    }
  }

  toJson(): unknown {
    return { steps: this.steps, m: this.m && float64ToBase64(this.m), v: this.v && float64ToBase64(this.v) };
  }

  fromJson(s: unknown): void {
    const o = s as { steps?: unknown; m?: unknown; v?: unknown } | null;
    if (o === null || typeof o !== 'object' || !Number.isInteger(o.steps))
      throw new RangeError(`checkpoint.outerState: expected Adam's {steps, m, v}, got ${JSON.stringify(s)}`);
    this.steps = o.steps as number;
    this.m = typeof o.m === 'string' ? base64ToFloat64(o.m, 'checkpoint.outerState.m') : null;
    this.v = typeof o.v === 'string' ? base64ToFloat64(o.v, 'checkpoint.outerState.v') : null;
  }
}

/** Gradient-based outer updates: VPG (one Adam step) and PPO/ProMP (several Adam epochs). */
function adamUpdate<P extends PyTree>(cfg: TrainConfig, epochs: number): OuterUpdate<P> {
  const adam = new AdamState(cfg.outerLr);
  return {
    step(meta, loss, kl) {
      const t0 = performance.now();
      let [value, g] = valueAndGrad(loss)(meta) as [Tensor, MetaParams<P>];
      const gradientSeconds = (performance.now() - t0) / 1000;
      const lossBefore = value.item();
      const gradNorm = norm(flat(g).values);
      let current = meta;
      for (let e = 0; e < epochs; e++) {
        if (e > 0) [value, g] = valueAndGrad(loss)(current) as [Tensor, MetaParams<P>];
        const p = flat(current);
        adam.apply(p.values, flat(g).values);
        current = p.rebuild(p.values) as MetaParams<P>;
      }
      return {
        meta: current,
        stats: {
          lossBefore,
          lossAfter: loss(current).item(),
          kl: kl(current).item(),
          gradNorm,
          accepted: true,
          stepFraction: 1,
          gradientSeconds,
        },
      };
    },
    state: () => adam.toJson(),
    restore: (s) => adam.fromJson(s),
  };
}

function trpoUpdate<P extends PyTree>(cfg: TrainConfig): OuterUpdate<P> {
  return {
    step(meta, loss, kl, fisher) {
      const r = trpoStep(meta, loss, kl, {
        fisher,
        maxKl: cfg.maxKl,
        cgIters: cfg.cgIters,
        cgDamping: cfg.cgDamping,
        lineSearchSteps: cfg.lineSearchSteps,
        backtrackRatio: cfg.backtrackRatio,
      });
      return {
        meta: r.params as MetaParams<P>,
        stats: {
          lossBefore: r.lossBefore,
          lossAfter: r.lossAfter,
          kl: r.kl,
          gradNorm: r.gradNorm,
          accepted: r.accepted,
          stepFraction: r.stepFraction,
          gradientSeconds: r.gradientSeconds,
        },
      };
    },
    state: () => null,
    restore: () => {},
  };
}

export function makeOuterUpdate<P extends PyTree>(cfg: TrainConfig): OuterUpdate<P> {
  if (cfg.outer === 'trpo') return trpoUpdate(cfg);
  return adamUpdate(cfg, cfg.outer === 'ppo' ? cfg.ppoEpochs : 1);
}
