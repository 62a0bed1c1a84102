import { Rng } from '@metagrad/autodiff';
import {
  concatBatches,
  envNames,
  makeEnv,
  randomPolicy,
  rollout,
  tabularMdpFromJson,
  tabularMdpTasks,
  tabularMdpToJson,
} from '@metagrad/envs';
import fc from 'fast-check';

const rlNames = envNames().filter((n) => makeEnv(n).kind === 'rl');

describe('properties', () => {
  test('any split of tasks and episodes reproduces the whole batch bit for bit', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...rlNames),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.nat(1000),
        fc.nat(),
        (name, nTasks, episodes, seed, cut) => {
          const made = makeEnv(name);
          if (made.kind !== 'rl') return;
          const tasks = made.tasks.trainTasks(nTasks, seed);
          const policy = randomPolicy(made.env.actionSpace);
          const horizon = Math.min(made.env.horizon, 25);
          const whole = rollout(made.env, tasks, policy, { episodes, seed, horizon });
          // split tasks at one point, and the episodes of each piece at another
          const k = cut % (nTasks + 1);
          const e = cut % (episodes + 1);
          const parts = [];
          for (const [lo, hi] of [
            [0, k],
            [k, nTasks],
          ]) {
            if (lo === hi) continue;
            const idx = Array.from({ length: hi - lo }, (_, i) => lo + i);
            for (const ti of idx) {
              const a =
                e > 0
                  ? [rollout(made.env, tasks[ti], policy, { episodes: e, seed, horizon, taskIndices: [ti] })]
                  : [];
              const b =
                e < episodes
                  ? [
                      rollout(made.env, tasks[ti], policy, {
                        episodes: episodes - e,
                        seed,
                        horizon,
                        taskIndices: [ti],
                        episodeOffset: e,
                      }),
                    ]
                  : [];
              parts.push(...a, ...b);
            }
          }
          expect(concatBatches(parts)).toEqual(whole);
        },
      ),
      { numRuns: 40, seed: 1 },
    );
  });

  test('random tabular MDPs round-trip through JSON; any single row perturbed by > 1e-9 is rejected by index', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.nat(1000),
        fc.nat(),
        fc.double({ min: 1e-8, max: 0.5, noNaN: true }),
        (S, A, seed, pick, eps) => {
          const m = tabularMdpTasks({ states: S, actions: A, horizon: 2 }).sample(new Rng(seed));
          // Dirichlet rows sum to 1 up to rounding, well inside the 1e-9 tolerance
          const json = tabularMdpToJson(m);
          expect(tabularMdpFromJson(JSON.parse(JSON.stringify(json)))).toEqual(tabularMdpFromJson(json));
          const s = pick % S;
          const a = Math.floor(pick / S) % A;
          json.transitions[s][a][0] += eps;
          expect(() => tabularMdpFromJson(json)).toThrow(`transitions[${s}][${a}]`);
        },
      ),
      { numRuns: 60, seed: 2 },
    );
  });
});
