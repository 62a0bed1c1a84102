// biome-ignore-all assist/source/organizeImports: the exports are grouped by concept, not sorted

// Trajectory inputs every surrogate reads ([B, T] log-probs, rewards, mask, γ), returns, advantages.
export type { PerStepInput, Prepared, Trajectories } from './surrogates/inputs';
export {
  constantStepTensor,
  cumLogProbs,
  discountPerStep,
  prepare,
  returnsMinusValues,
  stepInput,
} from './surrogates/inputs';
export { returnsFromEachStep } from './returns';
export { type AdvantageOptions, gae } from './surrogates/advantages';

// Surrogate losses whose first and second derivatives are the estimators (□: DiCE's magic box).
export { magicBox } from './surrogates/magic-box';
export { type SfOptions, sf } from './surrogates/sf';
export { type MamlBiasedOptions, mamlBiased } from './surrogates/maml';
export { type DiceOptions, dice } from './surrogates/dice';
export { type LoadedDiceOptions, loadedDice } from './surrogates/loaded-dice';
export { type TmamlOptions, tmaml } from './surrogates/tmaml';
export { type LvcOptions, lvc } from './surrogates/lvc';

// N-sample surrogates (score function, Tang et al.'s LSF) and the one-step meta-gradient surrogate.
export { lsf, type MetaSurrogateOptions, metaSurrogate, type NSampleDraw, nSampleSf } from './surrogates/lsf';

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
  ES_META_GRADIENTS,
  type EsHessianOptions,
  type EsMetaGradient,
  esHessian,
  type FirstOrderEsMamlOptions,
  firstOrderEsMaml,
} from './surrogates/es-hessian';

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

// Tabular softmax policy: log-probs of rollout batches with one-hot observations.
export { stateActionIndices, tabularLogProbs } from './tabular-policy';

// Baselines and control variates: ⊥ values V(s_t) fitted on batches independent of the estimate's.
export { LinearBaseline, type LinearBaselineFitOptions } from './baselines/linear-baseline';
export { ValueMlp } from './baselines/value-mlp';
export {
  AdaptedControlVariate,
  MetaControlVariate,
  type MetaControlVariateOptions,
  type MetaTrainOptions,
  type TaskBatches,
} from './baselines/meta-control-variate';

// Exact oracles (enumeration, backward induction, closed forms): what the estimators must average to.
export { type ExactDerivatives, exactDerivatives, exactMetaGradient } from './exact/tabular';
export {
  exactEstimatorMoments,
  MOMENTS_MAX_TRAJECTORIES,
  type Moments,
  type SurrogateBuilder,
} from './exact/expectation';
export { exactHessianTerms, type HessianTerms } from './exact/hessian-terms';
export { exactNSampleMeta, MAX_TUPLES, type NSampleMeta } from './exact/n-sample';
export { type ToyMoments, toyLsfMoments, toySfMoments } from './exact/gaussian-toy';

// The bias/variance study: R estimates per estimator against the exact value, and its statistics.
export type { RepeatRange } from './study/chunks';
export { study, studyChunks } from './study/study';
export { STUDY_DEFAULTS } from './study/defaults';
export { defaultStudyMdp } from './study/default-problem';
export { DEFAULT_TOY_N, TOY_ESTIMATORS } from './study/toy-study';
export { META_STUDY_NOTE } from './study/meta-study';
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
export {
  type RepeatData,
  type RepeatEstimates,
  repeatEstimates,
  tileParameters,
} from './study/batched-estimates';
export {
  firstNonFinite,
  invalidateUnlessFinite,
  normalQuantile,
  studentQuantile,
  upperTriangles,
  type VectorStats,
  vectorStats,
} from './study/stats';
export { exactResources, type MemoryPart, type Resources, studyResources } from './study/budget';
