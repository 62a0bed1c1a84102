import * as path from 'node:path';
import { DEFAULT_QUEUE, pendingJobs, startQueueWorker } from '../sweep/queue';
import { CliError, parseIntOption } from './errors';
import { workersOption } from './workers';

export interface WorkerCliOptions {
  redis?: string;
  results?: string;
  queue?: string;
  workers?: string;
  lockSeconds?: string;
  exitWhenIdle?: boolean;
}

/**
 * `metagrad worker`: pull sweep jobs from the queue and run them (each on its own thread, with
 * this machine's pool) until Ctrl-C / SIGTERM (the job in hand stops at its next checkpoint and
 * goes back to the queue as waiting, not as a failed attempt; a second signal aborts), or with
 * --exit-when-idle once nothing is queued or active.
 */
export async function runWorkerCommand(o: WorkerCliOptions): Promise<number> {
  if (o.redis === undefined)
    throw new CliError("--redis: expected the queue's Redis URL, e.g. redis://127.0.0.1:6379");
  if (o.results === undefined) throw new CliError('--results: expected the results directory');
  const results = path.resolve(o.results);
  const queue = o.queue ?? DEFAULT_QUEUE;
  const workers = workersOption(o.workers);
  const lockMs =
    1000 * (o.lockSeconds === undefined ? 300 : parseIntOption('--lock-seconds', o.lockSeconds, 1, 86_400));
  let stop = false;
  const log = (line: string) => process.stderr.write(`worker ${process.pid}: ${line}\n`);
  const { worker, stop: stopJob } = startQueueWorker({
    redis: o.redis,
    queue,
    results,
    workers,
    lockMs,
    log,
  });
  await worker.waitUntilReady();
  log(`pulling jobs from ${queue}`);
  const finished = new Promise<number>((resolve) => {
    let poll: NodeJS.Timeout | undefined;
    const onSignal = () => {
      if (stop) process.exit(130);
      stop = true;
      clearInterval(poll);
      stopJob();
      log('stopping after the job in hand reaches a checkpoint; again to abort');
      void worker.close().then(() => resolve(130));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    if (o.exitWhenIdle) {
      poll = setInterval(async () => {
        if (stop) return;
        if ((await pendingJobs({ redis: o.redis as string, queue })) === 0) {
          clearInterval(poll);
          await worker.close();
          resolve(0);
        }
      }, 1000);
    }
  });
  return finished;
}
