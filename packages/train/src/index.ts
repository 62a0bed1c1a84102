// biome-ignore-all assist/source/organizeImports: the exports are grouped by concept, not sorted

// Policies: the PolicyModel interface (with its optional closed-form Fisher product) and its three implementations.
export type { FisherProduct, LogProbCurvature, PolicyModel } from './policies/policy';
export { type GaussianMlpOptions, type GaussianMlpParams, GaussianMlpPolicy } from './policies/gaussian-mlp';
export {
  type CategoricalMlpOptions,
  type CategoricalMlpParams,
  CategoricalMlpPolicy,
} from './policies/categorical-mlp';
export { TabularSoftmaxPolicy } from './policies/tabular-softmax';
export { type Activation, type DenseLayer, type MlpOptions, PlainMlp } from './policies/mlp';

// Meta-learning: configuration, adaptation, objectives, one meta-iteration, evaluation.
export {
  ALGOS,
  type Algo,
  CONFIG_SCHEMA,
  ConfigError,
  INNER_ESTIMATORS,
  type InnerEstimator,
  OUTERS,
  type Outer,
  POLICIES,
  type PolicyKind,
  resolveConfig,
  TRAIN_DEFAULTS,
  type TrainConfig,
} from './meta/config';
export { adaptStep, type MetaParams } from './meta/adaptation';
export { makeProblem, type Problem } from './meta/problem';
export { initMetaParams } from './meta/init';
export {
  advantages,
  baselineValues,
  exactInnerObjective,
  innerObjective,
  policyGradientLoss,
} from './meta/objectives';
export { adaptChain, adaptedParams, outerKl, outerLoss, type TaskSamples } from './meta/meta-objective';
export { type SamplingTimes, sampleTasks } from './meta/sampling';
export { metaFisherProduct } from './meta/fisher';
export { makeOuterUpdate, type OuterStats, type OuterUpdate } from './meta/outer-update';
export { type IterationRecord, type IterationTimes, metaIteration } from './meta/meta-learner';
export { controlVariateIteration } from './meta/control-variate-iteration';
export { TrainControlVariate } from './meta/control-variate';
export { NonFiniteError } from './non-finite';
export {
  type EvaluationOptions,
  type EvaluationResult,
  evaluateMeta,
  meanAndCi,
  oracleReturn,
  TEST_SEED,
} from './meta/evaluate';

// Outer updates on parameter pytrees: conjugate gradient, TRPO, PPO-clip, VPG (Adam and Sgd are the engine's).
export {
  type ConjugateGradientOptions,
  type ConjugateGradientResult,
  conjugateGradient,
} from './outer/conjugate-gradient';
export {
  fisherVectorProduct,
  TRPO_DEFAULTS,
  type TrpoOptions,
  type TrpoResult,
  type TrpoStepOptions,
  trpoStep,
} from './outer/trpo';
export { ppoClipLoss, type PpoUpdateOptions, type PpoUpdateResult, ppoUpdate } from './outer/ppo';
export { reinforceLoss, type VpgStepOptions, type VpgStepResult, vpgStep } from './outer/vpg';
export { treeToVector, vectorToTree } from './outer/tree-vector';

// Run directories: training that resumes bit-identically, and what it writes.
export { type TrainRunOptions, type TrainRunResult, trainRun } from './run/train-run';
export {
  readCheckpoint,
  readPolicy,
  readProgress,
  readRunConfig,
  readTimes,
  RUN_FILES,
  RUN_FORMAT,
  STATE_FORMAT,
  RunDirError,
} from './run/run-dir';
export { treeFromJson, treeToJson } from './run/serialize';

// Compare: one training per estimator × seed with common random numbers, tracking the meta-gradient.
export { COMPARE_ESTIMATORS, type CompareEstimator, subRunConfig } from './compare/estimators';
export { type TrackOptions, type TrackRow, type TrackTimes, trackAt } from './compare/tracker';
export { type CompareRunOptions, compareRun } from './compare/compare-run';
export { type CompareSpec, readCompareSpec } from './compare/compare-dir';
export { type CompareSummary, summarizeCompare } from './compare/summary';
// supervised meta-learning on sinusoid regression (MAML, FOMAML, Reptile, CAVIA, Meta-SGD, pretrain)
export {
  resolveSupervisedConfig,
  SUPERVISED_ALGOS,
  SUPERVISED_DEFAULTS,
  type SupervisedAlgo,
  type SupervisedConfig,
} from './supervised/config';
export { type MetaBatch, testBatch, trainBatch } from './supervised/data';
export {
  adapt as supervisedAdapt,
  adaptStep as supervisedAdaptStep,
  type Adapted,
  predict as supervisedPredict,
} from './supervised/adapt';
export { metaDirection, postAdaptationLoss, reptileDirection } from './supervised/meta-step';
export { makeSupervisedOuter } from './supervised/outer';
export { initParams, type SupervisedParams } from './supervised/params';
export { evaluateSupervised, type SupervisedEvaluation } from './supervised/evaluate';
export { type SupervisedRecord, supervisedTrainRun } from './supervised/train-run';
export { gradientMechanics, type MechanicsResult } from './supervised/mechanics';
// ES-MAML (zero-order, deterministic policies): per-query pure functions, one iteration, runs, evaluation.
export { DeterministicPolicy } from './es/deterministic-policy';
export { type EsProblem, makeEsProblem } from './es/es-problem';
export { antitheticGradient, esGradient, perturbationDirection } from './es/es-gradient';
export { adaptOnTask, adaptationRollouts, makeAdaptation } from './es/adaptation-operator';
export { adaptedReturn, type QueryResult, queryReturn } from './es/perturbation';
export { type EsIterationRecord, esIteration } from './es/es-iteration';
export { initEsParams } from './es/es-params';
export { VectorAdam } from './es/vector-adam';
export { trainEsRun } from './es/train-es';
export { type EsTaskTrace, evaluateEs } from './es/evaluate-es';
// Worker pool: meta-batch tasks and study repeats on threads, byte-identical at any worker count.
export { defaultWorkers, WorkerCrashError, WorkerPool, WorkerTaskError } from './parallel/pool';
export { type EsQueries, inProcessEsQueries, makeEsQueries, pooledEsQueries } from './parallel/es-pool';
export { type EsPairsResult, evaluatePairs } from './parallel/es-queries';
export { shared } from './parallel/protocol';
export { type PooledStudyOptions, pooledStudy } from './parallel/study-pool';
