import { ConfigError, resolveConfig, type TrainConfig } from '../meta/config';

/**
 * The estimators `compare` trains with, each a way of computing the meta-gradient: the inner
 * estimator the adaptation is differentiated through, under the compare's own outer update; ProMP
 * is LVC with its clipped, KL-penalised outer objective (PPO); `exact` uses the oracles (tabular
 * MDPs only): the ceiling the others are measured against.
 */
export const COMPARE_ESTIMATORS = [
  'maml',
  'dice',
  'loaded-dice',
  'lvc',
  'promp',
  'tmaml',
  'tmaml-meta',
  'exact',
] as const;
export type CompareEstimator = (typeof COMPARE_ESTIMATORS)[number];

/** Not trainable (none at present): named so that asking for them gets a reason, not "unknown estimator". */
export const UNAVAILABLE: Partial<Record<CompareEstimator, string>> = {};

/** The config fields that make a sub-run train with `name`. */
function overrides(name: CompareEstimator): Partial<TrainConfig> {
  if (name === 'promp') return { algo: 'promp', estimator: 'lvc', outer: 'ppo' };
  return { algo: 'maml', estimator: name as TrainConfig['estimator'] };
}

/**
 * The sub-run of estimator `name` and seed `seed`: the compare's base config with only the
 * estimator (and the seed) changed, so every sub-run of a seed shares the initial θ, the task
 * sequence and the episode streams (common random numbers).
 */
export function subRunConfig(base: TrainConfig, name: CompareEstimator, seed: number): TrainConfig {
  const why = UNAVAILABLE[name];
  if (why !== undefined)
    throw new ConfigError(`--estimators: ${JSON.stringify(name)} is unavailable: ${why}`);
  return resolveConfig({ ...base, ...overrides(name), seed }, `--estimators ${name}`);
}

/** The default selection: every available estimator that the environment allows. */
export function defaultEstimators(tabular: boolean): CompareEstimator[] {
  return COMPARE_ESTIMATORS.filter((e) => UNAVAILABLE[e] === undefined && (tabular || e !== 'exact'));
}
