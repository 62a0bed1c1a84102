import { Adam, type PyTree, type Tensor } from '@metagrad/autodiff';
import { ppoUpdate } from '../outer/ppo';
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
  /**
   * The Adam updates' optimizer (created on first use, sized by `meta`, its moments restored):
   * for a driver that computes the gradients elsewhere (the worker pool) and steps it itself.
   */
  optimizer?(meta: MetaParams<P>): Adam;
}

/** Adam's state as JSON: buffers as base64 of their float64 bytes (bit-exact). */
export function adamStateJson(adam: Adam): unknown {
  const st = adam.state();
  const buffers: Record<string, string> = {};
  for (const [k, v] of Object.entries(st.buffers)) buffers[k] = float64ToBase64(v);
  return { steps: st.steps, buffers };
}

export function loadAdamState(adam: Adam, json: unknown): void {
  const o = json as { steps?: unknown; buffers?: Record<string, unknown> } | null;
  if (o === null || typeof o !== 'object' || typeof o.buffers !== 'object' || o.buffers === null)
    throw new RangeError(
      `checkpoint.outerState: expected Adam's {steps, buffers}, got ${JSON.stringify(json)}`,
    );
  const buffers: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(o.buffers)) {
    if (typeof v !== 'string')
      throw new RangeError(`checkpoint.outerState.buffers.${k}: expected base64, got ${JSON.stringify(v)}`);
    buffers[k] = base64ToFloat64(v, `checkpoint.outerState.buffers.${k}`);
  }
  adam.loadState({ steps: o.steps as number, buffers });
}

/**
 * Adam outer updates: VPG (one step on the outer loss) and PPO/ProMP (`epochs` full-batch steps
 * on the clipped loss, as ProMP's outer optimisation). Adam's moments persist across iterations
 * (and checkpoints); it is created on the first step, sized by the meta-parameters.
 */
function adamUpdate<P extends PyTree>(cfg: TrainConfig, epochs: number): OuterUpdate<P> {
  let adam: Adam | null = null;
  let saved: unknown = null;
  const ensure = (meta: MetaParams<P>): Adam => {
    if (adam === null) {
      adam = new Adam(meta, { lr: cfg.outerLr });
      if (saved !== null) loadAdamState(adam, saved);
    }
    return adam;
  };
  return {
    step(meta, loss, kl) {
      const optimizer = ensure(meta);
      const t0 = performance.now();
      const r = ppoUpdate(meta, loss, { epochs, optimizer });
      const gradientSeconds = (performance.now() - t0) / 1000 / epochs;
      return {
        meta: r.params,
        stats: {
          lossBefore: r.losses[0],
          lossAfter: loss(r.params).item(),
          kl: kl(r.params).item(),
          gradNorm: r.gradNorms[0],
          accepted: true,
          stepFraction: 1,
          gradientSeconds,
        },
      };
    },
    optimizer: ensure,
    state: () => (adam === null ? saved : adamStateJson(adam)),
    restore: (s) => {
      saved = s;
      adam = null;
    },
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
