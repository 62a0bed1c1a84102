/**
 * Timing through benchmark.js: it picks how many calls make one sample so the clock's
 * resolution does not matter, and keeps every sample, from which the median and the range
 * are reported (means hide the outliers that matter on a shared machine).
 */
import Benchmark from 'benchmark';
import type { Measurement } from './suite';

export interface TimingOptions {
  /** Seconds to spend sampling (benchmark.js maxTime). */
  maxTime: number;
  minSamples: number;
}

export interface Timing {
  /** Seconds per call, one entry per sample. */
  perCall: number[];
}

/** Calls slower than this are timed directly, a few times, instead of through benchmark.js. */
const SLOW_CALL_S = 0.1;
const SLOW_REPS = 3;

async function timeSlow(fn: () => unknown): Promise<Timing> {
  const perCall: number[] = [];
  for (let r = 0; r < SLOW_REPS; r++) {
    const t0 = process.hrtime.bigint();
    await fn();
    perCall.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return { perCall };
}

/**
 * Time a synchronous function, or an async one (awaited each call). The first call is a
 * warm-up (JIT, shader compilation); if it was slow, the function is timed directly instead.
 */
export async function time(fn: () => unknown, options: TimingOptions): Promise<Timing> {
  const t0 = process.hrtime.bigint();
  const probe = fn();
  const isAsync = probe instanceof Promise;
  await probe;
  if (Number(process.hrtime.bigint() - t0) / 1e9 > SLOW_CALL_S) {
    await fn(); // the first call included compilation: see how slow a warm one is
    return timeSlow(fn);
  }
  return new Promise((resolve, reject) => {
    const bench = isAsync
      ? new Benchmark({
          defer: true,
          fn: (deferred: { resolve(): void }) => (fn() as Promise<unknown>).then(() => deferred.resolve()),
          ...options,
        })
      : new Benchmark({ fn, ...options });
    bench.on('complete', () => {
      if (bench.error) reject(bench.error);
      else resolve({ perCall: [...bench.stats.sample] });
    });
    bench.on('error', () => reject(bench.error));
    bench.run({ async: isAsync });
  });
}

/** Median, range and count of measured values (any order). */
export function summarize(values: readonly number[], unit: string): Measurement {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], unit, samples: s.length };
}

/** Turns per-call seconds into a rate, e.g. work = FLOPs per call, scale = 1e-9 for GFLOP/s. */
export function rate(t: Timing, work: number, scale: number, unit: string): Measurement {
  return summarize(
    t.perCall.map((s) => (work * scale) / s),
    unit,
  );
}

/** Per-call duration in milliseconds. */
export function duration(t: Timing): Measurement {
  return summarize(
    t.perCall.map((s) => s * 1000),
    'ms',
  );
}
