import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { getBackend } from '@metagrad/autodiff';
import { removeStaleTemporaries, writeFileAtomic } from '../cli/io';
import type { TrainConfig } from '../meta/config';
import { ConfigError, resolveConfig } from '../meta/config';
import type { IterationRecord, IterationTimes } from '../meta/meta-learner';
import { isSupervisedEnv } from '../supervised/config';
import type { PyTreeJson } from './serialize';

/**
 * A run directory:
 * - `config.json`   every resolved option, the package versions, the format;
 * - `progress.jsonl` one deterministic row per finished iteration (no wall-clock: a resumed run
 *   writes byte-identical rows);
 * - `timing.jsonl`  the wall-clock split of each iteration (sampling / inner / outer / optimizer);
 * - `progress.csv`  both, joined, for spreadsheets (appended with the logs, rebuilt on resume);
 * - `checkpoint.json` meta-parameters, optimiser state, the number of finished iterations and
 *   the matmul backend that computed them, replaced atomically;
 * - `policy.json`   the final meta-parameters.
 * Both carry the sha256 of the rest of their content, so a damaged or hand-edited file is refused
 * instead of resuming into different numbers.
 */
export const RUN_FORMAT = 'metagrad-run/1';
/** Format of checkpoint.json and policy.json (2: sealed with a sha256 and the backend). */
export const STATE_FORMAT = 'metagrad-state/2';

export const RUN_FILES = {
  config: 'config.json',
  progress: 'progress.jsonl',
  timing: 'timing.jsonl',
  csv: 'progress.csv',
  checkpoint: 'checkpoint.json',
  policy: 'policy.json',
  evaluation: 'evaluation.json',
} as const;

export interface RunConfigFile {
  format: string;
  config: object;
  versions: Record<string, string>;
}

export interface Checkpoint {
  format: string;
  /** Iterations finished; training continues with this iteration index. */
  iterations: number;
  meta: PyTreeJson;
  outerState: unknown;
  /** tmaml-meta: the meta-learned control variate's φ and Adam moments. */
  controlVariate?: unknown;
  /** The matmul backend the state was computed on ('cpu' float64 or 'gpu' float32). */
  backend: string;
}

export class RunDirError extends Error {
  override readonly name = 'RunDirError';
}

const file = (dir: string, name: keyof typeof RUN_FILES) => path.join(dir, RUN_FILES[name]);

/** Versions of the packages that produced a run (recorded in config.json). */
export function packageVersions(): Record<string, string> {
  const out: Record<string, string> = { node: process.version };
  for (const p of ['autodiff', 'envs', 'estimators', 'train']) {
    try {
      out[`@metagrad/${p}`] = require(`@metagrad/${p}/package.json`).version;
    } catch {
      out[`@metagrad/${p}`] = 'unknown';
    }
  }
  return out;
}

/**
 * Create a fresh run directory. An existing directory with anything in it is refused unless
 * `force`, which removes only the run's own files (never anything else the user keeps there).
 */
export function createRunDir(dir: string, config: object, force: boolean): void {
  if (fs.existsSync(dir)) {
    if (!fs.statSync(dir).isDirectory())
      throw new RunDirError(`--out: expected a directory, got the file ${JSON.stringify(dir)}`);
    const entries = fs.readdirSync(dir);
    if (entries.length > 0 && !force)
      throw new RunDirError(
        `--out: ${JSON.stringify(dir)} already holds a run (${entries.slice(0, 4).join(', ')}${entries.length > 4 ? ', …' : ''}); use --resume ${dir} to continue it or --force to start over`,
      );
    for (const name of Object.values(RUN_FILES)) fs.rmSync(path.join(dir, name), { force: true });
    fs.rmSync(path.join(dir, SNAPSHOT_DIR), { recursive: true, force: true });
  }
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new RunDirError(`--out: cannot create ${JSON.stringify(dir)} (${(e as Error).message})`);
  }
  const body: RunConfigFile = { format: RUN_FORMAT, config, versions: packageVersions() };
  writeFileAtomic('--out', file(dir, 'config'), `${JSON.stringify(body, null, 2)}\n`);
  for (const name of ['progress', 'timing'] as const) fs.writeFileSync(file(dir, name), '');
}

function readJson(p: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(p, 'utf8');
  } catch (e) {
    throw new RunDirError(
      `${what}: cannot read ${JSON.stringify(p)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new RunDirError(`${what}: ${JSON.stringify(p)} is not valid JSON (${(e as Error).message})`);
  }
}

/** The config fields of an existing run as written (unchecked: the caller resolves them). */
export function readRunConfigFields(dir: string): Record<string, unknown> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new RunDirError(
      `run directory: expected a directory made by \`metagrad train --out\`, got ${JSON.stringify(dir)}`,
    );
  const body = readJson(file(dir, 'config'), 'run directory') as Partial<RunConfigFile>;
  if (body?.format !== RUN_FORMAT)
    throw new RunDirError(
      `${file(dir, 'config')}: format: expected ${JSON.stringify(RUN_FORMAT)}, got ${JSON.stringify(body?.format)}`,
    );
  return (body.config ?? {}) as Record<string, unknown>;
}

/** The resolved config of an existing run (checked again: a hand-edited file gets a clear error). */
export function readRunConfig(dir: string): TrainConfig {
  const fields = readRunConfigFields(dir);
  if (isSupervisedEnv(fields.env))
    throw new RunDirError(
      `${dir}: a supervised run on ${String(fields.env)} (not a policy): \`metagrad evaluate\` (with --figure) and \`train --resume\` take it, this command takes RL runs`,
    );
  try {
    return resolveConfig(fields, file(dir, 'config'));
  } catch (e) {
    if (e instanceof ConfigError) throw new RunDirError(e.message);
    throw e;
  }
}

/** `body` as JSON with the sha256 of that JSON appended as its last field. */
function sealed(body: Record<string, unknown>): string {
  const json = JSON.stringify(body);
  return `${JSON.stringify({ ...body, sha256: sha256(json) })}\n`;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A sealed state file's content, refused when its hash, format or backend does not fit. */
function readSealed(p: string, what: string): Record<string, unknown> {
  const raw = readJson(p, what) as Record<string, unknown> | null;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new RunDirError(`${p}: expected a JSON object`);
  const { sha256: recorded, ...body } = raw;
  if (body.format !== STATE_FORMAT)
    throw new RunDirError(
      `${p}: format: expected ${JSON.stringify(STATE_FORMAT)}, got ${JSON.stringify(body.format)}` +
        (body.format === RUN_FORMAT
          ? ' (written by an earlier metagrad without an integrity hash; --force starts the run over)'
          : ''),
    );
  const actual = sha256(JSON.stringify(body));
  if (recorded !== actual)
    throw new RunDirError(
      `${p}: damaged or edited: the content's sha256 ${actual.slice(0, 12)}… differs from the recorded ${String(recorded).slice(0, 12)}…`,
    );
  const backend = getBackend().active;
  if (body.backend !== backend)
    throw new RunDirError(
      `${p}: computed on the ${JSON.stringify(body.backend)} backend, but this process runs ${JSON.stringify(backend)} (METAGRAD_BACKEND): resuming would mix float32 and float64 results`,
    );
  return body;
}

export function readCheckpoint(dir: string): Checkpoint | null {
  const p = file(dir, 'checkpoint');
  if (!fs.existsSync(p)) return null;
  const c = readSealed(p, 'checkpoint') as Partial<Checkpoint>;
  if (!Number.isInteger(c.iterations) || (c.iterations as number) < 0)
    throw new RunDirError(
      `${p}: iterations: expected a non-negative integer, got ${JSON.stringify(c.iterations)}`,
    );
  return c as Checkpoint;
}

/** Delete the temporary files a writer killed mid-write left in a run directory (before resuming it). */
export function removeStaleRunTemporaries(dir: string): void {
  removeStaleTemporaries(dir, [RUN_FILES.checkpoint, RUN_FILES.policy, RUN_FILES.config]);
}

export function writeCheckpoint(dir: string, c: Omit<Checkpoint, 'format' | 'backend'>): void {
  const body = { format: STATE_FORMAT, backend: getBackend().active, ...c };
  writeFileAtomic('checkpoint', file(dir, 'checkpoint'), sealed(body));
}

export function writePolicy(dir: string, meta: PyTreeJson, iterations: number): void {
  const body = { format: STATE_FORMAT, backend: getBackend().active, iterations, meta };
  writeFileAtomic('policy', file(dir, 'policy'), sealed(body));
}

/** Folder of a run's snapshots: the meta-parameters after every `--snapshot-every` iterations. */
export const SNAPSHOT_DIR = 'snapshots';

const snapshotFile = (dir: string, iterations: number) =>
  path.join(dir, SNAPSHOT_DIR, `policy-${iterations}.json`);

/**
 * Keep the meta-parameters after `iterations` iterations as snapshots/policy-<iterations>.json
 * (sealed like policy.json), so that `evaluate --snapshot` can meta-test the run along its
 * training, as the MAML paper picked its best meta-iteration.
 */
export function writeSnapshot(dir: string, meta: PyTreeJson, iterations: number): void {
  fs.mkdirSync(path.join(dir, SNAPSHOT_DIR), { recursive: true });
  const body = { format: STATE_FORMAT, backend: getBackend().active, iterations, meta };
  writeFileAtomic('snapshot', snapshotFile(dir, iterations), sealed(body));
}

/** The iterations a run has snapshots of, ascending. */
export function listSnapshots(dir: string): number[] {
  const d = path.join(dir, SNAPSHOT_DIR);
  if (!fs.existsSync(d)) return [];
  return fs
    .readdirSync(d)
    .map((f) => /^policy-(\d+)\.json$/.exec(f))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

/** The meta-parameters of one snapshot (a clear error listing the snapshots there are when missing). */
export function readSnapshot(
  dir: string,
  iterations: number,
): { meta: PyTreeJson; iterations: number; source: string } {
  const p = snapshotFile(dir, iterations);
  if (!fs.existsSync(p)) {
    const have = listSnapshots(dir);
    throw new RunDirError(
      `--snapshot: ${JSON.stringify(dir)} has no snapshot after ${iterations} iterations (it has ${have.length === 0 ? 'none: train with --snapshot-every N' : have.join(', ')})`,
    );
  }
  const body = readSealed(p, 'snapshot') as { meta: PyTreeJson; iterations: number };
  return { meta: body.meta, iterations: body.iterations, source: p };
}

/** The meta-parameters a run produced: policy.json if training finished, else the checkpoint. */
export function readPolicy(dir: string): { meta: PyTreeJson; iterations: number; source: string } {
  const p = file(dir, 'policy');
  if (fs.existsSync(p)) {
    const body = readSealed(p, 'policy') as { meta: PyTreeJson; iterations: number };
    return { meta: body.meta, iterations: body.iterations, source: p };
  }
  const c = readCheckpoint(dir);
  if (c === null) return { meta: null, iterations: 0, source: 'initialisation' };
  return { meta: c.meta, iterations: c.iterations, source: file(dir, 'checkpoint') };
}

/**
 * The start of every training loop over a run directory: a new run creates it (refusing to
 * overwrite one without `force`); a resumed run drops a killed writer's temporaries, reads the
 * checkpoint and cuts the logs back to it (rows after it are recomputed). Returns the checkpoint
 * to restore the loop's own state from, or null (start at iteration 0).
 */
export function openRunDir<R = IterationRecord, T = IterationTimes>(
  dir: string,
  o: { resume?: boolean; force?: boolean; config: object; csv?: CsvFormat<R, T> },
): Checkpoint | null {
  if (!o.resume) {
    createRunDir(dir, o.config, !!o.force);
    return null;
  }
  removeStaleRunTemporaries(dir);
  const c = readCheckpoint(dir);
  truncateLogs(dir, c?.iterations ?? 0, o.csv);
  return c;
}

/** Complete lines of a JSONL file (a line cut by a kill is dropped). */
export function readJsonl<T>(p: string): T[] {
  if (!fs.existsSync(p)) return [];
  const text = fs.readFileSync(p, 'utf8');
  const lines = text.split('\n');
  lines.pop(); // after the last '\n': empty, or a partial line
  return lines.map((l, i) => {
    try {
      return JSON.parse(l) as T;
    } catch {
      throw new RunDirError(`${p}: line ${i + 1} is not valid JSON`);
    }
  });
}

export function readProgress(dir: string): IterationRecord[] {
  return readJsonl<IterationRecord>(file(dir, 'progress'));
}

export function readTimes(dir: string): IterationTimes[] {
  return readJsonl<IterationTimes>(file(dir, 'timing'));
}

/**
 * Keep the first `n` rows of the logs (what a checkpoint vouches for) before resuming; the CSV
 * is rebuilt from the rows kept.
 */
/** How a kind of run writes its progress.csv (the RL columns by default). */
export interface CsvFormat<R = IterationRecord, T = IterationTimes> {
  header(first: R): string;
  row(r: R, t: T | undefined): string;
}

const RL_CSV: CsvFormat = { header: (r) => csvHeader(r), row: (r, t) => csvRow(r, t) };

export function truncateLogs<R, T>(dir: string, n: number, csvFormat?: CsvFormat<R, T>): void {
  const fmt = (csvFormat ?? RL_CSV) as unknown as CsvFormat<unknown, unknown>;
  const kept = { progress: readProgress(dir), timing: readTimes(dir) };
  for (const name of ['progress', 'timing'] as const) {
    const rows = kept[name];
    if (rows.length < n)
      throw new RunDirError(
        `${file(dir, name)}: the checkpoint is after iteration ${n} but the file has ${rows.length} rows`,
      );
    writeFileAtomic(
      '--resume',
      file(dir, name),
      rows
        .slice(0, n)
        .map((r) => `${JSON.stringify(r)}\n`)
        .join(''),
    );
  }
  const { progress, timing } = kept;
  const csv = progress.slice(0, n).map((r, i) => fmt.row(r, timing[i]));
  writeFileAtomic('--resume', file(dir, 'csv'), n === 0 ? '' : [fmt.header(progress[0]), ...csv].join(''));
}

/** Append one iteration's rows to the three logs, each flushed to disk. */
export function appendIteration<R = IterationRecord, T = IterationTimes>(
  dir: string,
  record: R,
  times: T,
  csvFormat?: CsvFormat<R, T>,
): void {
  appendIterations(dir, [record], [times], csvFormat);
}

/**
 * Append the rows of several iterations with one flush per file (for iterations of a few
 * milliseconds, where a flush per row would cost more than the iteration). Call it before the
 * checkpoint that covers the rows, as `appendIteration`.
 */
export function appendIterations<R = IterationRecord, T = IterationTimes>(
  dir: string,
  records: readonly R[],
  times: readonly T[],
  csvFormat?: CsvFormat<R, T>,
): void {
  if (records.length === 0) return;
  const fmt = (csvFormat ?? RL_CSV) as unknown as CsvFormat<R, T>;
  const csvPath = file(dir, 'csv');
  const csv =
    (fs.existsSync(csvPath) && fs.statSync(csvPath).size > 0 ? '' : fmt.header(records[0])) +
    records.map((r, i) => fmt.row(r, times[i])).join('');
  for (const [name, text] of [
    ['progress', records.map((r) => `${JSON.stringify(r)}\n`).join('')],
    ['timing', times.map((t) => `${JSON.stringify(t)}\n`).join('')],
    ['csv', csv],
  ] as const) {
    const fd = fs.openSync(file(dir, name), 'a');
    try {
      fs.writeSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }
}

function csvHeader(first: IterationRecord): string {
  const returns = first.returns.map((_, s) => `return_after_${s}_steps`);
  const rest = ['loss_before', 'loss_after', 'kl', 'step_fraction', 'accepted', 'grad_norm', 'param_norm'];
  const seconds = ['sampling', 'inner', 'outer', 'optimizer', 'total'].map((p) => `seconds_${p}`);
  return `${['iteration', ...returns, ...rest, ...seconds].join(',')}\n`;
}

function csvRow(r: IterationRecord, t: IterationTimes | undefined): string {
  const { lossBefore, lossAfter, kl, stepFraction, gradNorm, paramNorm } = r;
  const seconds =
    t === undefined ? ['', '', '', '', ''] : [t.sampling, t.inner, t.outer, t.optimizer, t.total];
  const cells = [
    r.iteration,
    ...r.returns,
    lossBefore,
    lossAfter,
    kl,
    stepFraction,
    r.accepted ? 1 : 0,
    gradNorm,
    paramNorm,
  ];
  return `${[...cells, ...seconds].join(',')}\n`;
}
