import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../cli/io';
import { PRESETS_DIR, readPreset } from '../cli/train-command';
import { ConfigError, resolveConfig, type TrainConfig } from '../meta/config';

/**
 * A sweep's unit of work: a training run or a study, with options validated here whatever their
 * source (a sweep file, or a queue another machine filled). Its id is the hash of its resolved
 * options, so equal runs are one job and a rerun finds its results; its results directory is
 * derived from the id alone, never from the job's data.
 */
export type SweepJob =
  | { kind: 'train'; id: string; config: TrainConfig }
  | { kind: 'study'; id: string; options: Record<string, string | boolean> };

export const JOB_KINDS = ['train', 'study'] as const;

/** A job that must never run: unknown kind or field, bad value, a path outside the results. */
export class JobRejected extends Error {
  override readonly name = 'JobRejected';
}

/** The study command's options a job may set (no output paths: the job's directory holds them). */
const STUDY_FIELDS: Record<string, 'string' | 'boolean'> = {
  mdp: 'string',
  toy: 'string',
  theta: 'string',
  sigma: 'string',
  n: 'string',
  estimators: 'string',
  samples: 'string',
  repeats: 'string',
  batchSize: 'string',
  seed: 'string',
  alpha: 'string',
  baseline: 'string',
  meta: 'boolean',
  level: 'string',
  composed: 'boolean',
  maxMemory: 'string',
  maxWork: 'string',
};

const show = (v: unknown) => JSON.stringify(v) ?? String(v);

/** JSON with object keys sorted at every level: the text a job's id hashes. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/** A path given in a job, resolved inside `results`, or rejected. */
export function insideResults(results: string, given: string, where: string): string {
  const full = path.resolve(results, given);
  const rel = path.relative(path.resolve(results), full);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel))
    throw new JobRejected(
      `${where}: expected a path inside the results directory ${show(results)}, got ${show(given)}`,
    );
  return full;
}

function trainConfig(options: Record<string, unknown>, where: string): TrainConfig {
  const { preset, ...fields } = options;
  let base: Record<string, unknown> = {};
  if (preset !== undefined) {
    // shipped presets only, by name: a job names no files
    if (
      typeof preset !== 'string' ||
      !/^[a-z0-9][a-z0-9-]*$/.test(preset) ||
      !fs.existsSync(path.join(PRESETS_DIR, `${preset}.json`))
    )
      throw new JobRejected(`${where}.preset: expected the name of a shipped preset, got ${show(preset)}`);
    base = readPreset(preset);
  }
  try {
    return resolveConfig({ ...base, ...fields }, where);
  } catch (e) {
    if (e instanceof ConfigError) throw new JobRejected(e.message);
    throw e;
  }
}

function studyOptions(
  options: Record<string, unknown>,
  where: string,
  results: string,
): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  for (const [k, v] of Object.entries(options)) {
    const type = STUDY_FIELDS[k];
    if (type === undefined)
      throw new JobRejected(
        `${where}: unknown study option ${show(k)}; known: ${Object.keys(STUDY_FIELDS).join(', ')}`,
      );
    if (type === 'boolean') {
      if (typeof v !== 'boolean')
        throw new JobRejected(`${where}.${k}: expected true or false, got ${show(v)}`);
      out[k] = v;
    } else if (typeof v === 'number' && Number.isFinite(v)) out[k] = String(v);
    else if (typeof v === 'string') out[k] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'number' || typeof x === 'string'))
      out[k] = v.join(',');
    else throw new JobRejected(`${where}.${k}: expected a number, a string or a list, got ${show(v)}`);
  }
  if (typeof out.mdp === 'string') insideResults(results, out.mdp, `${where}.mdp`);
  return out;
}

/**
 * Validate a job `{kind, options}` (from a sweep file or a queue) and give it its id. Unknown
 * kinds and fields are rejected, as are paths outside `results`; a study's MDP file enters the
 * id by content.
 */
export function validateJob(raw: unknown, results: string, where = 'job'): SweepJob {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new JobRejected(`${where}: expected an object {kind, options}, got ${show(raw)}`);
  const { kind, options = {}, ...rest } = raw as Record<string, unknown>;
  const extra = Object.keys(rest).filter((k) => k !== 'id');
  if (extra.length > 0)
    throw new JobRejected(`${where}: unknown field ${show(extra[0])}; expected kind, options`);
  if (!JOB_KINDS.includes(kind as (typeof JOB_KINDS)[number]))
    throw new JobRejected(`${where}.kind: expected one of ${JOB_KINDS.join(', ')}, got ${show(kind)}`);
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw new JobRejected(`${where}.options: expected an object, got ${show(options)}`);
  const o = options as Record<string, unknown>;
  let job: SweepJob;
  if (kind === 'train') {
    const config = trainConfig(o, `${where}.options`);
    job = { kind, id: hash(canonicalJson({ kind, config })), config };
  } else {
    const opts = studyOptions(o, `${where}.options`, results);
    const mdp =
      typeof opts.mdp === 'string'
        ? fileHash(insideResults(results, opts.mdp, `${where}.options.mdp`))
        : null;
    job = { kind: 'study', id: hash(canonicalJson({ kind, options: opts, mdp })), options: opts };
  }
  const claimed = (raw as { id?: unknown }).id;
  if (claimed !== undefined && claimed !== job.id)
    throw new JobRejected(
      `${where}.id: ${show(claimed)} does not match its options (their hash is ${job.id})`,
    );
  return job;
}

function fileHash(file: string): string {
  try {
    return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch (e) {
    throw new JobRejected(`mdp: cannot read ${show(file)} (${(e as Error).message})`);
  }
}

/** The job's own directory in the results: `<kind>-<id>`. */
export const jobDir = (results: string, job: SweepJob) => path.join(results, `${job.kind}-${job.id}`);

/** Written last, atomically: its presence means the job's results are complete. */
export const DONE_FILE = 'job.json';

export const isDone = (results: string, job: SweepJob) =>
  fs.existsSync(path.join(jobDir(results, job), DONE_FILE));

/** What a job's data on a queue holds: its kind, options and id (validated again by the worker). */
export function jobData(job: SweepJob): { kind: string; id: string; options: Record<string, unknown> } {
  return job.kind === 'train'
    ? { kind: 'train', id: job.id, options: { ...job.config } }
    : { kind: 'study', id: job.id, options: { ...job.options } };
}

export function markDone(results: string, job: SweepJob, summary: Record<string, unknown>): void {
  writeFileAtomic(
    '--results',
    path.join(jobDir(results, job), DONE_FILE),
    `${JSON.stringify({ ...jobData(job), ...summary }, null, 2)}\n`,
  );
}
