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
  opts: Pick<StudyOptions, 'onProgress' | 'onChunk'> & { only?: RepeatRange },
  computeChunk: (first: number, count: number, finished: () => void) => void,
): void {
  const R = opts.only?.end ?? series.repeats;
  const total = R * jobsPerRepeat;
  const start = opts.only?.first ?? series.done;
  let done = start * jobsPerRepeat;
  for (let first = start; first < R; first += chunk) {
    const count = Math.min(chunk, R - first);
    computeChunk(first, count, () => {
      done += count;
      opts.onProgress?.(done, total);
    });
    opts.onChunk?.(series.chunk(first, count));
  }
  if (opts.only !== undefined) throw new ChunksComputed();
}

/** Repeats first … end − 1. */
export interface RepeatRange {
  first: number;
  end: number;
}

/** Thrown once the repeats of `only` are computed: a range's caller wants the raw chunks, not statistics. */
class ChunksComputed extends Error {}

/** studyChunks' body, given `study` (which imports this module). */
export function collectRange(
  study: (opts: StudyOptions) => unknown,
  opts: StudyOptions,
  range: RepeatRange,
): StudyChunk[] {
  const R = opts.repeats;
  if (
    !(
      Number.isInteger(range.first) &&
      Number.isInteger(range.end) &&
      range.first >= 0 &&
      range.first < range.end &&
      (R === undefined || range.end <= R)
    )
  )
    throw new RangeError(
      `range: expected repeats first < end within [0, ${R}], got ${range.first} … ${range.end}`,
    );
  const out: StudyChunk[] = [];
  const onChunk = (c: StudyChunk) => {
    const values: Record<string, Float64Array> = {};
    for (const [k, v] of Object.entries(c.values)) values[k] = v.slice();
    out.push({ first: c.first, count: c.count, values });
  };
  try {
    // a resume given is only checked against the study (and must end where the range begins)
    study({ ...opts, onProgress: undefined, onChunk, only: range } as StudyOptions);
  } catch (e) {
    if (e instanceof ChunksComputed) return out;
    throw e;
  }
  throw new RangeError('studyChunks: the study computed no range');
}
