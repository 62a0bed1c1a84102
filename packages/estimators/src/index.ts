// Trajectory inputs every surrogate reads: [B, T] log-probs, rewards, mask, γ; ⊥ per-step inputs.

export { Adam } from './adam';
// Baselines and control variates: ⊥ values V(s_t) fitted on batches independent of the estimate's.
export { LinearBaseline, type LinearBaselineFitOptions } from './baselines/linear-baseline';
export {
  AdaptedControlVariate,
  MetaControlVariate,
  type MetaControlVariateOptions,
  type MetaTrainOptions,
  type TaskBatches,
} from './baselines/meta-control-variate';
export { ValueMlp } from './baselines/value-mlp';
export {
  exactEstimatorMoments,
  MOMENTS_MAX_TRAJECTORIES,
  type Moments,
  type SurrogateBuilder,
} from './exact/expectation';
export { type ToyMoments, toyLsfMoments, toySfMoments } from './exact/gaussian-toy';
export { exactHessianTerms, type HessianTerms } from './exact/hessian-terms';
export { exactNSampleMeta, MAX_TUPLES, type NSampleMeta } from './exact/n-sample';
// Exact oracles by enumeration and closed forms: what the estimators must average to.
export {
  type ExactDerivatives,
  exactDerivatives,
  exactMetaGradient,
} from './exact/tabular';
export { returnsFromEachStep } from './returns';
export {
  type RepeatData,
  type RepeatEstimates,
  repeatEstimates,
  tileParameters,
} from './study/batched-estimates';
export { defaultStudyMdp } from './study/default-problem';
export { STUDY_DEFAULTS } from './study/defaults';
export { META_STUDY_NOTE } from './study/meta-study';
export {
  normalQuantile,
  studentQuantile,
  upperTriangles,
  type VectorStats,
  vectorStats,
} from './study/stats';
// The bias/variance study: R estimates per estimator against the exact value, and its statistics.
export { study } from './study/study';
export { DEFAULT_TOY_N, TOY_ESTIMATORS } from './study/toy-study';
export type {
  GaussianProblem,
  MdpEstimatorResult,
  MdpProblem,
  MdpStudyResult,
  MetaEstimatorResult,
  MetaOptions,
  MetaStudyResult,
  Problem,
  StudyChunk,
  StudyOptions,
  StudyResult,
  ToyRow,
  ToyStudyResult,
} from './study/types';
export { type AdvantageOptions, gae, normalizeMasked } from './surrogates/advantages';
export { type DiceOptions, dice, diceSum } from './surrogates/dice';
// Zeroth order: antithetic ES gradients and ES-MAML with its adaptation operators.
export {
  type Adaptation,
  type EsOptions,
  esGradient,
  esMaml,
  esStep,
  hillClimb,
  type Objective,
} from './surrogates/es';
export {
  constantStepTensor,
  cumLogProbs,
  discountPerStep,
  type PerStepInput,
  type Prepared,
  prepare,
  returnsMinusValues,
  stepInput,
  type Trajectories,
} from './surrogates/inputs';
export { type LoadedDiceOptions, loadedDice } from './surrogates/loaded-dice';
// N-sample and meta-gradient surrogates (Tang et al.'s LSF, the one-step meta surrogate).
export {
  lsf,
  type MetaSurrogateOptions,
  metaSurrogate,
  type NSampleDraw,
  nSampleSf,
} from './surrogates/lsf';
export { type LvcOptions, lvc } from './surrogates/lvc';
// Surrogate losses: scalars whose 1st/2nd derivatives are the estimators (□ = DiCE's magic box).
export { magicBox } from './surrogates/magic-box';
export { type MamlBiasedOptions, mamlBiased } from './surrogates/maml';
export { type SfOptions, sf } from './surrogates/sf';
export { type TmamlOptions, tmaml } from './surrogates/tmaml';
// The estimator table: every estimator once, with the unbiasedness it claims.
export {
  ESTIMATORS,
  type EstimatorEntry,
  estimatorByName,
  type OtherEntry,
  type TrajectoryEntry,
  trajectoryEstimators,
  type Unbiased,
} from './table';
// Tabular softmax policy log-probs of rollout batches (one-hot observations).
export { stateActionIndices, tabularLogProbs } from './tabular-policy';
