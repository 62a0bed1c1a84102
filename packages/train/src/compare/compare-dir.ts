import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../cli/io';
import { resolveConfig, type TrainConfig } from '../meta/config';
import { RunDirError, readJsonl } from '../run/run-dir';
import { COMPARE_ESTIMATORS, type CompareEstimator } from './estimators';
import type { TrackOptions, TrackRow, TrackTimes } from './tracker';

/**
 * A compare directory: `compare.json` (what is compared: estimators, seeds, the tracking options
 * and the base training config) and one ordinary run directory per estimator × seed, named
 * `<estimator>-seed<seed>`, each with two more logs: `tracking.jsonl` (deterministic rows, one per
 * tracked θ) and `tracking-timing.jsonl` (their wall-clock). `summary.json` is rebuilt from them.
 */
export const COMPARE_FORMAT = 'metagrad-compare/1';
export const COMPARE_FILE = 'compare.json';
export const SUMMARY_FILE = 'summary.json';
export const TRACKING_FILE = 'tracking.jsonl';
export const TRACKING_TIMING_FILE = 'tracking-timing.jsonl';

export interface CompareSpec {
  estimators: CompareEstimator[];
  seeds: number[];
  /** Track every this many iterations (and at 0 and at the end). */
  trackEvery: number;
  track: TrackOptions;
  base: TrainConfig;
}

export const subRunName = (estimator: string, seed: number) => `${estimator}-seed${seed}`;
export const subRunDir = (dir: string, estimator: string, seed: number) =>
  path.join(dir, subRunName(estimator, seed));

export const isCompareDir = (dir: string): boolean => fs.existsSync(path.join(dir, COMPARE_FILE));

export function writeCompareSpec(dir: string, spec: CompareSpec): void {
  writeFileAtomic(
    '--out',
    path.join(dir, COMPARE_FILE),
    `${JSON.stringify({ format: COMPARE_FORMAT, ...spec }, null, 2)}\n`,
  );
}

export function readCompareSpec(dir: string): CompareSpec {
  const p = path.join(dir, COMPARE_FILE);
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(fs.readFileSync(p, 'utf8'));
  } catch (e) {
    throw new RunDirError(`compare directory: cannot read ${JSON.stringify(p)} (${(e as Error).message})`);
  }
  if (body?.format !== COMPARE_FORMAT)
    throw new RunDirError(
      `${p}: format: expected ${JSON.stringify(COMPARE_FORMAT)}, got ${JSON.stringify(body?.format)}`,
    );
  const { estimators, seeds, trackEvery, track } = body as unknown as CompareSpec;
  if (!Array.isArray(estimators) || estimators.some((e) => !COMPARE_ESTIMATORS.includes(e)))
    throw new RunDirError(`${p}: estimators: expected names of ${COMPARE_ESTIMATORS.join(', ')}`);
  if (!Array.isArray(seeds) || seeds.some((s) => !Number.isInteger(s) || s < 0))
    throw new RunDirError(`${p}: seeds: expected a list of non-negative integers`);
  if (!Number.isInteger(trackEvery) || trackEvery < 1)
    throw new RunDirError(`${p}: trackEvery: expected an integer >= 1, got ${JSON.stringify(trackEvery)}`);
  return {
    estimators,
    seeds,
    trackEvery,
    track,
    base: resolveConfig(body.base as Record<string, unknown>, p),
  };
}

export const readTracking = (sub: string) => readJsonl<TrackRow>(path.join(sub, TRACKING_FILE));
export const readTrackingTimes = (sub: string) => readJsonl<TrackTimes>(path.join(sub, TRACKING_TIMING_FILE));

/** Start a sub-run's tracking logs empty. */
export function resetTracking(sub: string): void {
  fs.mkdirSync(sub, { recursive: true });
  for (const f of [TRACKING_FILE, TRACKING_TIMING_FILE]) fs.writeFileSync(path.join(sub, f), '');
}

/** Keep the tracking rows a checkpoint after `done` iterations vouches for (those at θ ≤ done). */
export function truncateTracking(sub: string, done: number): void {
  const keep = <T extends { iteration: number }>(rows: T[]) =>
    rows
      .filter((r) => r.iteration <= done)
      .map((r) => `${JSON.stringify(r)}\n`)
      .join('');
  writeFileAtomic('--resume', path.join(sub, TRACKING_FILE), keep(readTracking(sub)));
  writeFileAtomic('--resume', path.join(sub, TRACKING_TIMING_FILE), keep(readTrackingTimes(sub)));
}

/** Append one tracking point to both logs, each flushed. */
export function appendTracking(sub: string, row: TrackRow, times: TrackTimes): void {
  for (const [f, line] of [
    [TRACKING_FILE, row],
    [TRACKING_TIMING_FILE, times],
  ] as const) {
    const fd = fs.openSync(path.join(sub, f), 'a');
    try {
      fs.writeSync(fd, `${JSON.stringify(line)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
}
