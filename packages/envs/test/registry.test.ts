import { Rng } from '@metagrad/autodiff';
import {
  concatBatches,
  describeEnv,
  EnvConfigError,
  envNames,
  makeEnv,
  randomPolicy,
  resolveOptions,
  rollout,
} from '@metagrad/envs';

describe('registry', () => {
  test('lists every environment of the spec', () => {
    expect(envNames()).toEqual([
      'bernoulli-bandit',
      'cartpole',
      'four-corners',
      'gaussian-bandit',
      'gaussian-toy',
      'mdp-file',
      'navigation2d',
      'point-mass',
      'random-mdp',
      'sinusoid',
      'tabular-mdp',
    ]);
    for (const name of envNames()) expect(describeEnv(name).description.length).toBeGreaterThan(10);
  });

  test.each(envNames())(
    '%s: makes with defaults, RL ones roll out deterministically whatever the split',
    (name) => {
      const made = makeEnv(name);
      expect(made.name).toBe(name);
      if (made.kind !== 'rl') return;
      const tasks = made.tasks.trainTasks(3, 11);
      const policy = randomPolicy(made.env.actionSpace);
      const opts = { episodes: 2, seed: 5, horizon: Math.min(made.env.horizon, 40) };
      const whole = rollout(made.env, tasks, policy, opts);
      const parts = concatBatches([
        rollout(made.env, tasks.slice(0, 2), policy, opts),
        rollout(made.env, tasks.slice(2), policy, { ...opts, taskIndices: [2] }),
      ]);
      expect(parts).toEqual(whole);
      expect(whole.mask.every((m, i) => m === 1 || whole.rewards[i] === 0)).toBe(true);
    },
  );

  test('options: defaults, command-line strings, clear errors', () => {
    expect(resolveOptions('navigation2d', { horizon: '50', reward: 'squared' })).toMatchObject({
      horizon: 50,
      reward: 'squared',
      actionBound: 0.1,
    });
    const made = makeEnv('navigation2d', { horizon: '50', reward: 'squared' });
    expect(made.kind === 'rl' && made.env.horizon).toBe(50);
    expect(() => makeEnv('navigaton2d')).toThrow(
      /environment name: expected one of bernoulli-bandit, .*navigation2d/,
    );
    expect(() => makeEnv('navigation2d', { horizn: 5 })).toThrow(
      /unknown option "horizn"; known options: horizon/,
    );
    expect(() => makeEnv('bernoulli-bandit', { arms: 0 })).toThrow(
      /option arms: expected an integer >= 1, got 0/,
    );
    expect(() => makeEnv('navigation2d', { horizon: -3 })).toThrow(
      /option horizon: expected an integer >= 1, got -3/,
    );
    expect(() => makeEnv('navigation2d', { horizon: 'ten' })).toThrow(/got "ten"/);
    expect(() => makeEnv('four-corners', { variant: 'maml' })).toThrow(/one of "es-maml", "promp"/);
    expect(() => makeEnv('mdp-file', { path: '/nonexistent.json' })).toThrow(EnvConfigError);
    expect(() => makeEnv('sinusoid', { k: 5 })).toThrow(/takes no options/);
  });

  test('tasks of a distribution do not depend on which generator state sampled others', () => {
    const made = makeEnv('tabular-mdp', { states: 3, actions: 2 });
    if (made.kind !== 'rl') throw new Error('rl expected');
    const a = made.tasks.trainTasks(4, 1);
    const b = made.tasks.trainTasks(2, 1, 2);
    expect(b).toEqual(a.slice(2));
    expect(made.tasks.sample(new Rng(3))).toEqual(made.tasks.sample(new Rng(3)));
  });
});
