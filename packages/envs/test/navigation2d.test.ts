import { Rng } from '@metagrad/autodiff';
import {
  ActionError,
  batchTensors,
  concatBatches,
  constantPolicy,
  EnvConfigError,
  NAVIGATION2D_DEFAULTS,
  Navigation2dEnv,
  navigation2dTasks,
  randomPolicy,
  rollout,
} from '@metagrad/envs';

function stepOnce(env: Navigation2dEnv, goal: [number, number], action: number[]) {
  const obs = new Float64Array(2);
  const st = env.reset([{ goal }], [new Rng(0)], obs);
  const reward = new Float64Array(1);
  const done = new Uint8Array(1);
  env.step(st, Float64Array.from(action), obs, reward, done);
  return { obs, reward: reward[0], done: done[0] };
}

describe('navigation2d', () => {
  test('published constants are the defaults', () => {
    expect(NAVIGATION2D_DEFAULTS).toEqual({
      horizon: 100,
      actionBound: 0.1,
      goalBound: 0.5,
      reward: 'distance',
      doneTolerance: 0.01,
    });
    const env = new Navigation2dEnv();
    expect(env.horizon).toBe(100);
    expect(Array.from(env.actionSpace.kind === 'box' ? env.actionSpace.high : [])).toEqual([0.1, 0.1]);
  });

  test('one step: clip, move, reward after the move (hand computed)', () => {
    const env = new Navigation2dEnv();
    const r = stepOnce(env, [0.3, -0.4], [0.05, -0.7]);
    expect(Array.from(r.obs)).toEqual([0.05, -0.1]);
    expect(r.reward).toBeCloseTo(-Math.hypot(0.25, 0.3), 15);
    expect(r.done).toBe(0);
  });

  test('squared reward variant', () => {
    const env = new Navigation2dEnv({ reward: 'squared' });
    const r = stepOnce(env, [0.3, -0.4], [0.05, -0.7]);
    expect(r.reward).toBeCloseTo(-(0.25 ** 2 + 0.3 ** 2), 15);
  });

  test('done when both coordinates are within 0.01 of the goal', () => {
    const env = new Navigation2dEnv();
    expect(stepOnce(env, [0.095, 0.005], [0.1, 0]).done).toBe(1);
    expect(stepOnce(env, [0.115, 0], [0.1, 0]).done).toBe(0);
  });

  test('an episode that reaches the goal is padded with mask 0 and reward 0', () => {
    const env = new Navigation2dEnv({ horizon: 10 });
    const batch = rollout(env, [{ goal: [0.2, 0.1] }], constantPolicy([0.1, 0.05]));
    expect(batch.lengths[0]).toBe(2);
    expect(Array.from(batch.mask)).toEqual([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(batch.dones[1]).toBe(1);
    expect(batch.rewards.slice(2).every((r) => r === 0)).toBe(true);
    expect(Array.from(batch.observations.slice(0, 4))).toEqual([0, 0, 0.1, 0.05]);
    expect(batch.observations.slice(4).every((v) => v === 0)).toBe(true);
  });

  test('goals ∼ U[−0.5, 0.5]² and task sets are reproducible', () => {
    const d = navigation2dTasks();
    const tasks = d.trainTasks(200, 3);
    for (const t of tasks) for (const g of t.goal) expect(Math.abs(g)).toBeLessThanOrEqual(0.5);
    expect(d.trainTasks(200, 3)).toEqual(tasks);
    expect(d.trainTasks(5, 3, 10)).toEqual(tasks.slice(10, 15));
    expect(d.testTasks(5, 3)).not.toEqual(tasks.slice(0, 5));
  });

  test('same seed ⇒ same bits whatever the split (tasks and episodes)', () => {
    const env = new Navigation2dEnv({ horizon: 30 });
    const tasks = navigation2dTasks().trainTasks(4, 1);
    const policy = randomPolicy({
      kind: 'box',
      shape: [2],
      low: Float64Array.of(-0.2, -0.2),
      high: Float64Array.of(0.2, 0.2),
    });
    const whole = rollout(env, tasks, policy, { episodes: 3, seed: 9 });
    const byTask = concatBatches(
      tasks.map((t, i) => rollout(env, [t], policy, { episodes: 3, seed: 9, taskIndices: [i] })),
    );
    expect(byTask).toEqual(whole);
    const first = rollout(env, tasks[2], policy, {
      episodes: 1,
      seed: 9,
      taskIndices: [2],
      episodeOffset: 0,
    });
    const rest = rollout(env, tasks[2], policy, { episodes: 2, seed: 9, taskIndices: [2], episodeOffset: 1 });
    const joined = concatBatches([first, rest]);
    // lane indices are Int32: an index that would wrap is refused, naming the option
    expect(() => rollout(env, tasks[2], policy, { taskIndices: [2 ** 31] })).toThrow(
      /rollout: taskIndices\[0\].*\[0, 2147483647\]/,
    );
    expect(() => rollout(env, tasks[2], policy, { episodes: 2, episodeOffset: 2 ** 31 - 1 })).toThrow(
      /rollout: episodeOffset/,
    );
    expect(joined.rewards).toEqual(whole.rewards.slice(6 * 30, 9 * 30));
    expect(joined.observations).toEqual(whole.observations.slice(6 * 60, 9 * 60));
  });

  test('bad actions and bad configuration raise clear errors', () => {
    const env = new Navigation2dEnv();
    expect(() => stepOnce(env, [0, 0], [Number.NaN, 0])).toThrow(ActionError);
    expect(() => stepOnce(env, [0, 0], [Number.NaN, 0])).toThrow(
      /actions\[0\]\[0\]: expected a finite number, got NaN/,
    );
    expect(() => stepOnce(env, [0, 0], [0.1])).toThrow(/actions: expected a Float64Array of shape \[1, 2\]/);
    expect(() => new Navigation2dEnv({ horizon: -1 })).toThrow(/horizon: expected an integer >= 1, got -1/);
    expect(() => new Navigation2dEnv({ reward: 'l1' as never })).toThrow(EnvConfigError);
    expect(() => rollout(env, [], constantPolicy([0, 0]))).toThrow(/tasks/);
    expect(() => rollout(env, [{ goal: [0, 0] }], constantPolicy([0, 0]), { horizon: 0 })).toThrow(
      /rollout: horizon: expected an integer >= 1, got 0/,
    );
    expect(() => rollout(env, [{ goal: [0, 0] }], constantPolicy([Infinity, 0]))).toThrow(/got Infinity/);
  });
});

describe('batch tensors', () => {
  test('shapes and values follow the batch; discounts are γ^t', () => {
    const env = new Navigation2dEnv({ horizon: 4 });
    const b = rollout(env, navigation2dTasks().trainTasks(2, 0), constantPolicy([0.1, 0]), { episodes: 3 });
    const t = batchTensors(b, 0.5);
    expect(t.observations.shape).toEqual([6, 4, 2]);
    expect(t.actions.shape).toEqual([6, 4, 2]);
    expect(t.rewards.shape).toEqual([6, 4]);
    expect(Array.from(t.mask.data)).toEqual(Array.from(b.mask));
    expect(Array.from(t.discounts.data)).toEqual([1, 0.5, 0.25, 0.125]);
  });
});
