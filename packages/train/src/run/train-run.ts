import type { PyTree } from '@metagrad/autodiff';
import type { MetaParams } from '../meta/adaptation';
import { ConfigError, type TrainConfig } from '../meta/config';
import { controlVariateIteration } from '../meta/control-variate-iteration';
import { initMetaParams } from '../meta/init';
import type { IterationRecord, IterationTimes } from '../meta/meta-learner';
import { makeOuterUpdate } from '../meta/outer-update';
import { makeProblem, type Problem } from '../meta/problem';
import { type IterationRunner, makeIterationRunner } from '../parallel/iteration-runner';
import type { InjectedFault } from '../parallel/protocol';
import {
  appendIteration,
  openRunDir,
  readCheckpoint,
  readRunConfig,
  writeCheckpoint,
  writePolicy,
  writeSnapshot,
} from './run-dir';
import { treeFromJson, treeToJson } from './serialize';

export interface TrainRunOptions {
  /** The run directory. */
  dir: string;
  /** A new run's config (ignored with `resume`: the directory's config.json is used). */
  config?: TrainConfig;
  /** Continue the run in `dir` from its last checkpoint. */
  resume?: boolean;
  /** Start over in a directory that already holds a run. */
  force?: boolean;
  /** Called after every iteration (progress bars, logs, `compare`'s tracking at the new θ), before its checkpoint. */
  onIteration?: (
    record: IterationRecord,
    times: IterationTimes,
    config: TrainConfig,
    meta: MetaParams,
    /** The run's problem (tmaml-meta: its control variate is the one trained so far; es-maml: none). */
    problem?: Problem,
  ) => void;
  /** Called when resuming, with the number of iterations already done. */
  onResume?: (done: number, config: TrainConfig) => void;
  /** Polled after every iteration: true stops the run cleanly after writing a checkpoint. */
  shouldStop?: () => boolean;
  /** Worker threads for the meta-batch's tasks (default 1: in-process); same bits at any count. */
  workers?: number;
  /**
   * Also keep the meta-parameters every this many iterations in snapshots/ (with a checkpoint at
   * each, so no snapshot is ahead of the checkpoint); not part of the config: it changes no result.
   */
  snapshotEvery?: number;
  /** Tests only: a fault to inject into the workers. */
  workerFault?: InjectedFault;
}

export interface TrainRunResult {
  config: TrainConfig;
  iterations: number;
  finished: boolean;
  meta: MetaParams;
}

/**
 * Train, or resume training, in a run directory. State between iterations is only
 * (meta-parameters, optimiser state, iteration index): every random stream is keyed by the seed,
 * iteration, task and episode, so a resumed run is bit-identical to one that was never stopped.
 * Each row is appended (and flushed) before the checkpoint that covers it is written; on resume
 * rows after the checkpoint are dropped and recomputed. Between iterations it yields to the event
 * loop, so signal handlers (Ctrl-C) run and `shouldStop` sees them.
 */
export async function trainRun(opts: TrainRunOptions): Promise<TrainRunResult> {
  const config = opts.resume ? readRunConfig(opts.dir) : requireConfig(opts.config);
  const problem = makeProblem(config);
  const outer = makeOuterUpdate(config);
  const workers = opts.workers ?? 1;
  if (problem.controlVariate !== undefined && workers > 1)
    throw new ConfigError(
      `--workers: estimator 'tmaml-meta' trains in-process (its control variate is state the worker pool does not share); expected --workers 1, got ${workers}`,
    );
  let meta = initMetaParams(problem);
  let start = 0;
  const c = openRunDir(opts.dir, { resume: opts.resume, force: opts.force, config });
  if (c !== null) {
    meta = treeFromJson(c.meta, 'checkpoint.meta') as unknown as MetaParams;
    outer.restore(c.outerState);
    if (problem.controlVariate !== undefined) problem.controlVariate.restore(c.controlVariate);
    start = c.iterations;
  }
  if (opts.resume) opts.onResume?.(start, config);
  const save = (done: number) =>
    writeCheckpoint(opts.dir, {
      iterations: done,
      meta: treeToJson(meta as unknown as PyTree),
      outerState: outer.state(),
      ...(problem.controlVariate === undefined ? {} : { controlVariate: problem.controlVariate.state() }),
    });
  let it = start;
  const runner: IterationRunner =
    problem.controlVariate === undefined
      ? makeIterationRunner(problem, outer, workers, opts.workerFault)
      : { run: async (m, i) => controlVariateIteration(problem, outer, m, i), close: async () => {} };
  try {
    for (; it < config.iterations; it++) {
      const step = await runner.run(meta, it);
      meta = step.meta;
      appendIteration(opts.dir, step.record, step.times);
      opts.onIteration?.(step.record, step.times, config, meta, problem);
      const done = it + 1;
      // a turn of the event loop between iterations, so a Ctrl-C handler gets to run
      await new Promise((resolve) => setImmediate(resolve));
      const stop = opts.shouldStop?.() ?? false;
      const snapshot = opts.snapshotEvery !== undefined && done % opts.snapshotEvery === 0;
      if (snapshot) writeSnapshot(opts.dir, treeToJson(meta as unknown as PyTree), done);
      if (done % config.checkpointEvery === 0 || done === config.iterations || stop || snapshot) save(done);
      if (stop) return { config, iterations: done, finished: false, meta };
    }
  } finally {
    await runner.close();
  }
  if (start === config.iterations && readCheckpoint(opts.dir) === null) save(it);
  writePolicy(opts.dir, treeToJson(meta as unknown as PyTree), it);
  return { config, iterations: it, finished: true, meta };
}

function requireConfig(c: TrainConfig | undefined): TrainConfig {
  if (c === undefined)
    throw new RangeError('trainRun: config: expected a resolved TrainConfig for a new run');
  return c;
}
