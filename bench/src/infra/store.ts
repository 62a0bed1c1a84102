/**
 * Results on disk: `results/<suite>-<timestamp>.{md,json}` plus `results/latest-<suite>.json`,
 * each written to a temporary file and renamed, so a crashed or concurrent run never leaves a
 * half-written file where the next run looks for its comparison.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SavedRun } from './report';

export function writeAtomic(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

/** The previous run of `suite`, or null when there is none (or it cannot be read). */
export function loadLatest(dir: string, suite: string): SavedRun | null {
  const path = join(dir, `latest-${suite}.json`);
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as SavedRun;
  } catch {
    return null;
  }
}

/** Writes the run's markdown and JSON, then points latest-<suite>.json at it; returns the paths. */
export function saveRun(dir: string, run: SavedRun, markdown: string): string[] {
  mkdirSync(dir, { recursive: true });
  const stamp = run.timestamp.replace(/[:.]/g, '-');
  const base = join(dir, `${run.report.suite}-${stamp}`);
  const json = `${JSON.stringify(run, (_k, v) => (v === Number.POSITIVE_INFINITY ? 'Infinity' : v), 2)}\n`;
  writeAtomic(`${base}.md`, markdown);
  writeAtomic(`${base}.json`, json);
  writeAtomic(join(dir, `latest-${run.report.suite}.json`), json);
  return [`${base}.md`, `${base}.json`];
}
