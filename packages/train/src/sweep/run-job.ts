import * as fs from 'node:fs';
import * as path from 'node:path';
import { studyToFile } from '../cli/study-command';
import { trainEsRun } from '../es/train-es';
import { RUN_FILES } from '../run/run-dir';
import { trainRun } from '../run/train-run';
import { insideResults, isDone, jobDir, markDone, type SweepJob } from './job';

export interface RunJobOptions {
  /** Pool workers for the job (1: in-process). */
  workers: number;
  /** Polled between training iterations: true stops the job after a checkpoint (Ctrl-C). */
  shouldStop?: () => boolean;
  /** Told when an interrupted training job resumes, with the iterations it had done. */
  onResume?: (done: number) => void;
  /** Told after each training iteration: iterations done of the total. */
  onProgress?: (done: number, total: number) => void;
}

export type JobOutcome = 'done' | 'skipped' | 'stopped';

/**
 * Tests only: a worker process whose environment sets this to k SIGKILLs itself right after
 * training iteration k of a job (its checkpoint at k − 1 is on disk, row k is not covered by
 * one), so the crash-and-take-over test does not depend on how fast the machine is.
 */
export const KILL_AT_ITERATION_ENV = 'METAGRAD_TEST_KILL_AT_ITERATION';

/**
 * Tests only: a `metagrad worker` whose environment sets this blocks each job's thread this many
 * ms after every training iteration (job-thread.ts), as a long synchronous iteration does.
 */
export const ITERATION_SLEEP_ENV = 'METAGRAD_TEST_ITERATION_SLEEP_MS';

/**
 * Run a job into its directory, idempotently: a finished job is skipped; an interrupted one
 * resumes from its last checkpoint (a training run's checkpoint.json, a study's .partial), so
 * whoever runs it, however often it was killed, its files come out the same bytes.
 */
export async function runJob(job: SweepJob, results: string, opts: RunJobOptions): Promise<JobOutcome> {
  if (isDone(results, job)) return 'skipped';
  const dir = jobDir(results, job);
  fs.mkdirSync(dir, { recursive: true });
  if (job.kind === 'train') {
    const started = fs.existsSync(path.join(dir, RUN_FILES.config));
    const killAt = Number(process.env[KILL_AT_ITERATION_ENV] ?? Number.NaN);
    // es-maml has its own loop on the same run directory machinery (as `metagrad train`)
    const r = await (job.config.algo === 'es-maml' ? trainEsRun : trainRun)({
      dir,
      config: job.config,
      resume: started,
      force: !started,
      workers: opts.workers,
      shouldStop: opts.shouldStop,
      onResume: opts.onResume,
      onIteration: (r, _t, c) => {
        if (r.iteration + 1 === killAt) process.kill(process.pid, 'SIGKILL');
        opts.onProgress?.(r.iteration + 1, c.iterations);
      },
    });
    if (!r.finished) return 'stopped';
    markDone(results, job, { iterations: r.iterations });
    return 'done';
  }
  const o = job.options;
  await studyToFile({
    ...o,
    // the MDP file was checked to lie in the results directory; the study reads it from there
    mdp: typeof o.mdp === 'string' ? insideResults(results, o.mdp, 'mdp') : undefined,
    out: path.join(dir, 'study.json'),
    progress: false,
    workers: String(opts.workers),
  } as Parameters<typeof studyToFile>[0]);
  markDone(results, job, { file: 'study.json' });
  return 'done';
}
