import {
  bool,
  type Check,
  ConfigError,
  int,
  layerWidths,
  nullable,
  num,
  oneOf,
  show,
} from '../config-checks';
import {
  ES_ADAPTS,
  ES_DEFAULTS,
  ES_META_GRADIENTS,
  type EsAdapt,
  type EsMetaGradient,
  esConfigProblem,
} from '../es/es-options';
import { ACTIVATIONS, type Activation } from '../policies/mlp';

export { ConfigError } from '../config-checks';

/**
 * A meta-training run's configuration: every option, its default, its check. Names follow
 * pytorch-maml-rl where it has one (meta-batch, fast-batch, inner steps, fast lr α). The
 * defaults are pytorch-maml-rl's 2D-navigation config (configs/maml/2d-navigation.yaml).
 */

/** `pretrain`: one policy trained on all tasks jointly, no adaptation in training (the MAML paper's baseline). */
/** `es-maml`: zero-order ES-MAML (Song et al. 2020) with a deterministic `linear` or `mlp` policy (src/es/). */
export const ALGOS = ['maml', 'fomaml', 'promp', 'pretrain', 'es-maml'] as const;
export type Algo = (typeof ALGOS)[number];

export const OUTERS = ['vpg', 'trpo', 'ppo'] as const;
export type Outer = (typeof OUTERS)[number];

/** Inner estimators a run can use: names of the estimator table, plus `exact` (tabular MDPs only). */
export const INNER_ESTIMATORS = [
  'maml',
  'maml-reference',
  'dice',
  'loaded-dice',
  'tmaml',
  'tmaml-meta',
  'lvc',
  'sf',
  'exact',
] as const;
export type InnerEstimator = (typeof INNER_ESTIMATORS)[number];

/** `linear` and `mlp` are deterministic policies, for es-maml only. */
export const POLICIES = ['auto', 'gaussian-mlp', 'categorical-mlp', 'tabular', 'linear', 'mlp'] as const;
export type PolicyKind = (typeof POLICIES)[number];

export interface TrainConfig {
  /** Environment name in the envs registry, and its options. */
  env: string;
  envOptions: Record<string, number | string>;
  algo: Algo;
  estimator: InnerEstimator;
  outer: Outer;
  policy: PolicyKind;
  hidden: number[];
  activation: Activation;
  initLogStd: number;
  iterations: number;
  /** Tasks per meta-iteration. */
  metaBatch: number;
  /** Trajectories per task and adaptation step. */
  fastBatch: number;
  innerSteps: number;
  /** Inner step size α. */
  alpha: number;
  /** Meta-SGD: learn one α per parameter (initialised to `alpha`). */
  learnAlpha: boolean;
  /** γ for advantages and estimators (null: the environment's own). */
  discount: number | null;
  gaeLambda: number;
  /** z-normalise advantages (inner `maml` loss and the outer surrogate), as pytorch-maml-rl does. */
  normalizeAdvantages: boolean;
  baseline: 'linear' | 'none';
  /** Episode length (null: the environment's). */
  horizon: number | null;
  // outer update
  maxKl: number;
  cgIters: number;
  /**
   * TRPO: average the curvature (the Fisher products of conjugate gradient) over the first this
   * many tasks of the meta-batch instead of all (null). Fewer is faster and approximates only
   * the search direction: the gradient, the KL ≤ δ test and the line search use every task.
   */
  fisherTasks: number | null;
  cgDamping: number;
  lineSearchSteps: number;
  backtrackRatio: number;
  /** Adam step size for vpg / ppo / promp. */
  outerLr: number;
  /** Optimisation epochs per iteration for ppo / promp. */
  ppoEpochs: number;
  clip: number;
  /** ProMP: weight of the KL(π_θ ‖ π_θ′) penalty between pre- and post-adaptation policies. */
  klPenalty: number;
  seed: number;
  /** Write a checkpoint every this many iterations (the last iteration always writes one). */
  checkpointEvery: number;
  // es-maml only (src/es/es-options.ts): metaBatch is the number of antithetic pairs, alpha the es-step size
  /** Adaptation operator U of es-maml. */
  adapt: EsAdapt;
  /** Rollouts of the task the adaptation operator may use (K). */
  k: number;
  /** Smoothing scale σ of the outer ES gradient. */
  sigma: number;
  /** Perturbation scale of the adaptation operator (hill-climbing step, es-step smoothing). */
  adaptSigma: number;
  /** Meta-gradient estimator of es-maml (first-order ones need the es-step operator). */
  metaGradient: EsMetaGradient;
}

/** pytorch-maml-rl's 2D-navigation setup (64-64 tanh, 20 × 20, α 0.1, TRPO max-KL 0.01). */
export const TRAIN_DEFAULTS: TrainConfig = {
  env: 'navigation2d',
  envOptions: {},
  algo: 'maml',
  estimator: 'maml',
  outer: 'trpo',
  policy: 'auto',
  hidden: [64, 64],
  activation: 'tanh',
  initLogStd: 0,
  iterations: 500,
  metaBatch: 20,
  fastBatch: 20,
  innerSteps: 1,
  alpha: 0.1,
  learnAlpha: false,
  discount: 0.99,
  gaeLambda: 1,
  normalizeAdvantages: true,
  baseline: 'linear',
  horizon: null,
  maxKl: 0.01,
  cgIters: 10,
  fisherTasks: null,
  cgDamping: 1e-5,
  lineSearchSteps: 15,
  backtrackRatio: 0.8,
  outerLr: 1e-3,
  ppoEpochs: 5,
  clip: 0.3,
  klPenalty: 5e-4,
  seed: 0,
  checkpointEvery: 10,
  ...ES_DEFAULTS,
};

/** One check per field: the schema that presets and resolved configs are validated against. */
export const CONFIG_SCHEMA: Record<keyof TrainConfig, Check> = {
  env: (key, v) => {
    if (typeof v !== 'string' || v === '')
      throw new ConfigError(`${key}: expected an environment name, got ${show(v)}`);
  },
  envOptions: (key, v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v))
      throw new ConfigError(`${key}: expected an object of environment options, got ${show(v)}`);
    for (const [k, x] of Object.entries(v as object))
      if (typeof x !== 'number' && typeof x !== 'string')
        throw new ConfigError(`${key}.${k}: expected a number or a string, got ${show(x)}`);
  },
  algo: oneOf(ALGOS),
  estimator: oneOf(INNER_ESTIMATORS),
  outer: oneOf(OUTERS),
  policy: oneOf(POLICIES),
  hidden: layerWidths(false),
  activation: oneOf(ACTIVATIONS),
  initLogStd: num(-10, 10),
  iterations: int(0),
  metaBatch: int(1, 100_000),
  fastBatch: int(1, 100_000),
  innerSteps: int(1, 100),
  alpha: num(0, 1e6),
  learnAlpha: bool,
  discount: nullable(num(0, 1)),
  gaeLambda: num(0, 1),
  normalizeAdvantages: bool,
  baseline: oneOf(['linear', 'none']),
  horizon: nullable(int(1, 1_000_000)),
  maxKl: num(0, 10, true),
  cgIters: int(1, 1000),
  fisherTasks: nullable(int(1, 100_000)),
  cgDamping: num(0, 1e6),
  lineSearchSteps: int(1, 100),
  backtrackRatio: num(0, 1, true),
  outerLr: num(0, 1e3, true),
  ppoEpochs: int(1, 1000),
  clip: num(0, 10, true),
  klPenalty: num(0, 1e6),
  seed: int(0, 2 ** 32 - 1),
  checkpointEvery: int(1),
  adapt: oneOf(ES_ADAPTS),
  k: int(1, 100_000),
  sigma: num(0, 1e3, true),
  adaptSigma: num(0, 1e3, true),
  metaGradient: oneOf(ES_META_GRADIENTS),
};

/**
 * Fill defaults and check every field of a partial config (from a preset file or the command
 * line); unknown fields are errors, so a typo never silently falls back to a default.
 */
export function resolveConfig(partial: Record<string, unknown>, where = 'config'): TrainConfig {
  for (const key of Object.keys(partial)) {
    if (!Object.hasOwn(CONFIG_SCHEMA, key))
      throw new ConfigError(
        `${where}: unknown field ${show(key)}; known fields: ${Object.keys(CONFIG_SCHEMA).join(', ')}`,
      );
  }
  // ProMP is LVC inside and the clipped objective outside unless told otherwise
  const algoDefaults =
    partial.algo === 'promp'
      ? { estimator: 'lvc', outer: 'ppo' }
      : partial.algo === 'es-maml'
        ? { policy: 'linear', outerLr: 0.05, alpha: 0.05 }
        : {};
  const merged = { ...TRAIN_DEFAULTS, ...algoDefaults, ...partial } as Record<string, unknown>;
  for (const [key, check] of Object.entries(CONFIG_SCHEMA)) check(`${where}: ${key}`, merged[key]);
  const c = merged as unknown as TrainConfig;
  if (c.estimator === 'exact' && c.algo === 'promp')
    throw new ConfigError(`${where}: estimator: 'exact' is for maml and fomaml, got algo ${show(c.algo)}`);
  if (c.estimator === 'tmaml-meta' && c.algo !== 'maml' && c.algo !== 'fomaml')
    throw new ConfigError(
      `${where}: estimator: 'tmaml-meta' adapts a control variate per inner step, for maml and fomaml; got algo ${show(c.algo)}`,
    );
  if (c.fisherTasks !== null && c.fisherTasks > c.metaBatch)
    throw new ConfigError(
      `${where}: fisherTasks: expected at most metaBatch = ${c.metaBatch} tasks, got ${c.fisherTasks}`,
    );
  if (c.algo === 'promp' && c.outer !== 'ppo')
    throw new ConfigError(
      `${where}: outer: ProMP's outer update is the clipped objective: expected 'ppo', got ${show(c.outer)}`,
    );
  const es = esConfigProblem(c);
  if (es !== null) throw new ConfigError(`${where}: ${es}`);
  return { ...c, hidden: [...c.hidden], envOptions: { ...c.envOptions } };
}
