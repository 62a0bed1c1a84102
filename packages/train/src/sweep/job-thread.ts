/**
 * The thread a `metagrad worker` runs each job on (see job-supervisor.ts): the job's iterations
 * are synchronous and long, and here they block only this thread, so the BullMQ worker on the
 * main thread keeps renewing the job's lock. Runs the job in workerData, tells the main thread
 * its resume point and progress, and ends with its outcome or error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { JobThreadData, JobThreadMessage } from './job-supervisor';
import { type JobOutcome, runJob } from './run-job';

/** Tests only: block this thread this many ms after each training iteration (a long synchronous iteration). */
export const ITERATION_SLEEP_ENV = 'METAGRAD_TEST_ITERATION_SLEEP_MS';

const post = (m: JobThreadMessage) => parentPort?.postMessage(m);

async function main(): Promise<void> {
  const d = workerData as JobThreadData;
  const sleep = Number(process.env[ITERATION_SLEEP_ENV] ?? 0);
  const blocker = new Int32Array(new SharedArrayBuffer(4));
  let outcome: JobOutcome;
  try {
    outcome = await runJob(d.job, d.results, {
      workers: d.workers,
      // the main thread raises the flag on Ctrl-C; read between iterations, with no event loop
      shouldStop: () => Atomics.load(d.stop, 0) !== 0,
      onResume: (done) => post({ kind: 'resume', done }),
      onProgress: (done, total) => {
        if (sleep > 0) Atomics.wait(blocker, 0, 0, sleep);
        post({ kind: 'progress', done, total });
      },
    });
  } catch (e) {
    const err = e as Error;
    post({ kind: 'error', name: err.name, message: err.message });
    return;
  }
  post({ kind: 'outcome', outcome });
}

// only as a thread's entry (importing it elsewhere runs nothing)
if (parentPort !== null) void main();
