import * as fs from 'node:fs';
import type { PyTree } from '@metagrad/autodiff';
import type { MetaParams } from '../meta/adaptation';
import type { TrainConfig } from '../meta/config';
import { initMetaParams } from '../meta/init';
import type { IterationRecord } from '../meta/meta-learner';
import { makeProblem, type Problem } from '../meta/problem';
import { RunDirError } from '../run/run-dir';
import { trainRun } from '../run/train-run';
import {
  appendTracking,
  type CompareSpec,
  isCompareDir,
  readCompareSpec,
  resetTracking,
  subRunDir,
  truncateTracking,
  writeCompareSpec,
} from './compare-dir';
import { subRunConfig } from './estimators';
import { trackAt } from './tracker';

export interface CompareRunOptions {
  dir: string;
  /** A new compare (ignored with `resume`: the directory's compare.json is used). */
  spec?: CompareSpec;
  resume?: boolean;
  force?: boolean;
  /** Called when a sub-run starts or resumes, and after each of its iterations. */
  onSubRun?: (name: string, seed: number, done: number, config: TrainConfig) => void;
  onIteration?: (name: string, seed: number, record: IterationRecord) => void;
  shouldStop?: () => boolean;
  /**
   * Worker threads of each sub-run's training (tracking stays in-process); `tmaml-meta` trains
   * in-process whatever this is (its control variate is not shared with the pool). Same bits at any count.
   */
  workers?: number;
}

/** Is θ after `done` updates a tracking point? Every K iterations and the last one. */
const tracked = (done: number, every: number, total: number) => done % every === 0 || done === total;

/**
 * Run (or resume) a compare: for each seed, each estimator's training in its own run directory,
 * tracking the meta-gradient at θ after every K updates (before the checkpoint that covers them,
 * so a checkpoint implies its tracking rows; on resume the rows after it are dropped and redone).
 * Returns false when stopped early.
 */
export async function compareRun(o: CompareRunOptions): Promise<{ spec: CompareSpec; finished: boolean }> {
  const spec = o.resume ? readCompareSpec(o.dir) : startCompare(o);
  for (const seed of spec.seeds) {
    for (const name of spec.estimators) {
      const config = subRunConfig(spec.base, name, seed);
      const sub = subRunDir(o.dir, name, seed);
      // tmaml-meta: θ₀ is tracked with the initial φ, later points with the training's own φ
      const initial = makeProblem(config) as Problem<PyTree>;
      const track = (meta: MetaParams, done: number, problem: Problem<PyTree> = initial) => {
        const { row, times } = trackAt(problem, meta, done, spec.track);
        appendTracking(sub, row, times);
      };
      const resume = fs.existsSync(sub) && fs.existsSync(`${sub}/config.json`);
      if (!resume) {
        // θ₀ is tracked before the first update; the sub-run directory is made here for it
        o.onSubRun?.(name, seed, 0, config);
        resetTracking(sub);
        track(initMetaParams(initial) as MetaParams, 0);
      }
      const result = await trainRun({
        dir: sub,
        config: resume ? undefined : config,
        resume,
        force: !resume,
        onResume: (done) => {
          truncateTracking(sub, done);
          o.onSubRun?.(name, seed, done, config);
        },
        onIteration: (record, _t, c, meta, problem) => {
          const done = record.iteration + 1;
          if (tracked(done, spec.trackEvery, c.iterations))
            track(meta, done, (problem ?? initial) as Problem<PyTree>);
          o.onIteration?.(name, seed, record);
        },
        shouldStop: o.shouldStop,
        workers: name === 'tmaml-meta' ? 1 : o.workers,
      });
      if (!result.finished) return { spec, finished: false };
    }
  }
  return { spec, finished: true };
}

function startCompare(o: CompareRunOptions): CompareSpec {
  const spec = o.spec;
  if (spec === undefined) throw new RangeError('compareRun: spec: expected a CompareSpec for a new compare');
  if (fs.existsSync(o.dir)) {
    if (!fs.statSync(o.dir).isDirectory())
      throw new RunDirError(`--out: expected a directory, got the file ${JSON.stringify(o.dir)}`);
    const entries = fs.readdirSync(o.dir);
    if (entries.length > 0 && !o.force)
      throw new RunDirError(
        `--out: ${JSON.stringify(o.dir)} is not empty${isCompareDir(o.dir) ? ' (it holds a compare)' : ''}; use --resume ${o.dir} to continue it or --force to start over`,
      );
    if (o.force)
      for (const name of spec.estimators)
        for (const seed of spec.seeds)
          fs.rmSync(subRunDir(o.dir, name, seed), { recursive: true, force: true });
  }
  // every sub-run config is checked before any work (a bad combination fails now, not after hours)
  for (const name of spec.estimators)
    for (const seed of spec.seeds) makeProblem(subRunConfig(spec.base, name, seed));
  fs.mkdirSync(o.dir, { recursive: true });
  writeCompareSpec(o.dir, spec);
  return spec;
}
