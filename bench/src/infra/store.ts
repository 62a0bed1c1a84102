/**
 * Results on disk. Every run goes to `results/local/<suite>-<timestamp>.{md,json}` (git-ignored:
 * smoke and everyday runs never become anyone's baseline). The comparison baseline is the
 * committed `results/reference/<suite>.{json,md}`, written only by a full `--save-reference` run.
 * Files are written to a temporary name and renamed, so a crashed or concurrent run never leaves
 * a half-written file where the next run looks for its reference.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SavedRun } from './report';

export const localDir = (resultsDir: string): string => join(resultsDir, 'local');
export const referencePath = (resultsDir: string, suite: string): string =>
  join(resultsDir, 'reference', `${suite}.json`);

export function writeAtomic(path: string, content: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

/** A file-name-safe form of an ISO timestamp. */
export const stampOf = (iso: string): string => iso.replace(/[:.]/g, '-');

/** The reference run of `suite`, or null when there is none (or it cannot be read). */
export function loadReference(resultsDir: string, suite: string): SavedRun | null {
  const path = referencePath(resultsDir, suite);
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as SavedRun;
  } catch {
    return null;
  }
}

const toJson = (run: SavedRun): string =>
  `${JSON.stringify(run, (_k, v) => (v === Number.POSITIVE_INFINITY ? 'Infinity' : v), 2)}\n`;

/** Writes the run's markdown and JSON under local/; returns the paths. */
export function saveRun(resultsDir: string, run: SavedRun, markdown: string): string[] {
  const dir = localDir(resultsDir);
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${run.report.suite}-${stampOf(run.timestamp)}`);
  writeAtomic(`${base}.md`, markdown);
  writeAtomic(`${base}.json`, toJson(run));
  return [`${base}.md`, `${base}.json`];
}

/** Makes a full run the suite's reference (JSON for comparisons, markdown for people). */
export function saveReference(resultsDir: string, run: SavedRun, markdown: string): string[] {
  if (run.quick) throw new Error('a --quick run cannot be a reference');
  const json = referencePath(resultsDir, run.report.suite);
  mkdirSync(join(resultsDir, 'reference'), { recursive: true });
  const md = json.replace(/\.json$/, '.md');
  writeAtomic(md, markdown);
  writeAtomic(json, toJson(run));
  return [md, json];
}
