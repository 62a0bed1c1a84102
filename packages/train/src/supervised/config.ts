import { SINUSOID } from '@metagrad/envs';
import { type Check, ConfigError, int, layerWidths, num, oneOf, show } from '../config-checks';

/**
 * A supervised meta-learning run on sinusoid regression (the MAML paper's §5.1 setup). Defaults:
 * MAML paper (Finn et al. 2017, §5.1 and its code maml/main.py): 1→40→40→1 ReLU, Adam meta step
 * 0.001, meta-batch 25, inner step α 0.01, one inner step in training, K = 10 shots.
 */
export const SUPERVISED_ALGOS = ['maml', 'fomaml', 'reptile', 'cavia', 'meta-sgd', 'pretrain'] as const;
export type SupervisedAlgo = (typeof SUPERVISED_ALGOS)[number];

/** The environments this path trains (everything else goes to the RL meta-learners). */
export const SUPERVISED_ENVS = ['sinusoid'] as const;

export interface SupervisedConfig {
  env: 'sinusoid';
  algo: SupervisedAlgo;
  /** K: support points per task (and query points per task in training). */
  shots: number;
  hidden: number[];
  iterations: number;
  /** Tasks per meta-iteration. */
  metaBatch: number;
  /** Inner SGD steps in training. */
  innerSteps: number;
  /** Inner step size α (CAVIA: of the context parameters; Meta-SGD: α's initial value). */
  alpha: number;
  /** Adam step size; Reptile: the initial outer step size β₀, annealed linearly to 0. */
  outerLr: number;
  /** CAVIA: number of context parameters C appended to the input. */
  contextDim: number;
  seed: number;
  checkpointEvery: number;
}

export const SUPERVISED_DEFAULTS: SupervisedConfig = {
  env: 'sinusoid',
  algo: 'maml',
  shots: 10,
  hidden: [...SINUSOID.hidden],
  iterations: 5000,
  metaBatch: SINUSOID.metaBatch,
  innerSteps: 1,
  alpha: SINUSOID.innerLr,
  outerLr: 0.001,
  contextDim: 5,
  seed: 0,
  checkpointEvery: 100,
};

/**
 * Per-algorithm defaults where the algorithm's paper differs. CAVIA (Zintgraf et al. 2019, §5.1):
 * 5 context parameters with inner step 1.0 (the context starts at 0 and alone is adapted, so it
 * takes a large step). Reptile (Nichol et al. 2018): several inner steps and an outer step
 * β₀ = 1 annealed linearly to 0 (the batched algorithm of the tutorial's slide).
 */
const ALGO_DEFAULTS: Partial<Record<SupervisedAlgo, Partial<SupervisedConfig>>> = {
  cavia: { alpha: 1.0 },
  reptile: { innerSteps: 5, outerLr: 1.0 },
};

export const SUPERVISED_SCHEMA: Record<keyof SupervisedConfig, Check> = {
  env: oneOf(SUPERVISED_ENVS),
  algo: oneOf(SUPERVISED_ALGOS),
  shots: int(1, 10_000),
  hidden: layerWidths(true),
  iterations: int(0),
  metaBatch: int(1, 100_000),
  innerSteps: int(1, 100),
  alpha: num(0, 1e3, true),
  outerLr: num(0, 1e3, true),
  contextDim: int(1, 1000),
  seed: int(0, 2 ** 32 - 1),
  checkpointEvery: int(1),
};

/** Is this (partial) config one for the supervised path? */
export function isSupervisedEnv(env: unknown): boolean {
  return (SUPERVISED_ENVS as readonly unknown[]).includes(env);
}

/** Defaults (the algorithm's, then the paper's), then `partial`; unknown fields are errors. */
export function resolveSupervisedConfig(
  partial: Record<string, unknown>,
  where = 'config',
): SupervisedConfig {
  for (const key of Object.keys(partial))
    if (!Object.hasOwn(SUPERVISED_SCHEMA, key))
      throw new ConfigError(
        `${where}: ${show(key)} is not an option of supervised training on sinusoid; known: ${Object.keys(SUPERVISED_SCHEMA).join(', ')}`,
      );
  const algo = partial.algo ?? SUPERVISED_DEFAULTS.algo;
  SUPERVISED_SCHEMA.algo(`${where}: algo`, algo);
  const merged = {
    ...SUPERVISED_DEFAULTS,
    ...(ALGO_DEFAULTS[algo as SupervisedAlgo] ?? {}),
    ...partial,
  } as Record<string, unknown>;
  for (const [key, check] of Object.entries(SUPERVISED_SCHEMA)) check(`${where}: ${key}`, merged[key]);
  const c = merged as unknown as SupervisedConfig;
  return { ...c, hidden: [...c.hidden] };
}
