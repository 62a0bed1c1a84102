import { prunedTrajectoryCount, type TabularMdp } from '@metagrad/envs';
import { MOMENTS_MAX_TRAJECTORIES } from '../exact/expectation';
import { trajectoryEstimators } from '../table';
import { STUDY_DEFAULTS } from './defaults';
import { TOY_ESTIMATORS } from './toy-study';
import type { StudyOptions } from './types';

/**
 * Memory and work estimates, made from the problem's sizes before anything is allocated, so a
 * caller can refuse a job that would exhaust memory or run for hours. The constants are
 * measured upper bounds (Node 20, float64, one core), not exact counts: each autodiff node
 * keeps its inputs for differentiation, so memory grows with the horizon and the batch.
 */

/** Bytes the tape keeps per backward-induction step: node overhead + the [S, S·A] products. */
const STEP_BYTES = 16384;
const STEP_BYTES_PER_SSA = 64;
/** Fixed cost per step and reverse pass, in multiply-adds (node overhead). */
const STEP_OVERHEAD_OPS = 2000;
/** Bytes per trajectory step of a batch whose gradient and Hessian are taken (tape + data). */
const TRAJECTORY_STEP_BYTES = 1024;
/** Bytes per drawn sample of the Gaussian toy (the draws, their log-probs and the tape). */
const TOY_SAMPLE_BYTES = 192;

export interface Resources {
  /** Estimated peak bytes. */
  bytes: number;
  /** Estimated multiply-adds of the exact oracle (its backward induction and enumerations). */
  work: number;
}

/** One part of a study's memory, with the option that shrinks it (library names). */
export interface MemoryPart {
  what: string;
  bytes: number;
  /** The options to lower, e.g. ['samples', 'batchSize']. */
  lower: string[];
}

/**
 * The exact oracle on `mdp`: J, ∇J and ∇²J by differentiable backward induction (a Hessian is
 * one reverse pass per parameter over the T-step tape), × 3 with the meta-gradient (a gradient
 * of a gradient), plus `moments` enumerations of every trajectory (exact estimator means and
 * the Hessian terms) when the MDP has few enough trajectories.
 */
export function exactResources(
  mdp: Pick<TabularMdp, 'states' | 'actions' | 'horizon'> & Partial<TabularMdp>,
  opts: { meta?: boolean; moments?: number } = {},
): Resources {
  const { states: S, actions: A, horizon: T } = mdp;
  const P = S * A;
  const ssa = S * S * A;
  const passes = opts.meta ? 3 : 1;
  let bytes = T * (STEP_BYTES + STEP_BYTES_PER_SSA * ssa) * passes + 8 * (2 * ssa + 4 * P * P);
  let work = T * (P + 1) * (ssa + STEP_OVERHEAD_OPS) * passes;
  const moments = opts.moments ?? 0;
  if (moments > 0) {
    const K = enumerationSize(mdp);
    bytes += K * T * TRAJECTORY_STEP_BYTES;
    work += moments * (P + 1) * K * T * 50;
  }
  return { bytes, work };
}

/** Trajectories the exact moments would enumerate (0 when over their limit, so skipped). */
function enumerationSize(
  mdp: Partial<TabularMdp> & Pick<TabularMdp, 'states' | 'actions' | 'horizon'>,
): number {
  const { states: S, actions: A, horizon: T } = mdp;
  const starts = mdp.initial ? mdp.initial.filter((p) => p > 0).length : S;
  const all = starts * A ** T * S ** (T - 1); // without pruning zero-probability transitions
  if (all <= MOMENTS_MAX_TRAJECTORIES) return all;
  // every action sequence is a distinct trajectory, so at least starts·A^T remain after pruning
  if (starts * A ** T > MOMENTS_MAX_TRAJECTORIES) return 0;
  // pruned counting walks all T·S²·A transitions: affordable only for small MDPs; else assume the limit
  if (mdp.transitions && mdp.initial && T * S * S * A <= 1e6) {
    const K = prunedTrajectoryCount(mdp as TabularMdp);
    return K <= MOMENTS_MAX_TRAJECTORIES ? K : 0;
  }
  return MOMENTS_MAX_TRAJECTORIES;
}

/**
 * What `study(opts)` needs: the exact oracle, the stored estimates (R × every series) and one
 * batch of estimates (batchSize × samples trajectories, or batchSize × N toy draws). Memory
 * parts are listed largest first.
 */
export function studyResources(opts: StudyOptions): { exact: Resources; memory: MemoryPart[] } {
  const p = opts.problem;
  const meta = opts.meta !== undefined;
  const parts: MemoryPart[] = [];
  let exact: Resources = { bytes: 0, work: 0 };
  if (p.kind === 'mdp') {
    const { states: S, actions: A, horizon: T } = p.mdp;
    const P = S * A;
    const names = opts.estimators ?? trajectoryEstimators().map((e) => e.name);
    const R = opts.repeats ?? STUDY_DEFAULTS.mdp.repeats;
    const B = opts.samples ?? STUDY_DEFAULTS.mdp.samples;
    const chunk = Math.min(opts.batchSize ?? STUDY_DEFAULTS.mdp.batchSize, R);
    exact = exactResources(p.mdp, { meta, moments: names.length * (meta ? 2 : 1) });
    parts.push({ what: 'the exact oracle', bytes: exact.bytes, lower: ['the MDP size or horizon'] });
    const width = meta ? 2 * P : P + P * P;
    // stored once, copied for the statistics and once more while a checkpoint is written
    parts.push({ what: 'the stored estimates', bytes: 3 * 8 * R * names.length * width, lower: ['repeats'] });
    const streams = meta ? 3 : 1; // inner, outer and composed samples
    parts.push({
      what: 'one batch of estimates',
      bytes: chunk * B * T * TRAJECTORY_STEP_BYTES * streams + 8 * chunk * P * P * 3,
      lower: ['samples', 'batchSize'],
    });
  } else {
    const ns = p.n ?? STUDY_DEFAULTS.toy.n;
    const names = opts.estimators ?? TOY_ESTIMATORS;
    const R = opts.repeats ?? STUDY_DEFAULTS.toy.repeats;
    const chunk = Math.min(opts.batchSize ?? STUDY_DEFAULTS.toy.batchSize, R);
    parts.push({
      what: 'the stored estimates',
      bytes: 3 * 8 * R * ns.length * names.length,
      lower: ['repeats'],
    });
    parts.push({
      what: 'one batch of estimates',
      bytes: chunk * Math.max(...ns) * TOY_SAMPLE_BYTES,
      lower: ['n', 'batchSize'],
    });
  }
  return { exact, memory: parts.sort((a, b) => b.bytes - a.bytes) };
}
