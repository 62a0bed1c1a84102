import { Rng } from '@metagrad/autodiff';
import type { Batch } from './batch';
import { checkInt, EnvConfigError } from './errors';
import type { VecEnv } from './vec-env';

/** What a policy sees besides the observations. */
export interface PolicyContext {
  /** Number of lanes B. */
  readonly size: number;
  /** Per-lane generator for the policy's own sampling (keyed by task and episode index). */
  readonly rngs: readonly Rng[];
  /** 1 for lanes still running; the actions of other lanes are ignored. */
  readonly active: Uint8Array;
  readonly taskIndex: Int32Array;
  readonly episodeIndex: Int32Array;
}

/**
 * A policy as a plain callback: read `obs` [B, obsDim] at step t and write `actions` [B, actDim]
 * (discrete: the index as a float). Sample only from `ctx.rngs[b]` for lane b, so episodes do
 * not depend on how the batch is split.
 */
export type Policy = (obs: Float64Array, t: number, actions: Float64Array, ctx: PolicyContext) => void;

export interface RolloutOptions {
  /** Episodes per task (default 1). */
  episodes?: number;
  /** Steps per episode; padded to this length (default: the environment's horizon). */
  horizon?: number;
  /** Root seed (default 0). Lane streams are `new Rng(seed).derive(taskIndex, episodeIndex, k)`. */
  seed?: number;
  /** Global index of each task, for the random streams (default 0..n-1). */
  taskIndices?: readonly number[];
  /** Index of the first episode per task (default 0), to continue or split a run. */
  episodeOffset?: number;
}

const ENV_STREAM = 0;
const POLICY_STREAM = 1;

/** Lane indices are stored as Int32 (Batch.taskIndex / episodeIndex): larger ones are refused, not wrapped. */
const INT32_MAX = 2 ** 31 - 1;

/**
 * Run `episodes` episodes of every task with `policy`, all lanes stepped together, and return
 * them padded to the horizon. Splitting the tasks (with `taskIndices`) or the episodes (with
 * `episodeOffset`) over several calls gives the same bits as one call.
 */
export function rollout<Task>(
  env: VecEnv<Task>,
  tasks: Task | readonly Task[],
  policy: Policy,
  options: RolloutOptions = {},
): Batch {
  const taskList: readonly Task[] = Array.isArray(tasks) ? tasks : [tasks as Task];
  const episodes = checkInt('rollout: episodes', options.episodes ?? 1, 1);
  const T = checkInt('rollout: horizon', options.horizon ?? env.horizon, 1);
  const seed = checkInt('rollout: seed', options.seed ?? 0, 0);
  const episodeOffset = checkInt(
    'rollout: episodeOffset',
    options.episodeOffset ?? 0,
    0,
    INT32_MAX - episodes + 1,
  );
  const taskIndices = options.taskIndices ?? taskList.map((_, i) => i);
  if (taskList.length === 0) throw new EnvConfigError('rollout: tasks: expected at least one task, got 0');
  if (taskIndices.length !== taskList.length) {
    throw new EnvConfigError(
      `rollout: taskIndices: expected one per task (${taskList.length}), got ${taskIndices.length}`,
    );
  }
  for (const [i, ti] of taskIndices.entries()) checkInt(`rollout: taskIndices[${i}]`, ti, 0, INT32_MAX);

  const B = taskList.length * episodes;
  const obsDim = env.obsDim;
  const actDim = env.actDim;
  const root = new Rng(seed);
  const laneTasks: Task[] = new Array(B);
  const envRngs: Rng[] = new Array(B);
  const policyRngs: Rng[] = new Array(B);
  const taskIndex = new Int32Array(B);
  const episodeIndex = new Int32Array(B);
  for (let i = 0, b = 0; i < taskList.length; i++) {
    for (let e = 0; e < episodes; e++, b++) {
      laneTasks[b] = taskList[i];
      taskIndex[b] = taskIndices[i];
      episodeIndex[b] = episodeOffset + e;
      envRngs[b] = root.derive(taskIndex[b], episodeIndex[b], ENV_STREAM);
      policyRngs[b] = root.derive(taskIndex[b], episodeIndex[b], POLICY_STREAM);
    }
  }

  const observations = new Float64Array(B * T * obsDim);
  const actions = new Float64Array(B * T * actDim);
  const rewards = new Float64Array(B * T);
  const mask = new Float64Array(B * T);
  const dones = new Uint8Array(B * T);
  const lengths = new Int32Array(B).fill(T);
  const obs = new Float64Array(B * obsDim);
  const act = new Float64Array(B * actDim);
  const rew = new Float64Array(B);
  const done = new Uint8Array(B);
  const active = new Uint8Array(B).fill(1);
  const ctx: PolicyContext = { size: B, rngs: policyRngs, active, taskIndex, episodeIndex };

  const state = env.reset(laneTasks, envRngs, obs);
  let running = B;
  for (let t = 0; t < T && running > 0; t++) {
    // plain index loops: subarray views would allocate B objects per step
    for (let b = 0; b < B; b++) {
      if (active[b] === 0) continue;
      const o = (b * T + t) * obsDim;
      for (let j = 0; j < obsDim; j++) observations[o + j] = obs[b * obsDim + j];
      mask[b * T + t] = 1;
    }
    policy(obs, t, act, ctx);
    env.step(state, act, obs, rew, done, active);
    for (let b = 0; b < B; b++) {
      if (active[b] === 0) continue;
      const o = (b * T + t) * actDim;
      for (let j = 0; j < actDim; j++) actions[o + j] = act[b * actDim + j];
      rewards[b * T + t] = rew[b];
      if (done[b] !== 0) {
        dones[b * T + t] = 1;
        lengths[b] = t + 1;
        active[b] = 0;
        running--;
      }
    }
  }
  return {
    size: B,
    horizon: T,
    obsDim,
    actDim,
    observations,
    actions,
    rewards,
    mask,
    dones,
    lengths,
    taskIndex,
    episodeIndex,
    discount: env.discount,
  };
}
