import { Worker } from 'node:worker_threads';
import { threadScriptPath } from '../parallel/worker-script';
import type { SweepJob } from './job';
import type { JobOutcome, RunJobOptions } from './run-job';

/** What the job thread starts with: the job, where results go, its pool size and the stop flag. */
export interface JobThreadData {
  job: SweepJob;
  results: string;
  workers: number;
  /** Int32Array on a SharedArrayBuffer: 1 once the job should stop after its next checkpoint. */
  stop: Int32Array;
}

export type JobThreadMessage =
  | { kind: 'resume'; done: number }
  | { kind: 'progress'; done: number; total: number }
  | { kind: 'outcome'; outcome: JobOutcome }
  | { kind: 'error'; name: string; message: string };

/** A job that ran on its thread: its outcome, and `stop()` to ask it to stop at its next checkpoint. */
export interface SupervisedJob {
  outcome: Promise<JobOutcome>;
  stop(): void;
}

/**
 * runJob on a worker thread of this process, so the caller's event loop stays free while the
 * job's synchronous iterations compute (a BullMQ worker renews its lock on it). The thread dies
 * with the process (a SIGKILLed worker leaves nothing running that could write to the job's
 * directory after another worker took it over). `outcome` rejects with the job's error, or when
 * the thread exits without one (its checkpoint stays; the job can be retried).
 */
export function superviseJob(
  job: SweepJob,
  results: string,
  opts: Pick<RunJobOptions, 'workers' | 'onResume' | 'onProgress'>,
): SupervisedJob {
  const stop = new Int32Array(new SharedArrayBuffer(4));
  const data: JobThreadData = { job, results, workers: opts.workers, stop };
  const thread = new Worker(threadScriptPath(__dirname, 'job-thread'), { workerData: data });
  const outcome = new Promise<JobOutcome>((resolve, reject) => {
    let settled = false;
    thread.on('message', (m: JobThreadMessage) => {
      if (m.kind === 'resume') opts.onResume?.(m.done);
      else if (m.kind === 'progress') opts.onProgress?.(m.done, m.total);
      else {
        settled = true;
        if (m.kind === 'outcome') resolve(m.outcome);
        else reject(Object.assign(new Error(m.message), { name: m.name }));
        void thread.terminate(); // done: nothing it still holds (timers, pools) keeps it
      }
    });
    thread.on('error', (e) => {
      settled = true;
      reject(e);
    });
    thread.on('exit', (code) => {
      if (!settled)
        reject(
          new Error(`the job's thread exited (code ${code}) before it finished; its checkpoint is kept`),
        );
    });
  });
  return { outcome, stop: () => Atomics.store(stop, 0, 1) };
}
