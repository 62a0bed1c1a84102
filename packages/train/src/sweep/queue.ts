import * as path from 'node:path';
import { type Job, Queue, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import { isDone, JobRejected, jobData, jobDir, type SweepJob, validateJob } from './job';
import { superviseJob } from './job-supervisor';

/** The BullMQ queue a sweep goes to unless `--queue` names another. */
export const DEFAULT_QUEUE = 'metagrad-sweep';

/**
 * BullMQ's connection from a Redis URL: `redis://[user:password@]host:port[/db]`, or
 * `rediss://…` for TLS (ioredis parses both). Workers need maxRetriesPerRequest null.
 */
const connection = (url: string) => ({ url, maxRetriesPerRequest: null });

const queueJobId = (job: SweepJob) => `${job.kind}-${job.id}`;

export interface EnqueueResult {
  added: number;
  /** Already complete in the results directory seen here, or already on the queue. */
  skipped: number;
}

/**
 * Add a sweep's jobs to the queue, each with its hash as BullMQ job id: a job already on the queue
 * (waiting, active, done or failed) is not added twice, so enqueueing a sweep again only adds what
 * is missing. `attempts`: how often a failing job is tried before it is marked failed.
 */
export async function enqueueSweep(
  jobs: readonly SweepJob[],
  o: { redis: string; queue: string; attempts: number; results: string },
): Promise<EnqueueResult> {
  const q = new Queue(o.queue, { connection: connection(o.redis) });
  try {
    let added = 0;
    let skipped = 0;
    for (const job of jobs) {
      if (isDone(o.results, job) || (await q.getJob(queueJobId(job))) !== undefined) {
        skipped++;
        continue;
      }
      await q.add(job.kind, jobData(job), {
        jobId: queueJobId(job),
        attempts: o.attempts,
        removeOnComplete: false,
        removeOnFail: false,
      });
      added++;
    }
    return { added, skipped };
  } finally {
    await q.close();
  }
}

export interface QueueStatus {
  counts: Record<string, number>;
  jobs: { id: string; state: string; attempts: number; progress?: string; failedReason?: string }[];
}

const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed'] as const;

/** A training job's `{done, total}` iterations as "done/total". */
function progressText(p: unknown): string | undefined {
  const o = p as { done?: unknown; total?: unknown } | null;
  return typeof o?.done === 'number' && typeof o.total === 'number' ? `${o.done}/${o.total}` : undefined;
}

/** Counts per state (queued = waiting + delayed + prioritized) and every job with its state. */
export async function queueStatus(o: { redis: string; queue: string }): Promise<QueueStatus> {
  const q = new Queue(o.queue, { connection: connection(o.redis) });
  try {
    const counts = await q.getJobCounts(...STATES);
    const jobs: QueueStatus['jobs'] = [];
    for (const state of STATES)
      for (const j of await q.getJobs([state]))
        if (j?.id !== undefined)
          jobs.push({
            id: j.id,
            state,
            attempts: j.attemptsMade,
            progress: progressText(j.progress),
            failedReason: j.failedReason || undefined,
          });
    jobs.sort((a, b) => a.id.localeCompare(b.id));
    return { counts, jobs };
  } finally {
    await q.close();
  }
}

export interface QueueWorkerOptions {
  redis: string;
  queue: string;
  results: string;
  /** Pool workers per job. */
  workers: number;
  /** BullMQ's lock: a job whose worker stops renewing it (killed) is retried after this long. */
  lockMs: number;
  log: (line: string) => void;
}

/** A running queue worker; `stop()` (Ctrl-C) stops the job in hand at its next checkpoint and hands it back. */
export interface QueueWorker {
  worker: Worker;
  stop(): void;
}

/**
 * A BullMQ worker running sweep jobs one at a time. Every job is validated again here (a queue is
 * input like any other): unknown kinds or fields, paths outside the results directory, or an id
 * that is not its options' hash fail the job at once, unretried, with the reason. A job runs on
 * its own thread (superviseJob), so this thread's event loop renews the job's lock however long
 * an iteration computes; a job stopped by `stop()` goes back to waiting, not counted as a failed
 * attempt, and whoever takes it next resumes it from its checkpoint.
 */
export function startQueueWorker(o: QueueWorkerOptions): QueueWorker {
  let stopping = false;
  let current: { stop(): void } | null = null;
  const processor = async (job: Job, token?: string) => {
    let spec: SweepJob;
    try {
      spec = validateJob(job.data, o.results, `job ${job.id}`);
      if (job.id !== queueJobId(spec))
        throw new JobRejected(`job ${job.id}: its id is not ${queueJobId(spec)}, the hash of its options`);
    } catch (e) {
      if (!(e instanceof JobRejected)) throw e;
      o.log(`rejected ${job.id}: ${e.message}`);
      throw new UnrecoverableError(`rejected: ${e.message}`);
    }
    o.log(`running ${job.id} (attempt ${job.attemptsMade + 1})`);
    const running = superviseJob(spec, o.results, {
      workers: o.workers,
      onResume: (done) => o.log(`resuming ${job.id} from its checkpoint at iteration ${done}`),
      // progress for `sweep status`; a lost update only delays the next one
      onProgress: (done, total) => void job.updateProgress({ done, total }).catch(() => {}),
    });
    current = running;
    if (stopping) running.stop();
    let outcome: Awaited<typeof running.outcome>;
    try {
      outcome = await running.outcome;
    } finally {
      current = null;
    }
    if (outcome === 'stopped') {
      await job.moveToWait(token);
      o.log(`handed ${job.id} back to the queue at its checkpoint`);
      throw new WaitingError();
    }
    o.log(`${outcome} ${job.id}`);
    return { outcome, dir: path.relative(o.results, jobDir(o.results, spec)) };
  };
  const worker = new Worker(o.queue, processor, {
    connection: connection(o.redis),
    concurrency: 1,
    lockDuration: o.lockMs,
    stalledInterval: Math.max(500, Math.floor(o.lockMs / 2)),
    maxStalledCount: 2,
  });
  worker.on('failed', (job, err) => {
    if (job) o.log(`failed ${job.id} (attempt ${job.attemptsMade}): ${err.message}`);
  });
  return {
    worker,
    stop: () => {
      stopping = true;
      current?.stop();
    },
  };
}

/** Waiting, delayed, prioritized and active jobs: 0 when the sweep has nothing left to do. */
export async function pendingJobs(o: { redis: string; queue: string }): Promise<number> {
  const q = new Queue(o.queue, { connection: connection(o.redis) });
  try {
    const c = await q.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(c).reduce((a, b) => a + b, 0);
  } finally {
    await q.close();
  }
}
