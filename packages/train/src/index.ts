// Policies: the PolicyModel interface and its three implementations

export { adaptStep, type MetaParams } from './meta/adaptation';
// Meta-learning: configuration, adaptation, objectives, one meta-iteration, evaluation
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
export {
  type EvaluationOptions,
  type EvaluationResult,
  evaluateMeta,
  meanAndCi,
  oracleReturn,
  TEST_SEED,
} from './meta/evaluate';
export { metaFisherProduct } from './meta/fisher';
export { initMetaParams } from './meta/init';
export {
  type IterationRecord,
  type IterationTimes,
  metaIteration,
  NonFiniteError,
} from './meta/meta-learner';
export { adaptChain, adaptedParams, outerKl, outerLoss, type TaskSamples } from './meta/meta-objective';
export {
  advantages,
  baselineValues,
  exactInnerObjective,
  innerObjective,
  policyGradientLoss,
} from './meta/objectives';
export { makeOuterUpdate, type OuterStats, type OuterUpdate } from './meta/outer-update';
export { makeProblem, type Problem } from './meta/problem';
export { type SamplingTimes, sampleTasks } from './meta/sampling';
export {
  AdamTree,
  type AdamTreeOptions,
  SgdTree,
  type SgdTreeOptions,
  type TreeOptimizer,
} from './outer/adam-tree';
// Outer updates on parameter pytrees: conjugate gradient, TRPO, PPO-clip, VPG, Adam/SGD
export {
  type ConjugateGradientOptions,
  type ConjugateGradientResult,
  conjugateGradient,
} from './outer/conjugate-gradient';
export { type PpoUpdateOptions, type PpoUpdateResult, ppoClipLoss, ppoUpdate } from './outer/ppo';
export { treeToVector, vectorToTree } from './outer/tree-vector';
export {
  fisherVectorProduct,
  TRPO_DEFAULTS,
  type TrpoOptions,
  type TrpoResult,
  type TrpoStepOptions,
  trpoStep,
} from './outer/trpo';
export { type VpgStepOptions, type VpgStepResult, vpgStep } from './outer/vpg';
export {
  type CategoricalMlpOptions,
  type CategoricalMlpParams,
  CategoricalMlpPolicy,
} from './policies/categorical-mlp';
export { type GaussianMlpOptions, type GaussianMlpParams, GaussianMlpPolicy } from './policies/gaussian-mlp';
export type { Activation, DenseLayer, MlpOptions } from './policies/mlp';
export type { PolicyModel } from './policies/policy';
export { TabularSoftmaxPolicy } from './policies/tabular-softmax';
export {
  RUN_FILES,
  RUN_FORMAT,
  RunDirError,
  readCheckpoint,
  readPolicy,
  readProgress,
  readRunConfig,
  readTimes,
} from './run/run-dir';
export { treeFromJson, treeToJson } from './run/serialize';
// Run directories: training that resumes bit-identically, and what it writes
export { type TrainRunOptions, type TrainRunResult, trainRun } from './run/train-run';
