import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { NonFiniteError } from '../non-finite';
import type { WorkerReply, WorkerRequest } from './protocol';
import { taskWorkerPath } from './worker-script';

/** The default worker count: one per core. */
export const defaultWorkers = (): number => availableParallelism();

/** A worker died (exited, ran out of memory) while running a request: the unit may be retried. */
export class WorkerCrashError extends Error {
  override readonly name = 'WorkerCrashError';
}

/** A request threw inside a worker: rethrown in the caller with the worker's message. */
export class WorkerTaskError extends Error {
  override readonly name = 'WorkerTaskError';
}

/**
 * `size` worker threads, each its own one-thread piscina pool, so a caller can send a request to
 * a given worker (a worker keeps the state of the tasks it owns between requests). Piscina
 * starts, restarts after a crash, and terminates the threads. Every worker is started with
 * `workerData` (e.g. the resolved config it rebuilds its Problem from once).
 */
export class WorkerPool {
  private readonly slots: Piscina[];

  constructor(
    readonly size: number,
    workerData: unknown,
  ) {
    const filename = taskWorkerPath();
    this.slots = Array.from(
      { length: size },
      () =>
        new Piscina({
          filename,
          name: 'handleTask',
          minThreads: 1,
          maxThreads: 1,
          concurrentTasksPerWorker: 1,
          idleTimeout: 60_000,
          workerData,
        }),
    );
  }

  /**
   * Runs `request` on worker `slot`. A request that throws there rejects with its error (a
   * NonFiniteError stays one); a worker that dies rejects with WorkerCrashError.
   */
  async run<R>(slot: number, request: WorkerRequest): Promise<R> {
    let reply: WorkerReply<R>;
    try {
      reply = (await this.slots[slot].run(request)) as WorkerReply<R>;
    } catch (e) {
      throw new WorkerCrashError(`worker ${slot} stopped: ${(e as Error).message}`);
    }
    if (reply.ok) return reply.value;
    const where = { slot: reply.slot };
    if (reply.name === 'NonFiniteError') throw Object.assign(new NonFiniteError(reply.message), where);
    // a study's bad resume is the caller's input, reported as such
    if (reply.name === 'RangeError' && reply.message.startsWith('resume:'))
      throw new RangeError(reply.message);
    throw Object.assign(new WorkerTaskError(reply.message), where);
  }

  /** Terminates every worker (idempotent). */
  async close(): Promise<void> {
    await Promise.all(this.slots.map((p) => p.destroy()));
  }
}
