import type { PyTree, Tensor } from '@metagrad/autodiff';
import {
  type Batch,
  type MadeEnv,
  makeEnv,
  rollout,
  type TabularMdp,
  type TaskDistribution,
  type VecEnv,
} from '@metagrad/envs';
import { CategoricalMlpPolicy } from '../policies/categorical-mlp';
import { GaussianMlpPolicy } from '../policies/gaussian-mlp';
import type { PolicyModel } from '../policies/policy';
import { TabularSoftmaxPolicy } from '../policies/tabular-softmax';
import { ConfigError, type TrainConfig } from './config';
import { TrainControlVariate } from './control-variate';
import { sliceLanes } from './lanes';
import { exactInnerObjective, innerObjective } from './objectives';

/**
 * A run's environment, task distribution and policy architecture, resolved from its config:
 * everything the meta-learner and the evaluation need to sample episodes and build objectives.
 */
export interface Problem<P extends PyTree = PyTree> {
  readonly env: VecEnv<unknown>;
  readonly tasks: TaskDistribution<unknown>;
  readonly model: PolicyModel<P>;
  readonly horizon: number;
  readonly discount: number;
  readonly cfg: TrainConfig;
  /**
   * One rollout for several tasks: task i acts with params[i] (or one shared params) on
   * `episodes` lanes; streams are keyed by (seed, task index, episode index), seed defaulting
   * to the run's.
   */
  sample(
    tasks: readonly unknown[],
    params: readonly P[],
    taskIndices: readonly number[],
    episodes: number,
    episodeOffset: number,
    seed?: number,
  ): Batch[];
  /** The inner objective of task `task` on batch `batch` (exact on tabular MDPs with `exact`). */
  inner(params: P, task: unknown, batch: Batch, values: Float64Array | undefined): Tensor;
  /**
   * The inner objective as a function S of the policy's log-probabilities, when it is one:
   * inner(θ, …) = S(model.logProbs(θ, batch)) exactly (baseline values, advantages' normalisation
   * and 1/H are constants of S). Undefined for `exact`, which is not of that form; optional so
   * hand-made problems need not give it (closed-form curvature is then not used).
   */
  innerSurrogate?(
    task: unknown,
    batch: Batch,
    values: Float64Array | undefined,
  ): ((logProbs: Tensor) => Tensor) | undefined;
  /**
   * `tmaml-meta`: the meta-learned control variate whose values the inner batches get (fitted on
   * independent batches; sampleTasks draws them). Mutable: training moves φ after each iteration.
   */
  controlVariate?: TrainControlVariate;
}

export const TABULAR_ENVS = new Set(['tabular-mdp', 'random-mdp', 'mdp-file']);

/** The config's reinforcement-learning environment; a ConfigError naming `env` when it has none (`who` needs one). */
export function makeRlEnv(cfg: TrainConfig, who: string): Extract<MadeEnv, { kind: 'rl' }> {
  let made: MadeEnv;
  try {
    made = makeEnv(cfg.env, cfg.envOptions);
  } catch (e) {
    throw new ConfigError(`env: ${(e as Error).message}`);
  }
  if (made.kind !== 'rl')
    throw new ConfigError(
      `env: ${who} needs a reinforcement-learning environment, got ${JSON.stringify(cfg.env)} (${made.kind})`,
    );
  return made;
}

export function makeProblem(cfg: TrainConfig): Problem {
  const { env, tasks } = makeRlEnv(cfg, 'meta-training');
  const tabular = TABULAR_ENVS.has(cfg.env);
  if (cfg.estimator === 'exact' && !tabular)
    throw new ConfigError(
      `estimator: 'exact' needs a tabular MDP environment (${[...TABULAR_ENVS].join(', ')}), got env ${JSON.stringify(cfg.env)}`,
    );
  const model = makeModel(cfg, env, tabular);
  const horizon = cfg.horizon ?? env.horizon;
  if (cfg.estimator === 'exact' && horizon !== env.horizon)
    throw new ConfigError(
      `horizon: the exact estimator uses the MDP's horizon ${env.horizon}, got ${horizon}`,
    );
  const discount = cfg.discount ?? env.discount;
  const controlVariate =
    cfg.estimator === 'tmaml-meta'
      ? new TrainControlVariate({
          obsDim: env.obsDim,
          actions: env.actionSpace.kind === 'discrete' ? env.actionSpace.n : env.actDim,
          horizon,
          discount,
          tabular,
          seed: cfg.seed,
        })
      : undefined;
  const surrogate = (batch: Batch, values: Float64Array | undefined) => (logProbs: Tensor) =>
    innerObjective(cfg, logProbs, batch, discount, values);
  return {
    env,
    tasks,
    model,
    horizon,
    discount,
    cfg,
    ...(controlVariate === undefined ? {} : { controlVariate }),
    sample(tasks, params, taskIndices, episodes, episodeOffset, seed = cfg.seed) {
      const lanesPerParams = params.length === 1 ? tasks.length * episodes : episodes;
      const batch = rollout(env, tasks, model.sampler(params, lanesPerParams), {
        episodes,
        horizon,
        seed,
        taskIndices,
        episodeOffset,
      });
      return tasks.map((_, i) => sliceLanes(batch, i * episodes, episodes));
    },
    inner(params, task, batch, values) {
      // the run's γ, like every sampled estimator (it may override the MDP's own)
      if (cfg.estimator === 'exact')
        return exactInnerObjective({ ...(task as TabularMdp), discount }, params as Tensor);
      return surrogate(batch, values)(model.logProbs(params, batch));
    },
    innerSurrogate(_task, batch, values) {
      return cfg.estimator === 'exact' ? undefined : surrogate(batch, values);
    },
  };
}

function makeModel(cfg: TrainConfig, env: VecEnv<unknown>, tabular: boolean): PolicyModel {
  const space = env.actionSpace;
  const kind =
    cfg.policy !== 'auto'
      ? cfg.policy
      : tabular
        ? 'tabular'
        : space.kind === 'discrete'
          ? 'categorical-mlp'
          : 'gaussian-mlp';
  if (kind === 'tabular') {
    if (!tabular)
      throw new ConfigError(
        `policy: 'tabular' needs a tabular MDP environment, got env ${JSON.stringify(cfg.env)}`,
      );
    if (space.kind !== 'discrete') throw new ConfigError('policy: tabular needs discrete actions');
    return new TabularSoftmaxPolicy(env.obsDim, space.n) as unknown as PolicyModel;
  }
  if (cfg.estimator === 'exact')
    throw new ConfigError(`policy: the exact estimator needs policy 'tabular', got ${JSON.stringify(kind)}`);
  const sizes = [env.obsDim, ...cfg.hidden];
  if (kind === 'categorical-mlp') {
    if (space.kind !== 'discrete')
      throw new ConfigError(
        `policy: 'categorical-mlp' needs discrete actions; ${cfg.env} has continuous ones`,
      );
    return new CategoricalMlpPolicy([...sizes, space.n], {
      activation: cfg.activation,
    }) as unknown as PolicyModel;
  }
  if (space.kind === 'discrete')
    throw new ConfigError(`policy: 'gaussian-mlp' needs continuous actions; ${cfg.env} has discrete ones`);
  return new GaussianMlpPolicy([...sizes, env.actDim], {
    initLogStd: cfg.initLogStd,
    activation: cfg.activation,
  }) as unknown as PolicyModel;
}
