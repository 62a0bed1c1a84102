import {
  Adam,
  mapTree,
  type OptimizerState,
  type PyTree,
  sub,
  type Tensor,
  treeLeaves,
} from '@metagrad/autodiff';
import { base64ToFloat64, float64ToBase64 } from '../run/serialize';
import type { SupervisedConfig } from './config';
import type { SupervisedParams } from './params';

/** The outer update: Adam on the meta-gradient, or Reptile's plain step with a linearly annealed size. */
export interface SupervisedOuter {
  step(p: SupervisedParams, direction: SupervisedParams, iteration: number): SupervisedParams;
  /** Checkpointable state (JSON; bit-exact buffers as base64). */
  state(): unknown;
  restore(s: unknown): void;
}

/**
 * Reptile's outer step size at `iteration`: β₀·(1 − iteration / iterations), the linear anneal of
 * Nichol et al. 2018 (§6: "outer step size … linearly annealed to 0").
 */
export const reptileStepSize = (c: SupervisedConfig, iteration: number) =>
  c.outerLr * (1 - iteration / Math.max(c.iterations, 1));

export function makeSupervisedOuter(c: SupervisedConfig, p: SupervisedParams): SupervisedOuter {
  if (c.algo === 'reptile')
    return {
      step: (q, d, it) => {
        const beta = reptileStepSize(c, it);
        return mapTreePair(q, d, (x, g) => sub(x, g.mul(beta)));
      },
      state: () => null,
      restore: () => {},
    };
  const adam = new Adam(p as unknown as PyTree, { lr: c.outerLr });
  return {
    step: (q, d) => adam.step(q as unknown as PyTree, d as unknown as PyTree) as unknown as SupervisedParams,
    state: () => {
      const s = adam.state();
      const buffers: Record<string, string> = {};
      for (const [k, b] of Object.entries(s.buffers)) buffers[k] = float64ToBase64(b);
      return { steps: s.steps, buffers };
    },
    restore: (raw) => {
      const s = raw as { steps: number; buffers: Record<string, string> };
      const buffers: Record<string, Float64Array> = {};
      for (const [k, b] of Object.entries(s?.buffers ?? {}))
        buffers[k] = base64ToFloat64(b, `checkpoint.outerState.${k}`);
      adam.loadState({ steps: s?.steps, buffers } as OptimizerState);
    },
  };
}

/** Combine two pytrees of the same structure leaf by leaf. */
function mapTreePair<T>(a: T, b: T, fn: (x: Tensor, y: Tensor) => Tensor): T {
  const bs = treeLeaves(b);
  let i = 0;
  return mapTree(a, (x) => fn(x, bs[i++]));
}
