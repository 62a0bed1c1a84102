import { getNumThreads, profileMatmuls, setNumThreads, shutdownThreads } from '@metagrad/autodiff';
import { resolveConfig } from '../src/meta/config';
import { initMetaParams } from '../src/meta/init';
import { metaIteration } from '../src/meta/meta-learner';
import { makeOuterUpdate } from '../src/meta/outer-update';
import { makeProblem } from '../src/meta/problem';
import { treeToJson } from '../src/run/serialize';

const before = getNumThreads();
afterAll(async () => {
  setNumThreads(before);
  await shutdownThreads();
});

/** One MAML-TRPO meta-iteration at `threads` threads: its record and the new weights' bytes. */
function iterate(threads: number) {
  setNumThreads(threads);
  // 10 episodes × 20 steps through 64-64 layers: products of 200×64×64, above the thread split's threshold
  const config = resolveConfig({ envOptions: { horizon: 20 }, metaBatch: 2, fastBatch: 10 });
  const problem = makeProblem(config);
  const { result, profile } = profileMatmuls(() =>
    metaIteration(problem, makeOuterUpdate(config), initMetaParams(problem), 0),
  );
  return { record: result.record, weights: JSON.stringify(treeToJson(result.meta)), profile };
}

test('a MAML-TRPO meta-iteration gives the same bits on one thread and on four', () => {
  const one = iterate(1);
  const four = iterate(4);
  expect(one.profile.flops).toBeGreaterThan(0);
  expect(four.record).toEqual(one.record);
  expect(four.weights).toBe(one.weights);
});
