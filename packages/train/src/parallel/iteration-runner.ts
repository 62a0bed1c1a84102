import { getNumThreads, type PyTree, setNumThreads } from '@metagrad/autodiff';
import type { MetaParams } from '../meta/adaptation';
import { type IterationRecord, type IterationTimes, metaIteration } from '../meta/meta-learner';
import type { OuterUpdate } from '../meta/outer-update';
import type { Problem } from '../meta/problem';
import type { InjectedFault } from './protocol';
import { shardedMetaIteration } from './sharded-iteration';
import { inProcessShards, type MetaBatchShards, pooledShards } from './shards';

export interface IterationRunner {
  run(
    meta: MetaParams,
    iteration: number,
  ): Promise<{ meta: MetaParams; record: IterationRecord; times: IterationTimes }>;
  /** Terminates the workers and restores the matmul thread count. */
  close(): Promise<void>;
}

/**
 * How trainRun runs an iteration: task by task (shardedMetaIteration), in-process with one worker
 * and on a pool otherwise, with the same bits at every worker count (an outer update without the
 * pieces that needs, a hand-made one, keeps the batched metaIteration). With a pool the main
 * thread's matmuls go single-threaded too, so threads never outnumber the cores.
 */
export function makeIterationRunner(
  problem: Problem,
  outer: OuterUpdate,
  workers: number,
  fault?: InjectedFault,
): IterationRunner {
  const { cfg } = problem;
  if (cfg.outer !== 'trpo' && outer.optimizer === undefined)
    return {
      run: async (meta, it) => metaIteration(problem as Problem<PyTree>, outer, meta, it),
      close: async () => {},
    };
  const threads = getNumThreads();
  let shards: MetaBatchShards;
  if (workers > 1) {
    setNumThreads(1);
    shards = pooledShards(cfg, workers, fault);
  } else shards = inProcessShards(problem);
  return {
    run: (meta, it) => shardedMetaIteration(problem, outer, shards, meta, it),
    close: async () => {
      await shards.close();
      setNumThreads(threads);
    },
  };
}
