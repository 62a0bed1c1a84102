import { type TrajectoryEntry, trajectoryEstimators } from '../table';
import { STUDY_DEFAULTS } from './defaults';
import type { MdpProblem, StudyOptions } from './types';

/** The validated inputs of an MDP study (gradient/Hessian or meta-gradient), STUDY_DEFAULTS filled in. */
export interface MdpStudySetup {
  /** Policy logits θ, flat [S·A]: the problem's, else the MDP's own `logits`. */
  theta: Float64Array;
  /** Parameters S·A. */
  P: number;
  /** Trajectories per estimate (`samples`). */
  B: number;
  /** Independent estimates (`repeats`). */
  R: number;
  /** Estimates per vectorised call (`batchSize`). */
  chunk: number;
  seed: number;
  /** Level of the z-test (`level`). */
  level: number;
  /** The estimators asked for (default: every trajectory estimator of the table). */
  entries: TrajectoryEntry[];
}

export function mdpStudySetup(p: MdpProblem, opts: StudyOptions): MdpStudySetup {
  const { mdp } = p;
  const src = p.theta ?? mdp.logits;
  if (src === undefined)
    throw new RangeError('theta: expected policy logits (the MDP file has no `logits` and none were given)');
  const theta = Float64Array.from(src);
  const P = mdp.states * mdp.actions;
  if (theta.length !== P) throw new RangeError(`theta: expected ${P} logits, got ${theta.length}`);
  const all = trajectoryEstimators();
  const entries = (opts.estimators ?? all.map((e) => e.name)).map((n) => {
    const e = all.find((x) => x.name === n);
    if (!e)
      throw new RangeError(
        `estimators: expected names from ${all.map((x) => x.name).join(', ')}, got ${JSON.stringify(n)}`,
      );
    return e;
  });
  return {
    theta,
    P,
    B: opts.samples ?? STUDY_DEFAULTS.mdp.samples,
    R: opts.repeats ?? STUDY_DEFAULTS.mdp.repeats,
    chunk: opts.batchSize ?? STUDY_DEFAULTS.mdp.batchSize,
    seed: opts.seed ?? STUDY_DEFAULTS.seed,
    level: opts.level ?? STUDY_DEFAULTS.level,
    entries,
  };
}
