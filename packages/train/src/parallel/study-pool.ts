import { getNumThreads, setNumThreads } from '@metagrad/autodiff';
import {
  STUDY_DEFAULTS,
  type StudyChunk,
  type StudyOptions,
  type StudyResult,
  study,
} from '@metagrad/estimators';
import { WorkerCrashError, WorkerPool, WorkerTaskError } from './pool';
import type { InjectedFault, StudyRangeReply } from './protocol';

/**
 * Ranges per worker: more even out uneven ranges and save checkpoints sooner, but each range pays
 * the study's setup again (on a 4,000-repeat study 4 per worker cost ~0.9 s more CPU than 1).
 */
const RANGES_PER_WORKER = 2;

export interface PooledStudyOptions {
  workers: number;
  /** Tests only: a fault to inject into the workers. */
  fault?: InjectedFault;
}

/**
 * `study(opts)` with its repeats computed on worker threads: the repeats not in `opts.resume` are
 * cut into ranges, each computed whole by one worker (studyChunks), and the statistics are then
 * computed here from every chunk as `resume`, which is bit-identical to a serial run at any worker
 * count. `onChunk` (checkpoints) sees the chunks in repeat order, each range as soon as it and
 * all before it are done; `onProgress` counts repeats. A worker that dies gets its range retried
 * once; a range that throws, or dies twice, stops the study naming its repeats.
 */
export async function pooledStudy(opts: StudyOptions, pool: PooledStudyOptions): Promise<StudyResult> {
  const R = opts.repeats as number;
  const resume = opts.resume ?? [];
  const done = resume.reduce((n, c) => n + c.count, 0);
  const W = Math.max(1, Math.min(pool.workers, R - done));
  if (done >= R || pool.workers <= 1) return study(opts);
  // whole chunks of the serial run, so checkpoints hold the same chunks at any worker count
  const chunk = opts.batchSize ?? STUDY_DEFAULTS[opts.problem.kind === 'gaussian' ? 'toy' : 'mdp'].batchSize;
  const per = chunk * Math.ceil((R - done) / (W * RANGES_PER_WORKER * chunk));
  const ranges: { first: number; end: number }[] = [];
  for (let first = done; first < R; first += per) ranges.push({ first, end: Math.min(R, first + per) });

  // callbacks stay on this thread (functions do not cross to workers)
  const { onChunk, onProgress, onExactProgress, resume: _r, ...plain } = opts;
  const threads = getNumThreads();
  setNumThreads(1);
  const workers = new WorkerPool(W, { fault: pool.fault });
  const results: (StudyChunk[] | undefined)[] = ranges.map(() => undefined);
  let next = 0;
  let failed = false;
  let emitted = 0;
  let repeatsDone = done;
  // once anything failed (a range, or onChunk itself: a checkpoint hook may stop the study),
  // nothing more is emitted, so no chunk reaches onChunk twice
  const emitReady = () => {
    while (!failed && emitted < ranges.length && results[emitted] !== undefined) {
      const i = emitted++;
      for (const c of results[i] as StudyChunk[]) onChunk?.(c);
      repeatsDone = ranges[i].end;
      onProgress?.(repeatsDone, R);
    }
  };
  const runRange = async (w: number, i: number): Promise<StudyChunk[]> => {
    const { first, end } = ranges[i];
    // the first range also checks the resumed chunks against the study (nothing is saved before it)
    const req = {
      op: 'study-range' as const,
      study: i === 0 ? { ...plain, resume } : plain,
      index: i,
      first,
      end,
    };
    const what = `repeats ${first} … ${end - 1}`;
    for (let attempt = 0; ; attempt++) {
      try {
        return await workers.run<StudyRangeReply>(w, { ...req, attempt });
      } catch (e) {
        if (e instanceof WorkerTaskError) throw new WorkerTaskError(`worker ${w}, ${what}: ${e.message}`);
        if (!(e instanceof WorkerCrashError) || failed) throw e;
        if (attempt >= 1) throw new WorkerCrashError(`${e.message} again on ${what}; stopped`);
        process.emitWarning(`metagrad: ${e.message} on ${what}; retrying them once`);
      }
    }
  };
  // on failure every worker stops taking ranges, and the lowest failing range is reported
  const errors = new Map<number, unknown>();
  try {
    await Promise.all(
      Array.from({ length: W }, async (_, w) => {
        while (next < ranges.length && !failed) {
          const i = next++;
          try {
            results[i] = await runRange(w, i);
            emitReady();
          } catch (e) {
            failed = true;
            errors.set(i, e);
          }
        }
      }),
    );
    if (errors.size > 0) throw errors.get(Math.min(...errors.keys()));
  } finally {
    await workers.close();
    setNumThreads(threads);
  }
  return study({
    ...plain,
    onExactProgress,
    resume: [...resume, ...results.flatMap((c) => c as StudyChunk[])],
  });
}
