import * as fs from 'node:fs';
import { JobRejected, type SweepJob, validateJob } from './job';

/**
 * A sweep file: `{"jobs": [{"kind", "options", "grid"?, "seeds"?}, …]}`. Each entry is expanded
 * to the cartesian product of its grid's values (keys in the order written, later keys varying
 * fastest) times its seeds, each point its options with those fields set. Points that resolve to
 * the same run are one job.
 */
const show = (v: unknown) => JSON.stringify(v) ?? String(v);

function object(v: unknown, where: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v))
    throw new JobRejected(`${where}: expected an object, got ${show(v)}`);
  return v as Record<string, unknown>;
}

function expandEntry(raw: unknown, where: string): { kind: unknown; options: Record<string, unknown> }[] {
  const { kind, options = {}, grid = {}, seeds, ...rest } = object(raw, where);
  const extra = Object.keys(rest);
  if (extra.length > 0)
    throw new JobRejected(`${where}: unknown field ${show(extra[0])}; expected kind, options, grid, seeds`);
  let points: Record<string, unknown>[] = [{ ...object(options, `${where}.options`) }];
  for (const [field, values] of Object.entries(object(grid, `${where}.grid`))) {
    if (!Array.isArray(values) || values.length === 0)
      throw new JobRejected(
        `${where}.grid.${field}: expected a non-empty list of values, got ${show(values)}`,
      );
    points = points.flatMap((p) => values.map((v) => ({ ...p, [field]: v })));
  }
  if (seeds !== undefined) {
    if (!Array.isArray(seeds) || seeds.length === 0)
      throw new JobRejected(`${where}.seeds: expected a non-empty list of seeds, got ${show(seeds)}`);
    points = points.flatMap((p) => seeds.map((seed) => ({ ...p, seed })));
  }
  return points.map((options) => ({ kind, options }));
}

/** Every job of a sweep, validated, duplicates dropped, in file order. */
export function expandSweep(sweep: unknown, results: string): SweepJob[] {
  const { jobs, ...rest } = object(sweep, 'sweep');
  const extra = Object.keys(rest);
  if (extra.length > 0) throw new JobRejected(`sweep: unknown field ${show(extra[0])}; expected jobs`);
  if (!Array.isArray(jobs) || jobs.length === 0)
    throw new JobRejected(`sweep.jobs: expected a non-empty list of jobs, got ${show(jobs)}`);
  const seen = new Set<string>();
  const out: SweepJob[] = [];
  jobs.forEach((entry, i) => {
    expandEntry(entry, `sweep.jobs[${i}]`).forEach((point, j) => {
      const job = validateJob(point, results, `sweep.jobs[${i}] point ${j}`);
      if (seen.has(job.id)) return;
      seen.add(job.id);
      out.push(job);
    });
  });
  return out;
}

export function readSweep(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new JobRejected(
      `sweep: cannot read ${show(file)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new JobRejected(`sweep: ${show(file)} is not valid JSON (${(e as Error).message})`);
  }
}
