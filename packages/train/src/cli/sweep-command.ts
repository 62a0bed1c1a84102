import * as path from 'node:path';
import { isDone, JobRejected, jobDir, type SweepJob } from '../sweep/job';
import { DEFAULT_QUEUE, enqueueSweep, queueStatus } from '../sweep/queue';
import { runJob } from '../sweep/run-job';
import { expandSweep, readSweep } from '../sweep/spec';
import { CliError, parseIntOption } from './errors';
import { workersOption } from './workers';

export interface SweepCliOptions {
  results?: string;
  redis?: string;
  queue?: string;
  attempts?: string;
  workers?: string;
  json?: boolean;
}

/** `--results`, or `<sweep>-results` next to the sweep file. */
function resultsDir(file: string | undefined, o: SweepCliOptions): string {
  if (o.results !== undefined) return path.resolve(o.results);
  if (file === undefined)
    throw new CliError("--results: expected the sweep's results directory (or a sweep file)");
  return path.resolve(path.dirname(file), `${path.basename(file, '.json')}-results`);
}

function loadJobs(file: string, results: string): SweepJob[] {
  try {
    return expandSweep(readSweep(file), results);
  } catch (e) {
    if (e instanceof JobRejected) throw new CliError(e.message);
    throw e;
  }
}

const say = (line: string) => process.stderr.write(`${line}\n`);

/**
 * Every job of the sweep here, one after another, each on the pool: done ones are skipped, a
 * failing one is tried `attempts` times and then reported, and the rest continue.
 */
async function runLocally(
  jobs: SweepJob[],
  results: string,
  workers: number,
  attempts: number,
): Promise<number> {
  let stop = false;
  const onSigint = () => {
    if (stop) process.exit(130);
    stop = true;
    say('\nmetagrad: stopping after this iteration (checkpoint follows); Ctrl-C again to abort');
  };
  process.on('SIGINT', onSigint);
  const failed: string[] = [];
  try {
    for (const [i, job] of jobs.entries()) {
      const name = path.basename(jobDir(results, job));
      let line = '';
      for (let attempt = 1; attempt <= attempts && !stop; attempt++) {
        try {
          line = await runJob(job, results, { workers, shouldStop: () => stop });
          break;
        } catch (e) {
          line = `failed (attempt ${attempt}/${attempts}): ${(e as Error).message}`;
        }
      }
      if (line.startsWith('failed')) failed.push(name);
      say(`[${i + 1}/${jobs.length}] ${name}: ${line}`);
      if (stop) return 130;
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
  say(`sweep: ${jobs.length - failed.length}/${jobs.length} jobs done in ${results}`);
  return failed.length === 0 ? 0 : 1;
}

export async function runSweepCommand(
  first: string,
  second: string | undefined,
  o: SweepCliOptions,
): Promise<number> {
  const status = first === 'status';
  const file = status ? second : first;
  if (!status && second !== undefined)
    throw new CliError(
      `sweep: expected one sweep file (or \`sweep status\`), got also ${JSON.stringify(second)}`,
    );
  const queue = o.queue ?? DEFAULT_QUEUE;
  const attempts = o.attempts === undefined ? 3 : parseIntOption('--attempts', o.attempts, 1, 100);
  if (status) return sweepStatus(file, o, queue);
  if (file === undefined) throw new CliError('sweep: expected a sweep file');
  const results = resultsDir(file, o);
  const jobs = loadJobs(file, results);
  if (o.redis === undefined) return runLocally(jobs, results, workersOption(o.workers), attempts);
  const r = await enqueueSweep(jobs, { redis: o.redis, queue, attempts, results });
  if (o.json) process.stdout.write(`${JSON.stringify({ queue, ...r })}\n`);
  else
    process.stdout.write(`sweep: ${r.added} jobs queued on ${queue}, ${r.skipped} already done or queued\n`);
  return 0;
}

/** Queued / active / done / failed: from the queue with --redis, else from the results directory. */
async function sweepStatus(file: string | undefined, o: SweepCliOptions, queue: string): Promise<number> {
  if (o.redis !== undefined) {
    const s = await queueStatus({ redis: o.redis, queue });
    const c = s.counts;
    const summary = {
      queued: (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0),
      active: c.active ?? 0,
      done: c.completed ?? 0,
      failed: c.failed ?? 0,
    };
    if (o.json) process.stdout.write(`${JSON.stringify({ queue, ...summary, jobs: s.jobs })}\n`);
    else {
      process.stdout.write(
        `${queue}: ${summary.queued} queued, ${summary.active} active, ${summary.done} done, ${summary.failed} failed\n`,
      );
      for (const j of s.jobs)
        process.stdout.write(
          `  ${j.id}  ${j.state}${j.progress ? ` ${j.progress}` : ''}${j.failedReason ? `: ${j.failedReason}` : ''}\n`,
        );
    }
    return 0;
  }
  if (file === undefined) throw new CliError('sweep status: expected a sweep file, or --redis for the queue');
  const results = resultsDir(file, o);
  const jobs = loadJobs(file, results);
  const done = jobs.filter((j) => isDone(results, j));
  const summary = { queued: jobs.length - done.length, active: 0, done: done.length, failed: 0 };
  if (o.json) process.stdout.write(`${JSON.stringify({ results, ...summary })}\n`);
  else process.stdout.write(`${results}: ${summary.done}/${jobs.length} jobs done\n`);
  return 0;
}
