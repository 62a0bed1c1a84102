import type { StudyChunk, StudyOptions } from './types';

/**
 * The raw per-repeat estimates of a study, one flat repeat-major array per series ([R · width]),
 * filled chunk by chunk. Resumed chunks are copied in; each new chunk is handed to `onChunk` as
 * views of its rows.
 */
export class StudySeries {
  readonly values: Record<string, Float64Array> = {};
  /** Repeats 0 … done − 1 come from `resume`. */
  readonly done: number;

  constructor(
    readonly repeats: number,
    readonly widths: Record<string, number>,
    resume: readonly StudyChunk[] | undefined,
  ) {
    for (const [name, w] of Object.entries(widths)) this.values[name] = new Float64Array(repeats * w);
    let done = 0;
    for (const c of resume ?? []) {
      if (c.first !== done)
        throw new RangeError(
          `resume: expected chunks covering repeats from 0 in order, got first ${c.first} after ${done}`,
        );
      if (!(Number.isInteger(c.count) && c.count >= 1 && c.first + c.count <= repeats))
        throw new RangeError(`resume: expected a chunk of 1 … ${repeats - c.first} repeats, got ${c.count}`);
      const given = Object.keys(c.values).sort().join(', ');
      const expected = Object.keys(widths).sort().join(', ');
      if (given !== expected) throw new RangeError(`resume: expected the series ${expected}, got ${given}`);
      for (const [name, w] of Object.entries(widths)) {
        const v = c.values[name];
        if (v.length !== c.count * w)
          throw new RangeError(`resume: expected ${c.count} × ${w} values of ${name}, got ${v.length}`);
        this.values[name].set(v, c.first * w);
      }
      done += c.count;
    }
    this.done = done;
  }

  /** Store rows first … first + rows/width − 1 of one series. */
  set(name: string, rows: Float64Array, first: number): void {
    this.values[name].set(rows, first * this.widths[name]);
  }

  /** Repeats first … first + count − 1 of every series, as views (valid for the whole study). */
  chunk(first: number, count: number): StudyChunk {
    const values: Record<string, Float64Array> = {};
    for (const [name, w] of Object.entries(this.widths))
      values[name] = this.values[name].subarray(first * w, (first + count) * w);
    return { first, count, values };
  }
}

/**
 * Compute the repeats `series` does not hold yet, `chunk` at a time: `computeChunk(first, count,
 * finished)` fills the chunk's series and calls `finished()` after each of its `jobsPerRepeat`
 * jobs (estimators, or estimator × N), which reports progress; each finished chunk goes to
 * `onChunk` (for checkpoints).
 */
export function computeInChunks(
  series: StudySeries,
  chunk: number,
  jobsPerRepeat: number,
  opts: Pick<StudyOptions, 'onProgress' | 'onChunk'>,
  computeChunk: (first: number, count: number, finished: () => void) => void,
): void {
  const R = series.repeats;
  const total = R * jobsPerRepeat;
  let done = series.done * jobsPerRepeat;
  for (let first = series.done; first < R; first += chunk) {
    const count = Math.min(chunk, R - first);
    computeChunk(first, count, () => {
      done += count;
      opts.onProgress?.(done, total);
    });
    opts.onChunk?.(series.chunk(first, count));
  }
}
