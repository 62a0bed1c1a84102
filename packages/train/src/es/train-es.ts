import type { MetaParams } from '../meta/adaptation';
import { ConfigError, type TrainConfig } from '../meta/config';
import type { IterationRecord, IterationTimes } from '../meta/meta-learner';
import { makeEsQueries } from '../parallel/es-pool';
import {
  appendIteration,
  openRunDir,
  readCheckpoint,
  readRunConfig,
  writeCheckpoint,
  writePolicy,
} from '../run/run-dir';
import type { TrainRunOptions, TrainRunResult } from '../run/train-run';
import { esIteration } from './es-iteration';
import { esParamsFromJson, esParamsToJson, initEsParams } from './es-params';
import { makeEsProblem } from './es-problem';
import { firstOrderIteration } from './first-order-iteration';
import { VectorAdam } from './vector-adam';

/**
 * Train or resume an es-maml run in a run directory, with the same files and guarantees as
 * `trainRun` (config.json, progress.jsonl/csv, sealed atomic checkpoints, bit-identical resume):
 * the state between iterations is (θ, Adam's moments, iteration), every stream is keyed by the
 * seed, iteration, pair and episode.
 */
export async function trainEsRun(opts: TrainRunOptions): Promise<TrainRunResult> {
  const config: TrainConfig = opts.resume ? readRunConfig(opts.dir) : (opts.config as TrainConfig);
  if (config === undefined)
    throw new RangeError('trainEsRun: config: expected a resolved TrainConfig for a new run');
  if (config.metaGradient !== 'zero-order' && (opts.workers ?? 1) > 1)
    throw new ConfigError(
      `--workers: the ${config.metaGradient} ES-MAML meta-gradient runs in-process; expected --workers 1, got ${opts.workers} (only zero-order queries go to the pool)`,
    );
  const problem = makeEsProblem(config);
  const adam = new VectorAdam(problem.policy.dim, config.outerLr);
  let theta = initEsParams(problem);
  let start = 0;
  const c = openRunDir(opts.dir, { resume: opts.resume, force: opts.force, config });
  if (c !== null) {
    theta = esParamsFromJson(c.meta, problem, 'checkpoint.meta');
    adam.restore(c.outerState);
    start = c.iterations;
  }
  if (opts.resume) opts.onResume?.(start, config);
  const save = (done: number) =>
    writeCheckpoint(opts.dir, { iterations: done, meta: esParamsToJson(theta), outerState: adam.state() });
  const meta = () => ({ policy: theta }) as unknown as MetaParams;
  let it = start;
  // the queries of every iteration on one pool (--workers N), in-process by default
  const queries = makeEsQueries(problem, opts.workers ?? 1, opts.workerFault);
  try {
    for (; it < config.iterations; it++) {
      const step =
        config.metaGradient === 'zero-order'
          ? await esIteration(problem, theta, adam, it, queries)
          : firstOrderIteration(problem, theta, adam, it);
      theta = step.theta;
      appendIteration(opts.dir, step.record, step.times);
      opts.onIteration?.(step.record as IterationRecord, step.times as IterationTimes, config, meta());
      const done = it + 1;
      await new Promise((resolve) => setImmediate(resolve));
      const stop = opts.shouldStop?.() ?? false;
      if (done % config.checkpointEvery === 0 || done === config.iterations || stop) save(done);
      if (stop) return { config, iterations: done, finished: false, meta: meta() };
    }
  } finally {
    await queries.close();
  }
  if (start === config.iterations && readCheckpoint(opts.dir) === null) save(it);
  writePolicy(opts.dir, esParamsToJson(theta), it);
  return { config, iterations: it, finished: true, meta: meta() };
}
