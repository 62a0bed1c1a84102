import type { TabularMdp } from '@metagrad/envs';
import type { Unbiased } from '../table';
import type { VectorStats } from './stats';

/** A tabular MDP with a softmax policy at θ (default: the MDP's own `logits`). */
export interface MdpProblem {
  kind: 'mdp';
  mdp: TabularMdp;
  theta?: ArrayLike<number>;
  /**
   * The ⊥ state values V(s_t) the estimators get as baselines / control variates: 'exact' (the
   * true time-dependent values, default), 'fitted' (a linear feature baseline fitted per estimate
   * on an independent batch) or 'none' (zeros).
   */
  baseline?: 'exact' | 'fitted' | 'none';
}

/** Tang et al.'s 1-D Gaussian N-sample toy, swept over N. */
export interface GaussianProblem {
  kind: 'gaussian';
  theta: number;
  sigma: number;
  /** The N values to sweep (default STUDY_DEFAULTS.toy.n). */
  n?: readonly number[];
}

export type Problem = MdpProblem | GaussianProblem;

export interface StudyOptions {
  problem: Problem;
  /** Estimator names from the table (default: all that apply to the problem). */
  estimators?: string[];
  /** Trajectories per estimate (MDP only; the toy's sample sizes are its `n`). Defaults: STUDY_DEFAULTS. */
  samples?: number;
  /** Independent estimates R. */
  repeats?: number;
  /** Estimates computed per vectorised engine call; changes speed only, never the numbers. */
  batchSize?: number;
  seed?: number;
  /** Level of the Bonferroni-corrected z-test (its false-positive rate per verdict). */
  level?: number;
  /** Called after each chunk with (estimates done, estimates total). */
  onProgress?: (done: number, total: number) => void;
  /** Called after each row of the exact Hessian (MDP problems), before any sampling: (rows done, rows). */
  onExactProgress?: (done: number, total: number) => void;
  /**
   * Called after each newly computed chunk of repeats with their raw per-repeat estimates (for
   * checkpointing). The arrays are views into the study's own storage: read them, do not modify.
   */
  onChunk?: (chunk: StudyChunk) => void;
  /**
   * Chunks finished by an earlier run of the same study (same problem, options and seed), in
   * order and covering repeats 0 … k − 1: they are used instead of recomputed, and the result is
   * bit-identical to an uninterrupted run (estimate r depends only on the seed and r).
   */
  resume?: readonly StudyChunk[];
  /**
   * Meta-gradient mode (MDP problems only): estimate ∇V for V(θ) = J(θ + α∇J(θ)) (same task inner
   * and outer) instead of ∇J and ∇²J.
   */
  meta?: MetaOptions;
}

/**
 * Raw estimates of repeats first … first + count − 1, one repeat-major array per series of
 * count × width values: `<estimator>/gradient` (P) and `<estimator>/hessian` (P·P, row-major) for
 * an MDP study, `<estimator>/metaGradient` and `<estimator>/composed` (P each) in meta mode,
 * `<estimator>/n[<i>]=<N>` (1; i indexes the N values) for the Gaussian toy.
 */
export interface StudyChunk {
  first: number;
  count: number;
  values: Record<string, Float64Array>;
}

export interface MetaOptions {
  /** Inner step size α of the one-step MAML objective. */
  stepSize: number;
  /** Also the composed estimator with the estimated inner step θ + αĝ (default true). */
  composed?: boolean;
}

export interface MdpEstimatorResult {
  name: string;
  label: string;
  claim: Unbiased;
  gradient: VectorStats;
  /** Over the upper triangle of the Hessian (P(P+1)/2 entries). */
  hessian: VectorStats;
  /** Exact bias of the estimator's mean, by enumeration when feasible (else null). */
  exactBias: { gradient: number; hessian: number } | null;
}

export interface MdpStudyResult {
  kind: 'mdp';
  parameters: number;
  samples: number;
  repeats: number;
  seed: number;
  /** Level of the z-test (StudyOptions.level, the CLI's --level). */
  level: number;
  /** Exact J, ∇J, ∇²J (row-major). */
  exact: { J: number; grad: number[]; hessian: number[] };
  estimators: MdpEstimatorResult[];
  falsePositiveRate: string;
}

export interface ToyRow {
  n: number;
  estimator: string;
  stats: VectorStats;
  /** Closed-form mean and variance of this estimator at this N. */
  closedForm: { mean: number; variance: number };
  /** Sample variance and its standard error (from the sample fourth moment). */
  variance: number;
  varianceSe: number;
}

export interface ToyStudyResult {
  kind: 'gaussian';
  theta: number;
  sigma: number;
  repeats: number;
  seed: number;
  /** Level of the z-test (StudyOptions.level, the CLI's --level). */
  level: number;
  exactGradient: number;
  rows: ToyRow[];
  falsePositiveRate: string;
}

export interface MetaEstimatorResult {
  name: string;
  label: string;
  claim: Unbiased;
  /**
   * (I + αĤ(θ)) ĝ(θ′) with the exact inner step θ′ = θ + α∇J(θ), Ĥ and ĝ from independent batches:
   * unbiased exactly when the estimator's Hessian and gradient are. Its verdict is the claim tested.
   */
  metaGradient: VectorStats;
  /**
   * The composed estimate with the estimator's own inner step θ′ = θ + αĝ_in (what a MAML
   * implementation computes): biased even for unbiased Ĥ, by O(α²) (Var ĝ_in, Cov(Ĥ, ĝ_in)); reported, not claimed.
   */
  composed: VectorStats | null;
  /** ‖(I + αE[Ĥ])E[ĝ(θ′)] − ∇V‖ by enumeration when feasible (exact inner step), else null. */
  exactBias: number | null;
}

export interface MetaStudyResult {
  kind: 'meta';
  parameters: number;
  samples: number;
  repeats: number;
  seed: number;
  /** Level of the z-test (StudyOptions.level, the CLI's --level). */
  level: number;
  /** Inner step size α of V(θ) = J(θ + α∇J(θ)). */
  stepSize: number;
  /** Exact J(θ), ∇J(θ), the exact inner step θ′ and the exact meta-gradient (I + α∇²J)∇J(θ′). */
  exact: { J: number; grad: number[]; thetaPrime: number[]; metaGradient: number[] };
  estimators: MetaEstimatorResult[];
  /** What is estimated and why the composed estimate is not expected to be unbiased. */
  note: string;
  falsePositiveRate: string;
}

export type StudyResult = MdpStudyResult | ToyStudyResult | MetaStudyResult;
