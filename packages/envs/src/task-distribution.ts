import { Rng } from '@metagrad/autodiff';
import { checkInt } from './errors';

/** Streams used for the fixed task sets, so train and test tasks never coincide by seed. */
const TRAIN_STREAM = 0;
const TEST_STREAM = 1;

/**
 * A distribution over tasks. `sample` draws one task from a generator; the set helpers give the
 * task with index i from `new Rng(seed).derive(stream, i)`, so task i is the same whatever
 * else is sampled, and any prefix of a set is a smaller set.
 */
export interface TaskDistribution<Task> {
  readonly name: string;
  sample(rng: Rng): Task;
  /** Tasks `offset .. offset + n - 1` of the training set for `seed`. */
  trainTasks(n: number, seed?: number, offset?: number): Task[];
  /** Tasks `offset .. offset + n - 1` of the test set for `seed` (disjoint stream from train). */
  testTasks(n: number, seed?: number, offset?: number): Task[];
}

/** Wrap a sampler into a TaskDistribution. */
export function taskDistribution<Task>(name: string, sample: (rng: Rng) => Task): TaskDistribution<Task> {
  const set = (stream: number, n: number, seed: number, offset: number): Task[] => {
    checkInt(`${name}: number of tasks`, n, 0);
    checkInt(`${name}: seed`, seed, 0);
    checkInt(`${name}: offset`, offset, 0);
    const root = new Rng(seed);
    return Array.from({ length: n }, (_, i) => sample(root.derive(stream, offset + i)));
  };
  return {
    name,
    sample,
    trainTasks: (n, seed = 0, offset = 0) => set(TRAIN_STREAM, n, seed, offset),
    testTasks: (n, seed = 0, offset = 0) => set(TEST_STREAM, n, seed, offset),
  };
}
