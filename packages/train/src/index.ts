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

// Worker pool: meta-batch tasks and study repeats on threads, byte-identical at any worker count.
export { defaultWorkers, WorkerCrashError, WorkerTaskError } from './parallel/pool';
export { type PooledStudyOptions, pooledStudy } from './parallel/study-pool';
