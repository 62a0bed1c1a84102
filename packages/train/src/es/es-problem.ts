import { type Batch, episodeReturns, rollout, type TaskDistribution, type VecEnv } from '@metagrad/envs';
import { ConfigError, type TrainConfig } from '../meta/config';
import { makeRlEnv } from '../meta/problem';
import { DeterministicPolicy } from './deterministic-policy';

/**
 * An es-maml run's environment, task distribution and deterministic policy, and the one thing ES
 * does with them: play one episode of a task with a parameter vector and read its return.
 */
export interface EsProblem {
  readonly cfg: TrainConfig;
  readonly env: VecEnv<unknown>;
  readonly tasks: TaskDistribution<unknown>;
  readonly policy: DeterministicPolicy;
  readonly horizon: number;
  /**
   * One episode of `task` with θ. Its random stream (initial state, noise) is keyed by
   * (seed, taskIndex, episode), so the same arguments give the same bits in any process.
   */
  episode(task: unknown, taskIndex: number, theta: Float64Array, episode: number, seed: number): Batch;
  /** The undiscounted return of that episode. */
  episodeReturn(task: unknown, taskIndex: number, theta: Float64Array, episode: number, seed: number): number;
}

export function makeEsProblem(cfg: TrainConfig): EsProblem {
  const { env, tasks } = makeRlEnv(cfg, 'es-maml');
  if (env.actionSpace.kind !== 'box')
    throw new ConfigError(
      `env: es-maml's deterministic policies need continuous actions; ${cfg.env} has discrete ones`,
    );
  const policy = new DeterministicPolicy(env.obsDim, env.actDim, cfg.policy === 'linear' ? [] : cfg.hidden);
  const horizon = cfg.horizon ?? env.horizon;
  const episode = (task: unknown, taskIndex: number, theta: Float64Array, e: number, seed: number) =>
    rollout(env, [task], policy.asPolicy(theta), {
      episodes: 1,
      horizon,
      seed,
      taskIndices: [taskIndex],
      episodeOffset: e,
    });
  return {
    cfg,
    env,
    tasks,
    policy,
    horizon,
    episode,
    episodeReturn: (task, taskIndex, theta, e, seed) =>
      episodeReturns(episode(task, taskIndex, theta, e, seed))[0],
  };
}
