// Policies: the PolicyModel interface and its three implementations
export { type PolicyModel } from './policies/policy';
export { type GaussianMlpOptions, type GaussianMlpParams, GaussianMlpPolicy } from './policies/gaussian-mlp';
export { type CategoricalMlpOptions, type CategoricalMlpParams, CategoricalMlpPolicy } from './policies/categorical-mlp';
export { TabularSoftmaxPolicy } from './policies/tabular-softmax';
export { type Activation, type DenseLayer, type MlpOptions } from './policies/mlp';

// Meta-learning: configuration, adaptation, objectives, one meta-iteration, evaluation
export {
  ALGOS,
  type Algo,
  ConfigError,
  CONFIG_SCHEMA,
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
export { advantages, baselineValues, exactInnerObjective, innerObjective, policyGradientLoss } from './meta/objectives';
export { adaptChain, adaptedParams, outerKl, outerLoss, type TaskSamples } from './meta/meta-objective';
export { type SamplingTimes, sampleTasks } from './meta/sampling';
export { metaFisherProduct } from './meta/fisher';
export { makeOuterUpdate, type OuterStats, type OuterUpdate } from './meta/outer-update';
export { type IterationRecord, type IterationTimes, metaIteration, NonFiniteError } from './meta/meta-learner';
export { type EvaluationOptions, type EvaluationResult, evaluateMeta, meanAndCi, oracleReturn, TEST_SEED } from './meta/evaluate';

// Run directories: training that resumes bit-identically, and what it writes
export { type TrainRunOptions, type TrainRunResult, trainRun } from './run/train-run';
export {
  readCheckpoint,
  readPolicy,
  readProgress,
  readRunConfig,
  readTimes,
  RUN_FILES,
  RUN_FORMAT,
  RunDirError,
} from './run/run-dir';
export { treeFromJson, treeToJson } from './run/serialize';
