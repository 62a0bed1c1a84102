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
  /** The N values to sweep (default [1, 2, 5, 10, 100, 1000]). */
  n?: number[];
}

export type Problem = MdpProblem | GaussianProblem;

export interface StudyOptions {
  problem: Problem;
  /** Estimator names from the table (default: all that apply to the problem). */
  estimators?: string[];
  /** Trajectories per estimate (MDP; default 20). The toy's sample size is its `n`. */
  samples?: number;
  /** Independent estimates R (default 400; Gaussian toy 1000). */
  repeats?: number;
  /** Estimates computed per vectorised engine call; changes speed only, never the numbers (default 50). */
  batchSize?: number;
  seed?: number;
  /** Level of the Bonferroni-corrected z-test (default 0.01). */
  alpha?: number;
  /** Called after each chunk with (estimates done, estimates total). */
  onProgress?: (done: number, total: number) => void;
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
  alpha: number;
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
  alpha: number;
  exactGradient: number;
  rows: ToyRow[];
  falsePositiveRate: string;
}

export type StudyResult = MdpStudyResult | ToyStudyResult;
