import { type ConfigError, resolveConfig, type TrainConfig } from '../src/meta/config';
import { initMetaParams } from '../src/meta/init';
import { metaIteration } from '../src/meta/meta-learner';
import { makeOuterUpdate } from '../src/meta/outer-update';
import { makeProblem } from '../src/meta/problem';

const TINY: Partial<TrainConfig> = {
  env: 'navigation2d',
  envOptions: { horizon: 8 },
  hidden: [6],
  metaBatch: 3,
  fastBatch: 4,
};

/** One MAML-TRPO meta-iteration's progress record. */
function iterate(extra: Partial<TrainConfig>) {
  const config = resolveConfig({ ...TINY, ...extra });
  const problem = makeProblem(config);
  return metaIteration(problem, makeOuterUpdate(config), initMetaParams(problem), 0).record;
}

describe('fisherTasks: TRPO curvature from the first n tasks', () => {
  test('n = metaBatch is the default, bit for bit', () => {
    expect(iterate({ fisherTasks: 3 })).toEqual(iterate({}));
  });

  test('fewer tasks change only the direction: the step still keeps KL ≤ δ over every task', () => {
    const full = iterate({});
    const two = iterate({ fisherTasks: 2 });
    expect(two.lossBefore).toBe(full.lossBefore); // same samples, same loss before the step
    expect(two.gradNorm).toBe(full.gradNorm);
    expect(two.lossAfter).not.toBe(full.lossAfter); // another direction was taken
    expect(two.accepted).toBe(true);
    expect(two.kl).toBeLessThanOrEqual(0.01);
    expect(two.lossAfter).toBeLessThan(two.lossBefore);
  });

  test.each([
    [0, /fisherTasks: expected an integer in \[1, 100000\], got 0/],
    [1.5, /fisherTasks: expected an integer/],
    [4, /fisherTasks: expected at most metaBatch = 3 tasks, got 4/],
  ])('rejects %p naming the field', (n, message) => {
    expect(() => resolveConfig({ ...TINY, fisherTasks: n })).toThrow(message);
    try {
      resolveConfig({ ...TINY, fisherTasks: n });
    } catch (e) {
      expect((e as ConfigError).name).toBe('ConfigError');
    }
  });
});
